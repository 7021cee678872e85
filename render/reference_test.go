package render

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v4"
)

// reference encodes v with go.yaml.in/yaml/v4 as compose-go's
// Project.MarshalYAML does: NewEncoder, SetIndent(2), Encode, Close. A
// panic of the library is returned as an error.
func reference(v any) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("library panic: %v", r)
		}
	}()
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sameAsLibrary fails t when Encode(v) differs from the library's output,
// or when one of them fails and the other does not.
func sameAsLibrary(t *testing.T, name string, v any) {
	t.Helper()
	want, wantErr := reference(v)
	got, gotErr := Encode(v)
	switch {
	case wantErr != nil && gotErr != nil:
		return
	case wantErr != nil:
		t.Errorf("%s: the library fails (%v), Encode gives:\n%s", name, wantErr, got)
	case gotErr != nil:
		t.Errorf("%s: Encode fails (%v), the library gives:\n%s", name, gotErr, want)
	case !bytes.Equal(got, want):
		if unorderedKeys(reflect.ValueOf(v)) {
			// The library's key order is not defined here.
			return
		}
		t.Errorf("%s: differs from the library\n%s", name, firstDifference(got, want))
	}
}

// unorderedKeys reports whether v holds a map whose keys the library's
// comparison does not order: two distinct keys equal to it (strings that
// differ only in invalid UTF-8 bytes), or three in a cycle (digit runs past
// the int64 range). Its output then follows Go's random map order.
func unorderedKeys(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		return !v.IsNil() && unorderedKeys(v.Elem())
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if unorderedKeys(v.Index(i)) {
				return true
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && unorderedKeys(v.Field(i)) {
				return true
			}
		}
	case reflect.Map:
		keys := v.MapKeys()
		if !strictOrder(keys, libraryLess) {
			return true
		}
		for _, k := range keys {
			if unorderedKeys(v.MapIndex(k)) {
				return true
			}
		}
	}
	return false
}

// libraryLess is the library's comparison of two keys: as compareKeys,
// without render's tie-break of strings by bytes.
func libraryLess(a, b reflect.Value) bool {
	if ca, cb := concrete(a), concrete(b); ca.Kind() == reflect.String && cb.Kind() == reflect.String {
		return compareNatural(ca.String(), cb.String()) < 0
	}
	return compareKeys(a, b) < 0
}

// strictOrder reports whether less is a strict total order on keys:
// no two keys equal, no cycle among three.
func strictOrder(keys []reflect.Value, less func(a, b reflect.Value) bool) bool {
	for i := range keys {
		for j := range keys {
			if i == j {
				continue
			}
			if !less(keys[i], keys[j]) && !less(keys[j], keys[i]) {
				return false
			}
			for k := range keys {
				if k != i && k != j && less(keys[i], keys[j]) && less(keys[j], keys[k]) && !less(keys[i], keys[k]) {
					return false
				}
			}
		}
	}
	return true
}

// firstDifference describes where got and want part, with the lines
// around it quoted.
func firstDifference(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	start := bytes.LastIndexByte(got[:i], '\n') + 1
	start = bytes.LastIndexByte(got[:max(start-1, 0)], '\n') + 1
	excerpt := func(b []byte) string {
		end := min(len(b), i+200)
		return strings.ReplaceAll(fmt.Sprintf("%q", b[start:end]), `\n`, "\\n\n")
	}
	return fmt.Sprintf("at byte %d (line %d)\n--- got:\n%s\n--- want:\n%s", i, bytes.Count(got[:i], []byte{'\n'})+1, excerpt(got), excerpt(want))
}
