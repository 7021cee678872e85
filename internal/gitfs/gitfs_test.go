package gitfs

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/composure-dev/composure/internal/testenv"
)

// project is a compose project in deploy/ that reaches outside it, with
// attributes `git archive` would apply.
var project = map[string]string{
	".gitattributes":            "deploy/compose.prod.yaml export-ignore\ndeploy/.env export-subst\n",
	"deploy/compose.yaml":       "include:\n  - ../common/db.yaml\nservices:\n  web:\n    extends: {file: ../common/base.yaml, service: base}\n    env_file: ../common/web.env\n",
	"deploy/compose.prod.yaml":  "services:\n  web:\n    restart: always\n",
	"deploy/.env":               "REVISION=$Format:%H$\n",
	"common/db.yaml":            "services:\n  db:\n    image: postgres:16.4\n",
	"common/base.yaml":          "services:\n  base:\n    image: shop:1.0\n",
	"common/web.env":            "LOG_LEVEL=info\n",
	"common/scripts/migrate.sh": "#!/bin/sh\nexit 0\n",
	"README.md":                 "# shop\n",
}

func openAt(t *testing.T, dir, rev string) *FS {
	t.Helper()
	f, err := Open(context.Background(), dir, rev)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := f.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return f
}

// TestReadsAsCommitted: every file reads as committed, whatever
// .gitattributes says (export-ignore hid compose.prod.yaml from `git
// archive`, export-subst rewrote .env), and paths above the project
// directory resolve within the repository.
func TestReadsAsCommitted(t *testing.T) {
	next := map[string]string{"deploy/compose.prod.yaml": "services:\n  web:\n    restart: unless-stopped\n", "common/web.env": ""}
	repo := testenv.GitRepo(t, project, next)
	f := openAt(t, filepath.Join(repo, "deploy"), "HEAD~1")
	if f.Dir() != "deploy" || f.Top() == "" {
		t.Errorf("Dir %q, Top %q", f.Dir(), f.Top())
	}
	for name, want := range project {
		got, err := f.ReadFile(name)
		if err != nil || string(got) != want {
			t.Errorf("%s: %q, %v; want %q", name, got, err, want)
		}
	}
	for _, rel := range []string{"../common/db.yaml", "../common/base.yaml", "../common/web.env"} {
		name := path.Join(f.Dir(), rel)
		if _, err := f.ReadFile(name); err != nil {
			t.Errorf("%s from the project directory (%s): %v", rel, name, err)
		}
	}
	if p, ok := f.Rel(filepath.Join(repo, "common", "web.env")); !ok || p != "common/web.env" {
		t.Errorf("Rel: %q, %v", p, ok)
	}
	if _, ok := f.Rel(filepath.Dir(repo)); ok {
		t.Error("Rel accepted a path outside the repository")
	}
	head := openAt(t, repo, "HEAD")
	if b, _ := head.ReadFile("deploy/compose.prod.yaml"); !strings.Contains(string(b), "unless-stopped") {
		t.Errorf("HEAD: %q", b)
	}
	if _, err := head.ReadFile("common/web.env"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a file deleted at HEAD: %v", err)
	}
	if head.Dir() != "." {
		t.Errorf("Dir at the top: %q", head.Dir())
	}
	var files []string
	for name := range project {
		files = append(files, name)
	}
	if err := fstest.TestFS(f, files...); err != nil {
		t.Error(err)
	}
}

