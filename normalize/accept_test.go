package normalize

import (
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

// TestAcceptDecoders holds the acceptor's checks that stand for a
// compose-go decoder (without building what it builds) to the decoder.
func TestAcceptDecoders(t *testing.T) {
	values := []any{
		map[string]any{"A": "1", "B": nil, "C": 2, "D": true},
		[]any{"A=1", "B", "C=", "=x", "D =1", "E\t=1", "F= 1", " G=1", "H\u00a0=1"},
		[]any{"A=1"}, []any{"A =1"}, []any{"A\t"}, []any{" "}, []any{""}, []any{"=", "A=="},
		[]any{1, true, nil}, []any{}, map[string]any{},
		"A=1", 5, nil, true,
	}
	for _, v := range values {
		if got, want := mappingWithEquals(v), decodes(new(types.MappingWithEquals), v); got != want {
			t.Errorf("mappingWithEquals(%#v) = %v, the decoder says %v", v, got, want)
		}
		if got, want := labels(v), decodes(new(types.Labels), v); got != want {
			t.Errorf("labels(%#v) = %v, the decoder says %v", v, got, want)
		}
		logging := map[string]any{"options": v}
		if got, want := acceptLogging(logging), v == nil || decodes(new(types.Options), v); got != want {
			t.Errorf("acceptLogging(options: %#v) = %v, the decoder says %v", v, got, want)
		}
	}
}
