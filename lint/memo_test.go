package lint

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/internal/gen"
	"github.com/composure-dev/composure/internal/testenv"
)

// memoCases are projects whose environments share services but not what
// the findings about them depend on: the memo must check them again.
var memoCases = []struct {
	name  string
	files map[string]string
}{
	{"dependency gets a healthcheck in prod", map[string]string{
		"compose.yaml":      "services:\n  app:\n    image: app:1\n    depends_on: [db]\n  db:\n    image: postgres:16\n",
		"compose.prod.yaml": "services:\n  db:\n    healthcheck:\n      test: [\"CMD\", \"pg_isready\"]\n",
	}},
	{"dependency removed in prod", map[string]string{
		"compose.yaml":      "services:\n  app:\n    image: app:1\n    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    image: postgres:16\n  web:\n    image: web:1\n",
		"compose.prod.yaml": "services:\n  db: !reset {}\n  web:\n    image: web:2\n",
	}},
	{"dependency left out by the profiles of one environment", map[string]string{
		"compose.yaml":   "services:\n  app:\n    image: app:1\n    depends_on: [db]\n  db:\n    image: postgres:16\n    profiles: [debug]\n",
		"composure.yaml": "environments:\n  default: [compose.yaml]\n  debug:\n    files: [compose.yaml]\n    profiles: [debug]\n",
	}},
	{"waiter host from different env files", map[string]string{
		"compose.yaml":   "services:\n  app:\n    image: app:1\n    command: [\"wait-for-it\", \"${DBHOST}:5432\", \"--\", \"run\"]\n    depends_on: [db]\n  db:\n    image: postgres:16\n",
		"a.env":          "DBHOST=db\n",
		"b.env":          "DBHOST=cache\n",
		"composure.yaml": "environments:\n  a:\n    files: [compose.yaml]\n    env_files: [a.env]\n  b:\n    files: [compose.yaml]\n    env_files: [b.env]\n",
	}},
	{"socket path from different env files", map[string]string{
		"compose.yaml":   "services:\n  proxy:\n    image: traefik:v3.1\n    volumes:\n      - ${SOCK}:/var/run/docker.sock\n",
		"a.env":          "SOCK=/var/run/docker.sock\n",
		"b.env":          "SOCK=/srv/proxy.sock\n",
		"composure.yaml": "environments:\n  a:\n    files: [compose.yaml]\n    env_files: [a.env]\n  b:\n    files: [compose.yaml]\n    env_files: [b.env]\n",
	}},
	{"dependant changed in one environment", map[string]string{
		"compose.yaml":          "services:\n  app:\n    image: app:1\n    depends_on: [db]\n  db:\n    image: postgres:16\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n",
		"compose.override.yaml": "services:\n  app:\n    depends_on:\n      db:\n        condition: service_healthy\n",
		"compose.prod.yaml":     "services:\n  app:\n    image: app:2\n",
	}},
}

// TestServiceMemo holds the rules' serviceMemo to the rules run in full
// in every environment: the same findings, byte for byte, on the cases
// above, the generated project and every corpus project.
func TestServiceMemo(t *testing.T) {
	for _, c := range memoCases {
		t.Run(c.name, func(t *testing.T) {
			if checkMemo(t, writeProject(t, c.files)) == 0 {
				t.Error("no findings: the case tests nothing")
			}
		})
	}
	g := t.TempDir()
	if err := gen.Write(g, 100); err != nil {
		t.Fatal(err)
	}
	checkMemo(t, g)
	t.Run("corpus", func(t *testing.T) {
		for _, p := range corpusProjects(t, testenv.SharedDir(t)) {
			checkMemo(t, p.dir)
		}
	})
}

// checkMemo lints dir with and without the memo and returns the number of
// findings.
func checkMemo(t *testing.T, dir string) int {
	t.Helper()
	run := func(noMemo bool) []diag.Finding {
		lp, err := LoadProject(context.Background(), cleanEnv(dir), nil, LoadOptions{})
		if err != nil {
			return nil
		}
		return Run(Input{Files: lp.Files, Envs: lp.Envs, Config: lp.Config, noMemo: noMemo})
	}
	got, want := run(false), run(true)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: with the memo:\n%s\nwithout:\n%s", dir, findingsText(got), findingsText(want))
	}
	return len(want)
}

func findingsText(fs []diag.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.String() + " " + strings.Join(f.Envs, ",") + "\n")
	}
	return b.String()
}

// TestPassService checks the memo replays only what it may: the same
// service map under the same name, variables, directory and key.
func TestPassService(t *testing.T) {
	svc := map[string]any{"image": "a"}
	other := map[string]any{"image": "a"}
	tests := []struct {
		name      string
		envB      *Env
		svcB      map[string]any
		nameB     string
		keyB      string
		wantCheck int // checks run for the second environment
	}{
		{"same service, same key", &Env{Name: "b", VarsKey: "v", Dir: "/p"}, svc, "web", "k", 0},
		{"equal but another map", &Env{Name: "b", VarsKey: "v", Dir: "/p"}, other, "web", "k", 1},
		{"another name", &Env{Name: "b", VarsKey: "v", Dir: "/p"}, svc, "api", "k", 1},
		{"another key", &Env{Name: "b", VarsKey: "v", Dir: "/p"}, svc, "web", "k2", 1},
		{"other variables", &Env{Name: "b", VarsKey: "w", Dir: "/p"}, svc, "web", "k", 1},
		{"variables unknown", &Env{Name: "b", Dir: "/p"}, svc, "web", "k", 1},
		{"another directory", &Env{Name: "b", VarsKey: "v", Dir: "/q"}, svc, "web", "k", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out []diag.Finding
			p := &Pass{meta: Meta{ID: "r"}, out: &out, memo: &serviceMemo{m: map[memoKey]memoEntry{}}}
			a := *p
			a.env = &Env{Name: "a", VarsKey: "v", Dir: "/p"}
			a.Service("web", svc, "k", func() { a.Report(diag.Finding{Message: "m", Related: []diag.Related{{Message: "r"}}}) })
			b := *p
			b.env = tt.envB
			checks := 0
			b.Service(tt.nameB, tt.svcB, tt.keyB, func() { checks++; b.Report(diag.Finding{Message: "m"}) })
			if checks != tt.wantCheck {
				t.Fatalf("second environment checked %d times, want %d", checks, tt.wantCheck)
			}
			if len(out) != 2 || !reflect.DeepEqual(out[1].Envs, []string{"b"}) {
				t.Fatalf("findings %v, want one per environment, the second in b", out)
			}
			if tt.wantCheck == 0 && !reflect.DeepEqual(out[1].Related, out[0].Related) {
				t.Errorf("replayed finding lost its related locations: %v", out[1])
			}
		})
	}
}
