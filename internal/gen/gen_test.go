package gen

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/loader"

	"github.com/composure-dev/composure/compose"
)

func TestFilesDeterministic(t *testing.T) {
	a, b := Files(100), Files(100)
	if len(a) != 5 {
		t.Fatalf("got %d files, want 5", len(a))
	}
	for name, src := range a {
		if !bytes.Equal(src, b[name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}
	if bytes.Equal(Files(100)[Base], Files(101)[Base]) {
		t.Error("projects of 100 and 101 services are equal")
	}
}

// TestFilesParse checks every generated file parses with composure's own
// parser and has the expected number of services.
func TestFilesParse(t *testing.T) {
	for _, n := range []int{0, 1, 7, 100, 1000} {
		files := Files(n)
		for _, name := range []string{Base, Override, Prod, Admin} {
			d, err := compose.Parse(name, files[name])
			if err != nil {
				t.Fatalf("n=%d: %v", n, err)
			}
			if d.Root == nil {
				t.Fatalf("n=%d: %s is empty", n, name)
			}
			if name != Base {
				continue
			}
			services, ok := d.Get(d.Root, "services")
			if !ok {
				t.Fatalf("n=%d: %s has no services", n, name)
			}
			entries, err := d.Entries(services.Value, d.ExpansionBudget())
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != n {
				t.Errorf("n=%d: base file has %d services", n, len(entries))
			}
		}
	}
}

// TestComposeGoLoads loads every environment of generated projects with
// compose-go as docker compose config does, and checks the service counts
// and a few merged values.
func TestComposeGoLoads(t *testing.T) {
	// 1,000 services and more are loaded by the benchmarks; here the suite
	// stays fast.
	for _, n := range []int{10, 100} {
		dir := t.TempDir()
		if err := Write(dir, n); err != nil {
			t.Fatal(err)
		}
		for _, env := range EnvNames() {
			var files []string
			for _, f := range Environments()[env] {
				files = append(files, filepath.Join(dir, f))
			}
			po, err := cli.NewProjectOptions(files,
				cli.WithWorkingDirectory(dir),
				cli.WithEnvFiles(),
				cli.WithDotEnv,
				cli.WithLoadOptions(func(o *loader.Options) { o.MaxNodeVisits = 100 * n * 1000 }),
			)
			if err != nil {
				t.Fatal(err)
			}
			p, err := po.LoadProject(context.Background())
			if err != nil {
				t.Fatalf("n=%d env=%s: %v", n, env, err)
			}
			want := n
			if env == "admin" {
				want += AdminServices(n)
			}
			if len(p.Services) != want {
				t.Errorf("n=%d env=%s: %d services, want %d", n, env, len(p.Services), want)
			}
			app := p.Services["app-00004"]
			switch env {
			case "default":
				// base sets the tag from .env (TAG=2.0.1); LOG_LEVEL comes
				// through the x-app-env anchor.
				if !strings.HasSuffix(app.Image, ":2.0.1") {
					t.Errorf("default image %q", app.Image)
				}
				if v := app.Environment["LOG_LEVEL"]; v == nil || *v != "info" {
					t.Errorf("default LOG_LEVEL %v", v)
				}
			case "prod":
				if app.Deploy == nil || app.Deploy.Replicas == nil || app.Deploy.Resources.Limits == nil {
					t.Fatalf("prod deploy %+v", app.Deploy)
				}
				if len(app.Ports) != 0 {
					t.Errorf("prod ports not reset: %v", app.Ports)
				}
				if v := app.Environment["LOG_LEVEL"]; v == nil || *v != "warn" {
					t.Errorf("prod LOG_LEVEL %v", v)
				}
			}
			if hc := p.Services["db-00000"].HealthCheck; hc == nil || hc.Retries == nil || *hc.Retries != 5 {
				t.Errorf("n=%d env=%s: db healthcheck %+v", n, env, hc)
			}
		}
	}
}
