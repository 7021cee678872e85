// Package testenv finds what composure's tests read beside the repository:
// ../shared, with the corpus of real compose projects and the oracle of
// real `docker compose config` outputs.
package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// SharedDir returns ../shared beside the repository root (the directory
// holding go.mod, found from the test's working directory), or
// $COMPOSURE_SHARED when set. The test is skipped when it does not exist:
// CI always has it, a bare clone may not.
func SharedDir(t testing.TB) string {
	t.Helper()
	d, err := shared()
	if err != nil {
		t.Skip(err)
	}
	return d
}

// Shared returns the shared folder as SharedDir finds it, and whether it
// exists, for tests that do a part of their work without it.
func Shared() (string, bool) {
	d, err := shared()
	return d, err == nil
}

// shared returns the shared folder with symbolic links resolved: docker
// compose prints develop.watch paths resolved, so tests comparing with the
// oracle must name the folder as it really is.
func shared() (string, error) {
	d, err := sharedPath()
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(d); err == nil {
		d = real
	}
	return d, nil
}

func sharedPath() (string, error) {
	if d := os.Getenv("COMPOSURE_SHARED"); d != "" {
		if _, err := os.Stat(d); err != nil {
			return "", fmt.Errorf("COMPOSURE_SHARED=%s not found", d)
		}
		return d, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	d := filepath.Join(root, "..", "shared")
	if _, err := os.Stat(d); err != nil {
		return "", fmt.Errorf("shared folder %s not found", d)
	}
	return d, nil
}

// RepoRoot returns the directory holding go.mod, looking up from the
// working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
