package envs

import (
	"errors"
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
