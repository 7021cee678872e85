package lint

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/composure-dev/composure/diag"
)

// lintDockerfile lints the Dockerfile at path on its own (as named on the
// command line) with every Dockerfile rule.
func lintDockerfile(t testing.TB, path string) ([]diag.Finding, *Dockerfile) {
	t.Helper()
	df, fe, err := LoadDockerfile(path, filepath.Base(path))
	if err != nil {
		t.Fatal(err)
	}
	if fe != nil {
		return []diag.Finding{*fe}, nil
	}
	return Run(Input{Dockerfiles: []*Dockerfile{df}}), df
}

// TestDockerfileGolden lints testdata/<rule>/<case>.Dockerfile and compares
// the rule's findings with <case>.out; when findings carry fixes, the fixed
// file is compared with <case>.fixed. Every Dockerfile rule has a good and a
// bad case.
func TestDockerfileGolden(t *testing.T) {
	for _, id := range IDs() {
		if ruleByID(id).Meta().Scope != ScopeDockerfile {
			continue
		}
		cases, _ := filepath.Glob(filepath.Join("testdata", id, "*.Dockerfile"))
		if len(cases) < 2 {
			t.Errorf("rule %s: want at least a good and a bad case in testdata/%s, have %d", id, id, len(cases))
		}
		for _, c := range cases {
			name := strings.TrimSuffix(filepath.Base(c), ".Dockerfile")
			t.Run(id+"/"+name, func(t *testing.T) {
				fs, df := lintDockerfile(t, c)
				fs = slices.DeleteFunc(fs, func(f diag.Finding) bool { return f.Rule != id })
				golden(t, strings.TrimSuffix(c, ".Dockerfile")+".out", render(fs))
				if strings.HasPrefix(name, "good") && len(fs) > 0 {
					t.Errorf("good case has findings:\n%s", render(fs))
				}
				if strings.HasPrefix(name, "bad") && len(fs) == 0 {
					t.Errorf("bad case has no findings")
				}
				var edits []diag.TextEdit
				for _, f := range fs {
					if f.Fix != nil {
						edits = append(edits, f.Fix.Edits...)
					}
				}
				if len(edits) == 0 || df == nil {
					return
				}
				out, err := diag.Apply(df.Src, edits)
				if err != nil {
					t.Fatal(err)
				}
				golden(t, strings.TrimSuffix(c, ".Dockerfile")+".fixed", string(out))
				// The fixed file parses and the rule is satisfied.
				tmp := filepath.Join(t.TempDir(), "Dockerfile")
				if err := os.WriteFile(tmp, out, 0o644); err != nil {
					t.Fatal(err)
				}
				again, _ := lintDockerfile(t, tmp)
				for _, f := range again {
					if f.Rule == id && f.Fix != nil || f.Rule == "load-error" {
						t.Errorf("after the fix: %s", f)
					}
				}
			})
		}
	}
}

// golden compares got with the file at path (rewritten with -update).
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./lint -update)", err)
	}
	if got != string(want) {
		t.Errorf("differs from %s\n--- got\n%s--- want\n%s", path, got, want)
	}
}
