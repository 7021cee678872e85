package render

import (
	"encoding/base64"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/compose-spec/compose-go/v2/types"
)

// YAML returns what p.MarshalYAML() returns, byte for byte.
func YAML(p *types.Project) ([]byte, error) {
	return Encode(p)
}

// Encode returns the YAML document go.yaml.in/yaml/v4 v4.0.0 writes for v
// through yaml.NewEncoder with SetIndent(2), Encode and Close: the encoder
// compose-go's Project.MarshalYAML uses.
//
// Map keys must be scalars (strings, numbers, booleans, or types whose
// MarshalYAML or MarshalText gives one), and yaml.Node values are not
// supported; both are errors. So are a Marshaler's error and a panic in
// one, and what the library refuses (channels, functions, bad struct tags).
func Encode(v any) (out []byte, err error) {
	e := &encoder{}
	e.reset()
	defer func() {
		if r := recover(); r != nil {
			out = nil
			if ee, ok := r.(encodeError); ok {
				err = ee.err
				return
			}
			err = fmt.Errorf("cannot encode %T as YAML: %v", v, r)
		}
	}()
	e.any(v)
	e.endDocument()
	return e.buf, nil
}

// encodeError carries an error out of the walk, through panic.
type encodeError struct{ err error }

// encoder walks a Go value and writes it through its layout.
type encoder struct {
	layout
	// flow is the library's pending request for flow style. A ,flow
	// field sets it; the next mapping, struct or sequence written takes
	// it and clears it, and a multi-line string written while it is set
	// is double-quoted instead of a | block. A ,flow field whose value is
	// a scalar leaves it set, so it reaches whatever collection comes
	// next, even a following sequence item or map value: the library
	// does that, and so does this encoder.
	flow bool
	// stringKey is where string map keys are read (see scratchKey).
	stringKey reflect.Value
}

// scratchKey returns a settable value of type t to read map keys into:
// the encoder's own for plain strings, which every map key of compose-go's
// types is, a new one otherwise.
func (e *encoder) scratchKey(t reflect.Type) reflect.Value {
	if t != stringType {
		return reflect.New(t).Elem()
	}
	if !e.stringKey.IsValid() {
		e.stringKey = reflect.New(stringType).Elem()
	}
	return e.stringKey
}

func (e *encoder) takeFlow() bool {
	f := e.flow
	e.flow = false
	return f
}

func (e *encoder) any(v any) {
	if v == nil {
		e.null()
		return
	}
	rv := reflect.ValueOf(v)
	planOf(rv.Type()).encode(e, rv)
}

// startSafe and endSafe surround a scalar appended directly to the buffer:
// one that is plain everywhere and cannot fold (numbers, booleans, null).
func (e *encoder) startSafe() int {
	if !e.afterSpace {
		e.buf = append(e.buf, ' ')
		e.col++
	}
	return len(e.buf)
}

func (e *encoder) endSafe(start int) {
	e.col += len(e.buf) - start
	e.afterSpace = false
	e.onlyIndent = false
}

func (e *encoder) null() {
	e.endSafe(e.startSafe())
	e.buf = append(e.buf, "null"...)
	e.col += len("null")
}

func (e *encoder) bool(b bool) {
	start := e.startSafe()
	e.buf = strconv.AppendBool(e.buf, b)
	e.endSafe(start)
}

func (e *encoder) int(n int64) {
	start := e.startSafe()
	e.buf = strconv.AppendInt(e.buf, n, 10)
	e.endSafe(start)
}

func (e *encoder) uint(n uint64) {
	start := e.startSafe()
	e.buf = strconv.AppendUint(e.buf, n, 10)
	e.endSafe(start)
}

// floatText formats f as the library does: the shortest representation
// at its precision, .inf, -.inf and .nan for the special values.
func floatText(f float64, bits int) string {
	switch {
	case math.IsInf(f, 1):
		return ".inf"
	case math.IsInf(f, -1):
		return "-.inf"
	case math.IsNaN(f):
		return ".nan"
	}
	return strconv.FormatFloat(f, 'g', -1, bits)
}

