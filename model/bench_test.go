package model

import (
	"fmt"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/composure-dev/composure/internal/testenv"
)

// The benchmarks decode the default environment (base and override) of the
// internal/gen projects; the model is loaded once, outside the timings.
// cpu-ns/op is the process's CPU time per operation (garbage collection on
// the other core included), which a loaded machine does not inflate as it
// does ns/op.
//
//	go test ./model -run '^$' -bench . -benchmem

func BenchmarkDecode(b *testing.B) {
	for _, n := range genSizes {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			if why := skipSize(n); why != "" {
				b.Skip(why)
			}
			g := generated(b, n, "default")
			name, _ := g.model["name"].(string)
			b.ReportAllocs()
			start := testenv.CPUTime()
			for b.Loop() {
				if _, err := Decode(g.model, name, g.dir, g.env); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(testenv.CPUTime()-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkTransform is compose-go's binding, loader.Transform (mapstructure
// and its hooks), on the same model once ModelToProject's processExtensions
// has rewritten it: the part of ModelToProject Decode replaces.
func BenchmarkTransform(b *testing.B) {
	for _, n := range genSizes {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			if why := skipSize(n); why != "" {
				b.Skip(why)
			}
			g := generated(b, n, "default")
			name, _ := g.model["name"].(string)
			processed := deepCopy(g.model).(map[string]any)
			if _, err := reference(processed, name, g.dir, g.env); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			start := testenv.CPUTime()
			for b.Loop() {
				p := &types.Project{Name: name, WorkingDir: g.dir, Environment: g.env}
				if err := loader.Transform(processed, p); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(testenv.CPUTime()-start)/float64(b.N), "cpu-ns/op")
		})
	}
}
