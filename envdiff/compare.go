package envdiff

import (
	"slices"
	"strconv"
	"strings"

	"github.com/composure-dev/composure/compose"
	r3diff "github.com/r3labs/diff/v3"
)

// Compare lists what changes from one effective configuration to the other.
func Compare(from, to Side) Report {
	// The two sides are independent: canonicalize them side by side.
	var a, b *canon
	done := make(chan struct{})
	go func() {
		defer close(done)
		a = canonicalize(from.Model)
	}()
	b = canonicalize(to.Model)
	<-done

	cl := treeDiff(a.root, b.root)
	r := Report{From: from.Name, To: to.Name, Changes: make([]Change, 0, len(cl))}
	for _, ch := range cl {
		c := Change{Path: a.path(b, ch.Path)}
		switch ch.Type {
		case r3diff.CREATE:
			c.Kind = Added
		case r3diff.DELETE:
			c.Kind = Removed
		default:
			c.Kind = Changed
		}
		if c.Kind != Added {
			c.From, c.FromOrigin = from.lookup(a, ch.Path)
		}
		if c.Kind != Removed {
			c.To, c.ToOrigin = to.lookup(b, ch.Path)
		}
		r.Changes = append(r.Changes, c)
	}
	slices.SortFunc(r.Changes, func(x, y Change) int { return x.Path.Compare(y.Path) })
	return r
}

// treeDiff lists the differences between two canonical trees. The top two
// levels (sections, and the services, networks, ... in them) are walked
// here so that entries equal on both sides, usually most of them, are
// skipped by a cheap comparison; r3labs/diff walks the entries that differ.
// An entry present on one side only comes back once, whole (the canonical
// form holds no slices, so r3labs' positional slice logic never runs). Its
// changelog is in map order and its path filters are unanchored regexps, so
// paths are matched and sorted by the caller instead.
func treeDiff(a, b map[string]any) r3diff.Changelog {
	var cl r3diff.Changelog
	for _, k := range unionKeys(a, b) {
		av, inA := a[k]
		bv, inB := b[k]
		am, aMap := av.(map[string]any)
		bm, bMap := bv.(map[string]any)
		switch {
		case !inA:
			cl = append(cl, r3diff.Change{Type: r3diff.CREATE, Path: []string{k}, To: bv})
		case !inB:
			cl = append(cl, r3diff.Change{Type: r3diff.DELETE, Path: []string{k}, From: av})
		case aMap && bMap:
			for _, name := range unionKeys(am, bm) {
				ae, inA := am[name]
				be, inB := bm[name]
				p := []string{k, name}
				switch {
				case !inA:
					cl = append(cl, r3diff.Change{Type: r3diff.CREATE, Path: p, To: be})
				case !inB:
					cl = append(cl, r3diff.Change{Type: r3diff.DELETE, Path: p, From: ae})
				case !equal(ae, be):
					cl = append(cl, r3labsDiff(p, ae, be)...)
				}
			}
		case !equal(av, bv):
			cl = append(cl, r3labsDiff([]string{k}, av, bv)...)
		}
	}
	return cl
}

// r3labsDiff runs r3labs/diff on two canonical values and puts prefix in
// front of the paths it returns.
func r3labsDiff(prefix []string, a, b any) r3diff.Changelog {
	cl, err := r3diff.Diff(map[string]any{"": a}, map[string]any{"": b},
		r3diff.AllowTypeMismatch(true), r3diff.DiscardComplexOrigin())
	if err != nil {
		// Cannot happen with canonical trees (maps, strings, nil); keep a
		// difference rather than claiming equality.
		return r3diff.Changelog{{Type: r3diff.UPDATE, Path: prefix}}
	}
	for i := range cl {
		// Path[0] is the "" wrapper key that lets r3labs report a change of
		// the values' type at their own path.
		cl[i].Path = append(slices.Clip(prefix), cl[i].Path[1:]...)
	}
	return cl
}

// equal compares canonical values (maps, keyed lists, strings, nil).
func equal(a, b any) bool {
	switch a := a.(type) {
	case string:
		bs, ok := b.(string)
		return ok && a == bs
	case nil:
		return b == nil
	case map[string]any:
		bm, ok := b.(map[string]any)
		return ok && equalMaps(a, bm)
	case keyed:
		bm, ok := b.(keyed)
		return ok && equalMaps(a, bm)
	}
	return false
}

func equalMaps[M ~map[string]any](a, b M) bool {
	if len(a) != len(b) {
		return false
	}
	for k, av := range a {
		bv, ok := b[k]
		if !ok || !equal(av, bv) {
			return false
		}
	}
	return true
}

func unionKeys(a, b map[string]any) []string {
	keys := make([]string, 0, max(len(a), len(b)))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	return keys
}

// path turns a canonical path into a Path, marking the steps that name a
// list item by identity. Either side may hold the list (the other may not
// have it at all).
func (c *canon) path(other *canon, segs []string) Path {
	_, _, itemsA := c.find(segs)
	_, _, itemsB := other.find(segs)
	p := make(Path, len(segs))
	for i, s := range segs {
		p[i] = Elem{Key: s, Item: itemsA[i] || itemsB[i]}
	}
	return p
}

// lookup finds the value shown for a canonical path and where it was set.
func (s Side) lookup(c *canon, segs []string) (any, *compose.Location) {
	v, raw, _ := c.find(segs)
	if s.Origin == nil {
		return v, nil
	}
	if loc, ok := s.Origin(OriginPath(raw)); ok {
		return v, &loc
	}
	return v, nil
}

// find walks the model along a canonical path. It returns the value there
// in the model's shape, its path in the model (list items by index), and
// for each step whether it named a list item by identity. Lists are matched
// by running their rule again, so canonicalization keeps no index.
func (c *canon) find(segs []string) (any, []string, []bool) {
	var cur any = c.model
	raw := make([]string, 0, len(segs))
	items := make([]bool, len(segs))
	for i, s := range segs {
		switch node := cur.(type) {
		case map[string]any:
			raw = append(raw, s)
			cur = node[s]
		case []any:
			here := slices.Clip(segs[:i]) // rules append to the path they get
			r := listRule(here)
			if r.kind == whole {
				return nil, raw, items
			}
			items[i] = r.kind == byIdentity
			idx := -1
			var e entry
			for j, it := range r.items(c, here, node) {
				if it.key == s {
					idx, e = j, it
				}
			}
			if idx < 0 {
				return nil, raw, items
			}
			raw = append(raw, strconv.Itoa(idx))
			if e.synth {
				// The model spells this entry as KEY=VALUE or a bare name:
				// the rest of the path exists only in canonical form.
				return plain(walk(e.value, segs[i+1:])), raw, items
			}
			cur = node[idx]
		default:
			return nil, raw, items
		}
	}
	return cur, raw, items
}

// walk follows keys through canonical values.
func walk(v any, segs []string) any {
	for _, s := range segs {
		switch m := v.(type) {
		case map[string]any:
			v = m[s]
		case keyed:
			v = m[s]
		default:
			return nil
		}
	}
	return v
}

// plain converts a canonical value back to model shapes for display.
func plain(v any) any {
	switch v := v.(type) {
	case keyed:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = plain(e)
		}
		return m
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = plain(e)
		}
		return m
	}
	return v
}

// OriginPath is the path Side.Origin receives for a value of the model:
// keys joined by dots, list items by their decimal index. A key holding a
// dot keeps it, so callers that need compose-go's tree.Path spelling (which
// writes such dots as 👻) convert with strings.ReplaceAll on each key before
// joining; raw gives them the keys.
func OriginPath(raw []string) string { return strings.Join(raw, ".") }