// TestNothingWritten: reading a revision leaves the working tree, the
// index and the temporary directory as they were.
func TestNothingWritten(t *testing.T) {
	repo := testenv.GitRepo(t, project, map[string]string{"README.md": "# shop, v2\n"})
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	if err := os.WriteFile(filepath.Join(repo, "deploy", "compose.yaml"), []byte("services: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := openAt(t, repo, "HEAD~1")
	if err := fs.WalkDir(f, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			_, err = f.ReadFile(p)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("git", "-C", repo, "status", "--porcelain").Output()
	if err != nil || string(out) != " M deploy/compose.yaml\n" {
		t.Errorf("git status: %q, %v", out, err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("files written to TMPDIR: %v", left)
	}
}

// TestSymlinks: links are followed within the repository; a link out of
// it, or a loop, is an error, not a read of the host's files.
func TestSymlinks(t *testing.T) {
	repo := testenv.GitRepo(t, project)
	for _, l := range []struct{ target, name string }{
		{"../common/web.env", "deploy/web.env"},
		{"common", "shared"},
		{"/etc/passwd", "deploy/passwd"},
		{"../../outside", "deploy/out"},
		{"loop-b", "loop-a"},
		{"loop-a", "loop-b"},
	} {
		if err := os.Symlink(l.target, filepath.Join(repo, l.name)); err != nil {
			t.Fatal(err)
		}
	}
	testenv.Git(t, repo, "add", "-A")
	testenv.Git(t, repo, "commit", "-q", "-m", "links")
	f := openAt(t, repo, "HEAD")
	if b, err := f.ReadFile("deploy/web.env"); err != nil || string(b) != project["common/web.env"] {
		t.Errorf("link to a file: %q, %v", b, err)
	}
	if b, err := f.ReadFile("shared/db.yaml"); err != nil || string(b) != project["common/db.yaml"] {
		t.Errorf("through a link to a directory: %q, %v", b, err)
	}
	if st, err := f.Stat("shared"); err != nil || !st.IsDir() {
		t.Errorf("Stat follows links: %v, %v", st, err)
	}
	for _, tc := range []struct{ name, want string }{
		{"deploy/web.env", "common/web.env"},
		{"shared/db.yaml", "common/db.yaml"},
		{"shared", "common"},
		{"deploy/compose.yaml", "deploy/compose.yaml"},
		{".", "."},
	} {
		if got, err := f.EvalSymlinks(tc.name); err != nil || got != tc.want {
			t.Errorf("EvalSymlinks(%s) = %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	for _, name := range []string{"loop-a", "deploy/out", "shared/nope"} {
		if got, err := f.EvalSymlinks(name); err == nil {
			t.Errorf("EvalSymlinks(%s) = %q, want an error", name, got)
		}
	}
	entries, err := f.ReadDir("deploy")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == "web.env" && e.Type() != fs.ModeSymlink {
			t.Errorf("ReadDir lists a link as %v", e.Type())
		}
	}
	for _, name := range []string{"deploy/passwd", "deploy/out", "loop-a"} {
		if b, err := f.ReadFile(name); err == nil {
			t.Errorf("%s read %q", name, b)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	repo := testenv.GitRepo(t, project)
	ctx := context.Background()
	for _, tc := range []struct{ dir, rev, want string }{
		{repo, "nope", `unknown revision "nope"`},
		{repo, "--output=x", "cannot start with '-'"},
		{t.TempDir(), "HEAD", "is not in a git repository"},
	} {
		if _, err := Open(ctx, tc.dir, tc.rev); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%s) error %v, want %q", tc.rev, err, tc.want)
		}
	}
	f := openAt(t, repo, "HEAD")
	for _, name := range []string{"/etc/passwd", "../x", "deploy/", "nope", "README.md/x"} {
		if _, err := f.ReadFile(name); err == nil {
			t.Errorf("ReadFile(%q) succeeded", name)
		}
	}
	if _, err := f.ReadFile("deploy"); err == nil {
		t.Error("ReadFile of a directory succeeded")
	}
}

// TestConcurrentReads: one cat-file process serves readers in parallel.
func TestConcurrentReads(t *testing.T) {
	repo := testenv.GitRepo(t, project)
	f := openAt(t, repo, "HEAD")
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name, want := range project {
				if b, err := f.ReadFile(name); err != nil || string(b) != want {
					t.Errorf("%s: %q, %v", name, b, err)
				}
			}
		}()
	}
	wg.Wait()
}
