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
		if tiedKeys(reflect.ValueOf(v)) {
			// The library's key order is not defined here.
			return
		}
		t.Errorf("%s: differs from the library\n%s", name, firstDifference(got, want))
	}
}

// tiedKeys reports whether v holds a map with two string keys that the
// library's order cannot tell apart: equal as runes, invalid UTF-8 read as
// U+FFFD.
func tiedKeys(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		return !v.IsNil() && tiedKeys(v.Elem())
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if tiedKeys(v.Index(i)) {
				return true
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && tiedKeys(v.Field(i)) {
				return true
			}
		}
	case reflect.Map:
		seen := map[string]bool{}
		it := v.MapRange()
		for it.Next() {
			if k := concrete(it.Key()); k.Kind() == reflect.String {
				runes := string([]rune(k.String()))
				if seen[runes] {
					return true
				}
				seen[runes] = true
			}
			if tiedKeys(it.Value()) {
				return true
			}
		}
	}
	return false
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
