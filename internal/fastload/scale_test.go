package fastload

import (
	"context"
	"runtime"
	"testing"
)

// TestFastPathAllocatesLess guards the fast path's advantage in a way a
// loaded CI machine cannot blur: allocations, which track the time spent
// (most of compose-go's time is allocation and its garbage collection). On
// the prod environment of 100 services the fast path makes 0.24 times
// compose-go's allocations and bytes; the test fails above half.
func TestFastPathAllocatesLess(t *testing.T) {
	o := genOptions(t, 100, "prod")
	measure := func(load func(context.Context, Options) error) (mallocs, bytes uint64) {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if err := load(context.Background(), o); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.Mallocs - before.Mallocs, after.TotalAlloc - before.TotalAlloc
	}
	refN, refB := measure(func(ctx context.Context, o Options) error { _, err := Reference(ctx, o); return err })
	fastN, fastB := measure(func(ctx context.Context, o Options) error { _, err := load(ctx, o); return err })
	t.Logf("compose-go: %d allocations, %d bytes; fast path: %d (%.2f), %d (%.2f)",
		refN, refB, fastN, float64(fastN)/float64(refN), fastB, float64(fastB)/float64(refB))
	if fastN*2 > refN || fastB*2 > refB {
		t.Errorf("the fast path allocates more than half of compose-go's: %d of %d allocations, %d of %d bytes", fastN, refN, fastB, refB)
	}
}
