package envdiff

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// render prints reports in every format, keyed by golden file suffix.
func render(t *testing.T, reports ...Report) map[string][]byte {
	t.Helper()
	writers := map[string]ReportWriter{
		"txt":       TextReport{Reports: reports},
		"color.txt": TextReport{Reports: reports, Color: true},
		"json":      JSONReport{Reports: reports},
		"md":        MarkdownReport{Reports: reports},
		"github.md": GitHubReport{Reports: reports},
	}
	out := map[string][]byte{}
	for name, w := range writers {
		var b bytes.Buffer
		if err := w.WriteReport(&b); err != nil {
			t.Fatal(err)
		}
		out[name] = b.Bytes()
	}
	return out
}

// exampleSide loads an environment of the bundled example.
func exampleSide(t *testing.T, name string, files ...string) Side {
	dir, err := filepath.Abs(filepath.Join("testdata", "example"))
	if err != nil {
		t.Fatal(err)
	}
	return Side{Name: name, Model: loadModel(t, dir, nil, files...), Origin: fileOrigins(t, dir, files...)}
}

func TestExampleGoldens(t *testing.T) {
	def := exampleSide(t, "default", "compose.yaml", "compose.override.yaml")
	prod := exampleSide(t, "prod", "compose.yaml", "compose.prod.yaml")
	r := Compare(def, prod)
	if r.Empty() {
		t.Fatal("default and prod of the example show no difference")
	}
	for suffix, got := range render(t, r) {
		checkGolden(t, "example/default-prod."+suffix, got)
	}
	// Reversing the sides swaps added and removed, and nothing else.
	back := Compare(prod, def)
	if len(back.Changes) != len(r.Changes) {
		t.Fatalf("prod→default has %d changes, default→prod %d", len(back.Changes), len(r.Changes))
	}
	for i, c := range r.Changes {
		b := back.Changes[i]
		want := map[Kind]Kind{Added: Removed, Removed: Added, Changed: Changed}[c.Kind]
		if b.Path.String() != c.Path.String() || b.Kind != want {
			t.Errorf("reversed change %d: %s %s, want %s %s", i, b.Kind, b.Path, want, c.Path)
		}
	}
	// An environment compared with itself has no differences.
	if same := Compare(prod, prod); !same.Empty() {
		t.Errorf("prod→prod: %q", summary(same))
	}
}

func TestAllGoldens(t *testing.T) {
	def := exampleSide(t, "default", "compose.yaml", "compose.override.yaml")
	prod := exampleSide(t, "prod", "compose.yaml", "compose.prod.yaml")
	base := exampleSide(t, "base", "compose.yaml")
	reports := []Report{Compare(def, base), Compare(def, prod), Compare(def, def)}
	for suffix, got := range render(t, reports...) {
		if suffix == "json" {
			var b bytes.Buffer
			if err := (JSONReport{Reports: reports, List: true}).WriteReport(&b); err != nil {
				t.Fatal(err)
			}
			got = b.Bytes()
		}
		checkGolden(t, "example/all."+suffix, got)
	}
}

// TestNoColorWithoutColor guards the plain renderers against escape codes.
func TestNoColorWithoutColor(t *testing.T) {
	r := Compare(exampleSide(t, "default", "compose.yaml", "compose.override.yaml"), exampleSide(t, "prod", "compose.yaml", "compose.prod.yaml"))
	for suffix, got := range render(t, r) {
		if has := strings.Contains(string(got), "\x1b["); has != (suffix == "color.txt") {
			t.Errorf("%s: escape codes present = %v", suffix, has)
		}
	}
}
