package fastload

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/composure-dev/composure/internal/gen"
)

var benchSizes = []int{100, 1000, 10000}

// genOptions writes the generated project of n services into a temporary
// directory and returns the load options of environment env.
func genOptions(tb testing.TB, n int, env string) Options {
	tb.Helper()
	dir := tb.TempDir()
	if err := gen.Write(dir, n); err != nil {
		tb.Fatal(err)
	}
	var files []string
	for _, f := range gen.Environments()[env] {
		files = append(files, filepath.Join(dir, f))
	}
	return Options{Dir: dir, Files: files, Env: map[string]string{}}
}

// BenchmarkReference measures compose-go's LoadProject as docker compose
// config uses it: the baseline.
func BenchmarkReference(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			o := genOptions(b, n, "default")
			b.ReportAllocs()
			for b.Loop() {
				p, err := Reference(context.Background(), o)
				if err != nil {
					b.Fatal(err)
				}
				if got := len(p.Services); got != n {
					b.Fatalf("%d services, want %d", got, n)
				}
			}
		})
	}
}

// BenchmarkLoad measures the fast path on the same projects.
func BenchmarkLoad(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			o := genOptions(b, n, "default")
			b.ReportAllocs()
			for b.Loop() {
				p, err := load(context.Background(), o)
				if err != nil {
					b.Fatal(err)
				}
				if got := len(p.Services); got != n {
					b.Fatalf("%d services, want %d", got, n)
				}
			}
		})
	}
}
