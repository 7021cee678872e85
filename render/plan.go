package render

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"
)

// A plan is what the encoder knows about one Go type, worked out once: how
// to write its values and, for omitempty, when a value counts as empty.

// Marshaler is go.yaml.in/yaml/v4's yaml.Marshaler: a type that says what
// to encode in its place. Any type with this method satisfies both.
type Marshaler interface {
	MarshalYAML() (any, error)
}

// IsZeroer is go.yaml.in/yaml/v4's yaml.IsZeroer: omitempty asks it whether
// a value is empty.
type IsZeroer interface {
	IsZero() bool
}

var (
	marshalerType     = reflect.TypeFor[Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	isZeroerType      = reflect.TypeFor[IsZeroer]()
	timeType          = reflect.TypeFor[time.Time]()
	timePtrType       = reflect.TypeFor[*time.Time]()
	durationType      = reflect.TypeFor[time.Duration]()
	stringType        = reflect.TypeFor[string]()
)

type encodeFunc func(e *encoder, v reflect.Value)

type plan struct {
	encode encodeFunc
	// empty reports whether a value counts as empty for omitempty.
	empty func(v reflect.Value) bool
}

// field is one key of a struct's mapping.
type field struct {
	name      string
	index     []int // field indexes from the outer struct, through inlined ones
	omitEmpty bool
	flow      bool
	plan      *plan
	// key is the name as a key scalar, analysed once.
	key scalar
}

// structInfo lays out a struct's fields as the library does: in field
// order, inlined structs' fields in place, an inline map last.
type structInfo struct {
	fields    []field
	names     map[string]bool
	inlineMap int // index of the ,inline map field, or -1
	mapPlan   *plan
	err       error
}

var (
	plansMu sync.Mutex
	plans   sync.Map // reflect.Type -> *plan
)

// planOf returns the plan of t, building it (and those of the types it
// holds) on first use.
func planOf(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	plansMu.Lock()
	defer plansMu.Unlock()
	b := planBuilder{building: map[reflect.Type]*plan{}}
	p := b.plan(t)
	for t, p := range b.building {
		plans.LoadOrStore(t, p)
	}
	return p
}

// planBuilder builds plans for a type graph; building holds the plans
// started in this call, so recursive types refer to their own plan.
type planBuilder struct {
	building map[reflect.Type]*plan
}

func (b *planBuilder) plan(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	if p, ok := b.building[t]; ok {
		return p
	}
	p := &plan{}
	b.building[t] = p
	p.empty = b.emptyFunc(t)
	p.encode = b.encodeFunc(t)
	return p
}

// pointee is t with its pointers taken away.
func pointee(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Pointer {
		return pointee(t.Elem())
	}
	return t
}

// isYAMLNode reports go.yaml.in/yaml/v4's Node, which the library writes
// as the document it describes; composure never hands one over.
func isYAMLNode(t reflect.Type) bool {
	t = pointee(t)
	return t.Name() == "Node" && strings.HasPrefix(t.PkgPath(), "go.yaml.in/yaml/v4")
}

// encodeFunc picks how values of t are written, in the library's order of
// precedence: times and durations, then Marshaler, then TextMarshaler, then
// the kind.
func (b *planBuilder) encodeFunc(t reflect.Type) encodeFunc {
	switch {
	case t.Kind() == reflect.Interface:
		// What the interface holds decides, Marshaler included.
		return encodeInterface
	case isYAMLNode(t):
		return nilOr(failWith(fmt.Errorf("cannot encode %s: yaml.Node values are not supported", t)))
	case t == timeType:
		return encodeTime
	case t == timePtrType:
		return nilOr(encodeTime)
	case t == durationType:
		return func(e *encoder, v reflect.Value) { e.str(time.Duration(v.Int()).String()) }
	case t.Implements(marshalerType):
		return nilOr(encodeMarshaler)
	case t.Implements(textMarshalerType):
		return nilOr(encodeText)
	}
	switch t.Kind() {
	case reflect.Pointer:
		elem := b.plan(t.Elem())
		return func(e *encoder, v reflect.Value) {
			if v.IsNil() {
				e.null()
				return
			}
			elem.encode(e, v.Elem())
		}
	case reflect.Map:
		return b.mapFunc(t)
	case reflect.Struct:
		return b.structFunc(t)
	case reflect.Slice, reflect.Array:
		elem := b.plan(t.Elem())
		return func(e *encoder, v reflect.Value) { e.sequence(v, elem) }
	case reflect.String:
		return func(e *encoder, v reflect.Value) { e.str(v.String()) }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(e *encoder, v reflect.Value) { e.int(v.Int()) }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return func(e *encoder, v reflect.Value) { e.uint(v.Uint()) }
	case reflect.Float32:
		return func(e *encoder, v reflect.Value) { e.float(v.Float(), 32) }
	case reflect.Float64:
		return func(e *encoder, v reflect.Value) { e.float(v.Float(), 64) }
	case reflect.Bool:
		return func(e *encoder, v reflect.Value) { e.bool(v.Bool()) }
	}
	return failWith(fmt.Errorf("cannot encode a value of type %s", t))
}

func failWith(err error) encodeFunc {
	return func(*encoder, reflect.Value) { panic(encodeError{err}) }
}

// nilOr writes a nil pointer as null without calling f: the library checks
// for nil pointers before anything else. (A nil map or slice whose type has
// MarshalYAML still gets it called.)
func nilOr(f encodeFunc) encodeFunc {
	return func(e *encoder, v reflect.Value) {
		if v.Kind() == reflect.Pointer && v.IsNil() {
			e.null()
			return
		}
		f(e, v)
	}
}

func encodeTime(e *encoder, v reflect.Value) {
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	e.time(v.Interface().(time.Time))
}

func encodeMarshaler(e *encoder, v reflect.Value) {
	if v.Kind() != reflect.Pointer && v.CanAddr() {
		// Through a pointer: the method still gets a copy, but on the
		// stack rather than boxed in an interface.
		v = v.Addr()
	}
	out, err := v.Interface().(Marshaler).MarshalYAML()
	if err != nil {
		panic(encodeError{err})
	}
	e.any(out)
}

func encodeText(e *encoder, v reflect.Value) {
	text, err := v.Interface().(encoding.TextMarshaler).MarshalText()
	if err != nil {
		panic(encodeError{err})
	}
	e.str(string(text))
}

// encodeInterface writes what an interface holds, by its dynamic type.
func encodeInterface(e *encoder, v reflect.Value) {
	if v.IsNil() {
		e.null()
		return
	}
	v = v.Elem()
	planOf(v.Type()).encode(e, v)
}

// mapPlan is how a map type is written: its key and value types, and a
// slice type of its values to copy them out into.
type mapPlan struct {
	key, values reflect.Type
	elem        *plan
}

func (b *planBuilder) mapFunc(t reflect.Type) encodeFunc {
	m := &mapPlan{key: t.Key(), values: reflect.SliceOf(t.Elem()), elem: b.plan(t.Elem())}
	if k := t.Key(); k.Kind() == reflect.String && !k.Implements(marshalerType) && !k.Implements(textMarshalerType) {
		// Keys are plain strings: sorted and written without
		// reflection.
		return func(e *encoder, v reflect.Value) { e.stringMap(v, m) }
	}
	return func(e *encoder, v reflect.Value) { e.anyMap(v, m) }
}

func (b *planBuilder) structFunc(t reflect.Type) encodeFunc {
	info := b.structInfo(t)
	if info.err != nil {
		return failWith(info.err)
	}
	return func(e *encoder, v reflect.Value) { e.structure(v, info) }
}

// hasNodeHook reports whether *t decodes itself from a yaml.Node (v4, or
// the v3 Node that v4 still recognises): the library does not encode the
// fields of such a type when it is inlined.
func hasNodeHook(t reflect.Type) bool {
	m, ok := reflect.PointerTo(t).MethodByName("UnmarshalYAML")
	if !ok {
		return false
	}
	mt := m.Type // receiver first
	if mt.NumIn() != 2 || mt.NumOut() != 1 || mt.Out(0) != reflect.TypeFor[error]() {
		return false
	}
	p := mt.In(1)
	if p.Kind() != reflect.Pointer || p.Elem().Kind() != reflect.Struct || p.Elem().Name() != "Node" {
		return false
	}
	switch pkg := p.Elem().PkgPath(); {
	case strings.HasPrefix(pkg, "go.yaml.in/yaml/v4"):
		return true
	case pkg == "gopkg.in/yaml.v3", pkg == "go.yaml.in/yaml/v3":
		return true
	}
	return false
}

// tagOf returns the yaml tag of f: the yaml key of its struct tag or,
// when the struct tag has no key at all, the whole of it (`name,omitempty`).
func tagOf(f reflect.StructField) string {
	tag := f.Tag.Get("yaml")
	if tag == "" && !strings.Contains(string(f.Tag), ":") {
		tag = string(f.Tag)
	}
	return tag
}

// fieldTag is a parsed yaml tag: the key name, then the options.
type fieldTag struct {
	name                    string
	omitEmpty, flow, inline bool
}

func parseTag(tag string) (fieldTag, error) {
	name, opts, found := strings.Cut(tag, ",")
	ft := fieldTag{name: name}
	if !found {
		return ft, nil
	}
	for _, o := range strings.Split(opts, ",") {
		switch o {
		case "omitempty":
			ft.omitEmpty = true
		case "flow":
			ft.flow = true
		case "inline":
			ft.inline = true
		default:
			return ft, fmt.Errorf("unsupported option %q in the yaml tag %q", o, tag)
		}
	}
	return ft, nil
}

// infos holds the struct layouts; guarded by plansMu, as they are only
// worked out while plans are built.
var infos = map[reflect.Type]*structInfo{}

var errRecursiveInline = errors.New("a struct inlines itself")

// structInfo returns the layout of struct t, worked out once. The fields
// of an inlined struct are those of its own layout (an inline map of its
// own is left out, as the library leaves it out).
func (b *planBuilder) structInfo(t reflect.Type) *structInfo {
	if info, ok := infos[t]; ok {
		return info
	}
	// Registered before its fields, so that a struct inlining itself
	// finds its own layout unfinished.
	info := &structInfo{inlineMap: -1, err: errRecursiveInline}
	infos[t] = info
	built := structInfo{names: map[string]bool{}, inlineMap: -1}
	if err := b.collect(t, &built); err != nil {
		built.err = fmt.Errorf("cannot encode %s: %w", t, err)
	}
	*info = built
	return info
}

// collect adds the fields of struct t to info.
func (b *planBuilder) collect(t reflect.Type, info *structInfo) error {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		tag := tagOf(f)
		if tag == "-" {
			continue
		}
		ft, err := parseTag(tag)
		if err != nil {
			return err
		}
		if ft.inline {
			if err := b.inline(f, i, info); err != nil {
				return err
			}
			continue
		}
		if !f.IsExported() {
			// An embedded unexported type without ,inline: its value
			// cannot be read through reflection, by the library either.
			return fmt.Errorf("embedded field %s is unexported", f.Name)
		}
		name := ft.name
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fd := field{name: name, index: []int{i}, omitEmpty: ft.omitEmpty, flow: ft.flow, plan: b.plan(f.Type)}
		if err := info.add(fd); err != nil {
			return err
		}
	}
	return nil
}

