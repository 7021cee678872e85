// Package pathmatch looks up compose-go path patterns ("services.*.ports",
// "services.*.volumes.[]") without allocating.
//
// compose-go dispatches every step of its loader (canonical forms, defaults,
// path resolution, validation, interpolation casts) by ranging over a map of
// patterns and calling tree.Path.Matches, which splits both strings on every
// call: at 1,000 services that is a third of docker compose config's CPU time
// and most of its garbage. A Table groups patterns by segment count and
// compares segments in place; the answer is the same as Matches gives.
package pathmatch

import (
	"strings"

	"github.com/compose-spec/compose-go/v2/tree"
)

type entry[F any] struct {
	pattern string
	f       F
}

// Table maps path patterns to values.
type Table[F any] struct {
	byDepth [][]entry[F] // index: number of segments
}

// New builds a table from compose-go's pattern map. Patterns are expected to
// be disjoint, as compose-go's are (it takes whichever matches first in map
// order); New keeps them sorted so a lookup is deterministic even if not.
func New[F any](m map[tree.Path]F) *Table[F] {
	t := &Table[F]{}
	for _, p := range sortedKeys(m) {
		d := depth(string(p))
		for len(t.byDepth) <= d {
			t.byDepth = append(t.byDepth, nil)
		}
		t.byDepth[d] = append(t.byDepth[d], entry[F]{pattern: string(p), f: m[p]})
	}
	return t
}

// Lookup returns the value of the pattern that p matches.
func (t *Table[F]) Lookup(p tree.Path) (F, bool) {
	d := depth(string(p))
	if d < len(t.byDepth) {
		for _, e := range t.byDepth[d] {
			if Matches(string(p), e.pattern) {
				return e.f, true
			}
		}
	}
	var zero F
	return zero, false
}

// Match reports whether p matches any pattern of the table.
func (t *Table[F]) Match(p tree.Path) bool {
	_, ok := t.Lookup(p)
	return ok
}

func depth(p string) int { return strings.Count(p, ".") + 1 }

// Matches is tree.Path.Matches without allocation: same segment count, and
// each pattern segment is "*" or equal to the path's.
func Matches(p, pattern string) bool {
	for {
		i := strings.IndexByte(p, '.')
		j := strings.IndexByte(pattern, '.')
		if (i < 0) != (j < 0) {
			return false
		}
		a, b := p, pattern
		if i >= 0 {
			a, b = p[:i], pattern[:j]
		}
		if b != tree.PathMatchAll && a != b {
			return false
		}
		if i < 0 {
			return true
		}
		p, pattern = p[i+1:], pattern[j+1:]
	}
}

func sortedKeys[F any](m map[tree.Path]F) []tree.Path {
	keys := make([]tree.Path, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// insertion sort keeps this file free of extra imports; tables are small
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
