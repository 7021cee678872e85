package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// TestCollectLater: the collector is off with the limit at lintFreeHeap
// until the first collection, then back to what it was; GOGC or
// GOMEMLIMIT leave it alone.
func TestCollectLater(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	a := &app{getenv: func(string) string { return "" }}
	restore := a.collectLater()
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Errorf("GC percent during the run = %d, want -1 (off)", p)
	}
	if l := debug.SetMemoryLimit(-1); l != lintFreeHeap {
		t.Errorf("memory limit during the run = %d, want %d", l, lintFreeHeap)
	}
	// the first collection runs the sentinel's finalizer, which restores
	runtime.GC()
	deadline := time.Now().Add(5 * time.Second)
	for debug.SetGCPercent(-1) != 100 {
		debug.SetGCPercent(-1)
		if time.Now().After(deadline) {
			t.Fatal("the collector was not restored after the first collection")
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	debug.SetGCPercent(100)
	if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 {
		t.Errorf("memory limit after the first collection = %d, want none", l)
	}
	restore() // idempotent
	if p := debug.SetGCPercent(100); p != 100 {
		t.Errorf("GC percent after restore = %d, want 100", p)
	}

	a = &app{getenv: func(k string) string {
		if k == "GOGC" {
			return "50"
		}
		return ""
	}}
	a.collectLater()()
	if p := debug.SetGCPercent(100); p != 100 {
		t.Errorf("with GOGC set, GC percent = %d, want it untouched (100)", p)
	}
}