func (e *encoder) float(f float64, bits int) {
	start := e.startSafe()
	switch {
	case math.IsInf(f, 0) || math.IsNaN(f):
		e.buf = append(e.buf, floatText(f, bits)...)
	default:
		e.buf = strconv.AppendFloat(e.buf, f, 'g', -1, bits)
	}
	e.endSafe(start)
}

// timeScalar is a time in RFC 3339 form, tagged !!timestamp when a reader
// would not recognise it as one (years past 9999, before 1000).
func timeScalar(t time.Time) scalar {
	text := t.Format(time.RFC3339Nano)
	if isTimestamp(text) {
		return scalar{text: text}
	}
	return scalar{text: text, tag: "timestamp"}
}

func (e *encoder) time(t time.Time) {
	s := timeScalar(t)
	e.scalar(&s, false)
}

func (e *encoder) str(text string) {
	s := stringScalar(text, e.flow)
	e.scalar(&s, false)
}

// stringScalar represents a string: multi-line text as a | block (double
// quotes under a flow request, or when it is all white space), text a
// reader would take for another type double-quoted, anything else plain;
// the layout then quotes what cannot stay plain where it lands. Invalid
// UTF-8 is written as !!binary base64.
func stringScalar(text string, flow bool) scalar {
	s := scalar{text: text}
	if !utf8.ValidString(text) {
		s.text, s.tag = base64Lines(text), "binary"
	}
	switch {
	case strings.IndexByte(s.text, '\n') >= 0:
		if flow || !hasContent(s.text) {
			s.want = double
		} else {
			s.want = literal
		}
	case s.tag != "":
	case quotedForYAML11(text) || resolvesAway(text):
		s.want = double
	}
	return s
}

// hasContent reports whether t has two bytes or more, not all white space.
func hasContent(t string) bool {
	if len(t) < 2 {
		return false
	}
	for _, r := range t {
		if !unicode.IsSpace(r) {
			return true
		}
	}
	return false
}

// base64Lines encodes data in base64, in lines of 70 characters each ended
// by a line break when there is more than one.
func base64Lines(data string) string {
	const width = 70
	enc := base64.StdEncoding.EncodeToString([]byte(data))
	if len(enc) < width {
		return enc
	}
	var b strings.Builder
	b.Grow(len(enc) + len(enc)/width + 1)
	for i := 0; i < len(enc); i += width {
		b.WriteString(enc[i:min(i+width, len(enc))])
		b.WriteByte('\n')
	}
	return b.String()
}

func (e *encoder) sequence(v reflect.Value, elem *plan) {
	c := collection{flow: e.takeFlow()}
	for i := range v.Len() {
		e.item(&c)
		elem.encode(e, v.Index(i))
	}
	e.endSequence(&c)
}

// stringMap writes a map with string keys, sorted in natural order. The
// values are copied out once into a slice, the keys compared as strings.
func (e *encoder) stringMap(v reflect.Value, m *mapPlan) {
	c := collection{flow: e.takeFlow()}
	n := v.Len()
	if n == 0 {
		e.endMapping(&c)
		return
	}
	entries := make([]entry, n)
	vals := reflect.MakeSlice(m.values, n, n)
	k := e.scratchKey(m.key)
	it := v.MapRange()
	for i := 0; it.Next(); i++ {
		k.SetIterKey(it)
		entries[i] = entry{k.String(), i}
		vals.Index(i).SetIterValue(it)
	}
	sortEntries(entries)
	for _, en := range entries {
		s := stringScalar(en.key, e.flow)
		e.key(&c, &s)
		m.elem.encode(e, vals.Index(en.index))
	}
	e.endMapping(&c)
}

// anyMap writes a map with keys of another type, sorted as the library
// sorts them.
func (e *encoder) anyMap(v reflect.Value, m *mapPlan) {
	c := collection{flow: e.takeFlow()}
	keys := v.MapKeys()
	sortKeys(keys)
	for _, k := range keys {
		s := e.keyScalar(k)
		e.key(&c, &s)
		m.elem.encode(e, v.MapIndex(k))
	}
	e.endMapping(&c)
}

