package lint

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"gopkg.in/yaml.v3"
)

// RestartPolicy checks `restart` and `deploy.restart_policy` values, which
// docker compose config accepts and the engine rejects only at `up`.
type RestartPolicy struct{ RuleBase }

var _ Rule = (*RestartPolicy)(nil)

// NewRestartPolicy returns the restart-policy rule.
func NewRestartPolicy() *RestartPolicy {
	return &RestartPolicy{RuleBase{Meta{ID: "restart-policy", Summary: "restart and deploy.restart_policy values the engine accepts",
		Severity: diag.Error, Scope: ScopeFile, Fixable: true, Practice: 15}}}
}

var restartValues = []string{"no", "always", "on-failure", "unless-stopped"}

var onFailureRE = regexp.MustCompile(`^on-failure:(.*)$`)

// restartAliases maps values people write to the policy they mean.
var restartAliases = map[string]string{"never": "no", "none": "no", "false": "no", "off": "no", "": "no", "true": "always", "yes": "always", "any": "always"}

// restartSuggestion returns the valid value nearest to v.
func restartSuggestion(v string) (string, bool) {
	l := strings.ToLower(strings.TrimSpace(v))
	if s, ok := restartAliases[l]; ok {
		return s, true
	}
	if strings.HasPrefix(l, "on-failure") || strings.HasPrefix(l, "on_failure") || strings.HasPrefix(l, "onfailure") {
		return "on-failure", true
	}
	return nearest(l, restartValues, 4)
}

// validRestart reports whether v is a valid restart policy.
func validRestart(v string) bool {
	for _, x := range restartValues {
		if v == x {
			return true
		}
	}
	if m := onFailureRE.FindStringSubmatch(v); m != nil {
		n, err := strconv.Atoi(m[1])
		return err == nil && n > 0
	}
	return false
}

// VisitFile checks every service of d.
func (r *RestartPolicy) VisitFile(p *Pass, d *compose.Document) {
	for _, s := range p.run.services(d) {
		var restart string
		re, hasRestart := getEntry(d, s.Value, "restart")
		if hasRestart && isScalar(re.Value) {
			restart = r.checkRestart(p, d, re)
		}
		dep := get(d, s.Value, "deploy")
		pol := get(d, dep, "restart_policy")
		if pol == nil {
			continue
		}
		cond := get(d, pol, "condition")
		if isScalar(cond) && !strings.Contains(cond.Value, "$") {
			switch cond.Value {
			case "none", "on-failure", "any":
				if restart != "" {
					want := map[string]string{"no": "none", "always": "any", "unless-stopped": "any", "on-failure": "on-failure"}[strings.SplitN(restart, ":", 2)[0]]
					if want != cond.Value {
						p.Report(diag.Finding{Severity: diag.Warning, Span: NodeSpan(d, cond), Related: []diag.Related{{Span: NodeSpan(d, re.Value), Message: "restart is set here"}},
							Message: fmt.Sprintf("service %q sets restart %q and deploy.restart_policy.condition %q: docker compose uses deploy.restart_policy; keep one of them", s.Name, restart, cond.Value)})
					}
				}
			default:
				msg := fmt.Sprintf("deploy.restart_policy.condition %q is invalid: use one of \"none\", \"on-failure\", \"any\"", cond.Value)
				f := diag.Finding{Severity: diag.Error, Span: NodeSpan(d, cond), Message: msg}
				if sug, ok := nearest(cond.Value, []string{"none", "on-failure", "any"}, 3); ok {
					f.Message = fmt.Sprintf("deploy.restart_policy.condition %q is invalid: did you mean %q?", cond.Value, sug)
					f.Fix = replaceScalar(d, cond, sug, fmt.Sprintf("replace %q with %q", cond.Value, sug))
				}
				p.Report(f)
			}
		}
		if ma := get(d, pol, "max_attempts"); isScalar(ma) && !strings.Contains(ma.Value, "$") {
			if n, err := strconv.Atoi(ma.Value); err != nil || n < 0 {
				p.Report(diag.Finding{Severity: diag.Error, Span: NodeSpan(d, ma), Message: fmt.Sprintf("deploy.restart_policy.max_attempts %q must be a non-negative integer", ma.Value)})
			}
		}
		for _, k := range []string{"delay", "window"} {
			if v := get(d, pol, k); isScalar(v) && !strings.Contains(v.Value, "$") {
				if _, err := time.ParseDuration(v.Value); err != nil && v.ShortTag() == "!!str" {
					p.Report(diag.Finding{Severity: diag.Error, Span: NodeSpan(d, v), Message: fmt.Sprintf("deploy.restart_policy.%s %q is not a duration: write it like \"5s\" or \"1m30s\"", k, v.Value)})
				}
			}
		}
	}
}

