package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"syscall"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/internal/gitfs"
)

// revFS is a git revision of the repository in place of its working tree,
// as the engine reads files (compose.FS): a path under the repository's
// top reads the revision through gitfs (git ls-tree and cat-file: nothing
// is checked out or written, the index and the working tree are not
// touched, .gitattributes do not apply); any other path reads the disk, as
// it would with the revision checked out. Paths are those of the working
// tree, so that the project keeps its directory and its name, and origins,
// errors and the paths of the config read as in the working tree.
type revFS struct {
	git  *gitfs.FS
	root string // the repository's top, as the project's paths spell it
	// local are files read from the working tree whatever the revision
	// holds (--env-file); fallback are files read from the working tree
	// when the revision does not have them (an untracked .env).
	local, fallback map[string]bool
}

var _ compose.FS = (*revFS)(nil)

// openRev opens the repository holding projectDir (absolute) as of rev.
// Close stops the git process it reads files with.
func openRev(ctx context.Context, projectDir, rev string) (*revFS, error) {
	f, err := gitfs.Open(ctx, projectDir, rev)
	if err != nil {
		return nil, fmt.Errorf("--rev: %w", err)
	}
	if st, err := f.Stat(f.Dir()); err != nil || !st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("the project directory %q does not exist at revision %q", f.Dir(), rev)
	}
	// The top as reached from the project directory (git names it with
	// the links resolved, the project maybe not).
	root := projectDir
	for d := f.Dir(); d != "."; d = path.Dir(d) {
		root = filepath.Dir(root)
	}
	return &revFS{git: f, root: root, local: map[string]bool{}, fallback: map[string]bool{}}, nil
}

// Close stops the git process reading files.
func (r *revFS) Close() error { return r.git.Close() }

// inRev returns the path of the revision name (absolute) stands for, or
// false when name is read from the disk.
func (r *revFS) inRev(name string) (string, bool) {
	if r.local[name] {
		return "", false
	}
	rel, err := filepath.Rel(r.root, name)
	if err != nil || !filepath.IsLocal(rel) {
		return "", false
	}
	rel = filepath.ToSlash(rel)
	if r.fallback[name] {
		if _, err := r.git.Lstat(rel); errors.Is(err, fs.ErrNotExist) {
			return "", false
		}
	}
	return rel, true
}

// pathError puts name back into an error of gitfs, which names the path of
// the revision, and says "no such file or directory" as the disk does.
func pathError(name string, err error) error {
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		return err
	}
	e := pe.Err
	if errors.Is(e, fs.ErrNotExist) {
		e = syscall.ENOENT
	}
	return &fs.PathError{Op: pe.Op, Path: name, Err: e}
}

// at reads name from the revision with rev, or from the disk with disk.
func at[T any](r *revFS, name string, disk, rev func(string) (T, error)) (T, error) {
	rel, ok := r.inRev(name)
	if !ok {
		return disk(name)
	}
	v, err := rev(rel)
	return v, pathError(name, err)
}

func (r *revFS) Open(name string) (fs.File, error) {
	return at(r, name, compose.OS{}.Open, r.git.Open)
}
func (r *revFS) Stat(name string) (fs.FileInfo, error) {
	return at(r, name, compose.OS{}.Stat, r.git.Stat)
}
func (r *revFS) Lstat(name string) (fs.FileInfo, error) {
	return at(r, name, compose.OS{}.Lstat, r.git.Lstat)
}
func (r *revFS) ReadDir(name string) ([]fs.DirEntry, error) {
	return at(r, name, compose.OS{}.ReadDir, r.git.ReadDir)
}

// EvalSymlinks follows the links of the revision as committed, and names
// what they lead to with the working tree's path.
func (r *revFS) EvalSymlinks(name string) (string, error) {
	return at(r, name, compose.OS{}.EvalSymlinks, func(rel string) (string, error) {
		res, err := r.git.EvalSymlinks(rel)
		if err != nil {
			return "", err
		}
		return filepath.Join(r.root, filepath.FromSlash(res)), nil
	})
}
