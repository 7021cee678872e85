package refactor

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/composure-dev/composure/internal/gen"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/envs"
)

func TestGeneratedRewrite(t *testing.T) {
	src := gen.Families(500)
	dir := t.TempDir()
	path := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := compose.ReadFile(path, "compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Rewrite(d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Changes) != 100 {
		t.Fatalf("%d groups, want 100", len(r.Changes))
	}
	// each family: 5 x 14 lines become one 14-line block + header + blank + 5 merge lines
	// (and one blank line before the new blocks, apart from the header comment)
	if got, want := r.LinesSaved(), 100*(5*14-14-2-5)-1; got != want {
		t.Errorf("saved %d lines, want %d", got, want)
	}
	if err := proveInDir(t, path, r); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkRefactor measures detection and rewrite (parse, dupes.Find, text
// edits, re-parse and self-check of the result) on 10,000 services.
func BenchmarkRefactor(b *testing.B) {
	src := gen.Families(10000)
	b.SetBytes(int64(len(src)))
	cpu := cpuTime()
	for b.Loop() {
		d, err := compose.Parse("compose.yaml", src)
		if err != nil {
			b.Fatal(err)
		}
		r, err := Rewrite(d, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Changes) != 2000 { // 10,000 services in families of five
			b.Fatalf("%d groups", len(r.Changes))
		}
	}
	if used := cpuTime() - cpu; used > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkProve measures the proof (compose-go loads the file before and
// after) on 500 services. compose-go itself takes seconds per load from a
// few thousand services on, and refuses files beyond 100,000 node visits:
// a 10,000-service file cannot be loaded (nor proved) at all.
func BenchmarkProve(b *testing.B) {
	src := gen.Families(500)
	path := filepath.Join(b.TempDir(), "compose.yaml")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		b.Fatal(err)
	}
	d, err := compose.ReadFile(path, "compose.yaml")
	if err != nil {
		b.Fatal(err)
	}
	r, err := Rewrite(d, Options{})
	if err != nil {
		b.Fatal(err)
	}
	p, err := envs.Discover(envs.Options{Dir: filepath.Dir(path)})
	if err != nil {
		b.Fatal(err)
	}
	list := Including(p, path)
	for b.Loop() {
		if err := Prove(context.Background(), p, list, r); err != nil {
			b.Fatal(err)
		}
	}
}
