package jsonindent

import (
	"bytes"
	"encoding/json"
	"testing"
)

var values = []any{
	nil, true, 1.5, "s", []any{}, map[string]any{},
	map[string]any{"a": []any{}, "b": map[string]any{}, "c": []any{1, map[string]any{"d": nil}}},
	[]any{"[{,:}]", `quote " and \ backslash`, "\\\"", "<html> & \u2028 é 😀", "\n\t"},
	map[string]any{"k:,{": "v]\"", "": []any{[]any{[]any{}}}},
	struct {
		A []int           `json:"a"`
		B map[string]bool `json:"b"`
		C *struct{}       `json:"c"`
		R json.RawMessage `json:"r"`
	}{A: []int{}, B: map[string]bool{"x": true}, R: json.RawMessage(`{ "spaced" : [ 1 , 2 ] }`)},
}

// TestMarshalLikeStandard holds Marshal to json.MarshalIndent.
func TestMarshalLikeStandard(t *testing.T) {
	for _, v := range values {
		want, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got, err := Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("Marshal(%#v) =\n%s\nwant\n%s", v, got, want)
		}
	}
}

// FuzzAppend holds Append to json.Indent on whatever json.Marshal writes
// for the JSON the fuzzer makes up.
func FuzzAppend(f *testing.F) {
	for _, v := range values {
		b, _ := json.Marshal(v)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var v any
		if json.Unmarshal(in, &v) != nil {
			return
		}
		src, err := json.Marshal(v)
		if err != nil {
			return
		}
		var want bytes.Buffer
		if err := json.Indent(&want, src, "", "\t"); err != nil {
			t.Fatal(err)
		}
		if got := Append(nil, src, "\t"); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("Append(%s) =\n%s\nwant\n%s", src, got, want.Bytes())
		}
	})
}
