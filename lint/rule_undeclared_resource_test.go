package lint

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/envs"
	"github.com/composure-dev/composure/internal/testenv"
)

// undefinedRE reads compose-go's checkConsistency errors about resources.
var undefinedRE = regexp.MustCompile(`service "([^"]*)" refers to undefined (volume|network|build secret|secret|config|model) (\S+): invalid compose project`)

// undeclaredAgainstComposeGo loads every environment envs.Discover finds in
// dir through compose-go (envs.Project.Load, as `docker compose config`)
// and lints it with undeclared-resource as `composure lint` does (merge,
// not strict), and holds the rule to compose-go: an environment compose-go
// loads gets no error from the rule; one compose-go refuses for an
// undefined resource gets that error among the rule's (compose-go reports
// one, picked in map order). It returns how many environments compose-go
// refused that way.
func undeclaredAgainstComposeGo(t *testing.T, dir string) (refused int) {
	t.Helper()
	po := cleanEnv(dir)
	proj, err := envs.Discover(po)
	if err != nil {
		return 0
	}
	lp, err := LoadProject(context.Background(), po, nil, LoadOptions{})
	if err != nil {
		t.Errorf("%s: %v", dir, err)
		return 0
	}
	errsByEnv := map[string][]string{}
	for _, f := range Run(Input{Files: lp.Files, Envs: lp.Envs, Only: []string{"undeclared-resource"}}) {
		if _, gated := withoutProfileNote(f.Message); f.Severity != diag.Error || gated {
			continue // compose-go loads the environment without the profile
		}
		for _, e := range f.Envs {
			errsByEnv[e] = append(errsByEnv[e], f.Message)
		}
	}
	linted := map[string]bool{}
	for _, e := range lp.Envs {
		linted[e.Name] = true
	}
	cache := compose.NewCache()
	for _, env := range proj.Envs {
		if !linted[env.Name] {
			continue // its files do not parse: nothing to compare
		}
		name := dir + " " + env.Name
		_, err := proj.Load(context.Background(), env, cache, envs.LoadOptions{NoModel: true})
		got := errsByEnv[env.Name]
		if err == nil {
			if len(got) > 0 {
				t.Errorf("%s: compose-go loads it, the rule reports:\n%s", name, strings.Join(got, "\n"))
			}
			continue
		}
		m := undefinedRE.FindStringSubmatch(err.Error())
		if m == nil {
			continue // refused for another reason: compose-go stops at its first error
		}
		refused++
		want := fmt.Sprintf("service %q refers to undefined %s %q:", m[1], m[2], m[3])
		found := false
		for _, g := range got {
			found = found || strings.HasPrefix(g, want)
		}
		if !found {
			t.Errorf("%s: compose-go: %v\nthe rule reports no %s\n%s", name, err, want, strings.Join(got, "\n"))
		}
	}
	return refused
}

