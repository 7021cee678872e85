package main

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composure-dev/composure/compose"
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

// TestOpenRev: the revision stands in place of the working tree, at the
// working tree's paths: files under the repository's top read as
// committed, everything else (and the files kept local) from the disk;
// errors name the path asked for, in the disk's words.
func TestOpenRev(t *testing.T) {
	repo := gitRepo(t,
		map[string]string{"app/compose.yaml": "services: {web: {image: a}}\n", "app/.env": "A=1\n", "README": "x\n"},
		map[string]string{"app/compose.yaml": "services: {web: {image: b}}\n", "app/compose.prod.yaml": "services: {web: {restart: always}}\n", "app/.env": ""},
	)
	project := filepath.Join(repo, "app")
	outside := filepath.Join(t.TempDir(), "outside.env")
	for name, src := range map[string]string{outside: "O=1\n", filepath.Join(project, ".env"): "A=local\n", filepath.Join(project, "local.env"): "L=1\n"} {
		if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ctx := context.Background()
	read := func(r *revFS, name string) string {
		t.Helper()
		b, err := compose.ReadBoundedFS(r, name)
		if err != nil {
			return "error: " + err.Error()
		}
		return string(b)
	}
	for _, tc := range []struct {
		rev, name string
		local     bool // in revFS.local
		fallback  bool // in revFS.fallback
		want      string
	}{
		{rev: "HEAD~1", name: "app/compose.yaml", want: "services: {web: {image: a}}\n"},
		{rev: "HEAD", name: "app/compose.yaml", want: "services: {web: {image: b}}\n"},
		{rev: "HEAD~1", name: "app/compose.prod.yaml", want: "error: stat " + filepath.Join(project, "compose.prod.yaml") + ": no such file or directory"},
		{rev: "HEAD~1", name: "README", want: "x\n"},
		{rev: "HEAD~1", name: outside, want: "O=1\n"},
		{rev: "HEAD~1", name: "app/.env", want: "A=1\n"},
		{rev: "HEAD~1", name: "app/.env", fallback: true, want: "A=1\n"},
		{rev: "HEAD", name: "app/.env", fallback: true, want: "A=local\n"},
		{rev: "HEAD", name: "app/.env", want: "error: stat " + filepath.Join(project, ".env") + ": no such file or directory"},
		{rev: "HEAD~1", name: "app/local.env", local: true, want: "L=1\n"},
		{rev: "HEAD~1", name: "app/local.env", want: "error: stat " + filepath.Join(project, "local.env") + ": no such file or directory"},
		{rev: "HEAD~1", name: "app", want: "error: " + project + ": not a regular file"},
	} {
		r, err := openRev(ctx, project, tc.rev)
		if err != nil {
			t.Fatal(err)
		}
		name := tc.name
		if !filepath.IsAbs(name) {
			name = filepath.Join(repo, name)
		}
		r.local[name], r.fallback[name] = tc.local, tc.fallback
		if got := read(r, name); got != tc.want {
			t.Errorf("%s at %s (local %v, fallback %v): %q, want %q", tc.name, tc.rev, tc.local, tc.fallback, got, tc.want)
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// Nothing written: no temporary file, the working tree as it was.
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files: %v", left)
	}
	if st := gitStatus(t, repo); st != "?? app/.env\n?? app/local.env" {
		t.Errorf("git status after openRev: %q", st)
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

// TestOpenRevSymlinks: links are followed as committed, and resolve to
// the working tree's paths.
func TestOpenRevSymlinks(t *testing.T) {
	repo := gitRepo(t, map[string]string{"common/web.env": "A=1\n", "app/compose.yaml": "services: {}\n"})
	if err := os.Symlink("../common", filepath.Join(repo, "app", "shared")); err != nil {
		t.Fatal(err)
	}
	testenv.Git(t, repo, "add", "-A")
	testenv.Git(t, repo, "commit", "-q", "-m", "link")
	// The working tree's link goes elsewhere now: the revision's counts.
	if err := os.Remove(filepath.Join(repo, "app", "shared")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(".", filepath.Join(repo, "app", "shared")); err != nil {
		t.Fatal(err)
	}
	r, err := openRev(context.Background(), filepath.Join(repo, "app"), "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := r.EvalSymlinks(filepath.Join(repo, "app", "shared", "web.env"))
	if want := filepath.Join(repo, "common", "web.env"); err != nil || got != want {
		t.Errorf("EvalSymlinks: %q, %v; want %q", got, err, want)
	}
	st, err := r.Lstat(filepath.Join(repo, "app", "shared"))
	if err != nil || st.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("Lstat: %v, %v", st, err)
	}
	if b, err := compose.ReadBoundedFS(r, filepath.Join(repo, "app", "shared", "web.env")); err != nil || string(b) != "A=1\n" {
		t.Errorf("read through the link: %q, %v", b, err)
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

// TestOpenRevTooLarge: a file larger than composure reads is refused at a
// revision with the error the disk gives, from the size git lists.
func TestOpenRevTooLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("commits a 32 MiB file")
	}
	big := "x: " + strings.Repeat("a", compose.MaxFileSize) + "\n"
	repo := gitRepo(t, map[string]string{"compose.yaml": "services: {}\n", "big.yaml": big})
	r, err := openRev(context.Background(), repo, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	name := filepath.Join(repo, "big.yaml")
	_, disk := compose.ReadFile(name, "big.yaml")
	_, rev := compose.ReadFileFS(r, name, "big.yaml")
	if disk == nil || rev == nil || rev.Error() != disk.Error() {
		t.Errorf("at the revision: %v\non disk: %v", rev, disk)
	}
	_, disk = compose.ReadBounded(name)
	_, rev = compose.ReadBoundedFS(r, name)
	if disk == nil || rev == nil || rev.Error() != disk.Error() {
		t.Errorf("ReadBounded at the revision: %v\non disk: %v", rev, disk)
	}
}