func (info *structInfo) add(fd field) error {
	if info.names[fd.name] {
		return fmt.Errorf("duplicated key %q", fd.name)
	}
	info.names[fd.name] = true
	fd.key = stringScalar(fd.name, false)
	fd.key.analyze()
	info.fields = append(info.fields, fd)
	return nil
}

// inline adds the ,inline field number i: a map's keys go after the
// fields, a struct's fields take its place.
func (b *planBuilder) inline(f reflect.StructField, i int, info *structInfo) error {
	switch f.Type.Kind() {
	case reflect.Map:
		if info.inlineMap >= 0 {
			return errors.New("more than one ,inline map")
		}
		if f.Type.Key() != stringType {
			return errors.New("an ,inline map needs string keys")
		}
		info.inlineMap = i
		info.mapPlan = b.plan(f.Type.Elem())
		return nil
	case reflect.Struct, reflect.Pointer:
		st := pointee(f.Type)
		if st.Kind() != reflect.Struct {
			return errors.New(",inline is for struct and map fields only")
		}
		if hasNodeHook(st) {
			return nil
		}
		inner := b.structInfo(st)
		if inner.err != nil {
			return inner.err
		}
		for _, fd := range inner.fields {
			fd.index = append([]int{i}, fd.index...)
			if err := info.add(fd); err != nil {
				return err
			}
		}
		return nil
	}
	return errors.New(",inline is for struct and map fields only")
}

