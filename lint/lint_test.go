package lint

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
)

var update = flag.Bool("update", false, "rewrite golden files")

// lintFile lints one file as a file and as a single-file environment named
// "default", with variables from <case>.env next to it.
func lintFile(t testing.TB, path string) ([]diag.Finding, *compose.Document) {
	t.Helper()
	return lintFileConfig(t, path, nil)
}

// lintFileRule is lintFile with rule id turned on, optional or not.
func lintFileRule(t testing.TB, path, id string) ([]diag.Finding, *compose.Document) {
	t.Helper()
	return lintFileConfig(t, path, &Config{Severity: map[string]string{id: "on"}})
}

func lintFileConfig(t testing.TB, path string, cfg *Config) ([]diag.Finding, *compose.Document) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Base(path)
	d, err := compose.Parse(name, src)
	if err != nil {
		return []diag.Finding{ErrorFinding(err, name)}, nil
	}
	d.Path, _ = filepath.Abs(path)
	vars := map[string]string{}
	if b, err := os.ReadFile(strings.TrimSuffix(path, filepath.Ext(path)) + ".env"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), "="); ok {
				vars[k] = v
			}
		}
	}
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	env := FileEnv("default", filepath.Dir(d.Path), d, lookup)
	return Run(Input{Files: []*compose.Document{d}, Envs: []*Env{env}, Config: cfg}), d
}

func render(fs []diag.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.String())
		if f.Span.End.Line > 0 {
			fmt.Fprintf(&b, " (to %d:%d)", f.Span.End.Line, f.Span.End.Col)
		}
		b.WriteByte('\n')
		for _, r := range f.Related {
			b.WriteString("  " + r.Span.String() + ": " + r.Message + "\n")
		}
		if f.Fix != nil && f.Fix.Manual {
			b.WriteString("  suggestion: " + f.Fix.Message + "\n")
		} else if f.Fix != nil {
			b.WriteString("  fix: " + f.Fix.Message + "\n")
		}
	}
	return b.String()
}

// TestGolden lints testdata/<rule>/<case>.yaml and compares with <case>.out.
// Every rule has a directory with at least one clean and one bad case.
func TestGolden(t *testing.T) {
	for _, id := range IDs() {
		if ruleByID(id).Meta().Scope == ScopeDockerfile {
			continue // TestDockerfileGolden
		}
		dir := filepath.Join("testdata", id)
		cases, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if len(cases) < 2 {
			t.Errorf("rule %s: want at least a good and a bad case in %s, have %d", id, dir, len(cases))
		}
		for _, c := range cases {
			t.Run(id+"/"+strings.TrimSuffix(filepath.Base(c), ".yaml"), func(t *testing.T) {
				fs, _ := lintFileRule(t, c, id)
				// Only this rule's findings matter in its directory.
				fs = slices.DeleteFunc(fs, func(f diag.Finding) bool { return f.Rule != id })
				got := render(fs)
				golden := strings.TrimSuffix(c, ".yaml") + ".out"
				if *update {
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./lint -update)", err)
				}
				if got != string(want) {
					t.Errorf("findings differ from %s\n--- got\n%s--- want\n%s", golden, got, want)
				}
				if strings.HasPrefix(filepath.Base(c), "good") && got != "" {
					t.Errorf("good case has findings:\n%s", got)
				}
				if strings.HasPrefix(filepath.Base(c), "bad") && got == "" {
					t.Errorf("bad case has no findings")
				}
			})
		}
	}
}
