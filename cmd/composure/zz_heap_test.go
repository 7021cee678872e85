package main

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/envs"
)

func TestZZDiffHeap(t *testing.T) {
	p, err := envs.Discover(envs.Options{Dir: "/tmp/gen10000", Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := p.Env("default")
	b, _ := p.Env("prod")
	cache := compose.NewCacheFS(nil)
	_ = cache
	sides, err := loadSides(context.Background(), p, []*envs.Environment{a, b}, compose.NewCache(), false)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("heap in use after loading both sides: %d MB", ms.HeapAlloc>>20)
	f, _ := os.Create("/tmp/diffheap.prof")
	pprof.WriteHeapProfile(f)
	f.Close()
	p.ForgetShared()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	t.Logf("after ForgetShared: %d MB", ms.HeapAlloc>>20)
	runtime.KeepAlive(sides)
}
