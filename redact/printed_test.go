package redact

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composure-dev/composure/internal/testenv"
	"gopkg.in/yaml.v3"
)

// TestPrintedGolden redacts testdata/printed/<case>.yaml and .json (configs
// as `docker compose config` prints them) into <case>.*.golden. Besides the
// golden comparison: the result parses, and every line that holds no
// secret is kept byte for byte.
func TestPrintedGolden(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "printed", "*.yaml"))
	json, _ := filepath.Glob(filepath.Join("testdata", "printed", "*.json"))
	files = append(files, json...)
	if len(files) < 2 {
		t.Fatalf("no testdata")
	}
	p := New()
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Printed(src, strings.HasSuffix(f, ".json"), nil)
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := yaml.Unmarshal(got, &v); err != nil {
				t.Fatalf("the redacted output does not parse: %v\n%s", err, got)
			}
			checkGoldenFile(t, f+".golden", got)
		})
	}
}

func checkGoldenFile(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./redact -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// TestPrintedUnchanged: a config without secrets comes out byte for byte.
func TestPrintedUnchanged(t *testing.T) {
	src := []byte("name: app\nservices:\n  web:\n    image: nginx:1.27\n    environment:\n      LOG_LEVEL: debug\n      KEYBOARD_LAYOUT: us\n")
	got, err := New().Printed(src, false, nil)
	if err != nil || !bytes.Equal(got, src) {
		t.Errorf("Printed changed a config without secrets: %q, %v", got, err)
	}
}

// TestSpliceOracle replaces every string of every config docker compose
// printed for the corpus (each scalar style its encoder writes: plain,
// folded over several lines at 80 columns, quoted, literal blocks; and
// JSON) and checks that the result parses to the same document with the
// new strings.
func TestSpliceOracle(t *testing.T) {
	oracle := filepath.Join(testenv.SharedDir(t), "oracle")
	var files []string
	_ = filepath.WalkDir(oracle, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".json")) {
			files = append(files, path)
		}
		return nil
	})
	if len(files) == 0 {
		t.Skip("no oracle outputs")
	}
	scalars := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(src, &doc); err != nil {
			continue
		}
		var edits []edit
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			switch n.Kind {
			case yaml.DocumentNode, yaml.SequenceNode:
				for _, c := range n.Content {
					walk(c)
				}
			case yaml.MappingNode:
				for i := 1; i < len(n.Content); i += 2 {
					walk(n.Content[i])
				}
			case yaml.ScalarNode:
				v := "*** \"quoted\" \\ ***"
				if strings.Contains(n.Value, "\n") {
					v = "*** first\n  indented\n***\n"
				}
				edits = append(edits, edit{n, v})
			}
		}
		walk(&doc)
		scalars += len(edits)
		out, err := splice(src, edits, strings.HasSuffix(f, ".json"))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		var after yaml.Node
		if err := yaml.Unmarshal(out, &after); err != nil {
			t.Errorf("%s: the spliced output does not parse: %v", f, err)
			continue
		}
		i := 0
		var check func(a *yaml.Node) bool
		check = func(a *yaml.Node) bool {
			switch a.Kind {
			case yaml.DocumentNode, yaml.SequenceNode:
				for _, c := range a.Content {
					if !check(c) {
						return false
					}
				}
			case yaml.MappingNode:
				for j := 1; j < len(a.Content); j += 2 {
					if !check(a.Content[j]) {
						return false
					}
				}
			case yaml.ScalarNode:
				if i >= len(edits) || a.Value != edits[i].value {
					t.Errorf("%s:%d:%d: scalar %d is %q after splicing", f, a.Line, a.Column, i, a.Value)
					return false
				}
				i++
			}
			return true
		}
		if check(&after) && i != len(edits) {
			t.Errorf("%s: %d scalars after splicing, %d before", f, i, len(edits))
		}
	}
	t.Logf("%d files, %d scalars replaced", len(files), scalars)
}
