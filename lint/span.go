package lint

import (
	"bytes"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"gopkg.in/yaml.v3"
)

// NodeSpan returns the range n covers in d: a scalar from its first to past
// its last character (quotes included), an alias `*name`, and a collection
// its first line from where it starts. Block scalars (`|`, `>`) span their
// indicator line. Columns count characters (see compose.Document.Offset).
func NodeSpan(d *compose.Document, n *yaml.Node) diag.Span {
	start := compose.Pos{Line: n.Line, Col: n.Column}
	sp := diag.Span{File: d.Name, Start: diag.Pos(start)}
	if n.Line == 0 {
		return sp
	}
	off := d.Offset(start)
	end := scalarEnd(d.Src, off, n)
	sp.End = diag.Pos(d.LocAt(end).Pos)
	return sp
}

// OffsetSpan returns the span of bytes [start, end) of d.
func OffsetSpan(d *compose.Document, start, end int) diag.Span {
	return diag.Span{File: d.Name, Start: diag.Pos(d.LocAt(start).Pos), End: diag.Pos(d.LocAt(end).Pos)}
}

// NodeRange returns the byte range of n in d.Src, as NodeSpan measures it.
func NodeRange(d *compose.Document, n *yaml.Node) (int, int) {
	off := d.Offset(compose.Pos{Line: n.Line, Col: n.Column})
	return off, scalarEnd(d.Src, off, n)
}

func lineEnd(src []byte, off int) int {
	if i := bytes.IndexByte(src[off:], '\n'); i >= 0 {
		e := off + i
		if e > off && src[e-1] == '\r' {
			e--
		}
		return e
	}
	return len(src)
}

// scalarEnd finds where the node starting at byte off ends.
func scalarEnd(src []byte, off int, n *yaml.Node) int {
	if off >= len(src) {
		return len(src)
	}
	le := lineEnd(src, off)
	switch n.Kind {
	case yaml.AliasNode:
		e := off + 1
		for e < le && !isFlowEnd(src[e]) && src[e] != ' ' && src[e] != '\t' {
			e++
		}
		return e
	case yaml.ScalarNode:
	default:
		// A collection: its first line, without a trailing comment.
		return trimComment(src, off, le)
	}
	// Skip a tag or anchor written before the value (`!reset []`, `&a x`).
	for off < le && (src[off] == '!' || src[off] == '&') {
		for off < le && src[off] != ' ' {
			off++
		}
		for off < le && src[off] == ' ' {
			off++
		}
	}
	switch n.Style {
	case yaml.DoubleQuotedStyle:
		for i := off + 1; i < len(src); i++ {
			switch src[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
		return len(src)
	case yaml.SingleQuotedStyle:
		for i := off + 1; i < len(src); i++ {
			if src[i] == '\'' {
				if i+1 < len(src) && src[i+1] == '\'' {
					i++
					continue
				}
				return i + 1
			}
		}
		return len(src)
	case yaml.LiteralStyle, yaml.FoldedStyle:
		return trimComment(src, off, le)
	}
	// Plain: the value as written when it fits on the line.
	if v := n.Value; v != "" && off+len(v) <= le && string(src[off:off+len(v)]) == v {
		return off + len(v)
	}
	// Multi-line plain scalar or a flow context: up to a flow indicator, a
	// comment or the end of the line.
	e := off
	for e < le {
		c := src[e]
		if isFlowEnd(c) || (c == '#' && e > off && (src[e-1] == ' ' || src[e-1] == '\t')) {
			break
		}
		e++
	}
	for e > off && (src[e-1] == ' ' || src[e-1] == '\t') {
		e--
	}
	return e
}

func isFlowEnd(c byte) bool { return c == ',' || c == ']' || c == '}' }

func trimComment(src []byte, off, le int) int {
	e := off
	for e < le {
		if src[e] == '#' && e > off && (src[e-1] == ' ' || src[e-1] == '\t') {
			break
		}
		e++
	}
	for e > off && (src[e-1] == ' ' || src[e-1] == '\t') {
		e--
	}
	if e == off {
		return le
	}
	return e
}
