package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/composure-dev/composure/diag"
)

// How lint names files. Findings name a file as the project calls it
// (relative to the project directory, or absolute outside it); lint prints
// it as linters print paths (hadolint, eslint, actionlint): relative to the
// current directory, so `composure -C sub lint` prints sub/compose.yaml
// and an editor or a terminal opens it from there. The formats GitHub and
// GitLab read (sarif, github, codequality) are resolved from the root of
// the repository, whatever directory CI runs composure in: their paths
// are relative to the repository holding the project (the current
// directory when there is none).

// forgeFormats are the output formats whose paths a forge resolves from
// the repository root.
var forgeFormats = []string{"sarif", "github", "codequality", "gitlab"}

// pathBase returns the directory printed paths are relative to, for
// format, linting the project in projectDir.
func pathBase(format, projectDir string) string {
	if slices.Contains(forgeFormats, format) {
		if root := repositoryRoot(projectDir); root != "" {
			return root
		}
	}
	cwd, err := os.Getwd()
	if err != nil {
		return ""
	}
	return cwd
}

// repositoryRoot returns the nearest directory up from dir holding .git
// (a directory, or the file a worktree or submodule has), "" for none.
func repositoryRoot(dir string) string {
	for d := dir; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// shownPath prints the file at abs relative to base when it is inside base,
// else absolute (a path with ../ leads a reader nowhere they can follow
// from the tree, and an annotation nowhere at all).
func shownPath(abs, base string) string {
	if base == "" {
		return filepath.ToSlash(abs)
	}
	r, err := filepath.Rel(base, abs)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(r)
}

// renamed returns fs with every file name (finding, related locations,
// fix edits) replaced by name(file), sorted again: the findings are
// shared with the caller, so each one changed is copied.
func renamed(fs []diag.Finding, name func(string) string) []diag.Finding {
	out := make([]diag.Finding, len(fs))
	for i, f := range fs {
		f.Span.File = name(f.Span.File)
		if len(f.Related) > 0 {
			rel := slices.Clone(f.Related)
			for j := range rel {
				rel[j].Span.File = name(rel[j].Span.File)
			}
			f.Related = rel
		}
		if f.Fix != nil {
			fix := *f.Fix
			fix.Edits = slices.Clone(fix.Edits)
			for j := range fix.Edits {
				fix.Edits[j].File = name(fix.Edits[j].File)
			}
			f.Fix = &fix
		}
		out[i] = f
	}
	diag.Sort(out)
	return out
}

// within reports whether path is dir or inside it.
func within(path, dir string) bool {
	r, err := filepath.Rel(dir, path)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator))
}
