package lint

import (
	"strings"

	"github.com/composure-dev/composure/docs"
)

// sections splits docs/rules.md at its `<a id="..."></a>` anchors.
func sections() map[string]string {
	out := map[string]string{}
	text := docs.Rules
	const open = `<a id="`
	for {
		i := strings.Index(text, open)
		if i < 0 {
			break
		}
		text = text[i+len(open):]
		j := strings.Index(text, `"`)
		if j < 0 {
			break
		}
		id := text[:j]
		body := text[j:]
		if k := strings.Index(body, "\n"); k >= 0 {
			body = body[k+1:]
		}
		end := len(body)
		if k := strings.Index(body, open); k >= 0 {
			end = k
		}
		if k := strings.Index(body, "\n## Planned"); k >= 0 && k < end {
			end = k + 1
		}
		out[id] = strings.TrimSpace(body[:end]) + "\n"
		text = body[:]
	}
	return out
}

// Doc returns the documentation section of rule id from docs/rules.md.
func Doc(id string) (string, bool) {
	s, ok := sections()[id]
	return s, ok
}

// DocIDs returns the IDs of every documented section.
func DocIDs() []string { return sortedKeys(sections()) }

// Title returns the heading of rule id's section, or the ID.
func Title(id string) string {
	s, ok := Doc(id)
	if !ok {
		return id
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, "## ") {
			return strings.TrimPrefix(line, "## ")
		}
	}
	return id
}
