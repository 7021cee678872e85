package envs

import (
	"strconv"
	"testing"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/internal/gen"
	"github.com/composure-dev/composure/internal/testenv"
	"github.com/composure-dev/composure/merge"
	"github.com/composure-dev/composure/normalize"
)

// BenchmarkAccept times the acceptor alone as lint asks it, on every
// environment of the generated projects (each accepted: lint loads none):
// the merges it reads are made once, outside the timer, and each iteration
// starts with an empty Acceptor, as a run does.
func BenchmarkAccept(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		dir := b.TempDir()
		if err := gen.Write(dir, n); err != nil {
			b.Fatal(err)
		}
		p, err := Discover(Options{Dir: dir, Environ: environ(dir)})
		if err != nil {
			b.Fatal(err)
		}
		cache := compose.NewCache()
		type merged struct{ raw, first *merge.Result }
		var ms []merged
		var pre *merge.Prefix
		for _, env := range p.Envs {
			docs, err := p.Docs(env, cache)
			if err != nil {
				b.Fatal(err)
			}
			if pre == nil {
				pre = merge.NewPrefix(docs[0], merge.WithProjectDir(p.Dir))
			}
			raw, err := pre.Merge(docs[1:])
			if err != nil {
				b.Fatal(err)
			}
			first, err := pre.First()
			if err != nil {
				b.Fatal(err)
			}
			raw.Tree()
			ms = append(ms, merged{raw, first})
		}
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			start := testenv.CPUTime()
			for b.Loop() {
				var acceptor normalize.Acceptor
				for i, env := range p.Envs {
					if why := p.unsure(env, cache, ms[i].raw, ms[i].first, &acceptor); why != "" {
						b.Fatalf("%s: not accepted: %s", env.Name, why)
					}
				}
			}
			b.ReportMetric(float64(testenv.CPUTime()-start)/float64(b.N), "cpu-ns/op")
		})
	}
}
