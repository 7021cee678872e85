package lint

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"gopkg.in/yaml.v3"
)

// EnvDuplicate reports a variable set twice in one service's `environment:`
// written as a list, and a label set twice in `labels:` written as a list.
// docker compose keeps the last one without a word (compose-go's
// MappingWithEquals and Labels DecodeMapstructure fill a map in list
// order), so the first is dead: usually a copy-paste drift. The mapping
// form cannot hold a duplicate: the parser refuses duplicate keys.
type EnvDuplicate struct{ RuleBase }

var _ Rule = (*EnvDuplicate)(nil)

// NewEnvDuplicate returns the env-duplicate rule.
func NewEnvDuplicate() *EnvDuplicate {
	return &EnvDuplicate{RuleBase{Meta{ID: "env-duplicate", Summary: "a variable or label set twice in one environment or labels list: the last one wins, the first is dead",
		Severity: diag.Warning, Scope: ScopeFile}}}
}

// envLists are the service keys whose list form is NAME=VALUE items, and
// what an item sets.
var envLists = []struct{ key, what string }{
	{"environment", "variable"},
	{"labels", "label"},
}

// eachEnvList calls f with every environment or labels list written as a
// list in the services of d, each list once: a list reached through an
// alias (an anchored list, or a block merged with `<<:`) is the same node
// in every service. The services are those p's run lists.
func eachEnvList(p *Pass, d *compose.Document, f func(s service, key, what string, e compose.Entry)) {
	seen := map[*yaml.Node]bool{}
	for _, s := range p.run.services(d) {
		for _, l := range envLists {
			e, ok := getEntry(d, s.Value, l.key)
			if !ok || e.Value.Kind != yaml.SequenceNode || seen[e.Value] {
				continue
			}
			seen[e.Value] = true
			f(s, l.key, l.what, e)
		}
	}
}

// VisitFile checks the environment and labels lists of every service of d.
func (r *EnvDuplicate) VisitFile(p *Pass, d *compose.Document) {
	// last maps each name of the list being checked to the index of its
	// last item; one map for the file, cleared for each list.
	var last map[string]int
	eachEnvList(p, d, func(s service, key, what string, e compose.Entry) {
		if len(e.Value.Content) < 2 {
			return
		}
		if last == nil {
			last = make(map[string]int, len(e.Value.Content))
		}
		clear(last)
		items := e.Value.Content
		dup := false
		for i, it := range items {
			if n := compose.Deref(it); n.Kind == yaml.ScalarNode {
				name, _, _ := strings.Cut(n.Value, "=")
				if _, ok := last[name]; ok {
					dup = true
				}
				last[name] = i
			}
		}
		if !dup {
			return
		}
		// Inside an anchor several services may use, the finding
		// names none of them.
		where := fmt.Sprintf("the %s list of service %q", key, s.Name)
		if e.Alias != nil || len(e.Via) > 0 || s.Entry.Alias != nil {
			where = fmt.Sprintf("this anchored %s list", key)
		}
		for i, it := range items {
			n := compose.Deref(it)
			if n.Kind != yaml.ScalarNode {
				continue
			}
			name, _, _ := strings.Cut(n.Value, "=")
			j := last[name]
			if j == i {
				continue
			}
			p.Report(diag.Finding{Severity: p.meta.Severity, Span: NodeSpan(d, it),
				Related: []diag.Related{{Span: NodeSpan(d, items[j]), Message: "set again here: this one wins"}},
				Message: fmt.Sprintf("%s %q is set again later in %s: docker compose keeps the last one, %s, and silently drops this %q; remove the one you do not mean",
					what, name, where, winner(key, compose.Deref(items[j]).Value), n.Value)})
		}
	})
}

// winner says what the last item v of an environment or labels list sets,
// quoted: a value may span lines.
func winner(key, v string) string {
	q := strconv.Quote(v)
	switch {
	case strings.Contains(v, "="):
		return q
	case key == "environment":
		return q + " without a value (the shell's, or unset)"
	}
	return q + " (an empty label)"
}