// emptyFunc returns the omitempty test of t: IsZero when t has it, else
// the zero value of scalars, nil pointers and interfaces, empty maps and
// slices, structs whose exported fields are all empty. Arrays are never
// empty.
func (b *planBuilder) emptyFunc(t reflect.Type) func(reflect.Value) bool {
	if t.Kind() == reflect.Interface {
		return func(v reflect.Value) bool {
			if v.IsNil() {
				return true
			}
			if z, ok := v.Interface().(IsZeroer); ok {
				return z.IsZero()
			}
			return false
		}
	}
	if t.Implements(isZeroerType) {
		return func(v reflect.Value) bool {
			if v.Kind() == reflect.Pointer && v.IsNil() {
				return true
			}
			return v.Interface().(IsZeroer).IsZero()
		}
	}
	switch t.Kind() {
	case reflect.String:
		return func(v reflect.Value) bool { return v.Len() == 0 }
	case reflect.Pointer:
		return reflect.Value.IsNil
	case reflect.Slice, reflect.Map:
		return func(v reflect.Value) bool { return v.Len() == 0 }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(v reflect.Value) bool { return v.Int() == 0 }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return func(v reflect.Value) bool { return v.Uint() == 0 }
	case reflect.Float32, reflect.Float64:
		return func(v reflect.Value) bool { return v.Float() == 0 }
	case reflect.Bool:
		return func(v reflect.Value) bool { return !v.Bool() }
	case reflect.Struct:
		var fields []int
		var subs []*plan
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				fields = append(fields, i)
				subs = append(subs, b.plan(f.Type))
			}
		}
		return func(v reflect.Value) bool {
			for k, i := range fields {
				if !subs[k].empty(v.Field(i)) {
					return false
				}
			}
			return true
		}
	}
	return func(reflect.Value) bool { return false }
}