// TestUndeclaredResourceComposeGo holds the rule to compose-go on small
// projects, one difference each.
func TestUndeclaredResourceComposeGo(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		// refused: compose-go refuses some environment for an undefined
		// resource
		refused bool
	}{
		{"named volume undeclared", map[string]string{"compose.yaml": "services: {a: {image: x, volumes: ['data:/d']}}\n"}, true},
		{"named volume declared", map[string]string{"compose.yaml": "services: {a: {image: x, volumes: ['data:/d']}}\nvolumes: {data: }\n"}, false},
		{"one-letter volume is a drive", map[string]string{"compose.yaml": "services: {a: {image: x, volumes: ['d:/data']}}\n"}, false},
		{"two-letter volume", map[string]string{"compose.yaml": "services: {a: {image: x, volumes: ['db:/data']}}\n"}, true},
		{"non-ASCII one-letter volume", map[string]string{"compose.yaml": "services: {a: {image: x, volumes: ['é:/data']}}\n"}, false},
		{"volume with mode", map[string]string{"compose.yaml": "services: {a: {image: x, volumes: ['data:/d:ro,z']}}\n"}, true},
		{"bind paths", map[string]string{"compose.yaml": "services: {a: {image: x, volumes: ['./d:/d', '/e:/e', '~/f:/f', 'C:\\g:/g', '\\\\host\\pipe:/p', '/anon']}}\n"}, false},
		{"long volume undeclared", map[string]string{"compose.yaml": "services: {a: {image: x, volumes: [{type: volume, source: data, target: /d}]}}\n"}, true},
		{"long anonymous volume", map[string]string{"compose.yaml": "services: {a: {image: x, volumes: [{type: volume, target: /d}]}}\n"}, false},
		{"long bind", map[string]string{"compose.yaml": "services: {a: {image: x, volumes: [{type: bind, source: data, target: /d}]}}\n"}, false},
		{"interpolated volume default", map[string]string{"compose.yaml": "services: {a: {image: x, volumes: ['${V:-data}:/d']}}\n"}, true},
		{"interpolated volume from .env", map[string]string{"compose.yaml": "services: {a: {image: x, volumes: ['${V:-data}:/d']}}\nvolumes: {data: }\n", ".env": "V=other\n"}, true},
		{"interpolated volume declared", map[string]string{"compose.yaml": "services: {a: {image: x, volumes: ['${V:-data}:/d']}}\nvolumes: {data: }\n"}, false},
		{"volume by its name:", map[string]string{"compose.yaml": "services: {a: {image: x, volumes: ['proj_data:/d']}}\nvolumes: {data: {name: proj_data}}\n"}, true},
		{"external volume", map[string]string{"compose.yaml": "services: {a: {image: x, volumes: ['data:/d']}}\nvolumes: {data: {external: true}}\n"}, false},
		{"tmpfs and volumes_from", map[string]string{"compose.yaml": "services: {a: {image: x, tmpfs: [/run], volumes: [{type: tmpfs, target: /t}]}, b: {image: x, volumes_from: [a]}}\n"}, false},
		{"network undeclared", map[string]string{"compose.yaml": "services: {a: {image: x, networks: [front]}}\n"}, true},
		{"network mapping undeclared", map[string]string{"compose.yaml": "services: {a: {image: x, networks: {front: {aliases: [b]}}}}\n"}, true},
		{"default network", map[string]string{"compose.yaml": "services: {a: {image: x, networks: [default]}, b: {image: x, networks: {default: }}}\n"}, false},
		{"default network redeclared", map[string]string{"compose.yaml": "services: {a: {image: x}}\nnetworks: {default: {name: shared, external: true}}\n"}, false},
		{"secret undeclared", map[string]string{"compose.yaml": "services: {a: {image: x, secrets: [key]}}\n"}, true},
		{"long secret undeclared", map[string]string{"compose.yaml": "services: {a: {image: x, secrets: [{source: key, target: k}]}}\n"}, true},
		{"secret declared", map[string]string{"compose.yaml": "services: {a: {image: x, secrets: [key]}}\nsecrets: {key: {environment: KEY}}\n"}, false},
		{"build secret undeclared", map[string]string{"compose.yaml": "services: {a: {image: x, build: {context: ., secrets: [npmrc]}}}\n"}, true},
		{"config undeclared", map[string]string{"compose.yaml": "services: {a: {image: x, configs: [conf]}}\n"}, true},
		{"config declared", map[string]string{"compose.yaml": "services: {a: {image: x, configs: [{source: conf, target: /c}]}}\nconfigs: {conf: {content: x}}\n"}, false},
		{"disabled service", map[string]string{"compose.yaml": "services: {a: {image: x}, b: {image: x, profiles: [dbg], volumes: ['data:/d'], networks: [n], secrets: [s], configs: [c]}}\n"}, false},
		{"service enabled by COMPOSE_PROFILES", map[string]string{"compose.yaml": "services: {a: {image: x}, b: {image: x, profiles: [dbg], volumes: ['data:/d']}}\n", ".env": "COMPOSE_PROFILES=dbg\n"}, true},
		{"declared in the override", map[string]string{"compose.yaml": "services: {a: {image: x, volumes: ['data:/d']}}\n", "compose.override.yaml": "volumes: {data: }\n"}, false},
		{"used in the override", map[string]string{"compose.yaml": "services: {a: {image: x}}\n", "compose.override.yaml": "services: {a: {volumes: ['data:/d']}}\n"}, true},
		{"declared in an included file", map[string]string{"compose.yaml": "include: [inc.yaml]\nservices: {a: {image: x, volumes: ['data:/d']}}\n", "inc.yaml": "services: {b: {image: x}}\nvolumes: {data: }\n"}, false},
		{"used in an included file", map[string]string{"compose.yaml": "include: [inc.yaml]\nservices: {a: {image: x}}\n", "inc.yaml": "services: {b: {image: x, volumes: ['data:/d']}}\n"}, true},
		{"used through extends", map[string]string{"compose.yaml": "services: {a: {extends: {file: base.yaml, service: b}}}\n", "base.yaml": "services: {b: {image: x, secrets: [s]}}\nsecrets: {s: {file: ./s}}\n"}, true},
		{"model undeclared", map[string]string{"compose.yaml": "services: {a: {image: x, models: [llm]}}\n"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeProject(t, c.files)
			if refused := undeclaredAgainstComposeGo(t, dir) > 0; refused != c.refused {
				t.Errorf("compose-go refuses an environment for an undefined resource: %v, want %v", refused, c.refused)
			}
		})
	}
}

