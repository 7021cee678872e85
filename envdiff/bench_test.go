package envdiff

import (
	"fmt"
	"io"
	"testing"
)

// genModel builds the effective config of a generated project with n
// services, shaped as docker compose config prints it. prod differs from
// default in every tenth service (image tag, one environment entry
// changed, one added, a port rebound); with reorder it also lists the ports
// of every service in another order, which must not count and defeats the
// shortcut for entries written the same way on both sides.
func genModel(n int, prod, reorder bool) map[string]any {
	services := make(map[string]any, n)
	for i := range n {
		tag := "1.0"
		env := map[string]any{"SERVICE": fmt.Sprintf("svc-%d", i), "LOG_LEVEL": "info", "DB": "postgres://db/app"}
		ports := []any{
			map[string]any{"mode": "ingress", "host_ip": "127.0.0.1", "target": 80, "published": fmt.Sprint(10000 + i), "protocol": "tcp"},
			map[string]any{"mode": "ingress", "target": 443, "published": fmt.Sprint(20000 + i), "protocol": "tcp"},
		}
		changed := prod && i%10 == 0
		if changed {
			tag = "1.1"
			env["LOG_LEVEL"] = "warning"
			env["PRODUCTION"] = "true"
			ports[1] = map[string]any{"mode": "ingress", "target": 443, "published": fmt.Sprint(30000 + i), "protocol": "tcp"}
		}
		if prod && reorder {
			ports[0], ports[1] = ports[1], ports[0]
		}
		services[fmt.Sprintf("svc-%05d", i)] = map[string]any{
			"image":       "example/app:" + tag,
			"command":     []any{"serve", "--port", "80"},
			"entrypoint":  nil,
			"environment": env,
			"ports":       ports,
			"networks":    map[string]any{"default": nil},
			"volumes": []any{
				map[string]any{"type": "volume", "source": "data", "target": "/data", "volume": map[string]any{}},
			},
			"depends_on":  map[string]any{"db": map[string]any{"condition": "service_healthy", "required": true}},
			"healthcheck": map[string]any{"test": []any{"CMD", "curl", "-f", "http://localhost/"}, "interval": "10s"},
			"restart":     "unless-stopped",
			"labels":      map[string]any{"com.example.team": "core", "com.example.index": fmt.Sprint(i)},
		}
	}
	return map[string]any{
		"name":     "bench",
		"services": services,
		"networks": map[string]any{"default": map[string]any{"name": "bench_default", "ipam": map[string]any{}}},
		"volumes":  map[string]any{"data": map[string]any{"name": "bench_data"}},
	}
}

// TestGeneratedProject checks that the benchmark's input has the expected
// differences, so the benchmark measures a real diff.
func TestGeneratedProject(t *testing.T) {
	const n = 1000
	r := Compare(Side{Name: "default", Model: genModel(n, false, true)}, Side{Name: "prod", Model: genModel(n, true, true)})
	// Per changed service: image, LOG_LEVEL changed; PRODUCTION added; one
	// port removed and one added.
	if want := n / 10 * 5; len(r.Changes) != want {
		t.Fatalf("%d changes, want %d: %q", len(r.Changes), want, summary(r)[:10])
	}
	a, rm, ch := r.Counts()
	if a != n/10*2 || rm != n/10 || ch != n/10*2 {
		t.Errorf("counts added %d removed %d changed %d", a, rm, ch)
	}
}

// BenchmarkCompare10k diffs two environments of a 10,000-service project
// (docs/benchmarks.md has the figures): "typical" where the 1,000 changed
// services are the only ones written differently, "reordered" where every
// service's ports are also listed in another order; /render adds printing
// the 5,000 changes as text, which is what `composure diff` does.
func BenchmarkCompare10k(b *testing.B) {
	for _, reorder := range []bool{false, true} {
		name := "typical"
		if reorder {
			name = "reordered"
		}
		from := Side{Name: "default", Model: genModel(10_000, false, reorder)}
		to := Side{Name: "prod", Model: genModel(10_000, true, reorder)}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				if r := Compare(from, to); len(r.Changes) != 5000 {
					b.Fatalf("%d changes", len(r.Changes))
				}
			}
			b.ReportMetric((processCPU()-cpu).Seconds()/float64(b.N), "cpu-s/op")
		})
		b.Run(name+"/render", func(b *testing.B) {
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				r := Compare(from, to)
				if err := (TextReport{Reports: []Report{r}}).WriteReport(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric((processCPU()-cpu).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}
