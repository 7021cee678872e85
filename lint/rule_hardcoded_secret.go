package lint

import (
	"fmt"
	"strings"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/redact"
	"gopkg.in/yaml.v3"
)

// HardcodedSecret reports secrets written literally in a compose file: the
// value lands in version control and in every `docker compose config`
// output. What is a secret is the redact policy's decision, the one
// `--redact` hides by (docs/redaction.md): the values of environment
// variables, build args and labels with secret names (DB_PASS, API_KEY), the
// secret parts of any of their values (a URL's password, Password= of a
// connection string, a token), secret options in commands (--password x,
// mysql's -px), and secret keys in the content of configs. Password hashes
// (htpasswd in a Traefik label) are how passwords are meant to be stored:
// --redact hides them, this rule does not report them.
type HardcodedSecret struct{ RuleBase }

var _ Rule = (*HardcodedSecret)(nil)

// NewHardcodedSecret returns the hardcoded-secret rule.
func NewHardcodedSecret() *HardcodedSecret {
	return &HardcodedSecret{RuleBase{Meta{ID: "hardcoded-secret", Summary: "secrets written literally: secret-looking variables, URL passwords, password options, tokens",
		Severity: diag.Warning, Scope: ScopeFile, Group: GroupSecurity}}}
}

// policy is the redaction policy, with the name fragments of the
// `patterns` option and of composure.yaml's `redact:`.
func (r *HardcodedSecret) policy(p *Pass) *redact.Policy {
	v, _ := p.Option("patterns")
	extra := append([]string(nil), p.redact...)
	for _, x := range asSlice(v) {
		if s, ok := x.(string); ok {
			extra = append(extra, s)
		}
	}
	return redact.New(extra...)
}

// literalSecret returns the first secret of secrets written as a literal in
// value (not through a variable) and not a password hash.
func literalSecret(value string, secrets []redact.Secret) (redact.Secret, bool) {
	for _, s := range secrets {
		if !s.Hash && !strings.Contains(value[s.Start:s.End], "$") {
			return s, true
		}
	}
	return redact.Secret{}, false
}

// secretCheck reports the nodes of one document. A value inside an anchor
// merged into several services is reported at the anchor by each, and the
// findings merge into one listing the alias sites (Postprocess).
type secretCheck struct {
	p   *Pass
	d   *compose.Document
	pol *redact.Policy
}

func (c *secretCheck) report(n *yaml.Node, e compose.Entry, msg string) {
	c.p.Report(withVia(c.d, diag.Finding{Severity: c.p.meta.Severity, Span: NodeSpan(c.d, n), Message: msg}, e))
}

// howTo is what to do with a secret found in a variable called name.
func howTo(name string) string {
	return fmt.Sprintf("pass it as ${%s} from an untracked .env file, or use secrets:", varName(name))
}

// varName turns a label or arg name into a variable name:
// com.example.api-key is COM_EXAMPLE_API_KEY. A name that is a variable
// name already keeps its case (OPENEMR_SETTING_couchdb_pass): variables
// are case-sensitive, and the value may then come from a variable of the
// same name.
func varName(name string) string {
	if name != "" && !strings.ContainsFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_')
	}) && !(name[0] >= '0' && name[0] <= '9') {
		return name
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
			return r
		}
		return '_'
	}, name)
}

// named checks a mapping or KEY=VALUE list of named values (what says
// where they are: "environment variable", "build arg", "label").
func (c *secretCheck) named(e compose.Entry, what string) {
	n := compose.Deref(e.Value)
	switch n.Kind {
	case yaml.MappingNode:
		es, err := c.d.Entries(n, c.d.ExpansionBudget())
		if err != nil {
			return
		}
		for _, x := range es {
			if !isScalar(x.Value) || x.Value.ShortTag() != "!!str" && x.Value.ShortTag() != "!!int" {
				continue
			}
			c.value(x.Value, x, x.Key.Value, x.Value.Value, what)
		}
	case yaml.SequenceNode:
		for _, it := range n.Content {
			it = compose.Deref(it)
			if !isScalar(it) {
				continue
			}
			name, value, ok := strings.Cut(it.Value, "=")
			if !ok {
				continue
			}
			c.value(it, e, name, value, what)
		}
	}
}

