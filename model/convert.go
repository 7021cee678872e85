package model

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unsafe"
)

// scalar is a scalar input as mapstructure sees it. The canonical model
// holds plain YAML scalars, but also typed ones: compose-go's canonical
// transform encodes parsed ports and volumes back into mappings, leaving a
// port's target as uint32 and a bind's create_host_path as types.OptOut.
type scalar struct {
	kind reflect.Kind // the value's own kind; reflect.Invalid for a non-scalar
	ptr  bool         // reached through a pointer: the cast hooks do not apply
	i    int64
	u    uint64
	f    float64
	s    string
	b    bool
}

// scalarOf reads v, plain types first.
func scalarOf(v any) scalar {
	switch x := v.(type) {
	case string:
		return scalar{kind: reflect.String, s: x}
	case int:
		return scalar{kind: reflect.Int, i: int64(x)}
	case bool:
		return scalar{kind: reflect.Bool, b: x}
	case float64:
		return scalar{kind: reflect.Float64, f: x}
	case int64:
		return scalar{kind: reflect.Int64, i: x}
	}
	rv := reflect.ValueOf(v)
	var sc scalar
	if rv.Kind() == reflect.Pointer {
		sc.ptr = true
		rv = rv.Elem()
	}
	sc.kind = rv.Kind()
	switch family(sc.kind) {
	case reflect.Int:
		sc.i = rv.Int()
	case reflect.Uint:
		sc.u = rv.Uint()
	case reflect.Float64:
		sc.f = rv.Float()
	case reflect.String:
		sc.s = rv.String()
	case reflect.Bool:
		sc.b = rv.Bool()
	default:
		sc.kind = reflect.Invalid
	}
	return sc
}

// family groups kinds as mapstructure's getKind does: every integer width
// as Int or Uint, both float widths as Float64.
func family(k reflect.Kind) reflect.Kind {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return reflect.Int
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return reflect.Uint
	case reflect.Float32, reflect.Float64:
		return reflect.Float64
	}
	return k
}

// casts tells whether compose-go's cast hook parses this string input
// (it looks at the value's own kind: a pointer to a string is no string).
func (sc scalar) casts() bool { return sc.kind == reflect.String && !sc.ptr }

// decodeString stores in into the string at p; compose-go's cast hook
// formats an int (the kind int only) as a string.
func decodeString(c *codec, in any, p unsafe.Pointer) errs {
	if s, ok := in.(string); ok {
		*(*string)(p) = s
		return nil
	}
	sc := scalarOf(in)
	switch {
	case sc.kind == reflect.String:
		*(*string)(p) = sc.s
	case sc.kind == reflect.Int && !sc.ptr:
		*(*string)(p) = strconv.FormatInt(sc.i, 10)
	default:
		return unconvertible(c, in)
	}
	return nil
}

// decodeBool stores in into the bool at p; compose-go's cast hook reads
// strings (toBoolean).
func decodeBool(c *codec, in any, p unsafe.Pointer) errs {
	sc := scalarOf(in)
	switch {
	case sc.kind == reflect.Bool:
		*(*bool)(p) = sc.b
	case sc.casts():
		b, ok := toBoolean(sc.s)
		if !ok {
			return fail("invalid boolean: " + sc.s)
		}
		*(*bool)(p) = b
	default:
		return unconvertible(c, in)
	}
	return nil
}

// decodeInt stores in into the signed integer at p. compose-go's cast hook
// parses strings for int (strconv.Atoi) and int64 (base 10) targets only;
// floats are truncated, as mapstructure does.
func decodeInt(c *codec, in any, p unsafe.Pointer) errs {
	sc := scalarOf(in)
	if sc.casts() {
		var v int64
		var err error
		switch c.kind {
		case reflect.Int:
			var i int
			i, err = strconv.Atoi(sc.s)
			v = int64(i)
		case reflect.Int64:
			v, err = strconv.ParseInt(sc.s, 10, 64)
		default:
			return unconvertible(c, in)
		}
		if err != nil {
			return fail(err.Error())
		}
		setInt(c.kind, p, v)
		return nil
	}
	switch family(sc.kind) {
	case reflect.Int:
		setInt(c.kind, p, sc.i)
	case reflect.Uint:
		setInt(c.kind, p, int64(sc.u))
	case reflect.Float64:
		setInt(c.kind, p, int64(sc.f))
	default:
		return unconvertible(c, in)
	}
	return nil
}

