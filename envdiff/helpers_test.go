package envdiff

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/merge"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// loadModel computes the effective config of files (in order, relative to
// dir) the way `docker compose config --format json` prints it, with
// compose-go as the engine. envs.Project.Load does this for the CLI; the
// tests use the loader directly so the engine is tested on its own.
func loadModel(t testing.TB, dir string, env map[string]string, files ...string) map[string]any {
	t.Helper()
	var cfgs []types.ConfigFile
	for _, f := range files {
		cfgs = append(cfgs, types.ConfigFile{Filename: filepath.Join(dir, f)})
	}
	if env == nil {
		env = map[string]string{}
	}
	p, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: cfgs,
		Environment: env,
	}, func(o *loader.Options) {
		o.SetProjectName("test", true)
		o.SkipConsistencyCheck = true
		o.ResolvePaths = true
	})
	if err != nil {
		t.Fatalf("loading %v: %v", files, err)
	}
	b, err := p.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	// Absolute paths would tie goldens to this checkout: write the project
	// directory as the oracle does.
	b = bytes.ReplaceAll(b, []byte(dir), []byte("${PROJECT_DIR}"))
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// fileOrigins merges files (relative to dir) with the merge package and
// returns their origins, as the CLI does.
func fileOrigins(t testing.TB, dir string, files ...string) func(string) (merge.Origin, bool) {
	t.Helper()
	var docs []*compose.Document
	for _, f := range files {
		d, err := compose.ReadFile(filepath.Join(dir, f), f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	m, err := merge.Merge(docs)
	if err != nil {
		t.Fatalf("merging %v: %v", files, err)
	}
	return MergeOrigins(m, "")
}

// writeFiles writes name -> content into a new temporary directory.
func writeFiles(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./envdiff -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the output (go test ./envdiff -update rewrites it):\n--- want\n%s\n--- got\n%s", p, want, got)
	}
}
