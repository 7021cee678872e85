package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/internal/gitfs"
)

// revTree is a repository as of a git revision, written into a temporary
// directory from a gitfs.FS (git ls-tree and cat-file: nothing is checked
// out, the index and the working tree are not touched, .gitattributes do
// not apply), so that the loader, which reads the disk, can load it. The
// whole repository is written, so that include, extends and env_file
// reach above the project directory as they do in the working tree. Close
// removes every file.
//
// This goes once the loader reads through an fs.FS: gitfs.FS is that file
// system, and nothing needs writing then.
type revTree struct {
	rev  string // as the user wrote it
	dir  string // the project directory inside the written tree
	root string // the temporary directory to remove
}

// openRev writes the repository holding projectDir as of rev. The tree is
// named after the repository, so that a project named after its directory
// keeps its name.
func openRev(ctx context.Context, projectDir, rev string) (*revTree, error) {
	f, err := gitfs.Open(ctx, projectDir, rev)
	if err != nil {
		return nil, fmt.Errorf("--rev: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(f.Dir()); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("the project directory %q does not exist at revision %q", f.Dir(), rev)
	}
	parent, err := os.MkdirTemp("", "composure-rev-")
	if err != nil {
		return nil, err
	}
	top := filepath.Join(parent, filepath.Base(f.Top()))
	t := &revTree{rev: rev, root: parent, dir: filepath.Join(top, filepath.FromSlash(f.Dir()))}
	if err := writeTree(f, top); err != nil {
		t.Close()
		return nil, fmt.Errorf("reading revision %q: %w", rev, err)
	}
	return t, nil
}

// writeTree writes the files, directories and symbolic links of f under
// dir. Files larger than composure reads are left out: loading one is
// refused anyway.
func writeTree(f *gitfs.FS, dir string) error {
	return fs.WalkDir(f, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		switch {
		case d.IsDir():
			return os.MkdirAll(p, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			target, err := f.ReadLink(name)
			if err != nil {
				return err
			}
			return os.Symlink(target, p)
		}
		info, err := d.Info()
		if err != nil || info.Size() > compose.MaxFileSize {
			return err
		}
		b, err := f.ReadFile(name)
		if err != nil {
			return err
		}
		return os.WriteFile(p, b, info.Mode().Perm())
	})
}

// Close removes the written files.
func (t *revTree) Close() error { return os.RemoveAll(t.root) }
