package dupes

import (
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
		for prevEnd > 0 && isHeadComment(d.Line(prevEnd), m.Content[0].Column-1) {
			prevEnd--
		}
	}
	for i := 0; i < n; i++ {
		k, v := m.Content[2*i], m.Content[2*i+1]
		indent := k.Column - 1
		start := k.Line
		for start-1 > prevEnd && isHeadComment(d.Line(start-1), indent) {
			start--
		}
		end := k.Line
		limit := d.Lines()
		if i+1 < n {
			limit = m.Content[2*i+2].Line - 1
		}
		for ln := k.Line + 1; ln <= limit; ln++ {
			text := d.Line(ln)
			ind, blank := indentation(text)
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

func isHeadComment(line string, indent int) bool {
	ind, blank := indentation(line)
	return !blank && ind == indent && strings.HasPrefix(line[ind:], "#")
}

// indentation returns the number of leading spaces of line and whether the
// line is blank.
func indentation(line string) (int, bool) {
	for i := 0; i < len(line); i++ {
		if line[i] != ' ' {
			if line[i] == '\t' || line[i] == '\r' {
				if strings.TrimSpace(line[i:]) == "" {
					return i, true
				}
			}
			return i, false
		}
	}
	return len(line), true
}
