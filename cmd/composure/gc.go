package main

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
)

// gcFreeHeap is how much a run may allocate before the first collection.
// A run is short and most of what it allocates (parsed files, merged
// trees) stays live until it ends: `composure lint` on a 1,000-service
// project peaks near 80 MB and spends about a sixth of its CPU collecting
// garbage it does not free. Below this bound nothing is collected; above
// it, memory matters more than those milliseconds.
const gcFreeHeap = 256 << 20

// gcPercent is GOGC once the heap has reached gcFreeHeap: collect at 5x
// the live heap, not at every doubling (most of the heap stays live).
const gcPercent = 400

// tuneGC turns the collector off until the heap reaches freeHeap
// (gcFreeHeap), then on at gcPercent, unless GOGC or GOMEMLIMIT say
// otherwise. The memory
// limit starts the first collection; a finalizer, run after it, switches
// to the percentage and lifts the limit, so a large project is collected
// as usual instead of at every allocation past the limit.
func tuneGC(freeHeap int64) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(freeHeap)
	// A pointer-holding object of its own size class: the tiny allocator
	// batches small pointer-free objects, whose finalizers may never run.
	sentinel := &struct {
		p *int
		_ [32]byte
	}{}
	runtime.SetFinalizer(sentinel, func(any) { gcAfterLimit() })
}

// gcAfterLimit is the collector's setting once the heap reached the bound:
// GOGC=400, and a soft limit at three quarters of the memory the process
// may use (the machine's, or its container's when that is less), so that
// a very large project (a 10,000-service diff holds two models of a
// gigabyte each) has the collector work harder instead of running out.
func gcAfterLimit() {
	debug.SetGCPercent(gcPercent)
	debug.SetMemoryLimit(softLimit(memoryAvailable()))
}

// softLimit is the memory limit for avail bytes of memory (0: unknown).
func softLimit(avail uint64) int64 {
	if avail == 0 || avail/4*3 > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(avail / 4 * 3)
}
