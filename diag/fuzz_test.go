package diag

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// terminalSafe reports the first character of out that could drive a
// terminal: a control character but TAB and LF, DEL, a C1 control, a byte
// that is not UTF-8, a bidirectional control or a line separator.
func terminalSafe(out []byte) (rune, int, bool) {
	for i := 0; i < len(out); {
		r, size := utf8.DecodeRune(out[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return rune(out[i]), i, false
		case r == '\t' || r == '\n':
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f,
			r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x2028, r == 0x2029:
			return r, i, false
		}
		i += size
	}
	return 0, 0, true
}

// FuzzPrintText: whatever a compose file or Dockerfile holds (the finding's
// message quoting a value, the file and environment names, the source line
// under the finding), the text and github outputs carry no character that
// could drive a terminal, and each finding starts exactly one line that
// looks like one.
func FuzzPrintText(f *testing.F) {
	f.Add("image \"evil\x1b]0;TITLE\a\x1b[2J\" is tagged latest", "compose.yaml", "prod", "    image: \"x\"\n", 1, 5)
	f.Add("two\nlines\r\nthree\rfour", "e\u202evil.yaml", "d\u009bx", "RUN \x1b[2J\xff\tx", 1, 3)
	f.Add("", "", "", "", 0, 0)
	f.Fuzz(func(t *testing.T, msg, file, env, source string, line, col int) {
		fs := []Finding{{Rule: "image-tag", Severity: Warning, Message: msg,
			Span:    Span{File: file, Start: Pos{line % 4, col % 80}, End: Pos{line % 4, col%80 + 3}},
			Related: []Related{{Span: Span{File: file, Start: Pos{1, 1}}, Message: msg}},
			Envs:    []string{env}, Fix: &Fix{Message: msg}}}
		o := PrintOptions{Sources: func(string) []byte { return []byte(source) }}
		for _, format := range []string{"text", "github"} {
			var b bytes.Buffer
			if err := Print(&b, format, fs, o); err != nil {
				t.Fatal(err)
			}
			if r, i, ok := terminalSafe(b.Bytes()); !ok {
				t.Fatalf("%s output holds %U at byte %d:\n%q", format, r, i, b.String())
			}
			want := "warning: "
			if format == "github" {
				want = "::warning "
			}
			if n := strings.Count(b.String(), want); n != 1 && !strings.Contains(msg+file+env+source, want) {
				t.Fatalf("%s output has %d finding lines:\n%s", format, n, b.String())
			}
		}
	})
}