// TestUndeclaredResourceCorpus holds the rule to compose-go on every
// environment of every corpus project.
func TestUndeclaredResourceCorpus(t *testing.T) {
	shared := testenv.SharedDir(t)
	refused := 0
	for _, p := range corpusProjects(t, shared) {
		refused += undeclaredAgainstComposeGo(t, p.dir)
	}
	// docker-zulip refers to an undefined secret (../shared/oracle/docker-zulip/default.error)
	if refused == 0 {
		t.Error("no corpus environment refused for an undefined resource: the test compares nothing refused")
	}
	t.Logf("%d environments refused for an undefined resource", refused)
}

// TestUndeclaredResourceEnvironments checks findings across the files of
// environments: a declaration in the base used by the override only is
// unused in the environment without it; a reference made in a later file
// is reported there.
func TestUndeclaredResourceEnvironments(t *testing.T) {
	files := map[string]string{
		"compose.yaml": `services:
  web:
    image: nginx:1.27
    volumes:
      - logs:/var/log/nginx
volumes:
  logs:
  data:
`,
		"compose.override.yaml": `services:
  web:
    volumes:
      - data:/data
`,
		"compose.prod.yaml": `services:
  web:
    volumes:
      - dat:/data
`,
	}
	dir := writeProject(t, files)
	lp, err := LoadProject(context.Background(), cleanEnv(dir), nil, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range Run(Input{Files: lp.Files, Envs: lp.Envs, Only: []string{"undeclared-resource"}}) {
		got = append(got, fmt.Sprintf("%s %v", f, f.Envs))
	}
	want := []string{
		`compose.prod.yaml:4:9: error: service "web" refers to undefined volume "dat": docker compose refuses to load the project; did you mean "data"? Or declare "dat" under the top-level volumes: [undeclared-resource] [prod]`,
		`compose.yaml:8:3: info: volume "data" is declared and no service of the environment uses it: docker compose does not create it (but with up --all-resources); remove it if it is a leftover, or correct the name the services use [undeclared-resource] [prod]`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestUndeclaredResourceVarsUnknown checks that names with variables are
// not checked in an environment whose variables are unknown (one
// compose-go refused, linted from the merge of its files), even when a
// default would give a name.
func TestUndeclaredResourceVarsUnknown(t *testing.T) {
	src := "services:\n  a:\n    image: x\n    volumes:\n      - ${V:-data}:/d\n      - ${W}:/e\n      - logs:/f\n"
	for _, c := range []struct {
		unknown bool
		want    []string
	}{
		{false, []string{`"data"`, `"logs"`}},
		{true, []string{`"logs"`}},
	} {
		d, err := compose.Parse("compose.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		e := FileEnv("default", t.TempDir(), d, nil)
		e.VarsUnknown = c.unknown
		var got []string
		for _, f := range Run(Input{Envs: []*Env{e}, Only: []string{"undeclared-resource"}}) {
			_, rest, _ := strings.Cut(f.Message, "undefined volume ")
			name, _, _ := strings.Cut(rest, ":")
			got = append(got, name)
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("VarsUnknown %v: undefined volumes %v, want %v", c.unknown, got, c.want)
		}
	}
}
