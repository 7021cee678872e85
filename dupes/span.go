package dupes

import (
	"bytes"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
)

// Lines is a range of whole lines of a file, 1-based and inclusive.
type Lines struct {
	Start, End int
}

// Count is the number of lines in l.
func (l Lines) Count() int { return l.End - l.Start + 1 }

// EntrySpans returns, for each key/value pair of the block mapping m (in the
// order of m.Content), the lines it occupies in d: the key line, the lines
// of its value, comments written inside the value, and the comment lines
// directly above the key at its indentation (a head comment travels with the
// entry it describes). Trailing blank lines are not part of an entry.
func EntrySpans(d *compose.Document, m *yaml.Node) []Lines {
	n := len(m.Content) / 2
	out := make([]Lines, n)
	prevEnd := m.Line - 1
	if m.Line > 0 && len(m.Content) > 0 {
		// The mapping starts at its first key; anything above belongs to the parent.
		prevEnd = m.Content[0].Line - 1
		for prevEnd > 0 && isHeadComment(lineAt(d, prevEnd), m.Content[0].Column-1) {
			prevEnd--
		}
	}
	for i := 0; i < n; i++ {
		k, v := m.Content[2*i], m.Content[2*i+1]
		indent := k.Column - 1
		start := k.Line
		for start-1 > prevEnd && isHeadComment(lineAt(d, start-1), indent) {
			start--
		}
		end := k.Line
		limit := d.Lines()
		if i+1 < n {
			limit = m.Content[2*i+2].Line - 1
		}
		for ln := k.Line + 1; ln <= limit; ln++ {
			ind, blank := indentation(lineAt(d, ln))
			if blank {
				continue
			}
			if ind <= indent {
				break
			}
			end = ln
		}
		if last := lastLine(v); last > end {
			end = last
		}
		if v.Kind == yaml.ScalarNode && v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			// a quoted scalar's continuation lines may sit at any indentation
			if last := quotedEnd(d, v); last > end {
				end = last
			}
		}
		if v.Style&yaml.FlowStyle != 0 && (v.Kind == yaml.MappingNode || v.Kind == yaml.SequenceNode) {
			// `key: [a,\n  b\n]`: the closing bracket may sit at the key's
			// indentation, where the scan above stopped.
			if last := flowEnd(d, v); last > end {
				end = last
			}
		}
		out[i] = Lines{Start: start, End: end}
		prevEnd = end
	}
	return out
}

// lastLine is the line of the last node written inside n (aliases not
// followed): a lower bound for where n's text ends.
func lastLine(n *yaml.Node) int {
	for n != nil && (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && len(n.Content) > 0 {
		n = n.Content[len(n.Content)-1]
	}
	if n == nil {
		return 0
	}
	return n.Line
}

// lineAt returns line n of d without its line ending, without copying.
func lineAt(d *compose.Document, n int) []byte {
	start := d.Offset(compose.Pos{Line: n, Col: 1})
	end := start
	for end < len(d.Src) && d.Src[end] != '\n' {
		end++
	}
	return bytes.TrimSuffix(d.Src[start:end], []byte("\r"))
}

func isHeadComment(line []byte, indent int) bool {
	ind, blank := indentation(line)
	return !blank && ind == indent && line[ind] == '#'
}

// indentation returns the number of leading spaces of line and whether the
// line is blank.
func indentation(line []byte) (int, bool) {
	for i := 0; i < len(line); i++ {
		if line[i] != ' ' {
			if len(bytes.TrimSpace(line[i:])) == 0 {
				return i, true
			}
			return i, false
		}
	}
	return len(line), true
}

// flowEnd returns the line on which the flow collection n closes, skipping
// quoted scalars and comments.
func flowEnd(d *compose.Document, n *yaml.Node) int {
	src := d.Src
	i := d.Offset(compose.Pos{Line: n.Line, Col: n.Column})
	line := n.Line
	// a tag or an anchor may come first: `!reset [a]`, `&x {a: 1}`
	for i < len(src) && (src[i] == '!' || src[i] == '&') {
		for i < len(src) && src[i] != ' ' && src[i] != '[' && src[i] != '{' && src[i] != '\n' {
			i++
		}
		for i < len(src) && src[i] == ' ' {
			i++
		}
	}
	if i >= len(src) || (src[i] != '[' && src[i] != '{') {
		return n.Line
	}
	depth := 0
	prev := byte('[') // last significant character: quotes open scalars only after these
	for ; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '\n':
			line++
			continue
		case c == ' ' || c == '\t' || c == '\r':
			continue
		case c == '#' && i > 0 && (src[i-1] == ' ' || src[i-1] == '\t' || src[i-1] == '\n'):
			for i+1 < len(src) && src[i+1] != '\n' {
				i++
			}
			continue
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
			if depth == 0 {
				return line
			}
		case (c == '"' || c == '\'') && strings.IndexByte("[{,:", prev) >= 0:
			for i++; i < len(src); i++ {
				if src[i] == '\n' {
					line++
				}
				if c == '"' && src[i] == '\\' {
					i++
					continue
				}
				if src[i] == c {
					if c == '\'' && i+1 < len(src) && src[i+1] == '\'' {
						i++
						continue
					}
					break
				}
			}
		}
		prev = c
	}
	return line
}

// quotedEnd returns the line on which the quoted scalar n closes.
func quotedEnd(d *compose.Document, n *yaml.Node) int {
	src := d.Src
	i := d.Offset(compose.Pos{Line: n.Line, Col: n.Column})
	for i < len(src) && src[i] != '"' && src[i] != '\'' && src[i] != '\n' {
		i++ // past a tag or an anchor
	}
	if i >= len(src) || src[i] == '\n' {
		return n.Line
	}
	q := src[i]
	line := n.Line
	for i++; i < len(src); i++ {
		switch {
		case src[i] == '\n':
			line++
		case q == '"' && src[i] == '\\':
			if i+1 < len(src) && src[i+1] == '\n' {
				line++
			}
			i++
		case src[i] == q:
			if q == '\'' && i+1 < len(src) && src[i+1] == '\'' {
				i++
				continue
			}
			return line
		}
	}
	return line
}
