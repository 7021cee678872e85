package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/composure-dev/composure/envs"
	"github.com/composure-dev/composure/lint"
)

func TestInit(t *testing.T) {
	dir := copyExample(t, "blog")
	code, _, stderr := runCLI(t, nil, "-C", dir, "init")
	if code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	cfg, err := envs.ReadConfig(filepath.Join(dir, "composure.yaml"), "composure.yaml")
	if err != nil {
		t.Fatalf("the written file does not read back: %v", err)
	}
	var names []string
	for _, e := range cfg.Environments {
		names = append(names, e.Name+"="+strings.Join(e.Files, ","))
	}
	want := []string{
		"default=docker-compose.yml,docker-compose.override.yml",
		"admin=docker-compose.yml,docker-compose.admin.yml",
		"prod=docker-compose.yml,docker-compose.prod.yml",
	}
	if !slices.Equal(names, want) {
		t.Errorf("environments %q, want %q", names, want)
	}
	var ids []string
	for _, r := range cfg.Rules {
		ids = append(ids, r.ID)
	}
	for _, r := range lint.Rules() {
		if !slices.Contains(ids, r.Meta().ID) {
			t.Errorf("rule %s missing from composure.yaml", r.Meta().ID)
		}
	}
	// The declared environments are the ones discovery found.
	code, stdout, _ := runCLI(t, nil, "-C", dir, "envs")
	if code != 0 || !strings.Contains(stdout, "prod") {
		t.Errorf("envs after init: exit %d\n%s", code, stdout)
	}

	before, _ := os.ReadFile(filepath.Join(dir, "composure.yaml"))
	code, _, stderr = runCLI(t, nil, "-C", dir, "init")
	after, _ := os.ReadFile(filepath.Join(dir, "composure.yaml"))
	if code != exitUsage || !strings.Contains(stderr, "already exists") || string(before) != string(after) {
		t.Errorf("second init: exit %d, stderr %q, file changed %v; want exit 2, a refusal, the file intact", code, stderr, string(before) != string(after))
	}
}

// copyExample copies examples/NAME into a temporary directory.
func copyExample(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join("..", "..", "examples", name)
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestInitVariants: in a directory with no compose.yaml but variants of
// one, init proposes each variant as an environment (after the .base file
// when there is one), which discovery alone refuses, and the commands work
// on the file it writes.
func TestInitVariants(t *testing.T) {
	svc := "services:\n  web:\n    image: nginx:1.27\n"
	overlay := "services:\n  web:\n    environment:\n      MODE: dev\n"
	for _, tt := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"each on its own", map[string]string{"compose.dev.yaml": svc, "docker-compose.prod.yml": svc},
			[]string{"dev=compose.dev.yaml", "prod=docker-compose.prod.yml"}},
		{"over a base file", map[string]string{"compose.base.yaml": svc, "compose.dev.yaml": overlay, "compose.prod.yaml": overlay},
			[]string{"dev=compose.base.yaml,compose.dev.yaml", "prod=compose.base.yaml,compose.prod.yaml"}},
		{"a base file alone", map[string]string{"compose.base.yaml": svc}, []string{"base=compose.base.yaml"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			code, _, stderr := runCLI(t, nil, "-C", dir, "envs")
			if code != exitUsage || !strings.Contains(stderr, "composure init") {
				t.Fatalf("envs before init: exit %d, %q; want exit 2 and a hint at composure init", code, stderr)
			}
			if code, _, stderr = runCLI(t, nil, "-C", dir, "init"); code != 0 {
				t.Fatalf("init: exit %d: %s", code, stderr)
			}
			cfg, err := envs.ReadConfig(filepath.Join(dir, "composure.yaml"), "composure.yaml")
			if err != nil {
				t.Fatalf("the written file does not read back: %v", err)
			}
			var got []string
			for _, e := range cfg.Environments {
				got = append(got, e.Name+"="+strings.Join(e.Files, ","))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("environments %q, want %q", got, tt.want)
			}
			for _, e := range cfg.Environments {
				if code, _, stderr := runCLI(t, nil, "-C", dir, "config", "-q", e.Name); code != 0 {
					t.Errorf("config %s after init: exit %d: %s", e.Name, code, stderr)
				}
			}
		})
	}
}
