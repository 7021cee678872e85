package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/dockerfile"
	"github.com/composure-dev/composure/envs"
	"github.com/composure-dev/composure/internal/atomicfile"
	"github.com/composure-dev/composure/lint"
	"github.com/urfave/cli/v2"
)

// isDockerfileArg reports whether a lint argument names a Dockerfile rather
// than an environment: an existing file called Dockerfile, Containerfile,
// Dockerfile.*, *.Dockerfile or *.dockerfile.
func isDockerfileArg(arg string) bool {
	base := filepath.Base(arg)
	lower := strings.ToLower(base)
	named := lower == "dockerfile" || lower == "containerfile" || strings.HasPrefix(lower, "dockerfile.") ||
		strings.HasSuffix(lower, ".dockerfile") || strings.HasPrefix(lower, "containerfile.")
	if !named {
		return false
	}
	st, err := os.Stat(arg)
	return err == nil && !st.IsDir()
}

// splitDockerfileArgs separates the Dockerfiles named on the command line
// from the environment names.
func splitDockerfileArgs(args []string) (envs, dockerfiles []string) {
	for _, a := range args {
		if isDockerfileArg(a) {
			dockerfiles = append(dockerfiles, a)
		} else {
			envs = append(envs, a)
		}
	}
	return envs, dockerfiles
}

// loadLintTargets loads what `composure lint` checks: the compose project
// in dir with the Dockerfiles its environments build, plus the Dockerfiles
// named on the command line. With only Dockerfiles named (no environment,
// no -f), only those are linted and no compose file is needed. With rules
// (nil: only load), the file rules start as soon as the files parse, while
// the environments merge; lintProject.findings finishes the run.
func loadLintTargets(po envs.Options, envNames, dockerfiles []string, rules *lintRules) (*lintProject, error) {
	var p *lintProject
	if len(dockerfiles) > 0 && len(envNames) == 0 && len(po.Files) == 0 {
		dir := po.Dir
		if dir == "" {
			dir = "."
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, err
		}
		p = &lintProject{dir: abs, opts: po}
		if err := p.loadConfigOnly(); err != nil {
			return nil, err
		}
	} else {
		var err error
		if p, err = loadLintProject(po, envNames, rules); err != nil {
			return nil, err
		}
		found, errs := lint.DiscoverDockerfiles(p.envs)
		p.dockerfiles = append(p.dockerfiles, found...)
		p.loadErrors = append(p.loadErrors, errs...)
	}
	p.dockerfileArgs = dockerfiles
	for _, path := range dockerfiles {
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, err
		}
		if p.dockerfileAt(abs) {
			continue
		}
		name := filepath.ToSlash(filepath.Clean(path))
		if r, err := filepath.Rel(p.dir, abs); err == nil && !strings.HasPrefix(r, "..") {
			name = filepath.ToSlash(r)
		}
		df, fe, err := lint.LoadDockerfile(abs, name)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		if fe != nil {
			p.loadErrors = append(p.loadErrors, *fe)
			continue
		}
		p.dockerfiles = append(p.dockerfiles, df)
	}
	return p, nil
}

// dockerfileAt reports whether the Dockerfile at abs is already linted (a
// build uses it).
func (p *lintProject) dockerfileAt(abs string) bool {
	for _, df := range p.dockerfiles {
		if df.Path == abs {
			return true
		}
	}
	return false
}

// dockerfileNamed returns the Dockerfile findings call name (not an inline
// one: those are reported in their compose file).
func (p *lintProject) dockerfileNamed(name string) *lint.Dockerfile {
	for _, df := range p.dockerfiles {
		if !df.Inline() && df.Name == name {
			return df
		}
	}
	return nil
}

// useShellcheck gives the dockerfile-shellcheck rule the shellcheck found
// on PATH, or says once that the shell checks are skipped.
func (a *app) useShellcheck(rules []lint.Rule) {
	for _, dir := range filepath.SplitList(a.getenv("PATH")) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, "shellcheck")
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			lint.UseShellChecker(rules, dockerfile.ShellCheck{Path: p})
			return
		}
	}
	a.once("composure: shellcheck is not on PATH: the shell checks of RUN scripts were skipped (install the shellcheck package to run them)")
}

// fixDockerfile applies edits to df, shown as shown (or prints the diff);
// false when the fixes cannot be applied or the result would not parse.
func (a *app) fixDockerfile(c *cli.Context, df *lint.Dockerfile, shown string, edits []diag.TextEdit) bool {
	out, err := diag.Apply(df.Src, edits)
	if err != nil {
		fmt.Fprintf(a.stderr, "composure: %s: fixes overlap, not applied: %v\n", shown, err)
		return false
	}
	if _, err := dockerfile.Parse(df.Name, out); err != nil {
		fmt.Fprintf(a.stderr, "composure: %s: the fixed Dockerfile would not parse (%v); not written\n", shown, err)
		return false
	}
	if c.Bool("diff") {
		fmt.Fprint(a.stdout, diag.Diff(shown, df.Src, out))
		return true
	}
	// As every write of a user's file: atomically, mode and owner kept (write.go).
	if err := atomicfile.WriteFile(df.Path, out); err != nil {
		fmt.Fprintf(a.stderr, "composure: writing %s: %v\n", shown, err)
		return false
	}
	return true
}
