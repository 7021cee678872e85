package lint

import (
	"bytes"
	"strings"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
)

// ignores maps a line to the rule IDs silenced there.
type ignores map[int][]string

// ignoreMarker starts an ignore comment: `# composure-ignore rule-a, rule-b: reason`.
const ignoreMarker = "composure-ignore"

// ignoredID is one rule ID an ignore comment names, and the byte offset
// of the ID in its line.
type ignoredID struct {
	id  string
	off int
}

// ignoreComment reads the ignore comment of line: the IDs it names (none
// for a bare `# composure-ignore: reason`), the byte offset of the marker,
// and ok when the line holds one.
func ignoreComment(line string) (ids []ignoredID, at int, ok bool) {
	i := strings.Index(line, ignoreMarker)
	if i < 0 {
		return nil, 0, false
	}
	hash := strings.TrimRight(line[:i], " \t")
	if !strings.HasSuffix(hash, "#") {
		return nil, 0, false
	}
	rest := line[i+len(ignoreMarker):]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' && rest[0] != ':' {
		return nil, 0, false // composure-ignored, composure-ignore-this...
	}
	off := i + len(ignoreMarker)
	if j := strings.IndexByte(rest, ':'); j >= 0 {
		rest = rest[:j]
	}
	for _, part := range strings.Split(rest, ",") {
		id := strings.TrimSpace(part)
		if id != "" {
			ids = append(ids, ignoredID{id: id, off: off + strings.Index(part, id)})
		}
		off += len(part) + 1
	}
	return ids, len(hash) - 1, true
}

// parseIgnores reads the ignore comments of d. A comment silences the
// listed rules on its own line and on the next line, so it can trail the
// offending value or sit above it.
func parseIgnores(d *compose.Document) ignores {
	ig := ignores{}
	if !bytes.Contains(d.Src, []byte(ignoreMarker)) {
		return ig
	}
	for n := 1; n <= d.Lines(); n++ {
		ids, _, ok := ignoreComment(d.Line(n))
		if !ok {
			continue
		}
		for _, id := range ids {
			ig[n] = append(ig[n], id.id)
			ig[n+1] = append(ig[n+1], id.id)
		}
	}
	return ig
}

func (ig ignores) silences(f diag.Finding) bool {
	for _, id := range ig[f.Span.Start.Line] {
		if silencedBy(id, f.Rule) {
			return true
		}
	}
	return false
}

// silencedBy reports whether an ignore comment naming id silences rule.
func silencedBy(id, rule string) bool { return id == rule || id == "all" }
