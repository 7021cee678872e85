package compose

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// Regression tests for what fuzzing and hostile inputs found in this package
// (issue 6, docs/reliability.md). The bounds themselves are measured in
// internal/reliability.

func TestPositionsAfterByteOrderMark(t *testing.T) {
	d, err := Parse("f.yaml", []byte("\ufeffservices:\n  web: {image: a}\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, e, ok := d.Lookup("services")
	if !ok {
		t.Fatal("services not found")
	}
	if off := d.Offset(Pos{e.Key.Line, e.Key.Column}); !strings.HasPrefix(string(d.Src[off:]), "services") {
		t.Errorf("key offset %d points at %q", off, d.Src[off:])
	}
	if got := d.Line(1); got != "services:" {
		t.Errorf("Line(1) = %q", got)
	}
	if loc := d.LocAt(0); loc.Pos != (Pos{1, 1}) {
		t.Errorf("LocAt inside the BOM = %v", loc)
	}

}

func TestPositionsAfterYAMLLineBreaks(t *testing.T) {
	// yaml.v3 counts \r, NEL, LS and PS as line breaks, even inside quotes.
	for _, br := range []string{"\r", "\r\n", "\u0085", "\u2028", "\u2029"} {
		src := "a: \"x" + br + "y\"\nb: 2" + br + "c: 3\n"
		d, err := Parse("f.yaml", []byte(src))
		if err != nil {
			t.Fatalf("%q: %v", br, err)
		}
		for _, key := range []string{"b", "c"} {
			_, e, ok := d.Lookup(key)
			if !ok {
				t.Fatalf("%q: %s not found", br, key)
			}
			off := d.Offset(Pos{e.Key.Line, e.Key.Column})
			if !strings.HasPrefix(string(d.Src[off:]), key+":") {
				t.Errorf("%q: key %s at %d:%d, offset %d reads %q", br, key, e.Key.Line, e.Key.Column, off, d.Src[off:])
			}
			if got := d.Line(e.Key.Line); !strings.HasPrefix(got, key+":") || strings.ContainsAny(got, "\r\n\u0085\u2028\u2029") {
				t.Errorf("%q: Line(%d) = %q", br, e.Key.Line, got)
			}
		}
	}
}

func TestRecursiveAliasRefused(t *testing.T) {
	for _, src := range []string{
		"x: &a [*a]\n",
		"x: &a {b: *a}\n",
		"x: &a {<<: *a}\n",
		"x: &a [1, [2, {c: *a}]]\n",
	} {
		_, err := Parse("f.yaml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), "would expand forever") {
			t.Errorf("%q: got %v, want a recursive alias error", src, err)
		}
	}
	// An alias to a finished anchor is fine, however often it is used.
	if _, err := Parse("f.yaml", []byte("x: &a [1]\ny: [*a, *a, {b: *a}]\n")); err != nil {
		t.Error(err)
	}
}

func TestExpandedDepthBounded(t *testing.T) {
	// Each anchor nests the previous one 900 levels deeper: the file is
	// within MaxDepth, its expansion is not.
	var b strings.Builder
	b.WriteString("x-0: &a0 1\n")
	for i := 1; i <= 3; i++ {
		fmt.Fprintf(&b, "x-%d: &a%d %s*a%d%s\n", i, i, strings.Repeat("[", 900), i-1, strings.Repeat("]", 900))
	}
	d, err := Parse("f.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Decode(d.Root, d.ExpansionBudget())
	if err == nil || !strings.Contains(err.Error(), "once expanded") {
		t.Fatalf("got %v, want an expanded depth error", err)
	}
}

func TestUTF16Refused(t *testing.T) {
	text := utf16.Encode([]rune("services:\n  web:\n    image: nginx\n"))
	for _, order := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
		var src []byte
		src = order.AppendUint16(src, 0xFEFF)
		for _, c := range text {
			src = order.AppendUint16(src, c)
		}
		_, err := Parse("f.yaml", src)
		if err == nil || err.Error() != "f.yaml:1:1: file is UTF-16 encoded: save it as UTF-8" {
			t.Errorf("%v: got %v", order, err)
		}
	}
}

func TestMaxFileSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse file: the size is what counts, nothing is read.
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = ReadFile(path, "big.yaml")
	if err == nil || !strings.HasPrefix(err.Error(), "big.yaml: file is 32.0 MiB, larger than the 32 MiB") {
		t.Errorf("got %v", err)
	}
}

func TestInterpolationDepth(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"plain", 0},
		{"${A}", 1},
		{"${A:-${B:-x}} ${C}", 2},
		{"$${A:-${B}}", 1},
		{"${A:-$$}${B:-${C:-${D}}}", 3},
	}
	for _, tt := range tests {
		if got := InterpolationDepth(tt.in); got != tt.want {
			t.Errorf("InterpolationDepth(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
	deep := strings.Repeat("${V:-", 10000) + "x" + strings.Repeat("}", 10000)
	_, err := Parse("f.yaml", []byte("services:\n  web:\n    image: \""+deep+"\"\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "f.yaml:3:12: variable defaults nest 10000 deep") {
		t.Errorf("got %v", err)
	}
	if _, err := Parse("f.yaml", []byte("x: ${A:-${B:-${C}}}\n")); err != nil {
		t.Error(err)
	}
}

func TestGetKeysDecodingAlike(t *testing.T) {
	// Found by FuzzParse: `0` and `00` are different text but both decode
	// to the key "0"; Decode (and compose-go) keep the last, so must Get.
	d, err := Parse("f.yaml", []byte("0:\n00: 000\n"))
	if err != nil {
		t.Fatal(err)
	}
	n, _, ok := d.Lookup("0")
	if !ok || n.Line != 2 {
		t.Errorf("Lookup(\"0\") = %v, %v; want the value on line 2", n, ok)
	}
	if n, _, ok := d.Lookup("00"); !ok || n.Line != 2 {
		t.Errorf("Lookup(\"00\") = %v, %v", n, ok)
	}
}
