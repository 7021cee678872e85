package lint

import (
	"fmt"
	"strings"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"gopkg.in/yaml.v3"
)

// HardcodedSecret reports environment variables whose names look secret
// (PASSWORD, TOKEN, ...) with a literal value in the compose file: the value
// lands in version control and in every `docker compose config` output.
type HardcodedSecret struct{ RuleBase }

var _ Rule = (*HardcodedSecret)(nil)

// NewHardcodedSecret returns the hardcoded-secret rule.
func NewHardcodedSecret() *HardcodedSecret {
	return &HardcodedSecret{RuleBase{Meta{ID: "hardcoded-secret", Summary: "secret-looking environment variables with literal values",
		Severity: diag.Warning, Scope: ScopeFile}}}
}

// secretNames are the default name fragments (option "patterns" replaces
// them), matched case-insensitively.
var secretNames = []string{"PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "CREDENTIAL", "ACCESS_KEY"}

func (r *HardcodedSecret) patterns(p *Pass) []string {
	v, ok := p.Option("patterns")
	if !ok {
		return secretNames
	}
	var out []string
	for _, x := range asSlice(v) {
		if s, ok := x.(string); ok {
			out = append(out, strings.ToUpper(s))
		}
	}
	return out
}

func looksSecret(name string, pats []string) bool {
	u := strings.ToUpper(name)
	if strings.HasSuffix(u, "_FILE") || strings.HasSuffix(u, "_PATH") {
		return false // a path to a secret file, the recommended way
	}
	for _, p := range pats {
		if strings.Contains(u, p) {
			return true
		}
	}
	return false
}

// literal reports whether v is a hardcoded value rather than a reference.
func literal(v string) bool {
	v = strings.TrimSpace(v)
	return v != "" && !strings.Contains(v, "$") && !strings.HasPrefix(v, "/run/secrets/")
}

// VisitFile checks the environment of every service of d.
func (r *HardcodedSecret) VisitFile(p *Pass, d *compose.Document) {
	pats := r.patterns(p)
	seen := map[*yaml.Node]bool{}
	report := func(n *yaml.Node, name string, e compose.Entry) {
		if seen[n] {
			return
		}
		seen[n] = true
		p.Report(withVia(d, diag.Finding{Severity: p.meta.Severity, Span: NodeSpan(d, n),
			Message: fmt.Sprintf("%s has a literal value in the compose file: pass it as ${%s} from an untracked .env file, or use secrets:", name, name)}, e))
	}
	for _, s := range fileServices(d) {
		ee, ok := getEntry(d, s.Value, "environment")
		if !ok {
			continue
		}
		env := ee.Value
		switch env.Kind {
		case yaml.MappingNode:
			es, err := d.Entries(env, d.ExpansionBudget())
			if err != nil {
				continue
			}
			for _, e := range es {
				if isScalar(e.Value) && looksSecret(e.Key.Value, pats) && literal(e.Value.Value) {
					report(e.Value, e.Key.Value, e)
				}
			}
		case yaml.SequenceNode:
			for _, it := range env.Content {
				it = compose.Deref(it)
				if !isScalar(it) {
					continue
				}
				k, v, ok := strings.Cut(it.Value, "=")
				if ok && looksSecret(k, pats) && literal(v) {
					report(it, k, ee)
				}
			}
		}
	}
}
