package lint

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"gopkg.in/yaml.v3"
)

// UnquotedPort reports port mappings that a YAML reader takes for
// something else than the string written: `22:22`, plain, is the base-60
// number 1342 for a YAML 1.1 reader (docker-compose v1, PyYAML and the tools
// built on it). docker compose's own YAML reads every `HOST:CONTAINER` as a
// string, so the other unquoted mappings (`8080:80`, `127.0.0.1:5432:5432`)
// are left alone: quoting them changes nothing for anyone.
type UnquotedPort struct{ RuleBase }

var _ Rule = (*UnquotedPort)(nil)

// NewUnquotedPort returns the unquoted-port rule.
func NewUnquotedPort() *UnquotedPort {
	return &UnquotedPort{RuleBase{Meta{ID: "unquoted-port", Summary: "unquoted port mappings YAML 1.1 reads as base-60 numbers (22:22)",
		Severity: diag.Warning, Scope: ScopeFile, Fixable: true}}}
}

// sexagesimalRE is YAML 1.1's base-60 integer: digits groups of 0-59 after
// the first, separated by colons.
var sexagesimalRE = regexp.MustCompile(`^[0-9]+(:[0-5]?[0-9])+$`)

// sexagesimal is the number YAML 1.1 reads s as.
func sexagesimal(s string) int64 {
	var n int64
	for _, part := range strings.Split(s, ":") {
		d, _ := strconv.ParseInt(part, 10, 64)
		n = n*60 + d
	}
	return n
}

// VisitFile checks the ports of every service of d.
func (r *UnquotedPort) VisitFile(p *Pass, d *compose.Document) {
	seen := map[*yaml.Node]bool{}
	for _, s := range p.run.services(d) {
		ports := get(d, s.Value, "ports")
		if ports == nil || ports.Kind != yaml.SequenceNode {
			continue
		}
		for _, it := range ports.Content {
			n := compose.Deref(it)
			if seen[n] || n.Kind != yaml.ScalarNode || n.Style != 0 || !sexagesimalRE.MatchString(n.Value) {
				continue
			}
			seen[n] = true
			msg := fmt.Sprintf("port mapping %s is not quoted: a YAML 1.1 reader (docker-compose v1, PyYAML) takes it for the base-60 number %d; write it as %q", n.Value, sexagesimal(n.Value), n.Value)
			start, end := NodeRange(d, n)
			p.Report(diag.Finding{Severity: p.meta.Severity, Span: NodeSpan(d, n), Message: msg,
				Fix: &diag.Fix{Message: "quote the port mapping", Edits: []diag.TextEdit{edit(d, start, end, `"`+n.Value+`"`)}}})
		}
	}
}
