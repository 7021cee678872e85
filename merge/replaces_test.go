package merge

import (
	"testing"

	"github.com/composure-dev/composure/compose"
)

// TestReplaces holds Replaces to what Merge does with an empty list or
// mapping in a later file: where Replaces says it replaces, the merged
// value is empty; where not, the earlier value stays.
func TestReplaces(t *testing.T) {
	for _, tt := range []struct {
		key, base, empty string
		replaces         bool
	}{
		{"command", "[sh, -c, run]", "[]", true},
		{"entrypoint", "[/init]", "[]", true},
		{"ports", "[\"80:80\"]", "[]", false},
		{"volumes", "[\"./a:/a\"]", "[]", false},
		{"secrets", "[token]", "[]", false},
		{"environment", "{A: \"1\"}", "{}", false},
		{"labels", "{a: b}", "{}", false},
		{"depends_on", "[db]", "[]", false},
		{"networks", "[front]", "[]", false},
		{"cap_add", "[NET_ADMIN]", "[]", false},
		{"dns", "[1.1.1.1]", "[]", false},
		{"extra_hosts", "[\"h:1.2.3.4\"]", "[]", false},
	} {
		t.Run(tt.key, func(t *testing.T) {
			if got := Replaces("services", "web", tt.key); got != tt.replaces {
				t.Fatalf("Replaces = %v, want %v", got, tt.replaces)
			}
			base, err := compose.Parse("base.yaml", []byte("services:\n  web:\n    image: x\n    "+tt.key+": "+tt.base+"\n  db: {image: y}\n"))
			if err != nil {
				t.Fatal(err)
			}
			over, err := compose.Parse("over.yaml", []byte("services:\n  web:\n    "+tt.key+": "+tt.empty+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			r, err := Merge([]*compose.Document{base, over})
			if err != nil {
				t.Fatal(err)
			}
			web := r.Tree()["services"].(map[string]any)["web"].(map[string]any)
			empty := true
			switch v := web[tt.key].(type) {
			case []any:
				empty = len(v) == 0
			case map[string]any:
				empty = len(v) == 0
			case nil:
			default:
				empty = false
			}
			if empty != tt.replaces {
				t.Errorf("merged %s = %v: empty %v, but Replaces says %v", tt.key, web[tt.key], empty, tt.replaces)
			}
		})
	}
}
