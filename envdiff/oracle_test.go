package envdiff

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/composure-dev/composure/internal/testenv"
)

// TestOracleProperties runs Compare on every effective config docker
// compose printed for the corpus (../shared/oracle): a config compared with
// itself, or with a copy in which every list whose order does not matter is
// reversed, shows no difference; and removing a service shows exactly that
// service removed.
func TestOracleProperties(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testenv.SharedDir(t), "oracle", "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob(filepath.Join(testenv.SharedDir(t), "oracle", "*", "*", "*.json"))
	files = append(files, more...)
	if len(files) < 100 {
		t.Fatalf("only %d oracle configs found", len(files))
	}
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			continue
		}
		m := readOracle(t, f)
		name, _ := filepath.Rel(testenv.SharedDir(t), f)
		self := Side{Name: "a", Model: m}
		if r := Compare(self, self); !r.Empty() {
			t.Errorf("%s compared with itself: %q", name, summary(r))
		}
		rev := Side{Name: "b", Model: reverseLists(nil, m).(map[string]any)}
		if r := Compare(self, rev); !r.Empty() {
			t.Errorf("%s with its lists reversed: %q", name, summary(r))
		}
		services, _ := m["services"].(map[string]any)
		for svc := range services {
			less := map[string]any{}
			for k, v := range m {
				less[k] = v
			}
			fewer := map[string]any{}
			for k, v := range services {
				if k != svc {
					fewer[k] = v
				}
			}
			less["services"] = fewer
			r := Compare(self, Side{Name: "c", Model: less})
			want := "removed " + Path{{Key: "services"}, {Key: svc}}.String()
			if got := summary(r); len(got) != 1 || got[0] != want {
				t.Errorf("%s without service %q: %q", name, svc, got)
			}
			break // one service per config keeps the test fast
		}
	}
}

// reverseLists copies v with every list reversed except the ordered ones
// (command, entrypoint, healthcheck.test).
func reverseLists(path []string, v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = reverseLists(append(path[:len(path):len(path)], k), e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		ordered := len(path) > 0 && listRule(path).kind == whole
		for i, e := range v {
			j := len(v) - 1 - i
			if ordered {
				j = i
			}
			out[j] = reverseLists(append(path[:len(path):len(path)], "[]"), e)
		}
		return out
	}
	return v
}
