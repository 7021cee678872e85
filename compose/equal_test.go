package compose

import (
	"reflect"
	"strings"
	"testing"
)

func TestPlainEqual(t *testing.T) {
	tests := []struct {
		name string
		a, b any
		want bool
	}{
		{"same mapping", map[string]any{"a": 1, "b": []any{"x", nil}}, map[string]any{"b": []any{"x", nil}, "a": 1}, true},
		{"other value", map[string]any{"a": 1}, map[string]any{"a": 2}, false},
		{"other key", map[string]any{"a": 1}, map[string]any{"b": 1}, false},
		{"more keys", map[string]any{"a": 1}, map[string]any{"a": 1, "b": 1}, false},
		{"list order", []any{1, 2}, []any{2, 1}, false},
		{"nil map is not empty", map[string]any(nil), map[string]any{}, false},
		{"nil list is not empty", []any(nil), []any{}, false},
		{"nil is not an empty map", nil, map[string]any{}, false},
		{"scalar is not a mapping", "a", map[string]any{"a": nil}, false},
		{"mapping is not a list", map[string]any{}, []any{}, false},
		// Scalars compare by ==, as reflect.DeepEqual does: a caller that
		// means the loader's loose equality canonicalizes first.
		{"int is not string", 80, "80", false},
		{"int is not float", 80, 80.0, false},
		{"bool", true, true, true},
		{"reset", Reset{}, Reset{}, true},
		{"reset is not null", Reset{}, nil, false},
		// == on an Override holding a map would panic.
		{"override of a mapping", Override{map[string]any{"a": []any{1}}}, Override{map[string]any{"a": []any{1}}}, true},
		{"override of another mapping", Override{map[string]any{"a": []any{1}}}, Override{map[string]any{"a": []any{2}}}, false},
		{"override is not its value", Override{[]any{1}}, []any{1}, false},
		{"value is not its override", "x", Override{"x"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PlainEqual(tt.a, tt.b); got != tt.want {
				t.Errorf("PlainEqual = %v, want %v", got, tt.want)
			}
			if got := PlainEqual(tt.b, tt.a); got != tt.want {
				t.Errorf("PlainEqual, swapped = %v, want %v", got, tt.want)
			}
			if got := reflect.DeepEqual(tt.a, tt.b); got != tt.want {
				t.Errorf("reflect.DeepEqual = %v: PlainEqual should agree with it", got)
			}
		})
	}
}

func TestPlainEqualFunc(t *testing.T) {
	var leaves []string
	fold := func(a, b any) bool {
		x, _ := a.(string)
		y, _ := b.(string)
		leaves = append(leaves, x+"="+y)
		return strings.EqualFold(x, y)
	}
	a := map[string]any{"k": []any{"A", Override{"B"}}}
	b := map[string]any{"k": []any{"a", Override{"b"}}}
	if !PlainEqualFunc(a, b, fold) {
		t.Errorf("leaves compared by fold: not equal")
	}
	if got := strings.Join(leaves, " "); got != "A=a B=b" {
		t.Errorf("leaf saw %q, want only the scalars", got)
	}
	if PlainEqualFunc(map[string]any{"k": "A"}, map[string]any{"k": []any{"A"}}, fold) {
		t.Errorf("a scalar equals a list")
	}
}
