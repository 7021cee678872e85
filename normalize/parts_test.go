package normalize

import (
	"encoding/json"
	"fmt"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestStepsInParts holds Model with its services cut into parts to Model
// in order: the same model, the default network declared when only a
// later part's service is on it, and, where services fail, the error the
// steps in order find first (an early step's in a later part before a
// later step's in the first).
func TestStepsInParts(t *testing.T) {
	onDefault := func() any { return map[string]any{"image": "redis:7", "ports": []any{"6379"}} }
	hostNet := func() any { return map[string]any{"image": "app:1", "network_mode": "host"} }
	badPort := func() any { return map[string]any{"image": "app:1", "ports": []any{"80:80:80:80"}} }
	badHostIP := func() any {
		return map[string]any{"image": "app:1", "ports": []any{map[string]any{"target": 80, "host_ip": "nope"}}}
	}
	services := func(last any, first any) map[string]any {
		s := map[string]any{}
		for i := range 9 {
			s[fmt.Sprintf("s%d", i)] = hostNet()
		}
		s["s0"], s["s8"] = first, last
		return s
	}
	tests := []struct {
		name     string
		services map[string]any
		wantErr  bool
	}{
		{"every service on the default network", map[string]any{"a": onDefault(), "b": onDefault(), "c": onDefault(), "d": onDefault()}, false},
		{"only the last part on the default network", services(onDefault(), hostNet()), false},
		{"none on the default network", services(hostNet(), hostNet()), false},
		{"the first part on the default network", services(hostNet(), onDefault()), false},
		{"an early step fails in the last part, a later one in the first", services(badPort(), badHostIP()), true},
		{"the last part fails", services(badHostIP(), onDefault()), true},
	}
	oldMin, oldMax := partMin, maxParts
	t.Cleanup(func() { partMin, maxParts = oldMin, oldMax })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree := map[string]any{"services": tt.services, "networks": map[string]any{"backend": nil}}
			opts := Options{Name: "p", WorkingDir: "/p", ResolvePaths: true}
			partMin, maxParts = 1<<30, func() int { return 1 }
			want, wantErr := Model(tree, opts)
			partMin, maxParts = 2, func() int { return 3 }
			if serviceParts(tt.services) == nil {
				t.Fatal("the services are not cut: the test proves nothing")
			}
			got, err := Model(tree, opts)
			if fmt.Sprint(err) != fmt.Sprint(wantErr) {
				t.Fatalf("in parts: error %v\nin order: error %v", err, wantErr)
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v", err)
			}
			if g, w := jsonOf(t, got), jsonOf(t, want); g != w {
				t.Errorf("in parts:\n%s\nin order:\n%s", g, w)
			}
		})
	}
}

// FuzzStepsInParts: whatever the model, Model with its services cut into
// parts gives what Model in order gives, the first error included.
func FuzzStepsInParts(f *testing.F) {
	f.Add([]byte("services:\n  a: {image: x, ports: ['80']}\n  b: {image: y, network_mode: host}\n  c: {image: z, networks: [back]}\nnetworks:\n  back: {}\n"))
	f.Add([]byte("services:\n  a: {image: x, ports: ['80:80:80:80']}\n  b: {image: y, volumes: ['./a:/a']}\n  c: {image: z, depends_on: [a], links: [b]}\n"))
	f.Add([]byte("services:\n  a: {build: ., environment: [A=1, B]}\n  b: {image: y, pre_start: [{command: ['true']}]}\n  c: {image: z, network_mode: 'service:a'}\n"))
	oldMin, oldMax := partMin, maxParts
	defer func() { partMin, maxParts = oldMin, oldMax }()
	f.Fuzz(func(t *testing.T, src []byte) {
		var tree map[string]any
		if yaml.Unmarshal(src, &tree) != nil || tree == nil {
			return
		}
		if _, err := json.Marshal(tree); err != nil {
			return // not a tree of JSON types, which a merged model always is
		}
		opts := Options{Name: "p", WorkingDir: "/p", ResolvePaths: true, Environment: map[string]string{"B": "2"}}
		partMin, maxParts = 1<<30, func() int { return 1 }
		want, wantErr := Model(tree, opts)
		partMin, maxParts = 1, func() int { return 3 }
		got, err := Model(tree, opts)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("in parts: error %v\nin order: error %v", err, wantErr)
		}
		if g, w := jsonOf(t, got), jsonOf(t, want); g != w {
			t.Fatalf("in parts:\n%s\nin order:\n%s", g, w)
		}
	})
}