// value checks the value of the variable, arg or label called name,
// written at n.
func (c *secretCheck) value(n *yaml.Node, e compose.Entry, name, value, what string) {
	if c.pol.SecretValue(name, value) {
		if !strings.Contains(value, "$") {
			c.report(n, e, fmt.Sprintf("%s has a literal value in the compose file: %s", name, howTo(name)))
		}
		return
	}
	if s, ok := literalSecret(value, c.pol.Text(value)); ok {
		c.report(n, e, fmt.Sprintf("%s %s holds %s written literally: %s", what, name, s.What, howTo(suggestName(name, value, s))))
	}
}

// suggestName is a variable name for the secret part of a value: the
// value's own name when the secret is all of it, else a name for the part
// (DATABASE_URL's password is DATABASE_PASSWORD).
func suggestName(name, value string, s redact.Secret) string {
	if s.Start == 0 && s.End == len(value) {
		return name
	}
	base := varName(name)
	for _, suffix := range []string{"_URL", "_URI", "_DSN", "_STRING", "_URLS"} {
		base = strings.TrimSuffix(base, suffix)
	}
	what := strings.ToLower(s.What)
	switch {
	case strings.Contains(what, "password") || strings.Contains(what, "pwd"):
		return base + "_PASSWORD"
	case strings.Contains(what, "token"):
		return base + "_TOKEN"
	}
	return base + "_SECRET"
}

// command checks a command, entrypoint or healthcheck test: a list of
// arguments or a shell string.
func (c *secretCheck) command(service string, e compose.Entry, what string) {
	n := compose.Deref(e.Value)
	var items []*yaml.Node
	switch {
	case isScalar(n):
		items = []*yaml.Node{n}
	case n.Kind == yaml.SequenceNode:
		for _, it := range n.Content {
			it = compose.Deref(it)
			if !isScalar(it) {
				return
			}
			items = append(items, it)
		}
	default:
		return
	}
	args := make([]string, len(items))
	for i, it := range items {
		args[i] = it.Value
	}
	for i, secrets := range c.pol.Args(args) {
		if s, ok := literalSecret(args[i], secrets); ok {
			c.report(items[i], e, fmt.Sprintf("the %s of service %q passes %s literally: read it from a variable of the container's environment ($$VAR) or from a secret file", what, service, s.What))
			return
		}
	}
}

// VisitFile checks the services of d (environment, build args, labels,
// command, entrypoint, healthcheck test) and its configs with inline
// content.
func (r *HardcodedSecret) VisitFile(p *Pass, d *compose.Document) {
	c := &secretCheck{p: p, d: d, pol: r.policy(p)}
	for _, s := range p.run.services(d) {
		if e, ok := getEntry(d, s.Value, "environment"); ok {
			c.named(e, "environment variable")
		}
		if b, ok := getEntry(d, s.Value, "build"); ok {
			if e, ok := getEntry(d, b.Value, "args"); ok {
				c.named(e, "build arg")
			}
		}
		if e, ok := getEntry(d, s.Value, "labels"); ok {
			c.named(e, "label")
		}
		for _, key := range []string{"command", "entrypoint"} {
			if e, ok := getEntry(d, s.Value, key); ok {
				c.command(s.Name, e, key)
			}
		}
		if h, ok := getEntry(d, s.Value, "healthcheck"); ok {
			if e, ok := getEntry(d, h.Value, "test"); ok {
				c.command(s.Name, e, "healthcheck test")
			}
		}
	}
	// Configs with inline content (compose has no inline secrets: the
	// schema refuses secrets.*.content).
	top, ok := getEntry(d, d.Root, "configs")
	if !ok || compose.Deref(top.Value).Kind != yaml.MappingNode {
		return
	}
	es, err := d.Entries(compose.Deref(top.Value), d.ExpansionBudget())
	if err != nil {
		return
	}
	for _, x := range es {
		e, ok := getEntry(d, x.Value, "content")
		if !ok || !isScalar(e.Value) || strings.Contains(e.Value.Value, "$") {
			continue
		}
		if s, ok := literalSecret(e.Value.Value, c.pol.Content(e.Value.Value)); ok {
			c.report(e.Value, e, fmt.Sprintf("config %q holds %s written literally in its content: write ${VAR} in its place (the content is interpolated), or mount the file from outside version control", x.Key.Value, s.What))
		}
	}
}
