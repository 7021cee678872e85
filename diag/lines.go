package diag

import (
	"bytes"
	"slices"
	"unicode/utf8"
)

// Breaks says which characters end a line of a file. Positions are only
// right if they count lines as the tool that reported them does.
type Breaks uint8

const (
	// LF ends a line at \n only, as BuildKit reads a Dockerfile (and
	// bufio.ScanLines any text): a \r before the \n, or at the end of the
	// file, is left out of a line's Text but still counts as a character
	// of it.
	LF Breaks = iota
	// YAML ends a line at \n, \r\n (one break), a lone \r, NEL (U+0085),
	// LS (U+2028) and PS (U+2029), even inside quoted strings, as yaml.v3's
	// scanner does (scannerc.go is_break). A UTF-8 byte order mark at the
	// start is skipped: line 1, column 1 is the character after it.
	YAML
)

// Lines is the line table of a file: where each line starts, so that a
// position (line, column) and a byte offset convert both ways. Columns
// count characters (runes), as yaml.v3 and composure's findings do, not
// bytes. A break at the end of the file starts one more, empty, line,
// where an editor puts the cursor after it.
type Lines struct {
	src    []byte
	starts []int // byte offset where each line starts; never empty
	breaks Breaks
}

// NewLines builds the line table of src, its lines ended by breaks.
func NewLines(src []byte, breaks Breaks) *Lines {
	l := &Lines{src: src, breaks: breaks, starts: []int{0}}
	if breaks == YAML && bytes.HasPrefix(src, utf8BOM) {
		l.starts[0] = len(utf8BOM)
	}
	if breaks == LF || !hasYAMLOnlyBreak(src) {
		for i := l.starts[0]; ; {
			j := bytes.IndexByte(src[i:], '\n')
			if j < 0 {
				break
			}
			i += j + 1
			l.starts = append(l.starts, i)
		}
		return l
	}
	for i := l.starts[0]; i < len(src); {
		if n := yamlBreak(src[i:]); n > 0 {
			i += n
			l.starts = append(l.starts, i)
			continue
		}
		i++
	}
	return l
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Len is the number of lines.
func (l *Lines) Len() int { return len(l.starts) }

// Start returns the byte offset where line n (1-based) starts: 0 before
// the first line, the end of the file after the last.
func (l *Lines) Start(n int) int {
	switch {
	case n < 1:
		return 0
	case n > len(l.starts):
		return len(l.src)
	}
	return l.starts[n-1]
}

// Text returns line n (1-based) without its line break, "" when there is
// no such line.
func (l *Lines) Text(n int) string {
	if n < 1 || n > len(l.starts) {
		return ""
	}
	start, end := l.starts[n-1], len(l.src)
	if n < len(l.starts) {
		end = l.starts[n]
	}
	line := l.src[start:end]
	if l.breaks == LF {
		line = bytes.TrimSuffix(line, []byte{'\n'})
		return string(bytes.TrimSuffix(line, []byte{'\r'}))
	}
	for i := range line {
		if yamlBreak(line[i:]) > 0 {
			return string(line[:i])
		}
	}
	return string(line)
}

// Offset converts a position to a byte offset. A column past the end of
// its line stops at the line break; a line before the first is offset 0,
// a line after the last the end of the file.
func (l *Lines) Offset(p Pos) int {
	if p.Line < 1 {
		return 0
	}
	if p.Line > len(l.starts) {
		return len(l.src)
	}
	off := l.starts[p.Line-1]
	for col := 1; col < p.Col && off < len(l.src) && l.breakAt(off) == 0; col++ {
		_, size := utf8.DecodeRune(l.src[off:])
		off += size
	}
	return off
}

// Pos converts a byte offset to a position. An offset past the end of the
// file is the end of the file; one inside a skipped byte order mark is
// line 1, column 1.
func (l *Lines) Pos(off int) Pos {
	off = min(max(off, 0), len(l.src))
	i, found := slices.BinarySearch(l.starts, off)
	if !found {
		i--
	}
	if i < 0 {
		// before the first line: inside the byte order mark
		return Pos{Line: 1, Col: 1}
	}
	return Pos{Line: i + 1, Col: utf8.RuneCount(l.src[l.starts[i]:off]) + 1}
}

// breakAt returns the length of the line break at offset off, or 0.
func (l *Lines) breakAt(off int) int {
	if l.breaks == LF {
		if l.src[off] == '\n' {
			return 1
		}
		return 0
	}
	return yamlBreak(l.src[off:])
}

// yamlBreak returns the length of the YAML line break b starts with, or 0.
// hasYAMLOnlyBreak reports whether src may hold a line break other than
// \n: a byte that starts \r, NEL or LS/PS. Without one, the lines are found
// as LF's are, a fast scan for each \n.
func hasYAMLOnlyBreak(src []byte) bool {
	return bytes.IndexByte(src, '\r') >= 0 || bytes.IndexByte(src, 0xC2) >= 0 || bytes.IndexByte(src, 0xE2) >= 0
}

func yamlBreak(b []byte) int {
	switch {
	case len(b) == 0:
		return 0
	case b[0] == '\n':
		return 1
	case b[0] == '\r':
		if len(b) > 1 && b[1] == '\n' {
			return 2
		}
		return 1
	case len(b) > 1 && b[0] == 0xC2 && b[1] == 0x85:
		return 2
	case len(b) > 2 && b[0] == 0xE2 && b[1] == 0x80 && (b[2] == 0xA8 || b[2] == 0xA9):
		return 3
	}
	return 0
}
