package merge

import "strings"

// A pattern table (path pattern -> rule) is compiled once into a trie so that
// matching costs one map lookup per path segment while the merge descends,
// instead of compose-go's tree.Path.Matches, which splits both the path and
// every pattern on each node it visits.

// trie is one segment of a compiled pattern table.
type trie[R any] struct {
	lit  map[string]*trie[R]
	star *trie[R] // "*": any key, or any list item
	rule R
	set  bool // a pattern ends here
}

// compile builds the trie of a pattern table. Patterns use tree.Path syntax:
// dot-separated keys, "*" for any key.
func compile[R any](table []pattern[R]) *trie[R] {
	root := &trie[R]{}
	for _, p := range table {
		t := root
		for _, part := range strings.Split(p.path, ".") {
			if part == "*" {
				if t.star == nil {
					t.star = &trie[R]{}
				}
				t = t.star
				continue
			}
			if t.lit == nil {
				t.lit = map[string]*trie[R]{}
			}
			next := t.lit[part]
			if next == nil {
				next = &trie[R]{}
				t.lit[part] = next
			}
			t = next
		}
		// Later entries win, as the last assignment wins in compose-go's
		// init-filled maps (uncity.go sets services.*.devices twice).
		t.rule, t.set = p.rule, true
	}
	return root
}

type pattern[R any] struct {
	path string
	rule R
}

// state is the set of trie nodes matching the path walked so far. Tables
// hold few overlapping patterns, so a small fixed array suffices.
type state[R any] struct {
	n int
	t [4]*trie[R]
}

func start[R any](root *trie[R]) state[R] {
	return state[R]{n: 1, t: [4]*trie[R]{root}}
}

// next returns the state after descending into key.
func (s *state[R]) next(key string) state[R] {
	var out state[R]
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

// match returns the rule of a pattern ending exactly here. A literal segment
// is preferred over "*"; compose-go's tables never have both for one path.
func (s *state[R]) match() (R, bool) {
	for i := 0; i < s.n; i++ {
		if s.t[i].set {
			return s.t[i].rule, true
		}
	}
	var zero R
	return zero, false
}

// empty reports whether no pattern can match below this point.
func (s *state[R]) empty() bool { return s.n == 0 }
