package pathmatch

import (
	"testing"

	"github.com/compose-spec/compose-go/v2/tree"
)

func TestMatchesAgreesWithComposeGo(t *testing.T) {
	paths := []string{"", "services", "services.web", "services.web.ports", "services.web.ports.[]",
		"services.a👻b.volumes.[]", "services.web.build.context", "networks.x.external", "x.y.z.w", "a..b", "."}
	patterns := []string{"services", "services.*", "services.*.ports", "services.*.ports.[]", "*.*",
		"services.*.volumes.*", "networks.*.external", "*", "services.*.build.context", "a.*.b", "*.*.*.*"}
	for _, p := range paths {
		for _, q := range patterns {
			if got, want := Matches(p, q), tree.Path(p).Matches(tree.Path(q)); got != want {
				t.Errorf("Matches(%q, %q) = %v, compose-go says %v", p, q, got, want)
			}
		}
	}
}

func TestTableLookup(t *testing.T) {
	tab := New(map[tree.Path]int{"services.*": 1, "services.*.ports": 2, "volumes.*": 3})
	for p, want := range map[string]int{"services.web": 1, "services.web.ports": 2, "volumes.v": 3, "services": 0, "services.web.image": 0} {
		got, ok := tab.Lookup(tree.Path(p))
		if ok != (want != 0) || got != want {
			t.Errorf("Lookup(%q) = %d, %v; want %d", p, got, ok, want)
		}
	}
}
