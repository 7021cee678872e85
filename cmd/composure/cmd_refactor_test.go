package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const workersYAML = `services:
  worker-email:
    image: shop:2.3.1
    command: ["celery", "worker", "-Q", "email"]
    restart: on-failure:5
    environment:
      BROKER_URL: redis://redis:6379/0
      LOG_LEVEL: info
    depends_on: [redis]
  worker-invoices:
    image: shop:2.3.1
    command: ["celery", "worker", "-Q", "invoices"]
    restart: on-failure:5
    environment:
      BROKER_URL: redis://redis:6379/0
      LOG_LEVEL: info
    depends_on: [redis]
  redis:
    image: redis:7.4.1-bookworm
`

func writeProject(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestRefactorWriteReadOnly: a file refactor cannot replace is the user's
// to fix: exit 2 with the chmod to run, as lint --fix does (it exited 3,
// "composure itself failed").
func TestRefactorWriteReadOnly(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": workersYAML})
	path := filepath.Join(dir, "compose.yaml")
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCLI(t, nil, "-C", dir, "refactor", "--write")
	if code != exitUsage || !strings.Contains(errs, "chmod u+w") || strings.Count(errs, "\n") != 1 {
		t.Errorf("exit %d, stderr %q; want 2 and one line saying what to do", code, errs)
	}
	if got, _ := os.ReadFile(path); string(got) != workersYAML {
		t.Error("the read-only file changed")
	}
}

func TestRefactorDiffWritesNothing(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": workersYAML})
	code, out, errs := runCLI(t, nil, "-C", dir, "refactor")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errs)
	}
	for _, want := range []string{"--- a/compose.yaml", "+++ b/compose.yaml", "+x-worker: &worker", "+    <<: *worker", "-    restart: on-failure:5"} {
		if !strings.Contains(out, want) {
			t.Errorf("diff lacks %q:\n%s", want, out)
		}
	}
	got, _ := os.ReadFile(filepath.Join(dir, "compose.yaml"))
	if string(got) != workersYAML {
		t.Error("refactor without --write changed the file")
	}
}

func TestRefactorCheckAndWrite(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": workersYAML})
	path := filepath.Join(dir, "compose.yaml")
	if code, out, errs := runCLI(t, nil, "refactor", "--check", path); code != exitFindings || !strings.Contains(out, "worker-email, worker-invoices share") {
		t.Fatalf("--check: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if code, _, errs := runCLI(t, nil, "refactor", "--write", path); code != exitOK || !strings.Contains(errs, "wrote compose.yaml") && !strings.Contains(errs, "wrote "+path) {
		t.Fatalf("--write: exit %d, stderr %q", code, errs)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v after --write, want 0640", st.Mode().Perm())
	}
	got, _ := os.ReadFile(path)
	if !strings.Contains(string(got), "x-worker: &worker") {
		t.Errorf("file not refactored:\n%s", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	if code, out, errs := runCLI(t, nil, "refactor", "--check", path); code != exitOK || out != "" {
		t.Errorf("--check after --write: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestRefactorJSON(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"compose.yaml": workersYAML,
		"compose.admin.yaml": `services:
  backup:
    image: shop:2.3.1
    restart: on-failure:5
    environment:
      BROKER_URL: redis://redis:6379/0
      LOG_LEVEL: info
    depends_on: [redis]
    command: backup
`,
	})
	code, out, errs := runCLI(t, nil, "-C", dir, "refactor", "--format", "json", "--name", "celery")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errs)
	}
	var doc struct {
		Files []struct {
			File   string `json:"file"`
			Groups []struct {
				Anchor     string   `json:"anchor"`
				Services   []string `json:"services"`
				Shared     []string `json:"shared"`
				LinesSaved int      `json:"lines_saved"`
			} `json:"groups"`
			LinesSaved int `json:"lines_saved"`
		} `json:"files"`
		Across []struct {
			Services   []string `json:"services"`
			Suggestion string   `json:"suggestion"`
		} `json:"across_files"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(doc.Files) != 2 || len(doc.Files[0].Groups) != 1 {
		t.Fatalf("unexpected groups:\n%s", out)
	}
	g := doc.Files[0].Groups[0]
	if g.Anchor != "celery" || strings.Join(g.Services, ",") != "worker-email,worker-invoices" ||
		strings.Join(g.Shared, ",") != "image,restart,environment,depends_on" || doc.Files[0].LinesSaved <= 0 {
		t.Errorf("group %+v, lines saved %d", g, doc.Files[0].LinesSaved)
	}
	if len(doc.Across) != 1 || !strings.Contains(doc.Across[0].Suggestion, "extends:") {
		t.Errorf("across-file duplicates: %+v", doc.Across)
	}
}

func TestRefactorUsageErrors(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": workersYAML})
	for _, args := range [][]string{
		{"-C", dir, "refactor", "--style", "inline"},
		{"-C", dir, "refactor", "--format", "sarif"},
		{"-C", dir, "refactor", "--min-shared", "0"},
		{"-C", dir, "refactor", "--name", "a.b"},
		{"-C", dir, "refactor", "--write", "--check"},
		{"refactor", filepath.Join(dir, "missing.yaml")},
		{"-C", t.TempDir(), "refactor"},
	} {
		if code, _, errs := runCLI(t, nil, args...); code != exitUsage || errs == "" {
			t.Errorf("%q: exit %d, stderr %q; want %d with a message", args, code, errs, exitUsage)
		}
	}
}

func TestRefactorCRLFStays(t *testing.T) {
	src := strings.ReplaceAll(workersYAML, "\n", "\r\n")
	dir := writeProject(t, map[string]string{"compose.yaml": src})
	if code, _, errs := runCLI(t, nil, "-C", dir, "refactor", "--write"); code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "compose.yaml"))
	if bytes.Count(got, []byte("\n")) != bytes.Count(got, []byte("\r\n")) {
		t.Errorf("line endings mixed after --write:\n%q", got)
	}
}

func TestRefactorProjectDirEitherSide(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": workersYAML})
	for _, args := range [][]string{{"-C", dir, "refactor", "--check"}, {"refactor", "-C", dir, "--check"}} {
		if code, out, errs := runCLI(t, nil, args...); code != exitFindings || out == "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
	}
}
