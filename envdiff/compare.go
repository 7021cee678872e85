package envdiff

import (
	"maps"
	"slices"
	"strconv"
	"sync"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/merge"
	r3diff "github.com/r3labs/diff/v3"
)

// Compare lists what changes from one effective configuration to the other.
func Compare(from, to Side) Report {
	a, b := &canon{model: withoutUnset(from.Model)}, &canon{model: withoutUnset(to.Model)}
	cl := expandNamed(a, b, treeDiff(a, b))
	r := Report{From: from.Name, To: to.Name, Changes: make([]Change, 0, len(cl)), fromSrc: from.Sources, toSrc: to.Sources}
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
			c.From, c.FromOrigin, c.fromAt = from.lookup(a, ch.Path)
		}
		if c.Kind != Removed {
			c.To, c.ToOrigin, c.toAt = to.lookup(b, ch.Path)
		}
		r.Changes = append(r.Changes, c)
	}
	slices.SortFunc(r.Changes, func(x, y Change) int { return x.Path.Compare(y.Path) })
	return r
}

// unsetKeys are the keys docker compose's JSON writes as null when they
// are not set (compose-go's ShellCommand: a nil slice marshals to null,
// and `command: []`, set empty, to []), which its YAML leaves out.
var unsetKeys = []string{"command", "entrypoint"}

// withoutUnset returns model without the unsetKeys of its services and
// jobs (and of their hooks) that are null, copying what it changes: a
// command set in one environment only is added, not changed from null, and
// a service added whole does not list two nulls.
func withoutUnset(model map[string]any) map[string]any {
	var m map[string]any // model, copied on the first change
	for _, section := range []string{"services", "jobs"} {
		entries, ok := model[section].(map[string]any)
		if !ok {
			continue
		}
		var out map[string]any // entries, copied on the first change
		for name, v := range entries {
			c, ok := v.(map[string]any)
			if !ok {
				continue
			}
			if p := pruneUnset(c); p != nil {
				if out == nil {
					out = maps.Clone(entries)
				}
				out[name] = p
			}
		}
		if out != nil {
			if m == nil {
				m = maps.Clone(model)
			}
			m[section] = out
		}
	}
	if m == nil {
		return model
	}
	return m
}

// pruneUnset returns a copy of container spec c without its null
// unsetKeys (nor its hooks'), or nil when it has none.
func pruneUnset(c map[string]any) map[string]any {
	var out map[string]any
	for _, k := range unsetKeys {
		if v, ok := c[k]; ok && v == nil {
			if out == nil {
				out = maps.Clone(c)
			}
			delete(out, k)
		}
	}
	for _, key := range []string{"pre_start", "post_start", "pre_stop"} {
		hooks, ok := c[key].([]any)
		if !ok {
			continue
		}
		var hs []any
		for i, h := range hooks {
			hm, ok := h.(map[string]any)
			if !ok {
				continue
			}
			if p := pruneUnset(hm); p != nil {
				if hs == nil {
					hs = slices.Clone(hooks)
				}
				hs[i] = p
			}
		}
		if hs != nil {
			if out == nil {
				out = maps.Clone(c)
			}
			out[key] = hs
		}
	}
	return out
}

// treeDiff lists the differences between two models. The top two levels
// (sections, and the services, networks, ... in them) are walked here: an
// entry written the same way on both sides, usually most of them, is
// skipped by a cheap comparison of the models; the others are put in
// canonical form, and r3labs/diff walks those whose canonical forms differ.
// An entry present on one side only comes back once, whole (the canonical
// form holds no slices, so r3labs' positional slice logic never runs). The
// changelog's order does not matter: Compare sorts by path.
func treeDiff(a, b *canon) r3diff.Changelog {
	var cl r3diff.Changelog
	for _, k := range unionKeys(a.model, b.model) {
		// Top-level x- extensions are compared too: they hold anchors,
		// whose effect shows where they are merged, but also settings
		// other tools read (x-aws-..., x-traefik...).
		av, inA := a.model[k]
		bv, inB := b.model[k]
		am, aMap := av.(map[string]any)
		bm, bMap := bv.(map[string]any)
		switch {
		case !inA:
			cl = append(cl, r3diff.Change{Type: r3diff.CREATE, Path: []string{k}})
		case !inB:
			cl = append(cl, r3diff.Change{Type: r3diff.DELETE, Path: []string{k}})
		case aMap && bMap:
			cl = append(cl, diffEntries(a, b, k, am, bm)...)
		default:
			cl = append(cl, diffValues(a, b, []string{k}, av, bv)...)
		}
	}
	return cl
}

