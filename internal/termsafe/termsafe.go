// Package termsafe makes text taken from compose files, Dockerfiles and the
// messages of the libraries that read them safe to print on a terminal.
//
// A compose file may hold any character in a value, a key or a file name
// (`image: "evil\e]0;TITLE\a\e[2J"`), and a terminal executes the control
// sequences it is sent: it changes its title, clears the screen, moves the
// cursor to overwrite earlier lines, or, on some terminals, answers queries
// into its own input. Every text output of composure passes such text
// through Line or Text, which write each character that could drive a
// terminal as a visible escape:
//
//   - the C0 controls (U+0000–U+001F) but TAB, as \a \b \f \n \r \v or \xNN;
//     Text keeps LF and CR LF line ends, Line escapes them too;
//   - DEL (U+007F) as \x7f, the C1 controls (U+0080–U+009F) as \u0080...;
//   - bytes that are not UTF-8 as \xNN: a terminal in an 8-bit mode reads a
//     lone 0x9b as CSI;
//   - the characters that reorder or break lines without being controls: the
//     bidirectional marks, embeddings, overrides and isolates (U+061C,
//     U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), which make a line read
//     differently from what it holds, and the line and paragraph separators
//     (U+2028, U+2029).
//
// TAB is kept: it moves the cursor to the next tab stop and nothing else,
// and source snippets need it to line their carets up. A backslash is not
// escaped, so the escaping is not reversible: it is for reading, and text
// without any of these characters comes out unchanged, byte for byte.
// JSON and SARIF outputs need none of this: their encoders escape control
// characters as JSON does.
package termsafe

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Line returns s with every character that could drive a terminal escaped,
// line breaks included: s prints as one line.
func Line(s string) string { return escape(s, false) }

// Text is Line that keeps line breaks: LF, and CR when LF follows it.
func Text(s string) string { return escape(s, true) }

// Safe reports whether s prints as is through Line.
func Safe(s string) bool { return clean(s, false) }

// clean reports whether escape would return s unchanged.
func clean(s string, lines bool) bool { return firstUnsafe(s, lines) < 0 }

// firstUnsafe returns the index of the first byte of s that escape would
// change, or -1.
func firstUnsafe(s string, lines bool) int {
	for i := 0; i < len(s); {
		b := s[i]
		if b >= 0x20 && b < 0x7f || b == '\t' || lines && b == '\n' {
			i++
			continue
		}
		if b < 0x80 {
			if lines && b == '\r' && i+1 < len(s) && s[i+1] == '\n' {
				i += 2
				continue
			}
			return i
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 || unsafeRune(r) {
			return i
		}
		i += size
	}
	return -1
}

// unsafeRune reports whether r, a valid non-ASCII rune, is escaped.
func unsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f:
		return true // C1 controls
	case r == 0x061c, r == 0x200e, r == 0x200f:
		return true // Arabic letter mark, left-to-right and right-to-left marks
	case r >= 0x202a && r <= 0x202e:
		return true // bidirectional embeddings and overrides
	case r >= 0x2066 && r <= 0x2069:
		return true // bidirectional isolates
	case r == 0x2028, r == 0x2029:
		return true // line and paragraph separators
	}
	return false
}

func escape(s string, lines bool) string {
	if clean(s, lines) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			i++
			switch {
			case c >= 0x20 && c < 0x7f || c == '\t':
				b.WriteByte(c)
			case lines && c == '\n':
				b.WriteByte(c)
			case lines && c == '\r' && i < len(s) && s[i] == '\n':
				b.WriteString("\r\n")
				i++
			default:
				writeByteEscape(&b, c)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			writeByteEscape(&b, c)
		case unsafeRune(r):
			b.WriteString(`\u`)
			h := strconv.FormatInt(int64(r), 16)
			b.WriteString(strings.Repeat("0", 4-len(h)))
			b.WriteString(h)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// writeByteEscape writes a control byte or a byte that is not UTF-8 the way
// Go writes it in a string literal.
func writeByteEscape(b *strings.Builder, c byte) {
	switch c {
	case '\a':
		b.WriteString(`\a`)
	case '\b':
		b.WriteString(`\b`)
	case '\f':
		b.WriteString(`\f`)
	case '\n':
		b.WriteString(`\n`)
	case '\r':
		b.WriteString(`\r`)
	case '\v':
		b.WriteString(`\v`)
	default:
		const hex = "0123456789abcdef"
		b.WriteString(`\x`)
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
}

// Width returns how many columns r takes once escaped by Line: 1 for a
// character printed as is, the length of its escape otherwise. A source
// snippet uses it to put its caret under the escaped text. (A byte that is
// not UTF-8 decodes as utf8.RuneError; the caller passes it as such.)
func Width(r rune, invalid bool) int {
	switch {
	case invalid:
		return 4 // \xNN
	case r == '\t':
		return 1
	case r == '\a', r == '\b', r == '\f', r == '\n', r == '\r', r == '\v':
		return 2
	case r < 0x20 || r == 0x7f:
		return 4
	case r >= 0x80 && unsafeRune(r):
		return 6 // \uNNNN
	}
	return 1
}

// Unsafe returns the index of the first character of out that Text would
// escape (a control character but TAB, LF and CR LF, DEL, a C1 control, a
// byte that is not UTF-8, a bidirectional control or a line separator), or
// -1. The tests of every text output hold the output to it.
func Unsafe(out []byte) int { return firstUnsafe(string(out), true) }
