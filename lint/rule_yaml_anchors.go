package lint

import (
	"bytes"
	"fmt"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"gopkg.in/yaml.v3"
)

// YAMLAnchors checks anchors, aliases and merge keys: anchors nobody uses,
// anchors defined twice, and `<<: [*a, *b]` in a file that is not the
// first of an environment, where docker compose merges only the first
// alias (docker/compose#13154). An alias to an undefined anchor stops the
// YAML parser; it is reported under this rule by the loader. Two `<<` keys
// in one mapping stop docker compose's parser too: compose.Parse refuses
// them (load-error).
type YAMLAnchors struct{ RuleBase }

var _ Rule = (*YAMLAnchors)(nil)

// NewYAMLAnchors returns the yaml-anchors rule.
func NewYAMLAnchors() *YAMLAnchors {
	return &YAMLAnchors{RuleBase{Meta{ID: "yaml-anchors", Summary: "unused or redefined anchors, undefined aliases and merge keys docker compose mishandles",
		Severity: diag.Warning, Scope: ScopeFile | ScopeEnv, Practice: 9}}}
}

// anchorSpan returns the span of `&name` on node n.
func anchorSpan(d *compose.Document, n *yaml.Node) diag.Span {
	off := d.Offset(compose.Pos{Line: n.Line, Col: n.Column})
	le := lineEnd(d.Src, off)
	if i := bytes.Index(d.Src[off:le], []byte("&"+n.Anchor)); i >= 0 {
		return OffsetSpan(d, off+i, off+i+1+len(n.Anchor))
	}
	return diag.Span{File: d.Name, Start: diag.Pos{Line: n.Line, Col: n.Column}}
}

// VisitFile checks the anchors and merge keys of d.
func (r *YAMLAnchors) VisitFile(p *Pass, d *compose.Document) {
	defs := map[string][]*yaml.Node{}
	var order []string
	used := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Anchor != "" {
			if len(defs[n.Anchor]) == 0 {
				order = append(order, n.Anchor)
			}
			defs[n.Anchor] = append(defs[n.Anchor], n)
		}
		if n.Kind == yaml.AliasNode {
			used[n.Alias] = true
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	for _, root := range d.Roots() {
		walk(root)
	}
	for _, name := range order {
		ns := defs[name]
		for i, n := range ns {
			if i > 0 {
				p.Report(diag.Finding{Severity: diag.Warning, Span: anchorSpan(d, n),
					Related: []diag.Related{{Span: anchorSpan(d, ns[i-1]), Message: "first defined here"}},
					Message: fmt.Sprintf("anchor &%s is defined again: later aliases use this one; give it another name", name)})
			}
			if !used[n] {
				p.Report(diag.Finding{Severity: diag.Warning, Span: anchorSpan(d, n),
					Message: fmt.Sprintf("anchor &%s is never used: remove it, or merge it where it was meant to go with `<<: *%s`", name, name)})
			}
		}
	}
}

// VisitEnv reports `<<: [*a, *b]` in the environment's later files.
func (r *YAMLAnchors) VisitEnv(p *Pass, e *Env) {
	if len(e.Docs) < 2 {
		return
	}
	first := e.Docs[0].Name
	for _, d := range e.Docs[1:] {
		if d.Root == nil {
			continue
		}
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			if n.Kind == yaml.AliasNode {
				return
			}
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if v := n.Content[i+1]; compose.IsMergeKey(n.Content[i]) && v.Kind == yaml.SequenceNode && len(v.Content) > 1 {
						p.Report(diag.Finding{Severity: diag.Error, Span: NodeSpan(d, v),
							Message: fmt.Sprintf("merge of several aliases in a file loaded after %s: docker compose merges only the first one here (docker/compose#13154); merge them one per mapping or repeat the keys", first)})
					}
				}
			}
			for _, c := range n.Content {
				walk(c)
			}
		}
		for _, root := range d.Roots() {
			walk(root)
		}
	}
}
