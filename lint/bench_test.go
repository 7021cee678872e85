package lint

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/internal/testgen"
)

// lintGenerated parses the project's files (a fresh cache: each run reads
// and parses them, as the CLI does) and lints every file and environment.
func lintGenerated(b testing.TB, dir string) int {
	cache := compose.NewCache()
	var docs []*compose.Document
	for _, f := range testgen.Files {
		d, err := cache.Load(filepath.Join(dir, f), f)
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, d)
	}
	// Until the merge package is wired in, each environment is its base file.
	var envs []*Env
	for _, name := range []string{"default", "prod", "admin"} {
		envs = append(envs, FileEnv(name, dir, docs[0], nil))
	}
	return len(Run(Input{Files: docs, Envs: envs}))
}

// BenchmarkLint lints all environments of a generated 4-file project.
func BenchmarkLint(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		dir := b.TempDir()
		if err := testgen.Project(dir, n); err != nil {
			b.Fatal(err)
		}
		b.Run(itoa(n)+"-services", func(b *testing.B) {
			var findings int
			for b.Loop() {
				findings = lintGenerated(b, dir)
			}
			b.ReportMetric(float64(findings), "findings")
		})
	}
}

// TestGenerateProject writes the benchmark project to $COMPOSURE_GEN_DIR
// (for timing other tools on the same files); skipped otherwise.
func TestGenerateProject(t *testing.T) {
	dir := os.Getenv("COMPOSURE_GEN_DIR")
	if dir == "" {
		t.Skip("set COMPOSURE_GEN_DIR to write the generated project")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := testgen.Project(dir, 1000); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int) string {
	return string([]byte(func() []byte {
		var b []byte
		for n > 0 || len(b) == 0 {
			b = append([]byte{byte('0' + n%10)}, b...)
			n /= 10
		}
		return b
	}()))
}
