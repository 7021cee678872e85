package lint

import (
	"regexp"
	"strings"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
)

// ignores maps a line to the rule IDs silenced there.
type ignores map[int][]string

// ignoreRE matches `# composure-ignore rule-a, rule-b: reason`.
var ignoreRE = regexp.MustCompile(`#\s*composure-ignore\s+([a-z0-9, -]+?)\s*(?::.*)?$`)

// parseIgnores reads the ignore comments of d. A comment silences the
// listed rules on its own line and on the next line, so it can trail the
// offending value or sit above it.
func parseIgnores(d *compose.Document) ignores {
	ig := ignores{}
	if !strings.Contains(string(d.Src), "composure-ignore") {
		return ig
	}
	for n := 1; n <= d.Lines(); n++ {
		line := d.Line(n)
		if !strings.Contains(line, "composure-ignore") {
			continue
		}
		m := ignoreRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		var ids []string
		for _, id := range strings.Split(m[1], ",") {
			if id = strings.TrimSpace(id); id != "" {
				ids = append(ids, id)
			}
		}
		ig[n] = append(ig[n], ids...)
		ig[n+1] = append(ig[n+1], ids...)
	}
	return ig
}

func (ig ignores) silences(f diag.Finding) bool {
	for _, id := range ig[f.Span.Start.Line] {
		if id == f.Rule || id == "all" {
			return true
		}
	}
	return false
}
