package model

import (
	"strconv"
	"testing"

	"github.com/compose-spec/compose-go/v2/tree"
)

// userDefinedKeys are the paths compose-go's processExtensions leaves x- keys
// under (loader.userDefinedKeys, unexported).
var userDefinedKeys = []tree.Path{
	"services", "services.*.depends_on", "volumes", "networks", "secrets", "configs",
}

// TestScopeFollowsTreePath walks every path of up to four steps over keys
// that matter (with dots, empty, list items) both ways: by scope, and by
// tree.Path matched against userDefinedKeys as compose-go does.
func TestScopeFollowsTreePath(t *testing.T) {
	steps := []string{"services", "web", "depends_on", "volumes", "networks", "secrets", "configs",
		"models", "", "a.b", "services.web", "services.web.depends_on", "services.", "x-a", "#0", "#1"}
	var walk func(p tree.Path, s scope, depth int, trail []string)
	walk = func(p tree.Path, s scope, depth int, trail []string) {
		moves := true
		for _, u := range userDefinedKeys {
			if p.Matches(u) {
				moves = false
			}
		}
		if s.extracts() != moves {
			t.Errorf("path %q (steps %q): scope %d says x- keys move: %v, tree.Path says %v", p, trail, s, s.extracts(), moves)
		}
		if depth == 4 {
			return
		}
		for _, k := range steps {
			if len(k) == 2 && k[0] == '#' { // a list item, by index
				walk(p.Next(strconv.Itoa(int(k[1]-'0'))), s.item(), depth+1, append(trail, k))
				continue
			}
			walk(p.Next(k), s.child(k), depth+1, append(trail, k))
		}
	}
	walk(tree.NewPath(), inTop, 0, nil)
}