// diffEntries compares the entries of one section (services, networks, ...)
// on two workers: most of the work is canonical forms, which are
// independent per entry.
func diffEntries(a, b *canon, section string, am, bm map[string]any) r3diff.Changelog {
	names := unionKeys(am, bm)
	const workers = 2
	parts := make([]r3diff.Changelog, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var cl r3diff.Changelog
			for i := w; i < len(names); i += workers {
				name := names[i]
				av, inA := am[name]
				bv, inB := bm[name]
				p := []string{section, name}
				switch {
				case !inA:
					cl = append(cl, r3diff.Change{Type: r3diff.CREATE, Path: p})
				case !inB:
					cl = append(cl, r3diff.Change{Type: r3diff.DELETE, Path: p})
				default:
					cl = append(cl, diffValues(a, b, p, av, bv)...)
				}
			}
			parts[w] = cl
		}()
	}
	wg.Wait()
	return slices.Concat(parts...)
}

// diffValues compares the values at path on both sides. Down to the fields
// of an entry it goes through mappings itself, so that only the fields
// written differently are put in canonical form (mappings keep their keys in
// canonical form, so this finds the same keys).
func diffValues(a, b *canon, path []string, av, bv any) r3diff.Changelog {
	// Written the same way, the values have equal canonical forms: skip
	// canonicalizing them. Values written differently may still mean the
	// same (80 and "80"): canonical forms decide.
	if compose.PlainEqual(av, bv) {
		return nil
	}
	am, aMap := av.(map[string]any)
	bm, bMap := bv.(map[string]any)
	if aMap && bMap && len(path) < 3 && !hostsAt(path) {
		var cl r3diff.Changelog
		for _, k := range unionKeys(am, bm) {
			ae, inA := am[k]
			be, inB := bm[k]
			p := append(slices.Clip(path), k)
			switch {
			case !inA:
				cl = append(cl, r3diff.Change{Type: r3diff.CREATE, Path: p})
			case !inB:
				cl = append(cl, r3diff.Change{Type: r3diff.DELETE, Path: p})
			default:
				cl = append(cl, diffValues(a, b, p, ae, be)...)
			}
		}
		return cl
	}
	ca := a.value(slices.Clip(path), av)
	cb := b.value(slices.Clip(path), bv)
	return diffCanon(path, ca, cb)
}

// diffCanon compares canonical values. It goes down through the fields of
// an entry itself, so r3labs/diff's reflection runs only on the fields that
// differ, the costliest part of a large diff otherwise.
func diffCanon(path []string, ca, cb any) r3diff.Changelog {
	if equal(ca, cb) {
		return nil
	}
	am, aMap := ca.(map[string]any)
	bm, bMap := cb.(map[string]any)
	if !aMap || !bMap || len(path) >= 3 {
		return r3labsDiff(path, ca, cb)
	}
	var cl r3diff.Changelog
	for _, k := range unionKeys(am, bm) {
		av, inA := am[k]
		bv, inB := bm[k]
		p := append(slices.Clip(path), k)
		switch {
		case !inA:
			cl = append(cl, r3diff.Change{Type: r3diff.CREATE, Path: p})
		case !inB:
			cl = append(cl, r3diff.Change{Type: r3diff.DELETE, Path: p})
		default:
			cl = append(cl, diffCanon(p, av, bv)...)
		}
	}
	return cl
}

