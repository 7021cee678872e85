package lint

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"gopkg.in/yaml.v3"
)

// UnquotedPort reports `HOST:CONTAINER` port mappings written as plain YAML
// scalars. A YAML 1.1 reader takes `22:22` as the base-60 number 1342, and
// tools in the chain (linters, editors, older parsers) disagree on it; quoted
// strings mean the same to all of them.
type UnquotedPort struct{ RuleBase }

var _ Rule = (*UnquotedPort)(nil)

// NewUnquotedPort returns the unquoted-port rule.
func NewUnquotedPort() *UnquotedPort {
	return &UnquotedPort{RuleBase{Meta{ID: "unquoted-port", Summary: "HOST:CONTAINER port mappings left unquoted (YAML 1.1 base-60 trap)",
		Severity: diag.Warning, Scope: ScopeFile, Fixable: true}}}
}

// sexagesimalRE is YAML 1.1's base-60 integer: digits groups of 0-59 after
// the first, separated by colons.
var sexagesimalRE = regexp.MustCompile(`^[0-9]+(:[0-5]?[0-9])+$`)

// VisitFile checks the ports of every service of d.
func (r *UnquotedPort) VisitFile(p *Pass, d *compose.Document) {
	seen := map[*yaml.Node]bool{}
	for _, s := range fileServices(d) {
		ports := get(d, s.Value, "ports")
		if ports == nil || ports.Kind != yaml.SequenceNode {
			continue
		}
		for _, it := range ports.Content {
			n := compose.Deref(it)
			if seen[n] || n.Kind != yaml.ScalarNode || n.Style != 0 || !strings.Contains(n.Value, ":") {
				continue
			}
			seen[n] = true
			msg := fmt.Sprintf("port mapping %s is not quoted: write it as %q so every YAML reader takes it as a string", n.Value, n.Value)
			if sexagesimalRE.MatchString(n.Value) {
				msg = fmt.Sprintf("port mapping %s is not quoted: YAML 1.1 reads it as a base-60 number; write it as %q", n.Value, n.Value)
			}
			start, end := NodeRange(d, n)
			p.Report(diag.Finding{Severity: p.meta.Severity, Span: NodeSpan(d, n), Message: msg,
				Fix: &diag.Fix{Message: "quote the port mapping", Edits: []diag.TextEdit{edit(d, start, end, `"`+n.Value+`"`)}}})
		}
	}
}
