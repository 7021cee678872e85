package lint

import (
	"fmt"
	"strings"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/merge"
	"gopkg.in/yaml.v3"
)

// EmptyOverride reports an empty list or mapping that a later file of an
// environment (or a later YAML document of one), or a service that
// extends another, writes for a service attribute the environment still
// sets: docker compose appends lists and merges mappings across files and
// `extends`, so `ports: []` in an override removes nothing, though that is
// what it reads as. `!reset []` removes them (docker compose 2.24 and
// later).
type EmptyOverride struct{ RuleBase }

var _ Rule = (*EmptyOverride)(nil)

// NewEmptyOverride returns the empty-override rule.
func NewEmptyOverride() *EmptyOverride {
	return &EmptyOverride{RuleBase{Meta{ID: "empty-override",
		Summary:  "empty list or mapping in a later file, which removes nothing (use !reset)",
		Severity: diag.Warning, Scope: ScopeEnv}}}
}

// VisitEnv checks the services of the documents of e after the first, and
// the services that extend another in the first.
func (r *EmptyOverride) VisitEnv(p *Pass, e *Env) {
	eachLaterService(e, func(d *compose.Document, s service) { r.service(p, e, d, s) })
}

// service checks one service of a later document.
func (r *EmptyOverride) service(p *Pass, e *Env, d *compose.Document, s service) {
	name := s.Name
	effective := e.Service(name)
	if effective == nil || compose.Deref(s.Value).Kind != yaml.MappingNode {
		return
	}
	attrs, err := d.Entries(s.Value, d.ExpansionBudget())
	if err != nil {
		return
	}
	for _, a := range attrs {
		key, v := a.Key.Value, compose.Deref(a.Value)
		if strings.HasPrefix(key, "x-") || len(v.Content) > 0 || v.Tag == "!reset" || v.Tag == "!override" ||
			(v.Kind != yaml.SequenceNode && v.Kind != yaml.MappingNode) || merge.Replaces("services", name, key) {
			continue
		}
		if !nonEmpty(effective[key]) {
			continue // nothing to remove: the empty value is harmless
		}
		how := "appends lists"
		if v.Kind == yaml.MappingNode {
			how = "merges mappings"
		}
		f := diag.Finding{Severity: p.meta.Severity, Span: NodeSpan(d, a.Key),
			Message: fmt.Sprintf("`%s: %s` removes nothing from service %q: docker compose %s when it merges files and `extends`, so the `%s` set elsewhere stay; write `%s: !reset %s` to remove them",
				key, emptyText(v), name, how, key, key, emptyText(v))}
		if a.Value == v {
			if start, _ := NodeRange(d, v); start > 0 {
				f.Fix = &diag.Fix{Manual: true, Message: fmt.Sprintf("write `%s: !reset %s` (docker compose 2.24 or later) to remove the `%s` set elsewhere", key, emptyText(v), key),
					Edits: []diag.TextEdit{edit(d, start, start, "!reset ")}}
			}
		}
		p.Report(f)
	}
}

// emptyText is how an empty value of v's kind is written.
func emptyText(v *yaml.Node) string {
	if v.Kind == yaml.MappingNode {
		return "{}"
	}
	return "[]"
}

// nonEmpty reports whether a plain value holds something.
func nonEmpty(v any) bool {
	switch x := v.(type) {
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return v != nil
}
