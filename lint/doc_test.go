package lint

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/docs"
)

// exampleRE finds a section's bad example, its output block and the good example.
// Dockerfile rules show ```dockerfile examples.
var exampleRE = regexp.MustCompile("(?s)Bad:\n\n```(?:yaml|dockerfile)\n(.*?)```\n\nOutput:\n\n```text\n(.*?)```(?:\n\nGood:\n\n```(?:yaml|dockerfile)\n(.*?)```)?")

// lintExample lints src as written, alone in a fresh directory: as
// compose.yaml, or as a Dockerfile for the Dockerfile rules. It returns
// every rule's findings.
func lintExample(t *testing.T, id, src string) []diag.Finding {
	dir := t.TempDir()
	if ruleByID(id).Meta().Scope == ScopeDockerfile {
		path := filepath.Join(dir, "Dockerfile")
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		fs, _ := lintDockerfile(t, path)
		return fs
	}
	path := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if id == "load-error" {
		// what docker compose refuses comes from loading the project
		return lintProjectDir(t, dir)
	}
	// the rule itself is on even when optional; every other rule as by default
	fs, _ := lintFileRule(t, path, id)
	return fs
}

// only keeps the findings of rule id.
func only(fs []diag.Finding, id string) []diag.Finding {
	return slices.DeleteFunc(fs, func(f diag.Finding) bool { return f.Rule != id })
}

// TestRulesDocumented checks that every rule has a section in docs/rules.md
// and every section a rule, and that each section's example output is what
// composure prints (go test ./lint -update rewrites the outputs).
func TestRulesDocumented(t *testing.T) {
	ids := IDs()
	docIDs := DocIDs()
	for _, id := range ids {
		if !slices.Contains(docIDs, id) {
			t.Errorf("rule %s has no section in docs/rules.md", id)
		}
	}
	for _, id := range docIDs {
		if !slices.Contains(ids, id) {
			t.Errorf("docs/rules.md documents %q, which is no rule", id)
		}
	}
	text := docs.Rules
	out := text
	for _, id := range ids {
		sec, _ := Doc(id)
		m := exampleRE.FindStringSubmatch(sec)
		if m == nil {
			t.Errorf("section %s: no Bad/Output example", id)
			continue
		}
		if !strings.Contains(sec, "**What.**") || !strings.Contains(sec, "**Why.**") || !strings.Contains(sec, "**Fix.**") {
			t.Errorf("section %s: want What, Why and Fix paragraphs", id)
		}
		if p := ruleByID(id).Meta().Practice; p != 0 && !strings.Contains(sec, "Best practice "+strconv.Itoa(p)) {
			t.Errorf("section %s: does not cite best practice %d", id, p)
		}
		if id == "dockerfile-shellcheck" && !haveShellcheck() {
			continue // its output is ShellCheck's
		}
		var b strings.Builder
		for _, f := range only(lintExample(t, id, m[1]), id) {
			b.WriteString(f.String() + "\n")
		}
		got := b.String()
		if got == "" {
			t.Errorf("section %s: the bad example has no finding", id)
		}
		if got != m[2] {
			if *update {
				out = strings.Replace(out, m[0], strings.Replace(m[0], "```text\n"+m[2]+"```", "```text\n"+got+"```", 1), 1)
			} else {
				t.Errorf("section %s: output differs (go test ./lint -update)\n--- got\n%s--- doc\n%s", id, got, m[2])
			}
		}
		if m[3] != "" {
			// Clean under every rule, not only its own: a reader copies it.
			if fs := lintExample(t, id, m[3]); len(fs) > 0 {
				t.Errorf("section %s: the good example has findings: %v", id, fs)
			}
		}
	}
	if *update && out != text {
		if err := os.WriteFile(filepath.Join("..", "docs", "rules.md"), []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func ruleByID(id string) Rule {
	r, _ := Lookup(id)
	return r
}
