package lint

import (
	"context"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/composure-dev/composure/internal/gen"
)

// cpuTime is the CPU time this process has used so far: the machine is
// shared, so wall-clock figures swing with the load; CPU time does not.
func cpuTime() time.Duration {
	var r syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &r); err != nil {
		return 0
	}
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

// lintProject does what `composure lint` does in a project directory:
// discover, load every environment (parse, compose-go, merge with origins),
// run every rule, post-process. It returns the number of findings.
func lintProject(tb testing.TB, dir string) int {
	lp, err := LoadProject(context.Background(), cleanEnv(dir), nil, LoadOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	if len(lp.LoadErrors) > 0 {
		tb.Fatalf("load errors: %v", lp.LoadErrors)
	}
	return len(Run(Input{Files: lp.Files, Envs: lp.Envs, Config: lp.Config}))
}

// BenchmarkLint lints all environments (default, prod, admin) of the
// generated 4-file project of internal/gen, at 1,000 and 10,000 services.
func BenchmarkLint(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		dir := b.TempDir()
		if err := gen.Write(dir, n); err != nil {
			b.Fatal(err)
		}
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			var findings int
			start := cpuTime()
			for b.Loop() {
				findings = lintProject(b, dir)
			}
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(findings), "findings")
		})
	}
}

// BenchmarkLintRules times the rules alone (Run: every rule, ignore
// comments, post-processing) on the environments of the generated
// 1,000-service project, loaded afresh for each iteration outside the
// timer (an environment memoizes per run what rules share).
func BenchmarkLintRules(b *testing.B) {
	dir := b.TempDir()
	if err := gen.Write(dir, 1000); err != nil {
		b.Fatal(err)
	}
	var cpu time.Duration
	var findings int
	for b.Loop() {
		b.StopTimer()
		lp, err := LoadProject(context.Background(), cleanEnv(dir), nil, LoadOptions{})
		if err != nil || len(lp.LoadErrors) > 0 {
			b.Fatal(err, lp.LoadErrors)
		}
		b.StartTimer()
		start := cpuTime()
		findings = len(Run(Input{Files: lp.Files, Envs: lp.Envs, Config: lp.Config}))
		cpu += cpuTime() - start
	}
	b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(findings), "findings")
}

// TestLintGeneratedProject checks the benchmark's project lints without
// load errors and finds what the generator plants.
func TestLintGeneratedProject(t *testing.T) {
	dir := t.TempDir()
	if err := gen.Write(dir, 100); err != nil {
		t.Fatal(err)
	}
	if n := lintProject(t, dir); n == 0 {
		t.Error("no findings in the generated project")
	}
}