// expandNamed reports a mapping of named values (environment, labels,
// build args, ...) present on one side only as one change per name: a
// reviewer reads "environment.PRODUCTION added" whether or not the other
// side had an environment at all, and redaction applies name by name.
func expandNamed(a, b *canon, cl r3diff.Changelog) r3diff.Changelog {
	out := cl[:0:0]
	for _, ch := range cl {
		c := a
		if ch.Type == r3diff.CREATE {
			c = b
		}
		if ch.Type == r3diff.UPDATE || !namedAt(ch.Path) {
			out = append(out, ch)
			continue
		}
		raw, _, _ := c.find(ch.Path)
		var names []string
		switch v := c.value(slices.Clip(ch.Path), raw).(type) {
		case map[string]any:
			names = slices.Collect(maps.Keys(v))
		case keyed:
			names = slices.Collect(maps.Keys(v))
		}
		if len(names) == 0 {
			out = append(out, ch)
			continue
		}
		for _, n := range names {
			out = append(out, r3diff.Change{Type: ch.Type, Path: append(slices.Clip(ch.Path), n)})
		}
	}
	return out
}

// namedAt reports whether the values under path are named values: a
// mapping (or KEY=VALUE list) of environment variables, labels, build args,
// annotations or sysctls of a service, its build or deploy section, or of a
// network, volume, secret or config. A change of the whole mapping is
// reported name by name (expandNamed).
func namedAt(path []string) bool {
	n := len(path)
	if n < 3 {
		return false
	}
	switch path[n-1] {
	case "environment", "labels", "args", "annotations", "sysctls", "driver_opts":
	default:
		return false
	}
	switch {
	case path[0] == "services" && n == 3:
		return path[2] != "args"
	case path[0] == "services" && n == 4:
		return (path[2] == "build" && (path[3] == "args" || path[3] == "labels")) ||
			(path[2] == "deploy" && path[3] == "labels")
	case path[0] == "services" && n == 5:
		// Hooks: services.*.post_start.<item>.environment (the item is an
		// index in the model, an identity in a Path).
		hook := path[2] == "post_start" || path[2] == "pre_stop" || path[2] == "pre_start"
		return hook && (path[4] == "environment" || path[4] == "labels")
	case n == 3 && (path[0] == "networks" || path[0] == "volumes" || path[0] == "secrets" || path[0] == "configs"):
		return path[2] == "labels" || path[2] == "driver_opts"
	}
	return false
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

// equal compares canonical values: decoded YAML (maps, strings, nil) but
// for keyed lists, which equal keyed lists with equal items, never a
// mapping spelled the same way (see keyed).
func equal(a, b any) bool { return compose.PlainEqualFunc(a, b, equalKeyed) }

func equalKeyed(a, b any) bool {
	x, xk := a.(keyed)
	y, yk := b.(keyed)
	if xk || yk {
		return xk && yk && compose.PlainEqualFunc(map[string]any(x), map[string]any(y), equalKeyed)
	}
	return a == b
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

// lookup finds the value shown for a canonical path, where it was set and
// its path in the model.
func (s Side) lookup(c *canon, segs []string) (any, *merge.Origin, []string) {
	v, raw, _ := c.find(segs)
	if s.Origin == nil {
		return v, nil, raw
	}
	if o, ok := s.Origin(OriginPath(raw)); ok {
		return v, &o, raw
	}
	return v, nil, raw
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

// OriginPath is the path Side.Origin receives for a value of the model,
// in compose-go's tree.Path spelling (as merge.Result.Origins uses it):
// keys joined by dots, a dot inside a key (but the first) written as "👻",
// list items by their decimal index in the model (services.web.ports.0).
func OriginPath(raw []string) string { return compose.JoinPath(raw) }

// MergeOrigins adapts a merge.Result to Side.Origin. Values that
// normalization added (the default network, a default condition) have no
// origin: merge.Result.Describe decides, as for config --origin.
// filePrefix goes in front of file names ("HEAD~1:" for a revision).
func MergeOrigins(m *merge.Result, filePrefix string) func(string) (merge.Origin, bool) {
	return func(path string) (merge.Origin, bool) {
		if m.Describe(path) == "default" {
			return merge.Origin{}, false
		}
		o, ok := m.Origin(path)
		if !ok || o.Default {
			return merge.Origin{}, false
		}
		if filePrefix != "" {
			o.File = filePrefix + o.File
			o.Via = slices.Clone(o.Via)
			for i := range o.Via {
				o.Via[i].File = filePrefix + o.Via[i].File
			}
		}
		return o, true
	}
}