// decodeUint stores in into the unsigned integer at p. No cast parses
// strings for these; negative numbers are refused, large ones wrap, as
// mapstructure does.
func decodeUint(c *codec, in any, p unsafe.Pointer) errs {
	sc := scalarOf(in)
	switch family(sc.kind) {
	case reflect.Int:
		if sc.i < 0 {
			return fail(fmt.Sprintf("cannot parse value as '%s': %d overflows uint", c.typ, sc.i))
		}
		setUint(c.kind, p, uint64(sc.i))
	case reflect.Uint:
		setUint(c.kind, p, sc.u)
	case reflect.Float64:
		if sc.f < 0 {
			return fail(fmt.Sprintf("cannot parse value as '%s': %f overflows uint", c.typ, sc.f))
		}
		setUint(c.kind, p, uint64(sc.f))
	default:
		return unconvertible(c, in)
	}
	return nil
}

// decodeFloat stores in into the float at p; compose-go's cast hook parses
// strings at the target's precision.
func decodeFloat(c *codec, in any, p unsafe.Pointer) errs {
	sc := scalarOf(in)
	var v float64
	switch family(sc.kind) {
	case reflect.Int:
		v = float64(sc.i)
	case reflect.Uint:
		v = float64(sc.u)
	case reflect.Float64:
		v = sc.f
	default:
		if !sc.casts() {
			return unconvertible(c, in)
		}
		bits := 64
		if c.kind == reflect.Float32 {
			bits = 32
		}
		f, err := strconv.ParseFloat(sc.s, bits)
		if err != nil {
			return fail(err.Error())
		}
		v = f
	}
	if c.kind == reflect.Float32 {
		*(*float32)(p) = float32(v)
	} else {
		*(*float64)(p) = v
	}
	return nil
}

func setInt(k reflect.Kind, p unsafe.Pointer, v int64) {
	switch k {
	case reflect.Int:
		*(*int)(p) = int(v)
	case reflect.Int8:
		*(*int8)(p) = int8(v)
	case reflect.Int16:
		*(*int16)(p) = int16(v)
	case reflect.Int32:
		*(*int32)(p) = int32(v)
	default:
		*(*int64)(p) = v
	}
}

func setUint(k reflect.Kind, p unsafe.Pointer, v uint64) {
	switch k {
	case reflect.Uint:
		*(*uint)(p) = uint(v)
	case reflect.Uint8:
		*(*uint8)(p) = uint8(v)
	case reflect.Uint16:
		*(*uint16)(p) = uint16(v)
	case reflect.Uint32:
		*(*uint32)(p) = uint32(v)
	default:
		*(*uint64)(p) = v
	}
}

// toBoolean reads a string as compose-go's cast hook does: YAML 1.1's
// y/yes/on and n/no/off too (compose-go also logs a warning for those,
// which Decode does not).
func toBoolean(s string) (b, ok bool) {
	switch strings.ToLower(s) {
	case "true", "y", "yes", "on":
		return true, true
	case "false", "n", "no", "off":
		return false, true
	}
	return false, false
}

// asMap returns a mapping input as map[string]any: other map types with
// string keys (mapstructure reads any) are copied into one.
func asMap(in any) (map[string]any, bool) {
	if m, ok := in.(map[string]any); ok {
		return m, true
	}
	rv := reflect.ValueOf(in)
	if rv.Kind() != reflect.Map || rv.Type().Key().Kind() != reflect.String {
		return nil, false
	}
	if rv.IsNil() {
		return nil, true
	}
	m := make(map[string]any, rv.Len())
	for it := rv.MapRange(); it.Next(); {
		m[it.Key().String()] = it.Value().Interface()
	}
	return m, true
}

// asList returns a list input as []any: other slice and array types are
// copied into one.
func asList(in any) ([]any, bool) {
	if l, ok := in.([]any); ok {
		return l, true
	}
	rv := reflect.ValueOf(in)
	switch rv.Kind() {
	case reflect.Slice:
		if rv.IsNil() {
			return nil, true
		}
	case reflect.Array:
	default:
		return nil, false
	}
	l := make([]any, rv.Len())
	for i := range l {
		l[i] = rv.Index(i).Interface()
	}
	return l, true
}
