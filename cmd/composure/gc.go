package main

import (
	"runtime"
	"runtime/debug"
)

// lintFreeHeap is how much lint may allocate before its first garbage
// collection. A lint run is short, and most of what it allocates (parsed
// files, the merges and loads of every environment) stays live until it
// prints: collecting while the heap grows from a few megabytes to a
// hundred frees little and cost lint about a quarter of its CPU on the
// 1,000-service project (docs/benchmarks.md, "Garbage collection").
// Past this bound memory matters more: Go's default pacing resumes.
const lintFreeHeap = 256 << 20

// collectLater turns the collector off until the heap reaches
// lintFreeHeap, unless GOGC or GOMEMLIMIT say otherwise, and returns what
// restores the settings. The memory limit starts the first collection; a
// finalizer, run after that collection, lifts the limit and restores the
// percentage, so a larger run is collected as usual from then on instead
// of at every allocation past the limit.
func (a *app) collectLater() func() {
	if a.getenv("GOGC") != "" || a.getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	percent := debug.SetGCPercent(-1)
	limit := debug.SetMemoryLimit(lintFreeHeap)
	restore := func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
	// a pointer-holding object of its own size class: the tiny allocator
	// batches small pointer-free objects, whose finalizers may never run
	sentinel := &struct {
		p *int
		_ [32]byte
	}{}
	runtime.SetFinalizer(sentinel, func(any) { restore() })
	return restore
}
