package envs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composure-dev/composure/compose"
)

// describe renders a project's environments one per line:
// "name: file file [env_files=...] [profiles=...] [project=...]".
func describe(p *Project) string {
	var b strings.Builder
	for _, e := range p.Envs {
		b.WriteString(e.Name + ":")
		for _, f := range e.Files {
			b.WriteString(" " + p.Rel(f))
		}
		if len(e.EnvFiles) > 0 {
			var rel []string
			for _, f := range e.EnvFiles {
				rel = append(rel, p.Rel(f))
			}
			b.WriteString(" env_files=" + strings.Join(rel, ","))
		}
		if len(e.Profiles) > 0 {
			b.WriteString(" profiles=" + strings.Join(e.Profiles, ","))
		}
		if e.ProjectName != "" {
			b.WriteString(" project=" + e.ProjectName)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestDiscover(t *testing.T) {
	tests := []struct {
		name    string
		dir     string
		environ []string
		files   []string
		want    string
	}{
		{name: "override .yml next to compose.yaml", dir: "override-yml",
			want: "default: compose.yaml compose.override.yml\n"},
		{name: "docker-compose.override.yaml spelling", dir: "docker-override-yaml",
			want: "default: docker-compose.yml docker-compose.override.yaml\n"},
		{name: "both override spellings: .yml first, as docker compose", dir: "both-override-spellings",
			want: "default: compose.yaml compose.override.yml\n"},
		{name: "compose.yaml wins; override found whatever its stem", dir: "base-preference",
			want: "default: compose.yaml docker-compose.override.yml\n"},
		{name: "COMPOSE_FILE in .env", dir: "compose-file-dotenv",
			want: "default: a.yml b.yml\n"},
		{name: "COMPOSE_FILE in the process beats .env", dir: "compose-file-dotenv", environ: []string{"COMPOSE_FILE=b.yml"},
			want: "default: b.yml\n"},
		{name: "COMPOSE_PATH_SEPARATOR", dir: "compose-file-separator",
			want: "default: b.yml a.yml\n"},
		{name: "sibling NAME files", dir: "siblings",
			want: "default: compose.yaml compose.override.yaml\nadmin: compose.yaml compose.admin.yml\nprod: compose.yaml compose.prod.yaml\n"},
		{name: "composure.yaml declares, default first", dir: "declared",
			want: "default: compose.yaml\nlive: compose.yaml compose.prod.yaml env_files=live.env profiles=web,worker project=shop\n"},
		{name: ".composure.yaml", dir: "declared-hidden",
			want: "only: compose.yaml\n"},
		{name: "-f list is the only environment", dir: "siblings", files: []string{"compose.yaml", "compose.prod.yaml"},
			want: "default: compose.yaml compose.prod.yaml\n"},
		{name: "a standalone sibling with its own override", dir: "standalone-with-override",
			want: "default: docker-compose.yml\ntest: docker-compose.test.yml docker-compose.test.override.yml\n"},
		{name: "a sibling complete on its own is its own environment", dir: "standalone-sibling",
			want: "default: docker-compose.yml\ndev: docker-compose.dev.yml\nmonitoring: docker-compose.yml docker-compose.monitoring.yml\nprod: docker-compose.yml docker-compose.prod.yml\n"},
		// rocketchat-compose: compose.network.yml adds compose.voip.yml's
		// services, and rocketchat, to a network
		{name: "an overlay of the base and of a standalone sibling", dir: "overlay-of-sibling",
			want: "default: compose.yml\nnetwork: compose.yml compose.voip.yml compose.network.yml\nvoip: compose.voip.yml\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, err := filepath.Abs(filepath.Join("testdata", "discover", tt.dir))
			if err != nil {
				t.Fatal(err)
			}
			opts := Options{Dir: dir, Environ: append([]string{}, tt.environ...)}
			for _, f := range tt.files {
				opts.Files = append(opts.Files, filepath.Join(dir, f))
			}
			p, err := Discover(opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := describe(p); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestDiscoverErrors(t *testing.T) {
	empty := t.TempDir()
	tests := []struct {
		name string
		dir  string
		want string
		is   error
	}{
		{name: "unknown key in composure.yaml", dir: filepath.Join("testdata", "discover", "unknown-key"),
			want: `composure.yaml:4:1: unknown key "rulez" in composure.yaml: expected one of "environments", "rules", "redact"`},
		{name: "nothing found", dir: empty, is: ErrNoComposeFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Discover(Options{Dir: tt.dir, Environ: []string{}})
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != "" && err.Error() != tt.want {
				t.Errorf("got %q\nwant %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			var ce *compose.Error
			if !errors.As(err, &ce) {
				t.Errorf("error %T is not a *compose.Error with a location", err)
			}
		})
	}
}

func TestEnvUnknown(t *testing.T) {
	dir, _ := filepath.Abs(filepath.Join("testdata", "discover", "siblings"))
	p, err := Discover(Options{Dir: dir, Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Env("staging")
	want := `unknown environment "staging": known environments are "default", "admin", "prod" (run ` + "`composure envs`)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestRel(t *testing.T) {
	p := &Project{Dir: "/srv/app"}
	for in, want := range map[string]string{
		"/srv/app/compose.yaml":     "compose.yaml",
		"/srv/app/ci/compose.yaml":  "ci/compose.yaml",
		"/srv/other/compose.yaml":   "/srv/other/compose.yaml",
		"/srv/app/../x/compose.yml": "/srv/x/compose.yml",
	} {
		if got := p.Rel(filepath.Clean(in)); got != want {
			t.Errorf("Rel(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDiscoverWhy: `composure envs` says why each environment has its files.
func TestDiscoverWhy(t *testing.T) {
	tests := []struct {
		dir  string
		want []string
	}{
		{"standalone-sibling", []string{
			"default: what plain docker compose loads: the base file",
			"dev: standalone: it redefines the services it shares with docker-compose.yml (postgres); every service has an image or a build, and what they use is declared in the file",
			`monitoring: overlay of docker-compose.yml: service "postgres-exporter" needs service "postgres", which the file does not define`,
			"prod: overlay of docker-compose.yml: it changes services of docker-compose.yml (langfuse-web)",
		}},
		{"overlay-of-sibling", []string{
			"default: what plain docker compose loads: the base file",
			`network: overlay of compose.yml and compose.voip.yml: it writes services "freeswitch", "drachtio" of compose.voip.yml`,
			"voip: standalone: no service of compose.yml; every service has an image or a build, and what they use is declared in the file",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			dir, _ := filepath.Abs(filepath.Join("testdata", "discover", tt.dir))
			p, err := Discover(Options{Dir: dir, Environ: []string{}})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range p.Envs {
				got = append(got, e.Name+": "+e.Why)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestStandalone holds the overlay / standalone decision on small siblings
// of a base holding web (image, ports, environment).
func TestStandalone(t *testing.T) {
	base := "services:\n  web:\n    image: nginx:1.27\n    ports: ['8080:80']\n    environment: {A: 1}\nnetworks:\n  front:\n"
	tests := []struct {
		name, sibling string
		alone         bool
	}{
		{"pins the image of a base service", "services:\n  web:\n    image: nginx:1.27.1\n", false},
		{"redefines the base service", "services:\n  web:\n    image: nginx:1.27.1\n    ports: ['80:80']\n", true},
		{"new services on their own", "services:\n  db:\n    image: postgres:16.4\n", true},
		{"a service with no image", "services:\n  web:\n    ports: ['80:80']\n", false},
		{"a network of the base", "services:\n  db:\n    image: postgres:16.4\n    networks: [front]\n", false},
		{"its own network", "services:\n  db:\n    image: postgres:16.4\n    networks: [back]\nnetworks:\n  back:\n", true},
		{"a named volume it does not declare", "services:\n  db:\n    image: postgres:16.4\n    volumes: ['data:/var/lib/postgresql/data']\n", false},
		{"a bind mount", "services:\n  db:\n    image: postgres:16.4\n    volumes: ['./data:/var/lib/postgresql/data']\n", true},
		{"a secret it does not declare", "services:\n  db:\n    image: postgres:16.4\n    secrets: [pw]\n", false},
		{"network_mode of a base service", "services:\n  vpn:\n    image: example/vpn:1.0\n    network_mode: service:web\n", false},
		{"extends a base service", "services:\n  worker:\n    extends: web\n", false},
		{"extends another file", "services:\n  worker:\n    extends: {file: common.yml, service: app}\n", true},
		{"its own project name", "name: other\nservices:\n  web:\n    image: nginx:1.27.1\n", true},
		{"!reset", "services:\n  web:\n    image: nginx:1.27.1\n    ports: !reset []\n", false},
		{"no services", "networks:\n  front:\n    driver: overlay\n", false},
		{"comments only", "# nothing yet\n", false},
	}
	bd, err := compose.Parse("compose.yaml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := compose.Parse("compose.x.yaml", []byte(tt.sibling))
			if err != nil {
				t.Fatal(err)
			}
			alone, why := standalone(d, "compose.yaml", func() *compose.Document { return bd })
			if alone != tt.alone {
				t.Errorf("standalone = %v (%s), want %v", alone, why, tt.alone)
			}
		})
	}
}

// TestDiscoverWarnings: two spellings of one file side by side are told
// once each, as docker compose tells them.
func TestDiscoverWarnings(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"compose.yaml", "docker-compose.yml", "compose.override.yml", "compose.override.yaml", "compose.prod.yaml", "compose.prod.yml"} {
		body := "services:\n  web:\n    image: nginx:1.27\n    ports: ['80:80']\n"
		if strings.Contains(n, "prod") {
			body = "services:\n  web:\n    image: nginx:1.27.1\n"
		}
		if err := os.WriteFile(filepath.Join(dir, n), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	p, err := Discover(Options{Dir: dir, Environ: []string{}, Warn: func(m string) { got = append(got, m) }})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`"compose.yaml", "docker-compose.yml" side by side: docker compose reads "compose.yaml" and ignores the others; remove or rename the ones you do not mean`,
		`"compose.override.yml", "compose.override.yaml" side by side: docker compose reads "compose.override.yml" and ignores the others; remove or rename the ones you do not mean`,
		`"compose.prod.yaml", "compose.prod.yml" side by side: composure reads "compose.prod.yaml" for environment "prod" and ignores the others; remove or rename the ones you do not mean`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if d := describe(p); d != "default: compose.yaml compose.override.yml\nprod: compose.yaml compose.prod.yaml\n" {
		t.Errorf("environments:\n%s", d)
	}
}

// TestDiscoverFromSubdirectory: run from a directory of the project,
// composure finds the project up the tree, composure.yaml included.
func TestDiscoverFromSubdirectory(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"compose.yaml":   "services:\n  web:\n    image: nginx:1.27\n",
		"composure.yaml": "rules:\n  image-tag: off\n",
		".env":           "TAG=1.27\n",
	}
	writeFiles(t, root, files)
	sub := filepath.Join(root, "src", "app")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(sub)
	p, err := Discover(Options{Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Dir != root {
		t.Errorf("project directory %s, want %s", p.Dir, root)
	}
	if p.Config == nil || len(p.Config.Rules) != 1 {
		t.Errorf("composure.yaml of the project not read: %+v", p.Config)
	}
	if got := describe(p); got != "default: compose.yaml\n" {
		t.Errorf("environments:\n%s", got)
	}
}

// TestDiscoverProjectDirectoryAndFile: -C DIR -f FILE is docker compose's
// --project-directory DIR -f FILE: the file from the working directory,
// the project (composure.yaml, .env, relative paths) in DIR.
func TestDiscoverProjectDirectoryAndFile(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"ci/compose.yaml": "services:\n  web:\n    image: nginx:1.27\n",
		"composure.yaml":  "rules:\n  image-tag: off\n",
	})
	t.Chdir(root)
	for _, tt := range []struct{ dir, file string }{{".", "ci/compose.yaml"}, {root, filepath.Join(root, "ci", "compose.yaml")}} {
		p, err := Discover(Options{Dir: tt.dir, Files: []string{tt.file}, Environ: []string{}})
		if err != nil {
			t.Fatalf("-C %s -f %s: %v", tt.dir, tt.file, err)
		}
		if p.Dir != root || p.Config == nil {
			t.Errorf("-C %s -f %s: project %s, config %v", tt.dir, tt.file, p.Dir, p.Config != nil)
		}
		if got := describe(p); got != "default: ci/compose.yaml\n" {
			t.Errorf("-C %s -f %s: environments:\n%s", tt.dir, tt.file, got)
		}
	}
}

// TestStandaloneImagePin: a sibling that sets only the images of the base's
// services pins them, whatever else the base sets (or not).
func TestStandaloneImagePin(t *testing.T) {
	base, err := compose.Parse("compose.yaml", []byte("services:\n  a:\n    image: x:1\n"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := compose.Parse("compose.prod.yaml", []byte("services:\n  a:\n    image: x:3\n"))
	if err != nil {
		t.Fatal(err)
	}
	if alone, why := standalone(d, "compose.yaml", func() *compose.Document { return base }); alone {
		t.Errorf("standalone (%s), want an overlay", why)
	}
}

// TestDiscoverUnlisted: compose files named like the base with a dash
// (superset's docker-compose-light.yml), or with a dotted name discovery
// makes no environment of (GeoNode's docker-compose.override.localhost.yml;
// the override of an overlay, which only a standalone sibling has), are in
// no environment; discovery lists them, leaving out the ones an
// environment loads or its files name (include).
func TestDiscoverUnlisted(t *testing.T) {
	for _, tt := range []struct{ dir, want string }{
		{"hyphen-siblings", "docker-compose-light.yml docker-compose-non-dev.yml"},
		{"dotted-siblings", "docker-compose.override.localhost.yml docker-compose.test.override.yml"},
		// mealie's omni.docker-compose.yml, misskey's compose_example.yml
		{"other-names", "compose_example.yml omni.docker-compose.yml"},
	} {
		dir, _ := filepath.Abs(filepath.Join("testdata", "discover", tt.dir))
		p, err := Discover(Options{Dir: dir, Environ: []string{}})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range p.Unlisted {
			got = append(got, p.Rel(f))
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("%s: Unlisted = %q, want %q", tt.dir, got, tt.want)
		}
	}
	dir, _ := filepath.Abs(filepath.Join("testdata", "discover", "hyphen-siblings"))
	// with -f, the user chose: nothing is listed
	p, err := Discover(Options{Dir: dir, Environ: []string{}, Files: []string{filepath.Join(dir, "docker-compose-light.yml")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Unlisted) > 0 {
		t.Errorf("with -f, Unlisted = %q", p.Unlisted)
	}
}
