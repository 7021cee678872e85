package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composure-dev/composure/internal/testenv"
)

// gitStatus is `git status --porcelain` in repo, trimmed.
func gitStatus(t *testing.T, repo string) string {
	t.Helper()
	out, err := exec.Command("git", "-C", repo, "status", "--porcelain").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// gitRepo is testenv.GitRepo.
func gitRepo(t *testing.T, commits ...map[string]string) string {
	t.Helper()
	return testenv.GitRepo(t, commits...)
}

func TestOpenRev(t *testing.T) {
	repo := gitRepo(t,
		map[string]string{"app/compose.yaml": "services: {web: {image: a}}\n", "README": "x\n"},
		map[string]string{"app/compose.yaml": "services: {web: {image: b}}\n", "app/compose.prod.yaml": "services: {web: {restart: always}}\n"},
	)
	project := filepath.Join(repo, "app")
	ctx := context.Background()
	tr, err := openRev(ctx, project, "HEAD~1")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(tr.dir) != "app" || filepath.Base(filepath.Dir(tr.dir)) != filepath.Base(repo) {
		t.Errorf("extracted project dir %s is not named after the repository and project", tr.dir)
	}
	b, err := os.ReadFile(filepath.Join(tr.dir, "compose.yaml"))
	if err != nil || !strings.Contains(string(b), "image: a") {
		t.Errorf("compose.yaml at HEAD~1 = %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(tr.dir, "compose.prod.yaml")); !os.IsNotExist(err) {
		t.Errorf("compose.prod.yaml exists at HEAD~1: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(tr.dir, "..", "README")); err != nil || string(b) != "x\n" {
		t.Errorf("files above the project directory, which include and extends may name: %q, %v", b, err)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tr.root); !os.IsNotExist(err) {
		t.Errorf("temporary tree %s left behind", tr.root)
	}
	// The working tree is untouched: still at the last commit, clean.
	if st := gitStatus(t, repo); st != "" {
		t.Errorf("git status after openRev: %q", st)
	}
	if b, _ := os.ReadFile(filepath.Join(project, "compose.yaml")); !strings.Contains(string(b), "image: b") {
		t.Errorf("working tree changed: %q", b)
	}

	for _, tc := range []struct{ dir, rev, want string }{
		{project, "nope", `unknown revision "nope"`},
		{project, "--output=x", "cannot start with '-'"},
		{t.TempDir(), "HEAD", "is not in a git repository"},
	} {
		if _, err := openRev(ctx, tc.dir, tc.rev); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("openRev(%s) error %v, want %q", tc.rev, err, tc.want)
		}
	}
}

func TestOpenRevProjectMissing(t *testing.T) {
	repo := gitRepo(t,
		map[string]string{"README": "x\n"},
		map[string]string{"app/compose.yaml": "services: {web: {image: a}}\n"},
	)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	_, err := openRev(context.Background(), filepath.Join(repo, "app"), "HEAD~1")
	if err == nil || !strings.Contains(err.Error(), `the project directory "app" does not exist at revision "HEAD~1"`) {
		t.Errorf("error %v", err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}
