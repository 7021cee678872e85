package compose

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"syntax", "services:\n  web:\n    image: [a\n", "f.yaml:2:3: invalid YAML: did not find expected ',' or ']'"},
		{"unknown alias", "services:\n  web: *nope\n", "f.yaml:2:8: alias *nope refers to no anchor: define &nope before this line, or fix the name"},
		{"duplicate key", "services:\n  web:\n    image: a\n    image: b\n", `f.yaml:4:5: mapping key "image" already defined at line 3: remove one of them`},
		// more keys than smallMapping: found through a map, same message
		{"duplicate key, large mapping", "services:\n  web:\n    k0: v\n    k1: v\n    k2: v\n    k3: v\n    k4: v\n    k5: v\n    k6: v\n    k7: v\n    k8: v\n    k9: v\n    k10: v\n    k11: v\n    k12: v\n    k13: v\n    k14: v\n    k15: v\n    k16: v\n    k17: v\n    k18: v\n    k19: v\n    k3: again\n", `f.yaml:23:5: mapping key "k3" already defined at line 6: remove one of them`},
		// docker compose's parser (yaml v4) refuses a merge key written
		// twice, as any other key
		{"two merge keys", "x: &x {a: 1}\ny: &y {b: 1}\nz:\n  <<: *x\n  <<: *y\n  c: 1\n", "f.yaml:5:3: mapping key \"<<\" already defined at line 4: merge both in one key, `<<: [*a, *b]`"},
		{"a merge key and a quoted \"<<\" key", "x: &x {a: 1}\nz:\n  <<: *x\n  \"<<\": 1\n  c: 1\n  c: 2\n", `f.yaml:6:3: mapping key "c" already defined at line 5: remove one of them`},
		{"alias inside its anchor", "x: &a [1, *a]\n", "f.yaml:1:11: alias *a is inside the value of &a itself, so it would expand forever: point it at another anchor"},
		{"alias inside its anchor, nested", "x: &a\n  b:\n    c: [*a]\n", "f.yaml:3:9: alias *a is inside the value of &a itself, so it would expand forever: point it at another anchor"},
		{"alias inside an outer anchor", "x: &o\n  y: &i {k: 1}\n  z: *o\n", "f.yaml:3:6: alias *o is inside the value of &o itself, so it would expand forever: point it at another anchor"},
		{"not a mapping", "- a\n- b\n", "f.yaml:1:1: top-level value must be a mapping, not a sequence: start the file with keys such as `services:`"},
		{"invalid utf8", "services:\n  w\xffb: {}\n", "f.yaml:2:4: file is not valid UTF-8: save it as UTF-8"},
		{"a C0 control", "services:\n  web:\n    image: a\x01b\n", "f.yaml:3:13: invalid YAML: control character U+0001 is not allowed: remove it, or write it as an escape in a double-quoted string"},
		// a file with stand-ins of its own is read as yaml.v3 reads it
		{"DEL beside a stand-in", "services:\n  web:\n    image: \U000F0080a\x7fb\n", "f.yaml:3:14: invalid YAML: control character U+007F is not allowed: remove it, or write it as an escape in a double-quoted string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(tt.src))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not *Error", err)
			}
			if err.Error() != tt.want {
				t.Errorf("got  %q\nwant %q", err.Error(), tt.want)
			}
		})
	}
}

