// Package pathtrie matches paths of a compose model against tables of path
// patterns (tree.Path syntax: dot-separated keys, "*" for any key or list
// item) while a walk descends the model.
//
// A table is compiled once into a trie, so matching costs one map lookup
// per path segment, where compose-go's tree.Path.Matches splits both the
// path and every pattern at each node it visits. merge (merge, unicity and
// shape rules) and normalize (canonical forms, defaults, checks, paths)
// drive their walks with it.
package pathtrie

import (
	"slices"
	"strings"
)

// Pattern is one row of a table: a path pattern and what applies there.
type Pattern[R any] struct {
	Path string
	Rule R
}

// Trie is one segment of a compiled table.
type Trie[R any] struct {
	lit  map[string]*Trie[R]
	keys []string // lit's keys, sorted
	star *Trie[R] // "*": any key, or any list item
	rule R
	set  bool // a pattern ends here
}

// Compile builds the trie of a table. When two rows have the same path the
// later one wins, as the last assignment wins in compose-go's init-filled
// maps (its uncity.go sets services.*.devices twice).
func Compile[R any](table []Pattern[R]) *Trie[R] {
	root := &Trie[R]{}
	for _, p := range table {
		t := root
		for _, part := range strings.Split(p.Path, ".") {
			if part == "*" {
				if t.star == nil {
					t.star = &Trie[R]{}
				}
				t = t.star
				continue
			}
			if t.lit == nil {
				t.lit = map[string]*Trie[R]{}
			}
			next := t.lit[part]
			if next == nil {
				next = &Trie[R]{}
				t.lit[part] = next
			}
			t = next
		}
		t.rule, t.set = p.Rule, true
	}
	root.sortKeys()
	return root
}

func (t *Trie[R]) sortKeys() {
	for k, c := range t.lit {
		t.keys = append(t.keys, k)
		c.sortKeys()
	}
	slices.Sort(t.keys)
	if t.star != nil {
		t.star.sortKeys()
	}
}

// State is the set of trie nodes matching the path walked so far. Tables
// hold few overlapping patterns, so a small fixed array suffices.
type State[R any] struct {
	n int
	t [4]*Trie[R]
}

// Start is the state at the root of the model.
func Start[R any](root *Trie[R]) State[R] {
	return State[R]{n: 1, t: [4]*Trie[R]{root}}
}

// Next returns the state after descending into key (a mapping key, or any
// string for a list item: only "*" matches those).
func (s *State[R]) Next(key string) State[R] {
	var out State[R]
	for i := 0; i < s.n; i++ {
		t := s.t[i]
		if c := t.lit[key]; c != nil && out.n < len(out.t) {
			out.t[out.n] = c
			out.n++
		}
		if t.star != nil && out.n < len(out.t) {
			out.t[out.n] = t.star
			out.n++
		}
	}
	return out
}

// Match returns the rule of a pattern ending exactly here. A literal
// segment is preferred over "*"; compose-go's tables never have both for one
// path.
func (s *State[R]) Match() (R, bool) {
	for i := 0; i < s.n; i++ {
		if s.t[i].set {
			return s.t[i].rule, true
		}
	}
	var zero R
	return zero, false
}

// Keys returns, sorted, every key below which a pattern can match, when
// the state names them all (no "*" matches here); ok is false when any key
// may match. A walk then visits these keys instead of sorting a mapping's.
func (s *State[R]) Keys() (keys []string, ok bool) {
	if s.n != 1 || s.t[0].star != nil {
		return nil, false
	}
	return s.t[0].keys, true
}

// Empty reports whether no pattern can match at or below this point.
func (s *State[R]) Empty() bool { return s.n == 0 }
