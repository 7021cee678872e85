package termsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	tests := []struct{ in, line, text string }{
		{"nginx:1.27", "nginx:1.27", ""},
		{"", "", ""},
		{"café/app:1 — ok", "café/app:1 — ok", ""},
		{"a\tb", "a\tb", ""},
		{"evil\x1b]0;TITLE\a\x1b[2J", `evil\x1b]0;TITLE\a\x1b[2J`, ""},
		{"two\nlines", `two\nlines`, "two\nlines"},
		{"crlf\r\nend", `crlf\r\nend`, "crlf\r\nend"},
		{"lone\rcr", `lone\rcr`, `lone\rcr`},
		{"cr at end\r", `cr at end\r`, `cr at end\r`},
		{"nul\x00 del\x7f", `nul\x00 del\x7f`, ""},
		{"\b\f\v\x01\x1f", `\b\f\v\x01\x1f`, ""},
		{"c1 \u009b2J \u0085", `c1 \u009b2J \u0085`, ""},
		{"raw c1 byte \x9b[2J", `raw c1 byte \x9b[2J`, ""},
		{"bad utf8 \xff\xfe", `bad utf8 \xff\xfe`, ""},
		{"truncated \xe2\x82", `truncated \xe2\x82`, ""},
		{"rtl \u202egnp.exe", `rtl \u202egnp.exe`, ""},
		{"isolate \u2066x\u2069 mark \u200f \u061c", `isolate \u2066x\u2069 mark \u200f \u061c`, ""},
		{"sep\u2028x\u2029", `sep\u2028x\u2029`, ""},
		{"emoji 👻 ok", "emoji 👻 ok", ""},
	}
	for _, tt := range tests {
		if got := Line(tt.in); got != tt.line {
			t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.line)
		}
		want := tt.text
		if want == "" {
			want = tt.line
		}
		if got := Text(tt.in); got != want {
			t.Errorf("Text(%q) = %q, want %q", tt.in, got, want)
		}
		if Safe(tt.in) != (tt.in == tt.line) {
			t.Errorf("Safe(%q) = %v", tt.in, Safe(tt.in))
		}
	}
}

// TestUnchangedIsSame: text that needs no escape is returned as is, without
// a copy (the printers call Line on every field).
func TestUnchangedIsSame(t *testing.T) {
	s := "services.web.environment.DEBUG"
	if got := Line(s); got != s || allocs(func() { _ = Line(s) }) != 0 {
		t.Errorf("Line copied or changed a clean string")
	}
}

func allocs(f func()) float64 { return testing.AllocsPerRun(100, f) }

// checkOutput fails when out holds a byte or character that could drive a
// terminal: a C0 control but TAB (and LF, CR LF when lines), DEL, a C1
// control, invalid UTF-8, a bidirectional control or a line separator.
func checkOutput(t *testing.T, in, out string, lines bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("escape(%q) = %q: not UTF-8", in, out)
	}
	for i, r := range out {
		switch {
		case r == '\t':
		case lines && r == '\n':
		case lines && r == '\r' && i+1 < len(out) && out[i+1] == '\n':
		case r < 0x20 || r == 0x7f || unsafeRune(r):
			t.Fatalf("escape(%q) = %q: %U at byte %d", in, out, r, i)
		}
	}
}

// FuzzLine: whatever the input, no control byte reaches the output, clean
// input comes out unchanged, and Width measures the output.
func FuzzLine(f *testing.F) {
	for _, s := range []string{"", "a", "evil\x1b]0;TITLE\a\x1b[2J", "x\r\ny\rz\n", "\xff\u009b\u202e\u2028", "\t☃"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line, text := Line(s), Text(s)
		checkOutput(t, s, line, false)
		checkOutput(t, s, text, true)
		if i := Unsafe([]byte(text)); i >= 0 || strings.ContainsAny(line, "\n\r") || Unsafe([]byte(s)) < 0 != (Text(s) == s) {
			t.Fatalf("Unsafe disagrees with Text on %q: %d", s, i)
		}
		if Safe(s) != (line == s) {
			t.Fatalf("Safe(%q) = %v but Line = %q", s, Safe(s), line)
		}
		w := 0
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			w += Width(r, r == utf8.RuneError && size <= 1)
			i += size
		}
		if n := utf8.RuneCountInString(line); w != n {
			t.Fatalf("Width sums to %d for %q, Line printed %d characters (%q)", w, s, n, line)
		}
	})
}
