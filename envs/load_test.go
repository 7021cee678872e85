package envs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/composure-dev/composure/compose"
)

func loadFixture(t *testing.T, dir string, opts Options, envName string) (*Loaded, error) {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join("testdata", "load", dir))
	if err != nil {
		t.Fatal(err)
	}
	opts.Dir = abs
	if opts.Environ == nil {
		opts.Environ = []string{}
	}
	p, err := Discover(opts)
	if err != nil {
		return nil, err
	}
	env, err := p.Env(envName)
	if err != nil {
		return nil, err
	}
	return p.Load(context.Background(), env, compose.NewCache(), LoadOptions{})
}

// TestLoadProjectEnvironment covers what docker compose takes from the
// process and the project around the files: name precedence, .env and
// --env-file, COMPOSE_ENV_FILES, profiles.
func TestLoadProjectEnvironment(t *testing.T) {
	tests := []struct {
		name     string
		dir      string
		opts     Options
		wantName string
		wantTag  string
		services string
	}{
		{name: "directory name normalized, .env read", dir: "My_App.Dir",
			wantName: "my_appdir", wantTag: "nginx:from-dotenv", services: "web"},
		{name: "-p wins", dir: "My_App.Dir", opts: Options{ProjectName: "shop"},
			wantName: "shop", wantTag: "nginx:from-dotenv", services: "web"},
		{name: "COMPOSE_PROJECT_NAME", dir: "My_App.Dir", opts: Options{Environ: []string{"COMPOSE_PROJECT_NAME=fromenv"}},
			wantName: "fromenv", wantTag: "nginx:from-dotenv", services: "web"},
		{name: "process environment beats .env", dir: "My_App.Dir", opts: Options{Environ: []string{"TAG=proc"}},
			wantName: "my_appdir", wantTag: "nginx:proc", services: "web"},
		{name: "--env-file replaces .env", dir: "My_App.Dir", opts: Options{EnvFiles: []string{"testdata/load/My_App.Dir/alt.env"}},
			wantName: "my_appdir", wantTag: "nginx:from-alt", services: "web"},
		{name: "COMPOSE_ENV_FILES", dir: "My_App.Dir", opts: Options{Environ: []string{"COMPOSE_ENV_FILES=alt.env"}},
			wantName: "my_appdir", wantTag: "nginx:from-alt", services: "web"},
		{name: "--profile", dir: "My_App.Dir", opts: Options{Profiles: []string{"debug"}},
			wantName: "my_appdir", wantTag: "nginx:from-dotenv", services: "debug web"},
		{name: "COMPOSE_PROFILES", dir: "My_App.Dir", opts: Options{Environ: []string{"COMPOSE_PROFILES=debug"}},
			wantName: "my_appdir", wantTag: "nginx:from-dotenv", services: "debug web"},
		{name: "name: in the file, interpolated", dir: "named", opts: Options{Environ: []string{"NAME=Interp"}},
			wantName: "interp", services: "web"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := loadFixture(t, tt.dir, tt.opts, DefaultEnv)
			if err != nil {
				t.Fatal(err)
			}
			if l.Project.Name != tt.wantName {
				t.Errorf("name %q, want %q", l.Project.Name, tt.wantName)
			}
			if tt.wantTag != "" && l.Project.Services["web"].Image != tt.wantTag {
				t.Errorf("image %q, want %q", l.Project.Services["web"].Image, tt.wantTag)
			}
			if got := strings.Join(l.Project.ServiceNames(), " "); got != tt.services {
				t.Errorf("services %q, want %q", got, tt.services)
			}
			if l.Model["name"] != tt.wantName {
				t.Errorf("model name %v, want %q", l.Model["name"], tt.wantName)
			}
		})
	}
}

