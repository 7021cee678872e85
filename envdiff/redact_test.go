package envdiff

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/composure-dev/composure/redact"
)

func TestRedact(t *testing.T) {
	from := decode(t, `{"services":{"db":{"environment":{"POSTGRES_PASSWORD":"old","USER":"app"}}},
		"secrets":{"s":{"content":"abc"}}}`)
	to := decode(t, `{"services":{"db":{"environment":{"POSTGRES_PASSWORD":"new","USER":"app2","URL":"postgres://app:s3cret@db/app"}},
		"web":{"environment":["DB_PASSWORD=x","A=b"],"labels":{"l":"postgres://u:s3cret@h"}}},
		"secrets":{"s":{"content":"def"}}}`)
	r := Compare(Side{Name: "a", Model: from}, Side{Name: "b", Model: to})
	plainJSON := func(r Report) string {
		var b strings.Builder
		if err := (JSONReport{Reports: []Report{r}}).WriteReport(&b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	before := plainJSON(r)
	red := r.Redact(redact.New())
	got := plainJSON(red)
	for _, secret := range []string{`"old"`, `"new"`, "s3cret", "DB_PASSWORD=x", `"abc"`, `"def"`} {
		if !strings.Contains(before, secret) {
			t.Errorf("the test's report lacks %s before redaction", secret)
		}
		if strings.Contains(got, secret) {
			t.Errorf("redacted report shows %s:\n%s", secret, got)
		}
	}
	for _, kept := range []string{`"app2"`, `"A=b"`, "DB_PASSWORD=***", "postgres://app:***@db/app"} {
		if !strings.Contains(got, kept) {
			t.Errorf("redacted report lost %s:\n%s", kept, got)
		}
	}
	// Redact returns a new report and leaves r alone (dyff's filters do
	// the same).
	if after := plainJSON(r); after != before {
		t.Error("Redact modified the original report")
	}
	if len(red.Changes) != len(r.Changes) {
		t.Errorf("redaction changed the number of changes")
	}
}

// TestRedactHooks: hooks run in order, so a change shows both lists
// whole; --redact must hide a hook's secret environment in them.
func TestRedactHooks(t *testing.T) {
	from := decode(t, `{"services":{"web":{"post_start":[{"command":["warm"]}]}}}`)
	to := decode(t, `{"services":{"web":{"post_start":[{"command":["warm"]},{"command":["init"],"environment":{"API_PASSWORD":"hunter2"}}]}}}`)
	r := Compare(Side{Name: "a", Model: from}, Side{Name: "b", Model: to})
	if got := summary(r); len(got) != 1 || got[0] != "changed services.web.post_start" {
		t.Fatalf("changes %q, want the hooks changed as a whole", got)
	}
	plainTo := func(r Report) string { b, _ := json.Marshal(r.Changes[0].To); return string(b) }
	if !strings.Contains(plainTo(r), "hunter2") {
		t.Fatalf("the test needs the secret in the new value: %s", plainTo(r))
	}
	red := r.Redact(redact.New())
	if got := plainTo(red); strings.Contains(got, "hunter2") || !strings.Contains(got, `"API_PASSWORD":"***"`) {
		t.Errorf("redacted value %s", got)
	}
	if !strings.Contains(plainTo(r), "hunter2") {
		t.Error("Redact modified the original value")
	}
}

func TestRewriteStrings(t *testing.T) {
	m := decode(t, `{"services":{"web":{"build":{"context":"/tmp/x/app"},"volumes":[{"source":"/tmp/x/data","target":"/d"}]}}}`)
	got, _ := json.Marshal(RewriteStrings(m, "/tmp/x", "/src/blog"))
	want := `{"services":{"web":{"build":{"context":"/src/blog/app"},"volumes":[{"source":"/src/blog/data","target":"/d"}]}}}`
	if string(got) != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}
