package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitRepo makes a repository in a temporary directory with one commit per
// element of commits (file name -> content; "" deletes the file) and
// returns its directory.
func gitRepo(t *testing.T, commits ...map[string]string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null",
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	run("init", "-q", "-b", "main")
	for i, files := range commits {
		for name, src := range files {
			p := filepath.Join(dir, name)
			if src == "" {
				if err := os.Remove(p); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		run("add", "-A")
		run("commit", "-q", "-m", "commit "+string(rune('1'+i)))
	}
	return dir
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
	if _, err := os.Stat(filepath.Join(tr.dir, "..", "README")); !os.IsNotExist(err) {
		t.Errorf("files outside the project directory were extracted: %v", err)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tr.root); !os.IsNotExist(err) {
		t.Errorf("temporary tree %s left behind", tr.root)
	}
	// The working tree is untouched: still at the last commit, clean.
	if st, err := git(ctx, repo, "status", "--porcelain"); err != nil || st != "" {
		t.Errorf("git status after openRev: %q, %v", st, err)
	}
	if b, _ := os.ReadFile(filepath.Join(project, "compose.yaml")); !strings.Contains(string(b), "image: b") {
		t.Errorf("working tree changed: %q", b)
	}

	for _, tc := range []struct{ dir, rev, want string }{
		{project, "nope", `unknown revision "nope"`},
		{project, "--output=x", "cannot start with '-'"},
		{t.TempDir(), "HEAD", "needs a git repository"},
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
