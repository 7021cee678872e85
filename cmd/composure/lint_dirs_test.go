package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// lintDirsProjects picks project directories for the parallel lint test:
// the examples, and up to 20 corpus projects when ../shared is there.
func lintDirsProjects(t *testing.T) []string {
	root := repoRoot(t)
	dirs := []string{filepath.Join(root, "examples", "blog"), filepath.Join(root, "examples", "guide")}
	shared := os.Getenv("COMPOSURE_SHARED")
	if shared == "" {
		shared = filepath.Join(filepath.Dir(root), "shared")
	}
	var more []string
	_ = filepath.WalkDir(filepath.Join(shared, "corpus"), func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		for _, n := range composeNames {
			if _, err := os.Stat(filepath.Join(p, n)); err == nil {
				more = append(more, p)
				break
			}
		}
		return nil
	})
	sort.Strings(more)
	// Every third, for variety across sets within a fast test.
	for i := 0; i < len(more) && len(dirs) < 22; i += 3 {
		dirs = append(dirs, more[i])
	}
	return dirs
}

// TestLintDirsParallel checks that `composure lint DIR...` prints the same
// report whatever the parallelism, and the same findings as linting each
// project on its own. Run with -race, it checks the lint path for data
// races between projects.
func TestLintDirsParallel(t *testing.T) {
	dirs := lintDirsProjects(t)
	lintArgs := func(extra ...string) []string {
		return append(append([]string{"lint", "--no-color"}, extra...), dirs...)
	}
	code1, out1, err1 := runCLI(t, nil, lintArgs("--jobs", "1")...)
	if out1 == "" {
		t.Fatalf("no output (exit %d): %s", code1, err1)
	}
	for _, jobs := range []string{"2", "4", "16", "0"} { // 0: NumCPU
		for round := 0; round < 2; round++ {
			code, out, errOut := runCLI(t, nil, lintArgs("--jobs", jobs)...)
			if code != code1 || out != out1 || errOut != err1 {
				t.Fatalf("--jobs %s differs from --jobs 1: exit %d vs %d\n%s", jobs, code, code1, firstDiff(out, out1))
			}
		}
	}
	for _, format := range []string{"json", "sarif"} {
		_, a, _ := runCLI(t, nil, lintArgs("--jobs", "1", "--format", format)...)
		_, b, _ := runCLI(t, nil, lintArgs("--format", format)...)
		if a != b {
			t.Errorf("--format %s: parallel output differs\n%s", format, firstDiff(b, a))
		}
	}

	// One at a time: the same finding lines, project by project.
	head := regexp.MustCompile(`(?m)^\S+:\d+:\d+: (error|warning|info): .*$|^\S+: (error|warning|info): .*$`)
	var single []string
	for _, d := range dirs {
		_, out, _ := runCLI(t, nil, "lint", "--no-color", d)
		single = append(single, head.FindAllString(out, -1)...)
	}
	together := head.FindAllString(out1, -1)
	slices.Sort(single)
	slices.Sort(together)
	if !slices.Equal(single, together) {
		t.Errorf("findings of all projects at once differ from one at a time:\n%s", firstDiff(strings.Join(together, "\n"), strings.Join(single, "\n")))
	}
	t.Logf("%d projects, %d findings, exit %d", len(dirs), len(together), code1)
}

// firstDiff shows where two outputs part.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "line " + itoa(i+1) + ":\n  " + al[i] + "\n  " + bl[i]
		}
	}
	return "one output is a prefix of the other (" + itoa(len(al)) + " vs " + itoa(len(bl)) + " lines)"
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestLintDirsSubdirectory: `composure lint DIR` with no compose file in
// DIR lints the project found up from it, as `cd DIR && composure lint`
// does, with that project's directory as the base of relative paths (the
// nocodb review: build: . was resolved from DIR, a missing Dockerfile).
func TestLintDirsSubdirectory(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "proj", "sub")
	other := filepath.Join(root, "other")
	for _, d := range []string{sub, other} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		"proj/compose.yaml":  "services:\n  web:\n    build: .\n    image: example/web:1.0\n",
		"proj/Dockerfile":    "FROM alpine:3.20.3\nUSER nobody\n",
		"proj/.dockerignore": ".git\n",
		"other/compose.yaml": "services:\n  db:\n    image: postgres:16.4\n",
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(root, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := runCLI(t, nil, "lint", "--no-color", sub, other)
	if code != 0 || strings.Contains(out, "error") {
		t.Errorf("exit %d, want 0 and no error:\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "no compose file") {
		t.Errorf("stderr does not say where the project was found:\n%s", errOut)
	}
}

// TestEnvsFromSubdirectory: run from a subdirectory of the project (mlflow's
// seaweedfs/, whose compose file is one up), envs says which directory its
// file names are relative to; run in the project, it says nothing more.
func TestEnvsFromSubdirectory(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "sub")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "compose.yaml"), []byte("services:\n  db:\n    image: postgres:16.4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(sub)
	if _, out, _ := runCLI(t, nil, "envs"); !strings.Contains(out, "project directory: .. (the files above are relative to it)") {
		t.Errorf("from a subdirectory, envs does not say where the project is:\n%s", out)
	}
	t.Chdir(root)
	if _, out, _ := runCLI(t, nil, "envs"); strings.Contains(out, "project directory") {
		t.Errorf("in the project, envs names its directory:\n%s", out)
	}
}