// TestLoadErrors checks that errors come back in docker compose's words, at
// the file:line:col of the value they are about.
func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		dir  string
		env  string
		opts Options
		want string
	}{
		{name: "schema violation in the overriding file", dir: "errors", env: "bad",
			want: "compose.bad.yaml:3:12: services.db.ports must be a array"},
		{name: "undefined dependency", dir: "errors", env: "undefined",
			want: `compose.undefined.yaml:3:18: service "web" depends on undefined service "cache": invalid compose project`},
		{name: "env_file not found", dir: "errors", env: "envfile",
			want: "compose.envfile.yaml:4:15: env file missing.env not found: stat missing.env: no such file or directory"},
		{name: "dependency cycle", dir: "errors", env: "cycle",
			want: "compose.cycle.yaml:4:18: dependency cycle detected: web -> web"},
		{name: "empty interpolation in a volume spec", dir: "errors", env: "spec",
			want: "compose.spec.yaml:4:9: invalid spec: :/data: empty section between colons"},
		{name: "a value a later file replaces is checked too", dir: "steps", env: DefaultEnv,
			want: "compose.yaml:5:12: services.web.image must be a string"},
		{name: "the same, in the second file of three", dir: "steps3", env: DefaultEnv, opts: Options{Files: []string{"testdata/load/steps3/a.yaml", "testdata/load/steps3/b.yaml", "testdata/load/steps3/c.yaml"}},
			want: "b.yaml:3:12: services.web.ports must be a array"},
		{name: "an included file the schema refuses", dir: "include-schema", env: DefaultEnv,
			want: "db/compose.yaml:4:12: services.db.ports must be a array (included at compose.yaml:2:5)"},
		{name: "an included file's canonical form", dir: "include-canon", env: DefaultEnv,
			want: "db/compose.yaml:5:9: invalid IP address: 80:80"},
		{name: "an included file that does not parse", dir: "include-parse", env: DefaultEnv,
			want: "db/compose.yaml:2:3: invalid YAML: did not find expected ',' or ']'"},
		{name: "an include two levels down", dir: "include-nested", env: DefaultEnv,
			want: "a/b/compose.yaml:4:16: services.b.mem_limit must be a number or string (included at a/compose.yaml:2:5) (included at compose.yaml:2:5)"},
		{name: "an included project's first file, which its second overrides", dir: "include-steps", env: DefaultEnv,
			want: "inc/a.yaml:3:12: services.job.image must be a string (included at compose.yaml:2:5)"},
		// -C DIR -f sub/c.yml is --project-directory DIR: extends.file is
		// read from DIR, where ../base.yml is not (docker compose refuses)
		{name: "extends.file from the project directory, not the file's", dir: "projdir", env: DefaultEnv, opts: Options{Files: []string{"testdata/load/projdir/sub/c.yml"}},
			want: `sub/c.yml:4:13: cannot extend service "app": ../base.yml: file not found: check the path, or run from the project directory (-C DIR)`},
		{name: "an extended file's canonical form", dir: "extends-canon", env: DefaultEnv,
			want: `base.yaml:4:12: services.app.ports: invalid type string for port (extended by service "web" at compose.yaml:4:13)`},
		{name: "version 1 file", dir: "v1", env: DefaultEnv,
			want: "docker-compose.yml:3:1: top-level additional properties 'db', 'web' not allowed: services go under `services:` (version 1 files are not supported)"},
		{name: "invalid -p", dir: "errors", env: DefaultEnv, opts: Options{ProjectName: "Bad Name"},
			want: `invalid project name "Bad Name": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`},
		{name: "missing --env-file", dir: "errors", env: DefaultEnv, opts: Options{EnvFiles: []string{"testdata/load/errors/none.env"}},
			want: "none.env: env file not found: create it or fix --env-file / env_files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadFixture(t, tt.dir, tt.opts, tt.env)
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tt.want {
				t.Errorf("got  %s\nwant %s", err, tt.want)
			}
		})
	}
}

// TestLoadScale loads a file beyond compose-go's default node visit cap
// (docker compose config refuses it), and refuses an alias bomb at once.
func TestLoadScale(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 110,000 nodes")
	}
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("services:\n  web:\n    image: app\nx-data:\n")
	for i := 0; i < 110_000; i++ {
		fmt.Fprintf(&b, "  - %d\n", i)
	}
	big := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(big, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	// compose-go alone, as docker compose config calls it, gives up.
	_, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir: dir, Environment: types.Mapping{},
		ConfigFiles: []types.ConfigFile{{Filename: big, Content: []byte(b.String())}},
	}, func(o *loader.Options) { o.SetProjectName("x", true) })
	if err == nil || !strings.Contains(err.Error(), "node visit limit") {
		t.Fatalf("compose-go with its default cap: %v, want the node visit limit", err)
	}
	p, err := Discover(Options{Dir: dir, Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	l, err := p.Load(context.Background(), p.Envs[0], nil, LoadOptions{NoModel: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(l.Project.Extensions["x-data"].([]any)); n != 110_000 {
		t.Errorf("x-data has %d items, want 110000", n)
	}
}

func TestLoadAliasBomb(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString(`x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	prev := "a"
	for _, n := range "bcdefghi" {
		fmt.Fprintf(&b, "x-%c: &%c [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n", n, n, prev, prev, prev, prev, prev, prev, prev, prev, prev)
		prev = string(n)
	}
	b.WriteString("services:\n  web:\n    image: nginx\n    command: *i\n")
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Discover(Options{Dir: dir, Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = p.Load(context.Background(), p.Envs[0], nil, LoadOptions{})
	var ce *compose.Error
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "alias bomb") {
		t.Fatalf("got %v, want a located alias bomb error", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v to refuse", d)
	}
}

// TestLoadGetenvOnly: with a lookup function and no environment list, the
// variables the files use still come from the process.
func TestLoadGetenvOnly(t *testing.T) {
	getenv := func(k string) string {
		if k == "TAG" {
			return "from-getenv"
		}
		return ""
	}
	abs, _ := filepath.Abs(filepath.Join("testdata", "load", "My_App.Dir"))
	p, err := Discover(Options{Dir: abs, Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	l, err := p.Load(context.Background(), p.Envs[0], nil, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Project.Services["web"].Image; got != "nginx:from-getenv" {
		t.Errorf("image %q, want nginx:from-getenv", got)
	}
}

// TestStepsShared checks the schema of the first file alone through a
// shared merge prefix (lint, diff) as a load alone does: the check is
// done once for every environment starting with that file.
func TestStepsShared(t *testing.T) {
	abs, err := filepath.Abs(filepath.Join("testdata", "load", "steps"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Discover(Options{Dir: abs, Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	env, err := p.Env(DefaultEnv)
	if err != nil {
		t.Fatal(err)
	}
	cache := compose.NewCache()
	for i := range 2 {
		_, err := p.Load(context.Background(), env, cache, LoadOptions{Shared: true})
		if want := "compose.yaml:5:12: services.web.image must be a string"; err == nil || err.Error() != want {
			t.Errorf("load %d: %v, want %s", i, err, want)
		}
	}
}
