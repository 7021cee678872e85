package lint

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composure-dev/composure/diag"
)

// lintProjectDir lints the project in dir as `composure lint` does: every
// environment discovery finds, every file they load, the Dockerfiles they
// build; the process environment is the KEY=VALUE lines of dir/environ.
func lintProjectDir(t testing.TB, dir string) []diag.Finding {
	t.Helper()
	po := cleanEnv(dir)
	if b, err := os.ReadFile(filepath.Join(dir, "environ")); err == nil {
		po.Environ = strings.Fields(string(b))
	}
	lp, err := LoadProject(context.Background(), po, nil, LoadOptions{})
	if err != nil {
		return []diag.Finding{ErrorFinding(err, "")}
	}
	return lintLoaded(lp)
}

// lintLoaded runs every rule on a loaded project and the Dockerfiles its
// environments build, with the load errors, sorted: what the CLI reports.
func lintLoaded(lp *Project) []diag.Finding {
	dfs, errs := DiscoverDockerfiles(lp.Envs)
	fs := Run(Input{Files: lp.Files, Envs: lp.Envs, Dockerfiles: dfs, Config: lp.Config})
	fs = append(fs, errs...)
	fs = append(fs, lp.LoadErrors...)
	diag.Sort(fs)
	return fs
}

// renderEnvs is render with the environments of each finding.
func renderEnvs(fs []diag.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(render([]diag.Finding{f}))
		if len(f.Envs) > 0 {
			b.WriteString("  environments: " + strings.Join(f.Envs, ", ") + "\n")
		}
	}
	return b.String()
}

// TestGoldenProjects lints each project testdata/projects/<case>/ (several
// files, environments, includes...) with every rule and compares with its
// want.out. Cases named good-* must be clean.
func TestGoldenProjects(t *testing.T) {
	cases, _ := filepath.Glob(filepath.Join("testdata", "projects", "*"))
	for _, dir := range cases {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			continue
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			abs, err := filepath.Abs(dir)
			if err != nil {
				t.Fatal(err)
			}
			got := renderEnvs(lintProjectDir(t, abs))
			golden(t, filepath.Join(dir, "want.out"), got)
			if strings.HasPrefix(filepath.Base(dir), "good") && got != "" {
				t.Errorf("good case has findings:\n%s", got)
			}
		})
	}
}
