package lint

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
)

// QuotedValue reports an item of an environment or labels list written
// NAME="value" or NAME='value': docker compose splits the item at its first
// `=` and keeps the rest as it is, quotes included, unlike a shell or an env
// file, which would remove them. `- RUST_LOG="warn"` sets RUST_LOG to
// `"warn"`, which the program then fails to parse or silently ignores.
type QuotedValue struct{ RuleBase }

var _ Rule = (*QuotedValue)(nil)

// NewQuotedValue returns the quoted-value rule.
func NewQuotedValue() *QuotedValue {
	return &QuotedValue{RuleBase{Meta{ID: "quoted-value", Summary: "NAME=\"value\" in an environment or labels list, whose quotes docker compose keeps in the value",
		Severity: diag.Warning, Scope: ScopeFile}}}
}

// VisitFile checks the environment and labels lists of every service of d.
func (r *QuotedValue) VisitFile(p *Pass, d *compose.Document) {
	eachEnvList(p, d, func(_ service, _, what string, e compose.Entry) {
		for _, it := range e.Value.Content {
			n := compose.Deref(it)
			if n.Kind != yaml.ScalarNode {
				continue
			}
			name, value, ok := strings.Cut(n.Value, "=")
			if !ok || name == "" || !quotedWhole(value) {
				continue
			}
			inner := value[1 : len(value)-1]
			p.Report(diag.Finding{Severity: p.meta.Severity, Span: NodeSpan(d, it),
				Message: fmt.Sprintf("%s %q is set to %s, quotes included: in a list, docker compose keeps everything after the `=`; write %s=%s, or %s: %q in the mapping form",
					what, name, value, name, inner, name, inner)})
		}
	})
}

// quotedWhole reports whether v is wrapped whole in one pair of double or
// single quotes, with no quote of the same kind inside
// ("warn,app=debug", 'x'), as a shell or an env file would unquote it.
func quotedWhole(v string) bool {
	if len(v) < 2 {
		return false
	}
	q := v[0]
	if q != '"' && q != '\'' || v[len(v)-1] != q {
		return false
	}
	return !strings.ContainsRune(v[1:len(v)-1], rune(q))
}