// keyScalar represents a map key, which must come out as a scalar.
func (e *encoder) keyScalar(k reflect.Value) scalar {
	for {
		if !k.IsValid() || (k.Kind() == reflect.Pointer || k.Kind() == reflect.Interface) && k.IsNil() {
			return scalar{text: "null", safe: true}
		}
		t := k.Type()
		switch {
		case t.Kind() == reflect.Interface:
			k = k.Elem()
			continue
		case isYAMLNode(t):
			panic(encodeError{fmt.Errorf("cannot encode a map key of type %s", t)})
		case t == timeType:
			return timeScalar(k.Interface().(time.Time))
		case t == timePtrType:
			return timeScalar(*k.Interface().(*time.Time))
		case t == durationType:
			return stringScalar(time.Duration(k.Int()).String(), e.flow)
		case t.Implements(marshalerType):
			out, err := k.Interface().(Marshaler).MarshalYAML()
			if err != nil {
				panic(encodeError{err})
			}
			k = reflect.ValueOf(out)
			continue
		case t.Implements(textMarshalerType):
			text, err := k.Interface().(interface{ MarshalText() ([]byte, error) }).MarshalText()
			if err != nil {
				panic(encodeError{err})
			}
			return stringScalar(string(text), e.flow)
		}
		switch t.Kind() {
		case reflect.Pointer:
			k = k.Elem()
			continue
		case reflect.String:
			return stringScalar(k.String(), e.flow)
		case reflect.Bool:
			return scalar{text: strconv.FormatBool(k.Bool()), safe: true}
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return scalar{text: strconv.FormatInt(k.Int(), 10), safe: true}
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			return scalar{text: strconv.FormatUint(k.Uint(), 10), safe: true}
		case reflect.Float32:
			return scalar{text: floatText(k.Float(), 32), safe: true}
		case reflect.Float64:
			return scalar{text: floatText(k.Float(), 64), safe: true}
		}
		panic(encodeError{fmt.Errorf("cannot encode a map key of type %s: only scalar keys are supported", t)})
	}
}

// fieldValue returns the field at index, through inlined structs; false
// when an inlined pointer on the way is nil.
func fieldValue(v reflect.Value, index []int) (reflect.Value, bool) {
	if len(index) == 1 {
		return v.Field(index[0]), true
	}
	for _, i := range index {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v, true
}

func (e *encoder) structure(v reflect.Value, info *structInfo) {
	c := collection{flow: e.takeFlow()}
	for i := range info.fields {
		f := &info.fields[i]
		fv, ok := fieldValue(v, f.index)
		if !ok || f.omitEmpty && f.plan.empty(fv) {
			continue
		}
		k := f.key
		if e.flow && k.want == literal {
			// A multi-line field name under a pending flow request.
			k = stringScalar(f.name, true)
		}
		e.key(&c, &k)
		e.flow = f.flow
		f.plan.encode(e, fv)
	}
	if info.inlineMap >= 0 {
		e.inlineMap(&c, v.Field(info.inlineMap), info)
	}
	e.endMapping(&c)
}

// inlineMap writes the entries of a struct's ,inline map after its fields.
func (e *encoder) inlineMap(c *collection, m reflect.Value, info *structInfo) {
	if m.Len() == 0 {
		return
	}
	e.flow = false
	names := make([]entry, 0, m.Len())
	for it := m.MapRange(); it.Next(); {
		names = append(names, entry{key: it.Key().String()})
	}
	sortEntries(names)
	for _, en := range names {
		name := en.key
		if info.names[name] {
			panic(encodeError{fmt.Errorf("cannot have key %q in inlined map: conflicts with struct field", name)})
		}
		s := stringScalar(name, e.flow)
		e.key(c, &s)
		e.flow = false
		info.mapPlan.encode(e, m.MapIndex(reflect.ValueOf(name)))
	}
}
