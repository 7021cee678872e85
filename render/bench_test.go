package render

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

var benchSizes = []int{100, 1000, 10000}

// cpuTime is the CPU time (user and system) the process has used so far:
// the machine is shared, so besides ns/op the benchmarks report
// cpu-ns/op, which depends much less on what else runs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchPrint prints the default environment of generated projects of each
// size with print.
func benchPrint(b *testing.B, print func(*types.Project) ([]byte, error)) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			p := generatedProject(b, n, "default")
			b.ReportAllocs()
			var size int
			var cpu time.Duration
			for b.Loop() {
				start := cpuTime()
				out, err := print(p)
				cpu += cpuTime() - start
				if err != nil {
					b.Fatal(err)
				}
				size = len(out)
			}
			b.SetBytes(int64(size))
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkYAML prints generated projects with YAML.
func BenchmarkYAML(b *testing.B) { benchPrint(b, YAML) }

// BenchmarkMarshalYAML prints the same projects with compose-go's
// MarshalYAML, the baseline.
func BenchmarkMarshalYAML(b *testing.B) {
	benchPrint(b, func(p *types.Project) ([]byte, error) { return p.MarshalYAML() })
}
