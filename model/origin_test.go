package model

import (
	"errors"
	"testing"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/merge"
)

// TestErrorPathsLeadToOrigins checks an error's Path is one merge's
// origins know: the caller turns it into file:line:col. (The merged tree
// stands in for the canonical model here: these values are the same in
// both.)
func TestErrorPathsLeadToOrigins(t *testing.T) {
	base, err := compose.Parse("compose.yaml", []byte(`services:
  web.v2:
    image: nginx
    mem_limit: lots
`))
	if err != nil {
		t.Fatal(err)
	}
	override, err := compose.Parse("compose.override.yaml", []byte(`services:
  web.v2:
    ports: "80"
`))
	if err != nil {
		t.Fatal(err)
	}
	r, err := merge.Merge([]*compose.Document{base, override})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Decode(r.Tree(), "p", "/p", nil)
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("Decode: %v, want Errors", err)
	}
	want := map[string]string{
		"services.web👻v2.mem_limit": "compose.yaml:4:16",
		"services.web👻v2.ports":     "compose.override.yaml:3:12",
	}
	for _, e := range es {
		o, ok := r.Origin(e.Path)
		if !ok {
			t.Errorf("%s: no origin", e.Path)
			continue
		}
		if got := o.Location.String(); got != want[e.Path] {
			t.Errorf("%s: origin %s, want %s", e.Path, got, want[e.Path])
		}
	}
	if len(es) != len(want) {
		t.Errorf("%d errors, want %d: %v", len(es), len(want), err)
	}
}
