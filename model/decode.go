package model

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/compose-spec/compose-go/v2/types"
)

// projectCodec is the codec Decode starts from.
var projectCodec = sync.OnceValue(func() *codec { return codecOf(reflect.TypeFor[types.Project]()) })

// Decode binds a canonical compose model (the map compose-go's loader
// produces after normalization: what loader.LoadModelWithContext returns)
// into a types.Project, as loader.ModelToProject does before its own
// post-steps (profiles, consistency checks, environment and label
// resolution). name, workingDir and environment fill
// Project.Name/WorkingDir/Environment; the model's own "name" key is
// ignored, as compose-go ignores it.
//
// dict is read, never written; the project shares the model's x- values
// (Extensions) and environment with the caller. The model must be a tree of
// map[string]any, []any and scalars (string, bool, integers and floats of
// any width, nil), as YAML decoding and compose-go's interpolation make it.
//
// A value that cannot be decoded makes Decode return Errors, each with the
// value's path in the model (Error.Path) and docker compose's message.
func Decode(dict map[string]any, name, workingDir string, environment types.Mapping) (*types.Project, error) {
	p := &types.Project{Name: name, WorkingDir: workingDir, Environment: environment}
	if _, ok := dict["name"]; ok {
		// ModelToProject deletes it: the caller says what the name is.
		dict = maps.Clone(dict)
		delete(dict, "name")
	}
	if es := structFrom(projectCodec(), dict, unsafe.Pointer(p), inTop, "", false); es != nil {
		return nil, es.finish()
	}
	return p, nil
}

// value decodes in into the value of type c.typ at p, which holds that
// type's zero value, as compose-go's Transform does: mapstructure with its
// decode hooks (the types' DecodeMapstructure, the string and int casts,
// service names, secret content).
func value(c *codec, in any, p unsafe.Pointer, s scope) errs {
	if absent(in) {
		return nil // mapstructure leaves the zero value
	}
	switch c.op {
	case opMethod:
		return method(c, in, p, s)
	case opMethodPtr:
		// mapstructure's decoderHook allocates the value and calls its
		// DecodeMapstructure, then decodes the pointer it returned into
		// the pointer, which calls DecodeMapstructure again with the value
		// itself: types.Duration re-parses its own String() then.
		e := reflect.New(c.elem.typ).UnsafePointer()
		*(*unsafe.Pointer)(p) = e
		if es := method(c.elem, in, e, s); es != nil {
			return es
		}
		d := reflect.NewAt(c.elem.typ, e).Interface().(decoder)
		if err := call(d, d); err != nil {
			return fail(err.Error())
		}
	case opString:
		return decodeString(c, in, p)
	case opBool:
		return decodeBool(c, in, p)
	case opInt:
		return decodeInt(c, in, p)
	case opUint:
		return decodeUint(c, in, p)
	case opFloat:
		return decodeFloat(c, in, p)
	case opAny:
		*(*any)(p) = expose(in, s)
	case opStruct:
		m, ok := asMap(in)
		if !ok {
			return fail(fmt.Sprintf("expected a map or struct, got %q", kindOf(in)))
		}
		return structFrom(c, m, p, s, "", false)
	case opMap:
		return mapFrom(c, in, p, s)
	case opPtr:
		if isNilCollection(in) {
			return nil // mapstructure's decodePtr leaves the pointer nil
		}
		e := reflect.New(c.elem.typ).UnsafePointer()
		if es := value(c.elem, in, e, s); es != nil {
			return es
		}
		*(*unsafe.Pointer)(p) = e
	case opSlice:
		return sliceFrom(c, in, p, s)
	case opStrings:
		return stringsFrom(c, in, p)
	case opArray:
		return arrayFrom(c, in, p, s)
	default:
		return fail("unsupported type: " + c.typ.String())
	}
	return nil
}

// method calls the DecodeMapstructure of the value at p with in as
// compose-go's loader would pass it.
func method(c *codec, in any, p unsafe.Pointer, s scope) errs {
	in = expose(in, s)
	if c.guard != nil {
		if msg := c.guard(in); msg != "" {
			return fail(msg)
		}
	}
	if err := call(reflect.NewAt(c.typ, p).Interface().(decoder), in); err != nil {
		return fail(err.Error())
	}
	if c.tidy != nil {
		c.tidy(p)
	}
	return nil
}

// call runs d.DecodeMapstructure(v); a panic in it (compose-go's methods
// assert types the schema guarantees) becomes an error.
func call(d decoder, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cannot decode %s: %v", typeName(v), r)
		}
	}()
	return d.DecodeMapstructure(v)
}

