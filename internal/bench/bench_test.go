package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/envs"
	"github.com/composure-dev/composure/internal/gen"
	"github.com/composure-dev/composure/internal/reference"
	"github.com/composure-dev/composure/render"
)

var sizes = []int{100, 1000, 10000}

// project writes the generated project of n services into a temporary
// directory and returns the load options of its environment env.
func project(tb testing.TB, n int, env string) reference.Options {
	tb.Helper()
	dir := tb.TempDir()
	if err := gen.Write(dir, n); err != nil {
		tb.Fatal(err)
	}
	var files []string
	for _, f := range gen.Environments()[env] {
		files = append(files, filepath.Join(dir, f))
	}
	return reference.Options{Dir: dir, Files: files, Env: map[string]string{}}
}

// BenchmarkParse parses the four files of a generated project with
// compose.Parse (positions, anchors, merge keys): the work every command
// does first.
func BenchmarkParse(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			files := gen.Files(n)
			var size int64
			for _, name := range []string{gen.Base, gen.Override, gen.Prod, gen.Admin} {
				size += int64(len(files[name]))
			}
			b.SetBytes(size)
			loop(b, func() {
				for _, name := range []string{gen.Base, gen.Override, gen.Prod, gen.Admin} {
					d, err := compose.Parse(name, files[name])
					if err != nil {
						b.Fatal(err)
					}
					if d.Root == nil {
						b.Fatalf("%s: empty", name)
					}
				}
			})
		})
	}
}

// config runs one config computation of the default environment (base +
// override) with fn and prints it as YAML with print, as docker compose
// config does.
func config(b *testing.B, n int, fn func(context.Context, reference.Options) (*types.Project, error), print func(*types.Project) ([]byte, error)) {
	o := project(b, n, "default")
	loop(b, func() {
		p, err := fn(context.Background(), o)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Services) != n {
			b.Fatalf("%d services, want %d", len(p.Services), n)
		}
		out, err := print(p)
		if err != nil || len(out) == 0 {
			b.Fatalf("printing: %v", err)
		}
	})
}

// BenchmarkComposeGo is the baseline: compose-go v2.16.2's
// ProjectOptions.LoadProject with docker compose config's options, then the
// YAML it prints.
func BenchmarkComposeGo(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			config(b, n, reference.Load, func(p *types.Project) ([]byte, error) { return p.MarshalYAML() })
		})
	}
}

// BenchmarkConfig is composure's config path: envs.Project.Load (its own
// engine), then render.YAML (the same bytes).
func BenchmarkConfig(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) { config(b, n, composureLoad, render.YAML) })
	}
}

// composureLoad loads the files of o as `composure -f ... config` does.
func composureLoad(ctx context.Context, o reference.Options) (*types.Project, error) {
	p, err := envs.Discover(envs.Options{Dir: o.Dir, Files: o.Files, Environ: []string{}})
	if err != nil {
		return nil, err
	}
	l, err := p.Load(ctx, p.Envs[0], compose.NewCache(), envs.LoadOptions{NoModel: true})
	if err != nil {
		return nil, err
	}
	return l.Project, nil
}

// cpuTime is the CPU time (user and system) the process has used so far.
// The machine is shared: wall time per operation depends on what else runs,
// so every benchmark also reports cpu-ns/op, which does not (much).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs body b.N times (b.Loop) and reports cpu-ns/op besides ns/op.
func loop(b *testing.B, body func()) {
	b.ReportAllocs()
	var cpu time.Duration
	n := 0
	for b.Loop() {
		start := cpuTime()
		body()
		cpu += cpuTime() - start
		n++
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/op")
}

// BenchmarkEnvsLoad is the whole of `composure config`'s loading, as the
// command runs it: discovery, every file parsed once (compose.Cache),
// alias-bomb and reference checks, merge with origins, normalization, the
// types and the JSON model; printing aside.
func BenchmarkEnvsLoad(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			o := project(b, n, "default")
			for _, f := range o.Files {
				if st, err := os.Stat(f); err == nil && st.Size() > compose.MaxFileSize {
					// The reliability guard refuses such files before any
					// parsing; docs/benchmarks.md discusses the limit.
					b.Skipf("%s is %.1f MiB: composure refuses files over compose.MaxFileSize (%d MiB)",
						filepath.Base(f), float64(st.Size())/(1<<20), compose.MaxFileSize>>20)
				}
			}
			loop(b, func() {
				p, err := envs.Discover(envs.Options{Dir: o.Dir, Getenv: func(string) string { return "" }})
				if err != nil {
					b.Fatal(err)
				}
				env, err := p.Env("default")
				if err != nil {
					b.Fatal(err)
				}
				l, err := p.Load(context.Background(), env, compose.NewCache(), envs.LoadOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if len(l.Project.Services) != n || l.Merged == nil {
					b.Fatalf("%d services", len(l.Project.Services))
				}
			})
		})
	}
}
