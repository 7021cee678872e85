package parallel

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	for _, tt := range []struct {
		name         string
		limit, tasks int
		wantMax      int64
	}{
		{"no tasks", 2, 0, 0},
		{"one at a time", 1, 5, 1},
		{"at most three", 3, 12, 3},
		{"limit above the tasks", 8, 2, 2},
		{"GOMAXPROCS", 0, 4 * runtime.GOMAXPROCS(0), int64(runtime.GOMAXPROCS(0))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var running, most, done atomic.Int64
			tasks := make([]func(), tt.tasks)
			for i := range tasks {
				tasks[i] = func() {
					n := running.Add(1)
					for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
					}
					time.Sleep(2 * time.Millisecond)
					running.Add(-1)
					done.Add(1)
				}
			}
			Run(tt.limit, tasks)
			if done.Load() != int64(tt.tasks) {
				t.Fatalf("%d of %d tasks ran", done.Load(), tt.tasks)
			}
			if most.Load() > tt.wantMax || (tt.tasks > 0 && most.Load() < 1) {
				t.Errorf("%d tasks ran at once, want at most %d", most.Load(), tt.wantMax)
			}
		})
	}
}
