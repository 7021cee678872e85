package lint

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/composure-dev/composure/dockerfile"
)

// BenchmarkDockerfileLint parses and lints 1,000 Dockerfiles (the corpus
// of testdata/dockerfile-corpus, repeated) with every rule, as a run of
// composure lint does after reading them: one op is the 1,000.
func BenchmarkDockerfileLint(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join("testdata", "dockerfile-corpus", "*.Dockerfile"))
	if len(files) == 0 {
		b.Fatal("no corpus")
	}
	srcs := make([][]byte, 0, 1000)
	for len(srcs) < 1000 {
		src, err := os.ReadFile(files[len(srcs)%len(files)])
		if err != nil {
			b.Fatal(err)
		}
		srcs = append(srcs, src)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		dfs := make([]*Dockerfile, 0, len(srcs))
		for i, src := range srcs {
			f, err := dockerfile.Parse(files[i%len(files)], src)
			if err != nil {
				b.Fatal(err)
			}
			dfs = append(dfs, &Dockerfile{File: f})
		}
		n = len(Run(Input{Dockerfiles: dfs}))
	}
	if n == 0 {
		b.Fatal("no findings: the benchmark measures nothing")
	}
}
