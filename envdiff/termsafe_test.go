package envdiff

import (
	"regexp"
	"testing"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/internal/termsafe"
	"github.com/composure-dev/composure/merge"
)

var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// TestRenderersTerminalSafe: environment and service names, keys, values
// and origin file names that hold control characters (a compose file can
// spell them "\e" in a double-quoted string) reach no text output raw.
func TestRenderersTerminalSafe(t *testing.T) {
	evil := "x\x1b]0;TITLE\a\x1b[2J\u009b\u202e\r\n"
	from := decode(t, `{"services":{"web":{"image":"a:1"}}}`)
	to := decode(t, `{"services":{"web":{"image":"a:1"}}}`)
	svc := to["services"].(map[string]any)
	svc["web"+evil] = map[string]any{"image": "b:2" + evil, "labels": map[string]any{"k" + evil: "v" + evil}}
	svc["web"].(map[string]any)["command"] = []any{"sh", "-c", evil}
	at := func(string) (merge.Origin, bool) {
		return merge.Origin{Location: compose.Location{File: "compose" + evil + ".yaml", Pos: compose.Pos{Line: 1, Col: 1}}}, true
	}
	r := Compare(Side{Name: "default" + evil, Model: from, Origin: at}, Side{Name: "prod" + evil, Model: to, Origin: at})
	if r.Empty() {
		t.Fatal("no change to render")
	}
	for suffix, out := range render(t, r, r) {
		if suffix == "json" {
			continue // JSON escapes as JSON does
		}
		if suffix == "color.txt" {
			out = sgr.ReplaceAll(out, nil) // composure's own colours
		}
		if i := termsafe.Unsafe(out); i >= 0 {
			t.Errorf("%s: control character at byte %d:\n%q", suffix, i, out[max(0, i-40):min(len(out), i+40)])
		}
	}
}
