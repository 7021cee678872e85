package lint

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/composure-dev/composure/envs"
)

// cleanEnv loads the project in dir as in an empty process environment:
// only the project's own files and .env count.
func cleanEnv(dir string) envs.Options {
	return envs.Options{Dir: dir, Getenv: func(string) string { return "" }, Environ: []string{}}
}

// writeProject writes files (name -> content) into a new temporary
// directory and returns it.
func writeProject(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// loadProject writes files into a new directory and loads it as `composure
// lint` does.
func loadProject(t testing.TB, files map[string]string) *Project {
	t.Helper()
	lp, err := LoadProject(context.Background(), cleanEnv(writeProject(t, files)), nil, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return lp
}
