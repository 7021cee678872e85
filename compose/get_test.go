package compose

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/internal/testenv"
)

// getCases are mappings with merge keys, looked up by every key: the walk
// of mergedGet must find what the index (Entries) finds.
var getCases = []struct{ name, src string }{
	{"local wins over merged", "x: &a {a: 1, b: 2}\ny:\n  <<: *a\n  b: 3\n"},
	{"local written after the merge key", "x: &a {a: 1}\ny:\n  a: 0\n  <<: *a\n  c: 2\n"},
	{"first source of a list wins", "x: &a {c: a}\nz: &b {c: b, d: b}\ny:\n  <<: [*a, *b]\n"},
	{"nested merges", "x: &a {a: 1, n: a}\nz: &b\n  <<: *a\n  b: 2\n  n: b\ny:\n  <<: *b\n  c: 3\n"},
	{"inline source", "y:\n  <<: {a: 1}\n  b: 2\n"},
	{"source is a scalar", "x: &s text\ny:\n  <<: *s\n  a: 1\n"},
	{"source is a sequence", "x: &l [1, 2]\ny:\n  <<: *l\n  a: 1\n"},
	{"nested source is a scalar", "x: &s text\nz: &b\n  <<: *s\n  b: 1\ny:\n  <<: *b\n  a: 1\n"},
	{"list with a scalar", "x: &a {a: 1}\ny:\n  <<: [*a, 3]\n  b: 1\n"},
	{"int key in a source", "x: &a {1: one, 01: uno}\ny:\n  <<: *a\n  b: 1\n"},
	{"bool key", "x: &a {a: 1}\ny:\n  <<: *a\n  True: yes\n  \"true\": quoted\n"},
	{"quoted << is a plain key", "x: &a {a: 1}\nz: &b {c: 1}\ny:\n  \"<<\": *a\n  <<: *b\n  b: 1\n"},
	{"null key", "x: &a {a: 1}\ny:\n  <<: *a\n  ~: nothing\n"},
	{"anchor on the mapping itself", "x: &a {a: 1}\ny: &y\n  <<: *a\n  b: 2\nz:\n  <<: *y\n"},
	{"many merges", "a1: &a1 {k1: 1}\na2: &a2 {<<: *a1, k2: 2}\na3: &a3 {<<: *a2, k3: 3}\na4: &a4 {<<: *a3, k4: 4}\na5: &a5 {<<: [*a4, *a3, *a2, *a1], k5: 5}\ny: {<<: [*a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5], k: 0}\n"},
}

// TestGetMergedAgreesWithIndex looks up every key (as spelled and as
// decoded, and one that is absent) of every mapping with merge keys, in the
// cases above and every YAML file of the corpus, both ways.
func TestGetMergedAgreesWithIndex(t *testing.T) {
	check := func(name string, src []byte) int {
		d, err := Parse(name, src)
		if err != nil || d.Root == nil {
			return 0
		}
		n := 0
		var walk func(m *yaml.Node)
		walk = func(m *yaml.Node) {
			for _, c := range m.Content {
				walk(c)
			}
			if m.Kind != yaml.MappingNode || !hasMerge(m) {
				return
			}
			keys := []string{"absent", "<<"}
			if es, err := d.Entries(m, nil); err == nil {
				for _, e := range es {
					keys = append(keys, e.Key.Value, KeyString(e.Key))
				}
			}
			for i := 0; i+1 < len(m.Content); i += 2 {
				keys = append(keys, m.Content[i].Value)
			}
			for _, k := range keys {
				n++
				ge, gok := d.Get(m, k)
				ie, iok := d.indexed(m, k)
				if gok != iok || !reflect.DeepEqual(ge, ie) {
					t.Errorf("%s:%d: Get(%q) = %v %v, the index says %v %v", name, m.Line, k, entryString(ge), gok, entryString(ie), iok)
				}
			}
		}
		walk(d.Root)
		return n
	}
	for _, c := range getCases {
		if check(c.name, []byte(c.src)) == 0 {
			t.Errorf("%s: no lookup made", c.name)
		}
	}
	t.Run("corpus", func(t *testing.T) {
		lookups := 0
		_ = filepath.WalkDir(filepath.Join(testenv.SharedDir(t), "corpus"), func(path string, de os.DirEntry, err error) error {
			if err == nil && !de.IsDir() && (strings.HasSuffix(path, ".yml") || strings.HasSuffix(path, ".yaml")) {
				src, _ := os.ReadFile(path)
				lookups += check(path, src)
			}
			return nil
		})
		if lookups == 0 {
			t.Error("no mapping with merge keys in the corpus")
		}
		t.Logf("%d lookups", lookups)
	})
}

func hasMerge(m *yaml.Node) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if IsMergeKey(m.Content[i]) {
			return true
		}
	}
	return false
}

func entryString(e Entry) string {
	if e.Key == nil {
		return "<none>"
	}
	var via []string
	for _, v := range e.Via {
		via = append(via, fmt.Sprintf("%d:%d", v.Line, v.Column))
	}
	return fmt.Sprintf("%s@%d:%d via %v", e.Key.Value, e.Key.Line, e.Key.Column, via)
}
