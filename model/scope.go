package model

import (
	"maps"
	"strings"
)

// extensionsKey is where compose-go keeps a mapping's x- keys once it has
// taken them out (consts.Extensions); the types' Extensions fields carry it
// as their yaml tag.
const extensionsKey = "#extensions"

// isExtension tells an x- key.
func isExtension(k string) bool { return strings.HasPrefix(k, "x-") }

// scope is what compose-go's loader knows of a mapping's place when it moves
// x- keys into Extensions (processExtensions): it matches the mapping's
// tree.Path against the paths whose keys are user-defined names (services,
// services.*.depends_on, volumes, networks, secrets, configs), where x- keys
// stay. The path is never built: a scope follows it by key.
type scope uint8

const (
	inTop      scope = iota // the top-level mapping (path "")
	inServices              // "services": service names
	inService               // "services.*": a service
	inNames                 // other user-defined names: x- keys stay, children are plain
	inPlain                 // anything else: x- keys move
	inRaw                   // inside a moved x- value or a list in a list: nothing moves
)

// extracts tells whether x- keys of a mapping in s move to Extensions.
func (s scope) extracts() bool { return s == inTop || s == inService || s == inPlain }

// child is the scope of the value under key k of a mapping in s.
func (s scope) child(k string) scope {
	switch s {
	case inTop:
		return topChild(k)
	case inServices:
		return inService
	case inService:
		if k == "depends_on" {
			return inNames
		}
		return inPlain
	case inRaw:
		return inRaw
	}
	return inPlain
}

// item is the scope of a mapping in a list that is in s: tree.Path names
// it by its index, which is never "depends_on".
func (s scope) item() scope {
	switch s {
	case inServices:
		return inService
	case inRaw:
		return inRaw
	}
	return inPlain
}

// topChild is the scope under the top-level key k. tree.Path does not
// escape the first key, so a top-level key with dots counts as several
// parts: "services.web" is a service and "services.web.depends_on" holds
// service names. An empty key stays at the top (Path("").Next("") == "").
func topChild(k string) scope {
	switch k {
	case "":
		return inTop
	case "services":
		return inServices
	case "volumes", "networks", "secrets", "configs":
		return inNames
	}
	rest, ok := strings.CutPrefix(k, "services.")
	if !ok {
		return inPlain
	}
	if _, rest, ok = strings.Cut(rest, "."); !ok {
		return inService
	}
	if rest == "depends_on" {
		return inNames
	}
	return inPlain
}

// moved is what processExtensions sets aside in one mapping while a
// decoder walks it: the x- keys that move, and a "#extensions" key the
// mapping has itself, which they replace.
type moved struct {
	extras map[string]any
	lit    any
	hasLit bool
}

// take sets key k aside when it is one of those; extract says whether x-
// keys move in this mapping.
func (mv *moved) take(extract bool, k string, v any) bool {
	switch {
	case extract && isExtension(k):
		if mv.extras == nil {
			mv.extras = make(map[string]any, 4)
		}
		mv.extras[k] = v
	case k == extensionsKey:
		mv.lit, mv.hasLit = v, true
	default:
		return false
	}
	return true
}

// ext returns the value the mapping (in s) ends up with under
// "#extensions", and that value's scope: the moved keys, whose values
// compose-go never visits, or else the mapping's own key.
func (mv *moved) ext(s scope) (any, scope, bool) {
	switch {
	case mv.extras != nil:
		return mv.extras, inRaw, true
	case mv.hasLit:
		return mv.lit, s.child(extensionsKey), true
	}
	return nil, inRaw, false
}

// expose returns v as compose-go's loader hands it to a decoder after
// processExtensions: x- keys of the mappings in it moved under
// "#extensions", as s and the scopes below it say. compose-go rewrites the
// model in place; expose copies what changes and returns v itself when
// nothing does, which is almost always. It serves the values a decoder
// sees whole: the types' own DecodeMapstructure methods and `any` fields.
func expose(v any, s scope) any {
	if s == inRaw {
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		if m, ok := exposeMap(x, s); ok {
			return m
		}
	case []any:
		if l, ok := exposeList(x, s); ok {
			return l
		}
	}
	return v
}

// exposeMap is expose for a mapping; ok reports a copy.
func exposeMap(m map[string]any, s scope) (_ map[string]any, ok bool) {
	extract := s.extracts()
	var out, extras map[string]any
	for k, v := range m {
		if extract && isExtension(k) {
			if out == nil {
				out = maps.Clone(m)
			}
			delete(out, k)
			if extras == nil {
				extras = map[string]any{}
			}
			extras[k] = v
			continue
		}
		var nv any
		changed := false
		switch x := v.(type) {
		case map[string]any:
			nv, changed = exposeMap(x, s.child(k))
		case []any:
			nv, changed = exposeList(x, s.child(k))
		}
		if changed {
			if out == nil {
				out = maps.Clone(m)
			}
			out[k] = nv
		}
	}
	if out == nil {
		return m, false
	}
	if extras != nil {
		// processExtensions writes the moved keys last, over any
		// "#extensions" key the mapping had.
		out[extensionsKey] = extras
	}
	return out, true
}

// exposeList is expose for a list: compose-go visits the mappings in it, not
// the lists in it.
func exposeList(l []any, s scope) (_ []any, ok bool) {
	var out []any
	for i, e := range l {
		m, isMap := e.(map[string]any)
		if !isMap {
			continue
		}
		if nm, changed := exposeMap(m, s.item()); changed {
			if out == nil {
				out = append([]any(nil), l...)
			}
			out[i] = nm
		}
	}
	if out == nil {
		return l, false
	}
	return out, true
}
