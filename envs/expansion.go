package envs

import (
	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
)

// checkExpansion refuses a document whose aliases expand beyond its
// expansion budget (compose.Document.ExpansionBudget) before compose-go sees
// it: docker compose hangs on a "billion laughs" file. The expanded size is
// computed once per node, aliases sharing their target's size, so the check
// costs time in proportion to the file, not to its expansion.
func checkExpansion(d *compose.Document) error {
	limit := d.ExpansionBudget().Limit
	sizes := map[*yaml.Node]int{}
	var over *yaml.Node
	var size func(n *yaml.Node) int
	size = func(n *yaml.Node) int {
		if n == nil {
			return 0
		}
		if s, ok := sizes[n]; ok {
			return s
		}
		sizes[n] = limit + 1 // in progress: a node containing itself is too big
		s := 1
		switch n.Kind {
		case yaml.AliasNode:
			s = size(n.Alias)
			if s > limit && over == nil {
				over = n
			}
		case yaml.MappingNode, yaml.SequenceNode, yaml.DocumentNode:
			for _, c := range n.Content {
				s += size(c)
				if s > limit {
					// the innermost node whose expansion crosses the limit
					// is the one to point at
					if over == nil {
						over = n
					}
					s = limit + 1 // saturate: no overflow however deep
					break
				}
			}
		}
		sizes[n] = s
		return s
	}
	roots := append([]*yaml.Node{d.Root}, d.Extra...)
	for _, r := range roots {
		if size(r) > limit {
			at := over
			if at == nil {
				at = r
			}
			return d.Errorf(at, "aliases expand to more than %d nodes (an alias bomb?): reduce the nesting of anchors", limit)
		}
	}
	return nil
}
