// Package jsonindent indents JSON as encoding/json does, faster: the
// standard library's Indent runs its validating scanner over every byte,
// which took nine tenths of printing `composure lint --format json` on a
// large project. The JSON here always comes from json.Marshal, so it is
// valid and compact, and only strings need care.
package jsonindent

import (
	"encoding/json"
	"io"
)

// Marshal is json.MarshalIndent(v, "", "  ").
func Marshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return Append(make([]byte, 0, len(b)+len(b)/2), b, "  "), nil
}

// Append appends src, compact JSON as json.Marshal writes it (no space
// outside strings), to dst indented as json.Indent(dst, src, "", indent)
// would: a newline and one indent per level after `{`, `[` and `,`, a
// space after `:`, empty objects and arrays kept as `{}` and `[]`.
// Invalid or non-compact JSON gives unspecified output.
func Append(dst, src []byte, indent string) []byte {
	depth := 0
	needIndent := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if needIndent && c != '}' && c != ']' {
			needIndent = false
			depth++
			dst = newline(dst, indent, depth)
		}
		switch c {
		case '"':
			// Copy the string whole: its brackets, commas and colons are
			// text; a backslash escapes the next byte.
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(src) {
				return append(dst, src[i:]...)
			}
			dst = append(dst, src[i:j+1]...)
			i = j
		case '{', '[':
			// the newline waits: an empty object or array stays {} or []
			needIndent = true
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			dst = newline(dst, indent, depth)
		case ':':
			dst = append(dst, c, ' ')
		case '}', ']':
			if needIndent {
				needIndent = false
			} else {
				depth--
				dst = newline(dst, indent, depth)
			}
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

func newline(dst []byte, indent string, depth int) []byte {
	dst = append(dst, '\n')
	for range depth {
		dst = append(dst, indent...)
	}
	return dst
}

// Write writes v to w as an indented json.Encoder (SetIndent("", "  "))
// does: Marshal, then a newline.
func Write(w io.Writer, v any) error {
	b, err := Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
