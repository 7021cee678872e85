package normalize

import (
	"encoding/json"
	"testing"
	"time"
)

// TestServiceCache normalizes environments that share service mappings
// through one ServiceCache and compares each with Model alone: a shared
// service is normalized once, and what the environment's other services do
// not say (the default network) still comes out right, whether the shared
// service was normalized before (reused) or is being normalized by another
// environment (pending).
func TestServiceCache(t *testing.T) {
	onDefault := func() map[string]any { return map[string]any{"image": "redis:7", "ports": []any{"6379"}} }
	onBackend := func() map[string]any {
		return map[string]any{"image": "app:1", "networks": map[string]any{"backend": nil}}
	}
	hostNet := func() map[string]any { return map[string]any{"image": "app:1", "network_mode": "host"} }
	tests := []struct {
		name string
		// shared services (the same mapping in both environments), and
		// each environment's own
		shared   map[string]map[string]any
		first    map[string]any
		second   map[string]any
		networks map[string]any
		// pending: the second environment loads while the first holds
		// its claims
		pending bool
	}{
		{
			name:     "reused service on the default network",
			shared:   map[string]map[string]any{"cache": onDefault()},
			first:    map[string]any{"web": onDefault()},
			second:   map[string]any{"web": onBackend()},
			networks: map[string]any{"backend": nil},
		},
		{
			name:     "pending service on the default network",
			shared:   map[string]map[string]any{"cache": onDefault()},
			first:    map[string]any{"web": onDefault()},
			second:   map[string]any{"web": hostNet()},
			networks: map[string]any{"backend": nil},
			pending:  true,
		},
		{
			name:     "shared services only off the default network",
			shared:   map[string]map[string]any{"a": onBackend(), "b": hostNet()},
			first:    map[string]any{"web": onDefault()},
			second:   map[string]any{"web": onBackend()},
			networks: map[string]any{"backend": map[string]any{"driver": "bridge"}},
		},
		{
			name:     "every service shared",
			shared:   map[string]map[string]any{"a": onDefault(), "b": onBackend()},
			first:    map[string]any{},
			second:   map[string]any{},
			pending:  true,
			networks: map[string]any{"backend": nil},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree := func(own map[string]any) map[string]any {
				services := map[string]any{}
				for k, v := range tt.shared {
					services[k] = v
				}
				for k, v := range own {
					services[k] = v
				}
				return map[string]any{"services": services, "networks": deepCopy(tt.networks)}
			}
			isShared := func(name string) bool { _, ok := tt.shared[name]; return ok }
			opts := Options{Name: "p", WorkingDir: "/p", ResolvePaths: true}
			cached := opts
			cached.Services, cached.SharedService = &ServiceCache{}, isShared
			first, second := tree(tt.first), tree(tt.second)
			var got1, got2 map[string]any
			var err1, err2 error
			if tt.pending {
				// the first environment claims the shared services; the
				// second normalizes its own, then the first normalizes
				// and releases while the second waits
				shared := map[string]map[string]any{}
				for k, v := range tt.shared {
					shared[k] = v
				}
				_, _, mine := cached.Services.claim(shared)
				waited := false
				cached.Services.waiting = func() {
					waited = true
					alone, err := Model(first, opts)
					if err != nil {
						t.Fatal(err)
					}
					cached.Services.release(mine, alone["services"].(map[string]any))
					got1 = alone
				}
				got2, err2 = Model(second, cached)
				if !waited {
					t.Fatal("the second environment did not wait for the first")
				}
			} else {
				got1, err1 = Model(first, cached)
				got2, err2 = Model(second, cached)
			}
			for i, c := range []struct {
				tree map[string]any
				got  map[string]any
				err  error
			}{{first, got1, err1}, {second, got2, err2}} {
				want, err := Model(c.tree, opts)
				if err != nil || c.err != nil {
					t.Fatalf("environment %d: %v, %v", i+1, err, c.err)
				}
				if g, w := jsonOf(t, c.got), jsonOf(t, want); g != w {
					t.Errorf("environment %d:\n got %s\nwant %s", i+1, g, w)
				}
			}
		})
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestServiceCacheClaimerPanics: an environment that fails in a panic while
// it holds claims releases them, and the environment waiting for them
// normalizes on its own instead of waiting forever.
func TestServiceCacheClaimerPanics(t *testing.T) {
	shared := map[string]any{"image": "redis:7"}
	first := map[string]any{"services": map[string]any{"cache": shared,
		"web": map[string]any{"image": "app:1", "pre_start": []any{map[string]any{"command": "true"}}}}}
	second := map[string]any{"services": map[string]any{"cache": shared, "web": map[string]any{"image": "app:2"}}}
	c := &ServiceCache{}
	isShared := func(name string) bool { return name == "cache" }
	inSteps, secondWaits := make(chan struct{}), make(chan struct{})
	firstOpts := Options{Name: "p", WorkingDir: "/p", Services: c, SharedService: isShared,
		MergeService: func(base, over map[string]any) (map[string]any, error) {
			close(inSteps)
			<-secondWaits
			panic("boom")
		}}
	firstDone := make(chan any, 1)
	go func() {
		defer func() { firstDone <- recover() }()
		_, _ = Model(first, firstOpts)
	}()
	<-inSteps // the first holds its claim on cache
	c.waiting = func() { close(secondWaits) }
	type result struct {
		m   map[string]any
		err error
	}
	secondDone := make(chan result, 1)
	go func() {
		m, err := Model(second, Options{Name: "p", WorkingDir: "/p", Services: c, SharedService: isShared})
		secondDone <- result{m, err}
	}()
	var got result
	select {
	case got = <-secondDone:
	case <-time.After(30 * time.Second):
		t.Fatal("the second environment still waits for the claim of one that panicked")
	}
	if r := <-firstDone; r == nil {
		t.Fatal("the first environment did not panic")
	}
	want, err := Model(second, Options{Name: "p", WorkingDir: "/p"})
	if err != nil || got.err != nil {
		t.Fatal(err, got.err)
	}
	if g, w := jsonOf(t, got.m), jsonOf(t, want); g != w {
		t.Errorf("got %s\nwant %s", g, w)
	}
}
