package render

import (
	"fmt"
	"testing"
)

var benchSizes = []int{100, 1000, 10000}

// BenchmarkYAML prints the default environment of generated projects.
func BenchmarkYAML(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			p := generatedProject(b, n, "default")
			b.ReportAllocs()
			var size int
			for b.Loop() {
				out, err := YAML(p)
				if err != nil {
					b.Fatal(err)
				}
				size = len(out)
			}
			b.SetBytes(int64(size))
		})
	}
}

// BenchmarkMarshalYAML is the same with compose-go's MarshalYAML, the
// baseline.
func BenchmarkMarshalYAML(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			p := generatedProject(b, n, "default")
			b.ReportAllocs()
			var size int
			for b.Loop() {
				out, err := p.MarshalYAML()
				if err != nil {
					b.Fatal(err)
				}
				size = len(out)
			}
			b.SetBytes(int64(size))
		})
	}
}
