package compose

import "testing"

func TestJoinPath(t *testing.T) {
	for _, c := range []struct {
		parts []string
		want  string
	}{
		{nil, ""},
		{[]string{"services"}, "services"},
		{[]string{"services", "wazuh1.indexer", "ports", "0"}, "services.wazuh1👻indexer.ports.0"},
		{[]string{"x-a.b", "c.d"}, "x-a.b.c👻d"}, // the first key as written
	} {
		if got := JoinPath(c.parts); got != c.want {
			t.Errorf("JoinPath(%q) = %q, want %q", c.parts, got, c.want)
		}
	}
}
