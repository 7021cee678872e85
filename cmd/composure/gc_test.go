package main

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// TestTuneGC checks the collector stays off while the heap is small and
// switches to gcPercent, limit lifted, once the heap reached the bound.
func TestTuneGC(t *testing.T) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOGC or GOMEMLIMIT set: tuneGC leaves the collector alone")
	}
	oldPercent := debug.SetGCPercent(100)
	oldLimit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	})
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	bound := int64(ms.Sys) + 32<<20
	tuneGC(bound)
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Fatalf("GOGC after tuneGC = %d, want off", p)
	}
	var keep [][]byte
	for range 8 {
		keep = append(keep, make([]byte, 1<<20)) // well under the bound
	}
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Fatalf("GOGC switched to %d under the bound", p)
	}
	runtime.ReadMemStats(&ms)
	gcs := ms.NumGC
	// Allocate past the bound: the limit starts a collection, whose
	// finalizer switches the setting.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for range 16 {
			_ = make([]byte, 4<<20)
		}
		runtime.Gosched()
		if p := debug.SetGCPercent(-1); p != -1 {
			debug.SetGCPercent(p)
			if p != gcPercent {
				t.Fatalf("GOGC after the bound = %d, want %d", p, gcPercent)
			}
			if l, want := debug.SetMemoryLimit(-1), softLimit(memoryAvailable()); l != want {
				t.Errorf("memory limit after the bound = %d, want %d", l, want)
			}
			runtime.ReadMemStats(&ms)
			if ms.NumGC == gcs {
				t.Error("switched without a collection")
			}
			_ = keep
			return
		}
	}
	t.Fatal("the collector never switched on")
}

func TestSoftLimit(t *testing.T) {
	for _, tt := range []struct {
		avail uint64
		want  int64
	}{
		{0, math.MaxInt64},
		{4 << 30, 3 << 30},
		{math.MaxUint64, math.MaxInt64},
	} {
		if got := softLimit(tt.avail); got != tt.want {
			t.Errorf("softLimit(%d) = %d, want %d", tt.avail, got, tt.want)
		}
	}
	if runtime.GOOS == "linux" && memoryAvailable() == 0 {
		t.Error("memoryAvailable: 0 on Linux")
	}
}
