package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"

	"github.com/urfave/cli/v2"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/envs"
	"github.com/composure-dev/composure/internal/parallel"
	"github.com/composure-dev/composure/internal/termsafe"
	"github.com/composure-dev/composure/lint"
)

// projectDirArgs returns the arguments when they all name directories
// (`composure lint DIR...`), nil when none does (environment names), and an
// error for a mix.
func projectDirArgs(args []string) ([]string, error) {
	var dirs, names []string
	for _, a := range args {
		if st, err := os.Stat(a); err == nil && st.IsDir() {
			dirs = append(dirs, a)
		} else {
			names = append(names, a)
		}
	}
	switch {
	case len(dirs) == 0:
		return nil, nil
	case len(names) > 0:
		return nil, fmt.Errorf("%q are directories but %q are not: give project directories or environment names, not both", dirs, names)
	}
	return dirs, nil
}

// lintedDir is one project's outcome in `composure lint DIR...`.
type lintedDir struct {
	proj     *lintProject
	findings []diag.Finding
	err      error // the project could not be linted at all
	panicked any   // a panic, carried to the main goroutine
}

// lintDirs lints several projects, at most --jobs at once, and prints one
// report: findings name their files as a single project's do (relative to
// the current directory, DIR/FILE for a DIR given from it) and are sorted,
// so the output does not depend on which project finished first.
func (a *app) lintDirs(c *cli.Context, dirs []string, lr *lintRules, format string, failOn diag.Severity) error {
	if c.Bool("fix") || len(c.StringSlice("file")) > 0 || c.IsSet("project-directory") {
		return withCode(exitUsage, errors.New("with several project directories, --fix, -f and -C do not apply: run them per project"))
	}
	jobs := c.Int("jobs")
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	results := make([]lintedDir, len(dirs))
	tasks := make([]func(), len(dirs))
	for i, dir := range dirs {
		tasks[i] = func() {
			// The last-resort recover in run sees only its own goroutine.
			defer func() {
				if r := recover(); r != nil {
					results[i].panicked = r
				}
			}()
			results[i] = a.lintOneDir(dir, lr)
		}
	}
	parallel.Run(jobs, tasks)

	var all []diag.Finding
	docs := map[string]*compose.Document{} // by absolute path
	failed := false
	for i, r := range results {
		if r.panicked != nil {
			panic(r.panicked)
		}
		if r.err != nil {
			fmt.Fprintf(a.stderr, "composure: %s: %s\n", termsafe.Line(dirs[i]), termsafe.Text(r.err.Error()))
			failed = true
			continue
		}
		if r.proj.unreadable() {
			failed = true
		}
		for _, d := range r.proj.docsByName() {
			if d.Path != "" {
				docs[d.Path] = d
			}
		}
		all = append(all, r.findings...)
	}
	cwd, _ := os.Getwd()
	base := pathBase(format, cwd)
	original := map[string]string{} // printed name -> absolute path
	all = renamed(all, func(abs string) string {
		if abs == "" {
			return abs
		}
		s := shownPath(abs, base)
		original[s] = abs
		return s
	})
	color, err := a.useColor(c)
	if err != nil {
		return err
	}
	opts := diag.PrintOptions{
		Color:   color,
		Sources: func(name string) []byte { return sourceOf(docs, "", original[name]) },
		Rules:   ruleInfos(format),
		Tool:    "composure", Version: version(), ToolURL: "https://github.com/composure-dev/composure",
	}
	var out bytes.Buffer
	if err := diag.Print(&out, format, shownFindings(c, all, failOn), opts); err != nil {
		return withCode(exitFailure, err)
	}
	if _, err := a.stdout.Write(out.Bytes()); err != nil {
		return withCode(exitFailure, err)
	}
	switch {
	case failed:
		return silentExit(exitUsage)
	case slices.ContainsFunc(all, func(f diag.Finding) bool { return f.Severity >= failOn }):
		return silentExit(exitFindings)
	}
	return nil
}

// lintOneDir lints the project in dir, naming its files by absolute path.
func (a *app) lintOneDir(dir string, shared *lintRules) lintedDir {
	// DIR is linted as `cd DIR && composure lint` would lint it: from the
	// nearest directory up with a compose file, whose directory is then
	// the base of relative paths (as -C DIR would not make it)
	root := envs.ProjectRoot(dir)
	if abs, err := filepath.Abs(dir); err == nil && abs != root {
		a.warn(fmt.Sprintf("%s: no compose file here: linting the project in %s", dir, shownPath(root, pathBase("text", root))))
	}
	po := envs.Options{Dir: root, Getenv: a.getenv, Warn: func(m string) { a.warn(dir + ": " + m) }}
	if a.environ != nil {
		po.Environ = a.environ()
	}
	lr := &lintRules{only: shared.only, enable: shared.enable, disable: shared.disable}
	proj, err := loadLintTargets(po, nil, nil, lr)
	if err != nil {
		return lintedDir{err: err}
	}
	if err := proj.config.Validate(lint.Rules()); err != nil {
		return lintedDir{err: fmt.Errorf("%s: %w", proj.configName, err)}
	}
	fs := proj.findings(lr)
	fs = append(fs, proj.loadErrors...)
	fs = renamed(fs, func(name string) string {
		if name == "" {
			return name
		}
		return proj.path(name)
	})
	for i := range fs {
		fs[i].Fix = nil // not applied with several projects
	}
	return lintedDir{proj: proj, findings: fs}
}