// TestRefusedByV3 reads the characters yaml.v3 refuses but docker
// compose's parser accepts (DEL, the C1 controls): in values, keys,
// quoted strings and comments, each where it is written, and
// every position as with a plain letter in its place.
func TestRefusedByV3(t *testing.T) {
	const src = "x-a: &a {k\x7f: v}\nservices: # note\x7f\n  web:\n    <<: *a\n    image: \"a\x7fb\"\n    command: [c\u009fd, e]\n    labels: {l: 'q\u0080'}\n"
	d, err := Parse("f.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := Parse("f.yaml", []byte(strings.NewReplacer("\x7f", "X", "\u0080", "X", "\u0090", "X", "\u009f", "X").Replace(src)))
	if err != nil {
		t.Fatal(err)
	}
	var values, positions, want []string
	var walk func(n, p *yaml.Node)
	walk = func(n, p *yaml.Node) {
		values = append(values, n.Value+"|"+n.Anchor+"|"+n.LineComment)
		positions = append(positions, fmt.Sprintf("%d:%d", n.Line, n.Column))
		if p != nil {
			want = append(want, fmt.Sprintf("%d:%d", p.Line, p.Column))
		}
		for i, c := range n.Content {
			var pc *yaml.Node
			if p != nil && i < len(p.Content) {
				pc = p.Content[i]
			}
			walk(c, pc)
		}
	}
	walk(d.Root, plain.Root)
	if got := strings.Join(positions, " "); got != strings.Join(want, " ") {
		t.Errorf("positions %s\nwant      %s", got, strings.Join(want, " "))
	}
	for _, v := range []string{"k\x7f||", "a\x7fb||", "c\u009fd||", "q\u0080||", "services||# note\x7f"} {
		if !slices.Contains(values, v) {
			t.Errorf("no node %q in %q", v, values)
		}
	}
}

func TestEmpty(t *testing.T) {
	for _, src := range []string{"", "# only a comment\n", "---\n", "~\n"} {
		d, err := Parse("f.yaml", []byte(src))
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if d.Root != nil {
			t.Errorf("%q: Root = %v, want nil", src, d.Root)
		}
	}
}

func TestMergeKeys(t *testing.T) {
	src := `x-a: &a
  image: a
  restart: always
x-b: &b
  image: b
  user: b
services:
  local-wins:
    image: mine
    <<: *a
  first-wins:
    <<: [*a, *b]
  nested:
    <<: *c
x-c: &c
  <<: *b
  user: c
`
	// x-c is defined after use: YAML requires anchors before aliases.
	src = strings.Replace(src, "  nested:\n    <<: *c\nx-c: &c\n  <<: *b\n  user: c\n", "", 1)
	d, err := Parse("f.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	v, err := d.Decode(d.Root, d.ExpansionBudget())
	if err != nil {
		t.Fatal(err)
	}
	got := v.(map[string]any)["services"]
	want := map[string]any{
		"local-wins": map[string]any{"image": "mine", "restart": "always"},
		"first-wins": map[string]any{"image": "a", "restart": "always", "user": "b"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	n, e, ok := d.Lookup("services.first-wins.user")
	if !ok || n.Value != "b" || e.Key.Line != 6 || len(e.Via) != 1 || e.Via[0].Line != 12 {
		t.Errorf("Lookup: %v %+v %v", n, e, ok)
	}
}

func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("x-0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < 10; i++ {
		b.WriteString("x-" + string(rune('0'+i)) + ": &l" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*l" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	d, err := Parse("bomb.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Decode(d.Root, d.ExpansionBudget())
	if err == nil || !strings.Contains(err.Error(), "alias bomb") {
		t.Fatalf("got %v, want an alias bomb error", err)
	}
}

func TestOffsetRuneAware(t *testing.T) {
	d, err := Parse("f.yaml", []byte("services:\n  w:\n    image: \"café/app:1\"\n    user: é\n"))
	if err != nil {
		t.Fatal(err)
	}
	n, _, _ := d.Lookup("services.w.user")
	off := d.Offset(Pos{n.Line, n.Column})
	if got := string(d.Src[off : off+2]); got != "é" {
		t.Errorf("offset points at %q", got)
	}
	if loc := d.LocAt(off); loc.Line != 4 || loc.Col != 11 {
		t.Errorf("LocAt = %v", loc)
	}
}

// TestGetLargeMapping checks that the index Get builds for a large mapping
// answers as a scan would: local keys, merged keys, the first definition.
func TestGetLargeMapping(t *testing.T) {
	var b strings.Builder
	b.WriteString("x-base: &base\n  merged: from-anchor\n  k5: anchor-loses\nservices:\n  <<: *base\n")
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&b, "  k%d: v%d\n", i, i)
	}
	d, err := Parse("f.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	svcs, _ := d.Get(d.Root, "services")
	for _, tt := range []struct{ key, want string }{{"k0", "v0"}, {"k99", "v99"}, {"k5", "v5"}, {"merged", "from-anchor"}} {
		e, ok := d.Get(svcs.Value, tt.key)
		if !ok || e.Value.Value != tt.want {
			t.Errorf("Get(%q) = %v, %v; want %q", tt.key, e.Value, ok, tt.want)
		}
	}
	if _, ok := d.Get(svcs.Value, "k100"); ok {
		t.Error("Get found a key that is not there")
	}
	if e, _ := d.Get(svcs.Value, "merged"); len(e.Via) != 1 {
		t.Errorf("merged entry lost its alias site: %+v", e)
	}
}

// TestReadLimitedSizeHint checks a file is read whole whatever size stat
// told: /proc files say 0, and a file may grow or shrink between stat and
// read. Only the bound stops the read.
func TestReadLimitedSizeHint(t *testing.T) {
	path := filepath.Join(t.TempDir(), "compose.yaml")
	src := []byte(strings.Repeat("services: {}\n", 1000))
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, hint := range []int64{0, 1, int64(len(src)) - 1, int64(len(src)), int64(len(src)) + 100, MaxFileSize + 10} {
		got, err := readLimited(OS{}, path, hint)
		if err != nil {
			t.Fatalf("hint %d: %v", hint, err)
		}
		if !bytes.Equal(got, src) {
			t.Errorf("hint %d: read %d bytes, want %d", hint, len(got), len(src))
		}
	}
}
