package normalize

import (
	"strconv"
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

// TestPlainPort holds plainPort's "yes" to types.ParsePortConfig, and
// checks it says yes to the common shapes.
func TestPlainPort(t *testing.T) {
	plain := []string{"80", "8080:80", "65535:1", "53/udp", "20002:8080/tcp", "1:1/udp"}
	other := []string{"", "0", "080", "65536", "8080:", ":80", "80:80:80", "127.0.0.1:80:80", "80/sctp", "80/", "8000-8010:80",
		"80-81", "a", "8080:8o", "99999", "1:2:3/tcp", "80/tcp/udp", "-1", "+80", " 80", "80 "}
	for _, s := range plain {
		if !plainPort(s) {
			t.Errorf("plainPort(%q) = false", s)
		}
	}
	for _, s := range other {
		if plainPort(s) {
			t.Errorf("plainPort(%q) = true", s)
		}
	}
	for _, s := range append(plain, other...) {
		if _, err := types.ParsePortConfig(s); plainPort(s) && err != nil {
			t.Errorf("plainPort(%q) = true, ParsePortConfig: %v", s, err)
		}
	}
	for n := 0; n <= 70000; n += 7 {
		for _, s := range []string{strconv.Itoa(n), strconv.Itoa(n) + ":80", "80:" + strconv.Itoa(n) + "/udp"} {
			if !plainPort(s) {
				continue
			}
			if _, err := types.ParsePortConfig(s); err != nil {
				t.Errorf("plainPort(%q) = true, ParsePortConfig: %v", s, err)
			}
		}
	}
}
