package diag

import (
	"bytes"
	"strings"
	"testing"

	"github.com/composure-dev/composure/internal/termsafe"
)

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
			if i := termsafe.Unsafe(b.Bytes()); i >= 0 || bytes.Contains(b.Bytes(), []byte("\r")) {
				t.Fatalf("%s output holds a control character at byte %d:\n%q", format, i, b.String())
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
