package dupes

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestAdversarialScale: 10,000 services each holding a random half of the
// same 20 entries share some subset with thousands of others. Without the
// work budget the candidate search took minutes; with it, about a second of
// CPU. The bound is generous so that a loaded machine does not fail it.
func TestAdversarialScale(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	r := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	b.WriteString("services:\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&b, "  s%d:\n", i)
		for k := 0; k < 20; k++ {
			if r.IntN(2) == 0 {
				fmt.Fprintf(&b, "    label-%d: v\n", k)
			}
		}
		fmt.Fprintf(&b, "    command: c%d\n", i)
	}
	d := parse(t, "w.yaml", b.String())
	start := time.Now()
	gs := Find(d, 4)
	if el := time.Since(start); el > 60*time.Second {
		t.Errorf("Find took %v on adversarial input", el)
	}
	seen := map[string]bool{}
	for _, g := range gs {
		for _, s := range g.Services {
			if seen[s] {
				t.Fatalf("service %s in two groups", s)
			}
			seen[s] = true
		}
	}
	if len(gs) == 0 {
		t.Error("no groups found")
	}
}
