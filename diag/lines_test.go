package diag

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLines(t *testing.T) {
	type at struct {
		off int
		pos Pos
	}
	tests := []struct {
		name   string
		src    string
		breaks Breaks
		// lines is the Text of every line: Len is its length.
		lines []string
		// both are offsets and positions that convert both ways.
		both []at
		// toPos convert only from offset to position, toOff only from
		// position to offset: offsets past the end, columns past a line,
		// the inside of a byte order mark or of a two-byte break.
		toPos, toOff []at
	}{
		{
			name: "empty", src: "", breaks: YAML,
			lines: []string{""},
			both:  []at{{0, Pos{1, 1}}},
			toPos: []at{{5, Pos{1, 1}}, {-1, Pos{1, 1}}},
			toOff: []at{{0, Pos{0, 0}}, {0, Pos{2, 1}}},
		},
		{
			name: "LF, final break starts an empty line", src: "ab\ncd\n", breaks: LF,
			lines: []string{"ab", "cd", ""},
			both:  []at{{0, Pos{1, 1}}, {2, Pos{1, 3}}, {3, Pos{2, 1}}, {6, Pos{3, 1}}},
			toPos: []at{{99, Pos{3, 1}}},
			toOff: []at{{2, Pos{1, 9}}, {6, Pos{4, 1}}, {0, Pos{-3, 2}}},
		},
		{
			name: "YAML, final break starts an empty line", src: "ab\ncd\n", breaks: YAML,
			lines: []string{"ab", "cd", ""},
			both:  []at{{0, Pos{1, 1}}, {2, Pos{1, 3}}, {3, Pos{2, 1}}, {6, Pos{3, 1}}},
			toPos: []at{{99, Pos{3, 1}}},
			toOff: []at{{2, Pos{1, 9}}, {6, Pos{4, 1}}},
		},
		{
			// Columns count characters: é is two bytes, 日 three, 🐳 four.
			name: "non-ASCII before the column", src: "é: 日🐳x\nb\n", breaks: YAML,
			lines: []string{"é: 日🐳x", "b", ""},
			both:  []at{{2, Pos{1, 2}}, {4, Pos{1, 4}}, {7, Pos{1, 5}}, {11, Pos{1, 6}}, {12, Pos{1, 7}}, {13, Pos{2, 1}}},
		},
		{
			name: "non-ASCII before the column, LF", src: "RUN é 日\n", breaks: LF,
			lines: []string{"RUN é 日", ""},
			both:  []at{{6, Pos{1, 6}}, {7, Pos{1, 7}}, {10, Pos{1, 8}}, {11, Pos{2, 1}}},
		},
		{
			name: "YAML skips a byte order mark", src: "\ufeffa: 1\nb: 2\n", breaks: YAML,
			lines: []string{"a: 1", "b: 2", ""},
			both:  []at{{3, Pos{1, 1}}, {6, Pos{1, 4}}, {8, Pos{2, 1}}},
			toPos: []at{{0, Pos{1, 1}}, {1, Pos{1, 1}}},
			toOff: []at{{3, Pos{1, 0}}},
		},
		{
			// BuildKit drops the mark, yet it stays a character of line 1.
			name: "LF counts a byte order mark", src: "\ufeffFROM a\n", breaks: LF,
			lines: []string{"\ufeffFROM a", ""},
			both:  []at{{0, Pos{1, 1}}, {3, Pos{1, 2}}, {10, Pos{2, 1}}},
		},
		{
			name: "CRLF is one YAML break", src: "a: 1\r\nb: 2\r\n", breaks: YAML,
			lines: []string{"a: 1", "b: 2", ""},
			both:  []at{{4, Pos{1, 5}}, {6, Pos{2, 1}}, {12, Pos{3, 1}}},
			toPos: []at{{5, Pos{1, 6}}},
			toOff: []at{{4, Pos{1, 7}}},
		},
		{
			// The \r is no break but stays out of the text, as
			// bufio.ScanLines reads lines; a column past the text
			// reaches it.
			name: "CRLF under LF", src: "FROM a\r\nRUN b\r", breaks: LF,
			lines: []string{"FROM a", "RUN b"},
			both:  []at{{6, Pos{1, 7}}, {7, Pos{1, 8}}, {8, Pos{2, 1}}, {13, Pos{2, 6}}},
			toOff: []at{{7, Pos{1, 9}}, {14, Pos{2, 9}}},
		},
		{
			name: "lone CR is a YAML break", src: "a: 1\rb: 2\r\rc", breaks: YAML,
			lines: []string{"a: 1", "b: 2", "", "c"},
			both:  []at{{5, Pos{2, 1}}, {10, Pos{3, 1}}, {11, Pos{4, 1}}, {12, Pos{4, 2}}},
			toOff: []at{{9, Pos{2, 8}}},
		},
		{
			name: "lone CR is no LF break", src: "a\rb\n", breaks: LF,
			lines: []string{"a\rb", ""},
			both:  []at{{2, Pos{1, 3}}, {4, Pos{2, 1}}},
		},
		{
			name: "NEL, LS and PS are YAML breaks", src: "a\u0085b\u2028c\u2029d", breaks: YAML,
			lines: []string{"a", "b", "c", "d"},
			both:  []at{{1, Pos{1, 2}}, {3, Pos{2, 1}}, {7, Pos{3, 1}}, {11, Pos{4, 1}}, {12, Pos{4, 2}}},
			toPos: []at{{2, Pos{1, 3}}, {5, Pos{2, 3}}},
			toOff: []at{{1, Pos{1, 5}}, {4, Pos{2, 5}}},
		},
		{
			name: "NEL, LS and PS are characters under LF", src: "a\u0085b\u2028c\n", breaks: LF,
			lines: []string{"a\u0085b\u2028c", ""},
			both:  []at{{3, Pos{1, 3}}, {4, Pos{1, 4}}, {7, Pos{1, 5}}, {9, Pos{2, 1}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewLines([]byte(tt.src), tt.breaks)
			var got []string
			for n := 1; n <= l.Len(); n++ {
				got = append(got, l.Text(n))
			}
			if !slices.Equal(got, tt.lines) {
				t.Errorf("lines %q, want %q", got, tt.lines)
			}
			if s := l.Text(0) + l.Text(l.Len()+1); s != "" {
				t.Errorf("text outside the file: %q", s)
			}
			for _, c := range append(slices.Clone(tt.both), tt.toPos...) {
				if p := l.Pos(c.off); p != c.pos {
					t.Errorf("Pos(%d) = %v, want %v", c.off, p, c.pos)
				}
			}
			for _, c := range append(slices.Clone(tt.both), tt.toOff...) {
				if off := l.Offset(c.pos); off != c.off {
					t.Errorf("Offset(%v) = %d, want %d", c.pos, off, c.off)
				}
			}
			for n := 1; n <= l.Len(); n++ {
				if p := l.Pos(l.Start(n)); p != (Pos{n, 1}) {
					t.Errorf("Pos(Start(%d)) = %v", n, p)
				}
			}
			if l.Start(0) != 0 || l.Start(l.Len()+1) != len(tt.src) {
				t.Errorf("Start outside the file: %d, %d", l.Start(0), l.Start(l.Len()+1))
			}
		})
	}
}

// TestLinesEveryOffset converts every offset of a file mixing every break
// to a position and back: an offset at the start of a character comes back
// itself, unless it is inside a skipped byte order mark or is the \n of a
// YAML \r\n (both belong to what comes before).
func TestLinesEveryOffset(t *testing.T) {
	src := "\ufeffa: é\r\nb:\r\u0085c: 日\u2028\u2029🐳\n\n"
	for name, breaks := range map[string]Breaks{"LF": LF, "YAML": YAML} {
		t.Run(name, func(t *testing.T) {
			l := NewLines([]byte(src), breaks)
			for off := 0; off <= len(src); off++ {
				if off < len(src) && !utf8.RuneStart(src[off]) {
					continue
				}
				if breaks == YAML && (off < 3 || strings.HasSuffix(src[:off], "\r") && strings.HasPrefix(src[off:], "\n")) {
					continue
				}
				if p := l.Pos(off); l.Offset(p) != off {
					t.Errorf("offset %d: position %v, back to %d", off, p, l.Offset(p))
				}
			}
		})
	}
}
