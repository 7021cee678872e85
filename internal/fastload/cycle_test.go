package fastload

import (
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/tree"
)

// upstreamCycle is compose-go's checkForCycle scan: does path form a cycle
// with one of prevs?
func upstreamCycle(prevs []tree.Path, path tree.Path) bool {
	for _, prev := range prevs {
		if path == prev {
			continue
		}
		ps, qs := string(path), string(prev)
		if strings.Contains(qs, "<<") || strings.Contains(ps, "<<") {
			continue
		}
		if (strings.HasPrefix(ps, qs+".") || strings.HasPrefix(qs, ps+".")) && !areInDifferentServices(path, prev) {
			return true
		}
	}
	return false
}

// TestCycleIndexAgreesWithUpstream checks, over every ordered sequence of
// uses drawn from a set of tricky paths, that cycleIndex.mayCycle answers
// exactly what the upstream scan answers.
func TestCycleIndexAgreesWithUpstream(t *testing.T) {
	paths := []tree.Path{"", "services", "services.a", "services.a.environment", "services.b",
		"services.b.environment", "services.a.<<", "services.a.x.<<.y", "x-common", "x-common.networks",
		"services.a👻b", "services.a👻b.c", "services.ab", "networks", "services.services.a", "services.services.b"}
	for _, first := range paths {
		for _, second := range paths {
			for _, q := range paths {
				prevs := []tree.Path{first, second}
				idx := &cycleIndex{paths: map[string]struct{}{}, ancestors: map[string]struct{}{}}
				for _, p := range prevs {
					idx.add(string(p))
				}
				if got, want := idx.mayCycle(string(q)), upstreamCycle(prevs, q); got != want {
					t.Errorf("after %q, %q: mayCycle(%q) = %v, upstream %v", first, second, q, got, want)
				}
			}
		}
	}
}
