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
	a, b := canonicalize(from.Model), canonicalize(to.Model)
	r := Report{From: from.Name, To: to.Name}

	// r3labs/diff walks the two canonical trees: an entry present on one side
	// only comes back once, whole (the canonical form holds no slices, so
	// its positional slice logic never runs). Its changelog is in map order,
	// and its path filters are unanchored regexps, so paths are matched and
	// sorted here instead.
	cl, err := r3diff.Diff(a.root, b.root, r3diff.AllowTypeMismatch(true), r3diff.DiscardComplexOrigin())
	if err != nil {
		// Cannot happen with canonical trees (maps, strings, nil); keep a
		// difference rather than claiming equality.
		cl = r3diff.Changelog{{Type: r3diff.UPDATE, Path: nil}}
	}
	r.Changes = make([]Change, 0, len(cl))
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

// path turns a canonical path into a Path, marking the steps that name a
// list item by identity. Either side may hold the list (the other may not
// have it at all).
func (c *canon) path(other *canon, segs []string) Path {
	p := make(Path, len(segs))
	for i, s := range segs {
		p[i].Key = s
		ck := containerKey(segs[:i])
		ct, ok := c.lists[ck]
		if !ok {
			ct, ok = other.lists[ck]
		}
		p[i].Item = ok && ct.kind == byIdentity
	}
	return p
}

// lookup finds the value shown for a canonical path and where it was set.
func (s Side) lookup(c *canon, segs []string) (any, *compose.Location) {
	v, raw := c.display(segs)
	if s.Origin == nil {
		return v, nil
	}
	if loc, ok := s.Origin(OriginPath(raw)); ok {
		return v, &loc
	}
	return v, nil
}

// display walks the model along a canonical path and returns the value
// there, in the model's shape, and its path in the model (list items by
// index).
func (c *canon) display(segs []string) (any, []string) {
	var cur any = c.model
	raw := make([]string, 0, len(segs))
	for i, s := range segs {
		if ct, ok := c.lists[containerKey(segs[:i])]; ok {
			it := ct.items[s]
			raw = append(raw, strconv.Itoa(it.index))
			if it.synth {
				// The model spells this entry as KEY=VALUE or a bare name:
				// the rest of the path exists only in canonical form.
				return plain(walk(it.value, segs[i+1:])), raw
			}
			l, _ := cur.([]any)
			if it.index < len(l) {
				cur = l[it.index]
			} else {
				cur = nil
			}
			continue
		}
		raw = append(raw, s)
		m, _ := cur.(map[string]any)
		cur = m[s]
	}
	return cur, raw
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
