package main

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// revTree is a project directory as of a git revision, extracted with `git
// archive` into a temporary directory: nothing is checked out, the working
// tree and the index are not touched, and Close removes every file.
type revTree struct {
	rev  string // as the user wrote it
	dir  string // the project directory inside the extracted tree
	root string // the temporary directory to remove
}

// openRev extracts the files under projectDir as of rev. The temporary tree
// is named after the repository, so that a project named after its
// directory keeps its name.
func openRev(ctx context.Context, projectDir, rev string) (*revTree, error) {
	if strings.HasPrefix(rev, "-") {
		return nil, fmt.Errorf("revision %q: a revision cannot start with '-'", rev)
	}
	top, err := git(ctx, projectDir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("--rev needs a git repository: %s is not in one (%v)", projectDir, err)
	}
	prefix, err := git(ctx, projectDir, "rev-parse", "--show-prefix")
	if err != nil {
		return nil, err
	}
	commit, err := git(ctx, top, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil || commit == "" {
		return nil, fmt.Errorf("unknown revision %q: name a commit, branch or tag of %s", rev, top)
	}
	parent, err := os.MkdirTemp("", "composure-rev-")
	if err != nil {
		return nil, err
	}
	t := &revTree{rev: rev, root: parent, dir: filepath.Join(parent, filepath.Base(top), filepath.FromSlash(prefix))}
	args := []string{"archive", "--format=tar", commit}
	if prefix != "" {
		args = append(args, "--", prefix)
	}
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = top
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		t.Close()
		return nil, fmt.Errorf("running git archive: %w", err)
	}
	xerr := extractTar(out, filepath.Join(parent, filepath.Base(top)))
	if xerr != nil {
		// Let git finish writing before waiting on it.
		_, _ = io.Copy(io.Discard, out)
	}
	werr := cmd.Wait()
	if werr != nil {
		t.Close()
		msg := strings.TrimSpace(stderr.String())
		if strings.Contains(msg, "did not match") {
			return nil, fmt.Errorf("the project directory %q does not exist at revision %q", strings.TrimSuffix(prefix, "/"), rev)
		}
		return nil, fmt.Errorf("git archive %s: %v: %s", rev, werr, msg)
	}
	if xerr != nil {
		t.Close()
		return nil, xerr
	}
	if err := os.MkdirAll(t.dir, 0o755); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// Close removes the extracted files.
func (t *revTree) Close() error { return os.RemoveAll(t.root) }

// git runs a git command in dir and returns its output, trimmed.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", errors.New(msg)
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// extractTar writes the regular files, directories and symbolic links of a
// tar stream under dir, refusing names that would land outside it.
func extractTar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading git archive: %w", err)
		}
		name := filepath.FromSlash(h.Name)
		if !filepath.IsLocal(name) {
			if h.Typeflag == tar.TypeXGlobalHeader {
				continue
			}
			return fmt.Errorf("git archive holds a path outside the project: %q", h.Name)
		}
		p := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o644)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		case tar.TypeSymlink:
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.Symlink(h.Linkname, p); err != nil {
				return err
			}
		}
	}
}
