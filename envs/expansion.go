package envs

import (
	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
)

// expansion is what a node becomes once its aliases are expanded.
type expansion struct {
	size  int // nodes, saturated at limit+1
	depth int // nesting levels, saturated at compose.MaxDepth+1
}

// checkExpansion refuses a document whose aliases expand beyond its
// expansion budget (compose.Document.ExpansionBudget), or nest deeper than
// compose.MaxDepth once expanded, before compose-go sees it: docker compose
// hangs on a "billion laughs" file. Each node's expansion is computed once,
// aliases sharing their anchor's, so the check costs time in proportion to
// the file, not to its expansion. Only anchored nodes are memoized: an
// alias is the only way to reach a node twice (or from inside itself), and
// it always points at an anchor.
func checkExpansion(d *compose.Document) error {
	limit := d.ExpansionBudget().Limit
	memo := map[*yaml.Node]expansion{}
	var over, deep *yaml.Node
	var expand func(n *yaml.Node) expansion
	expand = func(n *yaml.Node) expansion {
		if n == nil {
			return expansion{}
		}
		anchored := n.Anchor != ""
		if anchored {
			if e, ok := memo[n]; ok {
				return e
			}
			// in progress: a node containing itself is too big
			// (compose.Parse refuses recursive aliases already)
			memo[n] = expansion{limit + 1, compose.MaxDepth + 1}
		}
		e := expansion{size: 1, depth: 1}
		switch n.Kind {
		case yaml.AliasNode:
			e = expand(n.Alias)
		case yaml.MappingNode, yaml.SequenceNode, yaml.DocumentNode:
			for _, c := range n.Content {
				ce := expand(c)
				e.size += ce.size
				e.depth = max(e.depth, ce.depth+1)
				if e.size > limit {
					// the innermost node whose expansion crosses the limit
					// is the one to point at
					if over == nil {
						over = n
					}
					e.size = limit + 1 // saturate: no overflow however deep
					break
				}
				if e.depth > compose.MaxDepth {
					if deep == nil {
						// the child that carries the nesting over the limit
						deep = c
					}
					e.depth = compose.MaxDepth + 1
					break
				}
			}
		}
		if anchored {
			memo[n] = e
		}
		return e
	}
	for _, r := range d.Roots() {
		e := expand(r)
		switch {
		case e.size > limit:
			return d.Errorf(orNode(over, r), "aliases expand to more than %d nodes (an alias bomb?): reduce the nesting of anchors", limit)
		case e.depth > compose.MaxDepth:
			return d.Errorf(orNode(deep, r), "aliases nest deeper than %d levels once expanded: reduce the nesting of anchors", compose.MaxDepth)
		}
	}
	return nil
}

func orNode(a, b *yaml.Node) *yaml.Node {
	if a != nil {
		return a
	}
	return b
}
