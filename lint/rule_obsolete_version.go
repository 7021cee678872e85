package lint

import (
	"bytes"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"gopkg.in/yaml.v3"
)

// ObsoleteVersion reports the top-level `version` key, which docker compose
// ignores (with a warning of its own) since Compose v2.
type ObsoleteVersion struct{ RuleBase }

var _ Rule = (*ObsoleteVersion)(nil)

// NewObsoleteVersion returns the obsolete-version rule.
func NewObsoleteVersion() *ObsoleteVersion {
	return &ObsoleteVersion{RuleBase{Meta{ID: "obsolete-version", Summary: "top-level version key, ignored by docker compose",
		Severity: diag.Warning, Scope: ScopeFile, Fixable: true}}}
}

// VisitFile checks each document of d.
func (r *ObsoleteVersion) VisitFile(p *Pass, d *compose.Document) {
	for _, root := range d.Roots() {
		for i := 0; i+1 < len(root.Content); i += 2 {
			k, v := root.Content[i], root.Content[i+1]
			if k.Value != "version" {
				continue
			}
			f := diag.Finding{Severity: p.meta.Severity, Span: NodeSpan(d, k),
				Message: "the top-level \"version\" key is obsolete: docker compose ignores it; remove it"}
			if v.Kind == yaml.ScalarNode && v.Line == k.Line {
				if start, end, ok := wholeLines(d, k, v); ok {
					f.Fix = &diag.Fix{Message: "remove the version line", Edits: []diag.TextEdit{edit(d, start, end, "")}}
				}
			}
			p.Report(f)
		}
	}
}

// wholeLines returns the byte range of the lines from k to v, newline
// included, when nothing else shares them.
func wholeLines(d *compose.Document, k, v *yaml.Node) (int, int, bool) {
	start := d.Offset(compose.Pos{Line: k.Line, Col: 1})
	ks, _ := NodeRange(d, k)
	if len(bytes.TrimSpace(d.Src[start:ks])) != 0 {
		return 0, 0, false
	}
	_, ve := NodeRange(d, v)
	end := lineEnd(d.Src, ve)
	rest := bytes.TrimSpace(d.Src[ve:end])
	if len(rest) != 0 && rest[0] != '#' {
		return 0, 0, false
	}
	if end < len(d.Src) && d.Src[end] == '\r' {
		end++
	}
	if end < len(d.Src) && d.Src[end] == '\n' {
		end++
	}
	return start, end, true
}