// cand is a key of a mapping that names no field exactly: mapstructure
// then matches it to a field whose name differs only in case.
type cand struct {
	key string
	val any
	sc  scope
}

// structFrom decodes mapping m into the struct at p. named is set for a
// service or a job, whose name is its key self (compose-go's nameServices
// hook writes it into the mapping).
func structFrom(c *codec, m map[string]any, p unsafe.Pointer, s scope, self string, named bool) errs {
	var (
		es  errs
		mv  moved
		buf [4]cand
	)
	others := buf[:0]
	extract := s.extracts()
	for k, v := range m {
		if mv.take(extract, k, v) {
			continue
		}
		if named && k == "name" {
			continue
		}
		fs, ok := c.index[k]
		if !ok || c.twins {
			others = append(others, cand{k, v, s.child(k)})
		}
		for _, i := range fs {
			es = append(es, fieldFrom(&c.fields[i], k, v, p, s.child(k))...)
		}
	}

	ext, extScope, hasExt := mv.ext(s)
	var content any
	if c.secret && hasExt {
		// compose-go's secretConfigDecoderHook: a secret's x-#value (its
		// environment variable's value, set by the loader) becomes its
		// content, under the key "Content" that only matches the field
		// `content` when the mapping has no "content" key.
		em, _ := expose(ext, extScope).(map[string]any)
		if v, ok := em[types.SecretConfigXValue].(string); ok {
			content = v
			rest := maps.Clone(em)
			delete(rest, types.SecretConfigXValue)
			ext, extScope, hasExt = rest, inRaw, len(rest) > 0
			others = slices.DeleteFunc(others, func(o cand) bool { return o.key == "Content" })
		}
	}
	virtual := func(k string, v any, sc scope) {
		fs, ok := c.index[k]
		if !ok || c.twins {
			others = append(others, cand{k, v, sc})
		}
		for _, i := range fs {
			es = append(es, fieldFrom(&c.fields[i], k, v, p, sc)...)
		}
	}
	if hasExt {
		virtual(extensionsKey, ext, extScope)
	}
	if named {
		virtual("name", self, inRaw)
	}
	if content != nil {
		virtual("Content", content, inRaw)
	}

	if len(others) > 0 {
		present := func(name string) bool {
			switch {
			case name == extensionsKey:
				return hasExt
			case named && name == "name", content != nil && name == "Content":
				return true
			case extract && isExtension(name):
				return false
			}
			_, ok := m[name]
			return ok
		}
		es = append(es, foldFrom(c, others, present, p)...)
	}
	return es
}

// foldFrom decodes the fields that no key names exactly but a key in
// others names in another case (mapstructure's MatchName is
// strings.EqualFold). When several keys match one field, mapstructure takes
// whichever its map iteration meets first; Decode takes the least.
func foldFrom(c *codec, others []cand, present func(string) bool, p unsafe.Pointer) errs {
	var es errs
	chosen := map[int]cand{}
	for _, o := range others {
		for _, i := range foldMatches(c, o.key) {
			f := &c.fields[i]
			if present(f.name) {
				continue
			}
			if prev, ok := chosen[i]; !ok || o.key < prev.key {
				chosen[i] = o
			}
		}
	}
	for _, i := range slices.Sorted(maps.Keys(chosen)) {
		o := chosen[i]
		es = append(es, fieldFrom(&c.fields[i], o.key, o.val, p, o.sc)...)
	}
	return es
}