// checkRestart reports an invalid restart value and returns the valid one
// (after interpolating defaults), or "" when it cannot tell.
func (r *RestartPolicy) checkRestart(p *Pass, d *compose.Document, e compose.Entry) string {
	n := e.Value
	v := n.Value
	if strings.Contains(v, "$") {
		// `${RESTART_POLICY:-unless-stopped}`: check the default docker
		// compose falls back to; the variable's value is checked nowhere.
		iv, ok := (&Env{}).Interpolate(v)
		if !ok || iv == "" {
			return ""
		}
		if !validRestart(iv) {
			f := diag.Finding{Severity: diag.Error, Span: NodeSpan(d, n), Message: fmt.Sprintf("restart policy %q (the default of %q) is invalid: use one of \"no\", \"always\", \"on-failure[:max-retries]\", \"unless-stopped\"", iv, v)}
			if sug, ok := restartSuggestion(iv); ok {
				f.Message = fmt.Sprintf("restart policy %q (the default of %q) is invalid: did you mean %q?", iv, v, sug)
			}
			p.Report(withVia(d, f, e))
			return ""
		}
		return iv
	}
	if v == "" {
		// An empty value means no policy, as "no" does (the engine's default).
		return "no"
	}
	if n.ShortTag() == "!!bool" {
		v = strings.ToLower(v)
	}
	if validRestart(v) {
		return v
	}
	f := diag.Finding{Severity: diag.Error, Span: NodeSpan(d, n),
		Message: fmt.Sprintf("restart policy %q is invalid: use one of \"no\", \"always\", \"on-failure[:max-retries]\", \"unless-stopped\"", n.Value)}
	if m := onFailureRE.FindStringSubmatch(v); m != nil {
		f.Message = fmt.Sprintf("restart policy %q is invalid: the retry count of on-failure must be a positive integer, as in \"on-failure:3\"", n.Value)
	} else if sug, ok := restartSuggestion(v); ok {
		f.Message = fmt.Sprintf("restart policy %q is invalid: did you mean %q?", n.Value, sug)
		f.Fix = replaceScalar(d, n, sug, fmt.Sprintf("replace %q with %q", n.Value, sug))
	}
	p.Report(withVia(d, f, e))
	return ""
}

// withVia adds the alias sites of a merged entry as related locations.
func withVia(d *compose.Document, f diag.Finding, e compose.Entry) diag.Finding {
	for _, v := range e.Via {
		f.Related = append(f.Related, diag.Related{Span: NodeSpan(d, v), Message: "used through this alias"})
	}
	return f
}

// replaceScalar builds a fix that replaces scalar n with text, keeping its
// quoting style.
func replaceScalar(d *compose.Document, n *yaml.Node, text, msg string) *diag.Fix {
	start, end := NodeRange(d, n)
	// Skip a tag or anchor in front of the value.
	for start < end && (d.Src[start] == '!' || d.Src[start] == '&') {
		for start < end && d.Src[start] != ' ' {
			start++
		}
		for start < end && d.Src[start] == ' ' {
			start++
		}
	}
	switch n.Style {
	case yaml.DoubleQuotedStyle:
		text = strconv.Quote(text)
	case yaml.SingleQuotedStyle:
		text = "'" + strings.ReplaceAll(text, "'", "''") + "'"
	default:
		if text == "no" {
			// YAML 1.1 tools read a bare no as false.
			text = `"no"`
		}
	}
	return &diag.Fix{Message: msg, Edits: []diag.TextEdit{edit(d, start, end, text)}}
}

// edit builds a text edit of d replacing bytes [start, end) with text.
func edit(d *compose.Document, start, end int, text string) diag.TextEdit {
	return diag.TextEdit{File: d.Name, Start: start, End: end, NewText: text,
		StartPos: diag.Pos(d.LocAt(start).Pos), EndPos: diag.Pos(d.LocAt(end).Pos)}
}
