package render

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of render/testdata")

// goldenCase is a value whose YAML is recorded in a golden file, under a
// heading naming the case.
type goldenCase struct {
	name  string
	value any
}

// scalarCases are strings that take each path of the choice of style, as
// map values (a simple key, then a value in block context).
var scalarCases = []goldenCase{
	{"plain", "nginx:1.25"},
	{"reads as bool", "true"},
	{"YAML 1.1 bool", "yes"},
	{"YAML 1.1 bool, one letter", "n"},
	{"reads as null", "~"},
	{"empty", ""},
	{"reads as int, hex", "0x1F"},
	{"reads as int, underscores", "1_000"},
	{"reads as float", "1e3"},
	{"leading zero, not octal", "08"},
	{"version", "3.8"},
	{"reads as timestamp", "2001-12-14"},
	{"base 60", "1:20"},
	{"not base 60", "12:60"},
	{"port mapping", "8080:80"},
	{"merge key", "<<"},
	{"dash then space", "- a"},
	{"dash", "-a"},
	{"colon then space", "a: b"},
	{"hash first", "#a"},
	{"hash after space", "a #b"},
	{"hash inside", "a#b"},
	{"leading space", " a"},
	{"trailing space", "a "},
	{"document start", "---x"},
	{"at sign", "@x"},
	{"single quote inside", "it's"},
	{"tab", "a\tb"},
	{"carriage return", "a\rb"},
	{"NUL", "\x00"},
	{"accented", "café"},
	{"emoji", "ship 🚢"},
	{"byte-order mark first", "\ufeffab c"},
	{"line separator", "a\u2028b"},
	{"next line", "a\u0085b"},
	{"two lines", "a\nb"},
	{"final newline", "a\n"},
	{"two final newlines", "a\n\n"},
	{"leading newline", "\nabc"},
	{"first line indented", "  x\ny"},
	{"space before newline", "a \nb"},
	{"only white space", " \n "},
	{"CRLF", "a\r\nb"},
	{"invalid UTF-8", "\xff\xfe"},
	{"invalid UTF-8, long", strings.Repeat("\xff", 60)},
	{"fold plain", "sh -c " + strings.Repeat("'sleep 1 && echo ready' ", 6)},
	{"fold single-quoted", strings.Repeat("word ", 25)},
	{"fold double-quoted", strings.Repeat("tab\there ", 12)},
	{"no fold in runs of spaces", strings.Repeat("ab  ", 30)},
	{"no space, no fold", strings.Repeat("x", 120)},
}

// valueCases are the structures around scalars.
var valueCases = []goldenCase{
	{"nested", map[string]any{
		"seq":   []any{"a", []any{"b", "c"}, map[string]any{"q": 1, "r": []any{1}}},
		"empty": map[string]any{"map": map[string]any{}, "seq": []any{}, "null": nil},
		"deep":  map[string]any{"x": map[string]any{"y": map[string]any{"z": strings.Repeat("fold me ", 12)}}},
	}},
	{"key order", map[string]int{"svc10": 1, "svc2": 2, "svc1": 3, "a": 4, "B": 5, "_x": 6, "1a": 7, "1-": 8, "a01": 9,
		"a1": 10, "a-b": 11, "a_b": 12, "ab": 13}},
	{"keys of several types", map[any]any{1: "a", "b": 2, true: 3, 2.5: 4, nil: 5}},
	{"long and multi-line keys", map[string]any{strings.Repeat("k", 129): "v", "two\nlines": map[string]any{"x": 1},
		"also\ntwo": []any{1, 2}}},
	{"numbers", []any{-12, uint64(18446744073709551615), float32(1.1), 1e21, 1e-7, 123456789.0, 0.5}},
	{"sticky flow", []flowField{{1}, {2}}},
	{"flow collections", flowCollections{M: map[string]int{"a": 1, "b": 2}, S: []string{strings.Repeat("abcdefghij", 5),
		strings.Repeat("xyz", 20), "", "a b", "x: y"}, N: []any{map[string]any{"k": []any{1, 2}}, "two\nlines"}}},
	{"inline and omitempty", withInline{Name: "n", Inner: Inner{B: 2}, Ptr: &Inner2{C: []int{1}}, Extra: map[string]any{"x-a": 1}}},
}

// TestGolden compares Encode with testdata/<name>.golden and, case by case,
// with the library.
func TestGolden(t *testing.T) {
	for file, cases := range map[string][]goldenCase{"scalars": scalarCases, "values": valueCases} {
		var all bytes.Buffer
		for _, c := range cases {
			v := c.value
			if s, ok := v.(string); ok {
				v = map[string]string{"value": s}
			}
			sameAsLibrary(t, c.name, v)
			out, err := Encode(v)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			fmt.Fprintf(&all, "# %s\n%s\n", c.name, out)
		}
		path := filepath.Join("testdata", file+".golden")
		if *update {
			if err := os.WriteFile(path, all.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test ./render -update writes it)", err)
		}
		if !bytes.Equal(all.Bytes(), want) {
			t.Errorf("%s differs from the golden file\n%s", path, firstDifference(all.Bytes(), want))
		}
	}
}
