package main

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestLintJSONDeterministic: `lint --format json` prints the same bytes
// from run to run, however many CPUs the rules run on: rules run in
// parallel, and some walk maps.
func TestLintJSONDeterministic(t *testing.T) {
	root := repoRoot(t)
	dirs := []string{filepath.Join(root, "examples", "blog")}
	projects, _ := filepath.Glob(filepath.Join(root, "lint", "testdata", "projects", "*"))
	dirs = append(dirs, projects...)
	shared := os.Getenv("COMPOSURE_SHARED")
	if shared == "" {
		shared = filepath.Join(filepath.Dir(root), "shared")
	}
	for _, p := range []string{"sentry-self-hosted", "appwrite", "frappe-docker", "docker-zulip", "n8n-ai-starter-kit", "defectdojo"} {
		if d := filepath.Join(shared, "corpus", p); dirExists(d) {
			dirs = append(dirs, d)
		}
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, dir := range dirs {
		runtime.GOMAXPROCS(4)
		_, first, _ := runCLI(t, nil, "lint", "-C", dir, "--format", "json")
		for _, procs := range []int{1, 2, 4, 8} {
			runtime.GOMAXPROCS(procs)
			if _, again, _ := runCLI(t, nil, "lint", "-C", dir, "--format", "json"); again != first {
				t.Errorf("%s: GOMAXPROCS=%d prints other bytes\n%s", dir, procs, firstDiff(again, first))
			}
		}
	}
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
