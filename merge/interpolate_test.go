package merge

import (
	"reflect"
	"testing"

	"github.com/composure-dev/composure/compose"
)

// TestInterpolate holds Interpolate, applied to the tree of one file merged
// without interpolation, to the tree merged WithInterpolation: where it
// answers, the same values and the same casts; where the interpolated
// merge fails, no answer.
func TestInterpolate(t *testing.T) {
	vars := map[string]string{"PORT": "8080", "N": "3", "EMPTY": "", "YES": "yes", "WORD": "many"}
	lookup := func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
	cases := []struct {
		name, src string
		answers   bool
	}{
		{"plain", "services:\n  web:\n    image: app:1\n", true},
		{"default", "services:\n  web:\n    image: app:${TAG:-1}\n", true},
		{"cast", "services:\n  web:\n    image: a\n    deploy:\n      replicas: ${N}\n", true},
		{"cast without a variable", "services:\n  web:\n    image: a\n    init: \"yes\"\n", true},
		{"boolean from a variable", "services:\n  web:\n    image: a\n    tty: ${YES}\n", true},
		{"port target", "services:\n  web:\n    image: a\n    ports:\n      - target: ${PORT}\n", true},
		{"escaped", "services:\n  web:\n    image: a\n    command: echo $$HOME\n", true},
		{"unset, bare", "services:\n  web:\n    image: a:${UNSET}\n", true},
		{"unset, required", "services:\n  web:\n    image: a:${UNSET:?needed}\n", false},
		{"empty, required", "services:\n  web:\n    image: a:${EMPTY:?needed}\n", false},
		{"failed cast", "services:\n  web:\n    image: a\n    deploy:\n      replicas: ${WORD}\n", false},
		{"invalid template", "services:\n  web:\n    image: a:${\n", false},
		{"nested default", "services:\n  web:\n    image: a\n    hostname: ${HOSTNAME_X:-$HOST_X}\n", false},
		{"top level", "services: {}\nnetworks:\n  n:\n    external: ${YES}\n    name: n-${PORT}\n", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			docs := parseDocs(t, c.src)
			raw, err := Merge(docs)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]any{}
			answered := true
			for k, v := range raw.Tree() {
				iv, ok := Interpolate([]string{k}, v, lookup)
				answered = answered && ok
				got[k] = iv
			}
			if answered != c.answers {
				t.Fatalf("Interpolate answers %v, want %v", answered, c.answers)
			}
			want, err := Merge(parseDocs(t, c.src), WithInterpolation(lookup))
			if !answered {
				return
			}
			if err != nil {
				t.Fatalf("Interpolate answers, but the interpolated merge fails: %v", err)
			}
			if !reflect.DeepEqual(got, want.Tree()) {
				t.Errorf("Interpolate gives\n%#v\nthe interpolated merge\n%#v", got, want.Tree())
			}
			if !reflect.DeepEqual(raw.Tree(), mustTree(t, docs)) {
				t.Error("Interpolate modified the tree it was given")
			}
		})
	}
}

// mustTree is the merge of docs without interpolation, built again.
func mustTree(t *testing.T, docs []*compose.Document) map[string]any {
	t.Helper()
	r, err := Merge(docs)
	if err != nil {
		t.Fatal(err)
	}
	return r.Tree()
}

func TestNestedTemplate(t *testing.T) {
	for s, want := range map[string]bool{
		"${A:-$B}":         true,
		"${A:-${B}}":       true,
		"${A} and $B":      false,
		"$A ${B:-x}":       false,
		"${A:-x} ${B:-$C}": true,
		"${A:-$$}":         true, // conservative
		"${":               false,
		"plain":            false,
	} {
		if got := nestedTemplate(s); got != want {
			t.Errorf("nestedTemplate(%q) = %v, want %v", s, got, want)
		}
	}
}

// BenchmarkInterpolate interpolates one service of the generated projects
// (variables in its image, restart policy and environment).
func BenchmarkInterpolate(b *testing.B) {
	src := "services:\n  app:\n    restart: ${RESTART_POLICY:-unless-stopped}\n    logging: {driver: json-file, options: {max-size: 10m, max-file: \"3\"}}\n    networks: [backend]\n" +
		"    image: registry.example.com/team0/app:${TAG:-1.4.2}\n    environment:\n      LOG_LEVEL: ${LOG_LEVEL:-info}\n      TZ: UTC\n      SERVICE_NAME: app\n      DATABASE_URL: postgres://${POSTGRES_USER:-app}@db:5432/db\n      WORKERS: \"2\"\n" +
		"    ports: [\"20002:8080\", {target: 9090, published: \"40002\", protocol: tcp}]\n    volumes: [\"./config/app:/etc/app:ro\", \"cache:/var/cache/app\"]\n" +
		"    labels: {com.example.team: team0}\n    depends_on: {db: {condition: service_healthy, restart: true}}\n"
	r, err := Merge(parseDocs(b, src))
	if err != nil {
		b.Fatal(err)
	}
	svc := r.Tree()["services"].(map[string]any)["app"]
	lookup := func(string) (string, bool) { return "", false }
	for b.Loop() {
		if _, ok := Interpolate([]string{"services", "app"}, svc, lookup); !ok {
			b.Fatal("not interpolated")
		}
	}
}

// TestServiceConflict: a pre_start hook whose value cannot merge into its
// service's (a scalar over a mapping) is an error, not a crash (found by
// TestAcceptExact's variants: merge.Service has no document to name).
func TestServiceConflict(t *testing.T) {
	base := map[string]any{"deploy": map[string]any{"replicas": 1}}
	over := map[string]any{"deploy": "one"}
	if _, err := Service(base, over); err == nil {
		t.Fatal("no error")
	}
}