// foldMatches lists the fields whose name equals k but for case.
func foldMatches(c *codec, k string) []int {
	ascii := true
	for i := 0; i < len(k); i++ {
		if k[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return c.fold[strings.ToLower(k)]
	}
	var out []int
	for i, f := range c.fields {
		if strings.EqualFold(k, f.name) {
			out = append(out, i)
		}
	}
	return out
}

// fieldFrom decodes v, found under key k, into field f of the struct at p.
func fieldFrom(f *field, k string, v any, p unsafe.Pointer, s scope) errs {
	es := value(f.codec, v, unsafe.Add(p, f.offset), s)
	if es != nil {
		return es.under(seg{kind: segField, key: k, name: f.name})
	}
	return nil
}

// mapFrom decodes a mapping into the map at p.
func mapFrom(c *codec, in any, p unsafe.Pointer, s scope) errs {
	m, ok := asMap(in)
	if !ok {
		return unconvertible(c, in)
	}
	if m == nil {
		return nil
	}
	c.maps.make(p, len(m))
	if len(m) == 0 {
		return nil
	}
	var (
		es errs
		mv moved
	)
	tmp := reflect.New(c.elem.typ)
	extract := s.extracts()
	for k, v := range m {
		if !mv.take(extract, k, v) {
			es = append(es, entryFrom(c, k, v, p, tmp, s.child(k))...)
		}
	}
	if ext, sc, ok := mv.ext(s); ok {
		es = append(es, entryFrom(c, extensionsKey, ext, p, tmp, sc)...)
	}
	return es
}

// entryFrom decodes v into a fresh element (tmp, cleared) and stores it
// under k in the map at p.
func entryFrom(c *codec, k string, v any, p unsafe.Pointer, tmp reflect.Value, s scope) errs {
	tmp.Elem().SetZero()
	e := tmp.UnsafePointer()
	var es errs
	if c.named {
		// compose-go's nameServices hook writes the name into each
		// service's mapping, and panics when it is not one.
		sm, ok := asMap(v)
		if !ok || sm == nil {
			es = fail("expected a mapping, got " + typeName(v))
		} else {
			es = structFrom(c.elem, sm, e, s, k, true)
		}
	} else {
		es = value(c.elem, v, e, s)
	}
	if es != nil {
		return es.under(seg{kind: segKey, key: k})
	}
	c.maps.set(p, k, e)
	return nil
}

// sliceFrom decodes a list into the slice at p.
func sliceFrom(c *codec, in any, p unsafe.Pointer, s scope) errs {
	l, ok := asList(in)
	if !ok {
		return fail("source data must be an array or slice, got " + kindOf(in))
	}
	if l == nil {
		return nil
	}
	return itemsFrom(c.elem, l, c.slices.make(p, len(l)), s)
}

// arrayFrom decodes a list into the array at p.
func arrayFrom(c *codec, in any, p unsafe.Pointer, s scope) errs {
	l, ok := asList(in)
	if !ok {
		return fail("source data must be an array or slice, got " + kindOf(in))
	}
	if len(l) > c.typ.Len() {
		return fail(fmt.Sprintf("expected source data to have length less or equal to %d, got %d", c.typ.Len(), len(l)))
	}
	return itemsFrom(c.elem, l, p, s)
}

// itemsFrom decodes the items of l into the elements from base on.
func itemsFrom(elem *codec, l []any, base unsafe.Pointer, s scope) errs {
	size := elem.typ.Size()
	var es errs
	for i, e := range l {
		if x := value(elem, e, unsafe.Add(base, uintptr(i)*size), itemScope(s, e)); x != nil {
			es = append(es, x.under(seg{kind: segIndex, index: i})...)
		}
	}
	return es
}

// stringsFrom is sliceFrom for []string.
func stringsFrom(c *codec, in any, p unsafe.Pointer) errs {
	l, ok := asList(in)
	if !ok {
		return fail("source data must be an array or slice, got " + kindOf(in))
	}
	if l == nil {
		return nil
	}
	out := make([]string, len(l))
	*(*[]string)(p) = out
	var es errs
	for i, e := range l {
		switch x := e.(type) {
		case string:
			out[i] = x
		default:
			if absent(e) {
				continue
			}
			if x := decodeString(c.elem, e, unsafe.Pointer(&out[i])); x != nil {
				es = append(es, x.under(seg{kind: segIndex, index: i})...)
			}
		}
	}
	return es
}

// itemScope is the scope of list item e: compose-go visits the mappings
// of a list, never a list in a list.
func itemScope(s scope, e any) scope {
	if _, ok := e.([]any); ok {
		return inRaw
	}
	return s.item()
}

func unconvertible(c *codec, in any) errs {
	return fail("expected type '" + c.typ.String() + "', got unconvertible type '" + reflect.TypeOf(in).String() + "'")
}

// kindOf is the reflect kind of v, as mapstructure names it in messages.
func kindOf(v any) string { return reflect.Indirect(reflect.ValueOf(v)).Kind().String() }

// typeName names v's type for a message.
func typeName(v any) string {
	if v == nil {
		return "null"
	}
	return reflect.TypeOf(v).String()
}

// absent tells nil, or a nil pointer, which mapstructure takes for no value.
func absent(in any) bool {
	switch in.(type) {
	case nil:
		return true
	case string, int, bool, float64, map[string]any, []any:
		return false
	}
	rv := reflect.ValueOf(in)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// isNilCollection tells a nil map, list or pointer, which mapstructure's
// decodePtr takes for no value.
func isNilCollection(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		return x == nil
	case []any:
		return x == nil
	case string, int, bool, float64:
		return false
	}
	rv := reflect.Indirect(reflect.ValueOf(v))
	switch rv.Kind() {
	case reflect.Chan, reflect.Func, reflect.Interface, reflect.Map, reflect.Pointer, reflect.Slice:
		return rv.IsNil()
	}
	return false
}
