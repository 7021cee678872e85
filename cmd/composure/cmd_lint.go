package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/envs"
	"github.com/composure-dev/composure/lint"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

func (a *app) lintCommand() *cli.Command {
	return &cli.Command{
		Name:      "lint",
		Usage:     "check compose files and every environment they make up",
		ArgsUsage: "[ENV...] [path/to/Dockerfile...] | DIR...",
		Description: "Lints each compose file as written and the effective config of each environment (default: all),\n" +
			"reporting where each offending value was set, and the Dockerfile of every local build. Dockerfiles named\n" +
			"as arguments are linted too (alone, with no compose file needed, when no ENV is named).\n" +
			"Given project directories instead of environments, lints them all (--jobs at once) in one report.\n" +
			"composure executes nothing, unless --shellcheck asks for ShellCheck on RUN scripts. See `composure rules` for the rules.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "text", Usage: "output `FORMAT`: " + strings.Join(diag.Formats(), ", ")},
			&cli.StringFlag{Name: "fail-on", Value: "error", Usage: "exit 1 when a finding has this `SEVERITY` or higher: error, warning, info"},
			&cli.StringSliceFlag{Name: "rule", Usage: "run only this rule `ID` (repeatable)"},
			&cli.BoolFlag{Name: "strict", Usage: "also load every environment through compose-go as docker compose config does, and report what it rejects (slower)"},
			&cli.BoolFlag{Name: "fix", Usage: "apply the safe fixes to the files"},
			&cli.BoolFlag{Name: "diff", Usage: "with --fix: print the changes as a unified diff, write nothing"},
			&cli.BoolFlag{Name: "no-color", Usage: "no colours in text output (NO_COLOR also works)"},
			&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Usage: "with several project DIRs: lint at most `N` at once (default: the number of CPUs)"},
			&cli.BoolFlag{Name: "shellcheck", Usage: "run shellcheck (from PATH) on the RUN scripts of Dockerfiles; by default composure executes nothing"},
		},
		Action: a.lint,
	}
}

func (a *app) lint(c *cli.Context) error {
	failOn, err := diag.ParseSeverity(c.String("fail-on"))
	if err != nil {
		return withCode(exitUsage, fmt.Errorf("--fail-on: %w", err))
	}
	format := c.String("format")
	if !slices.Contains(diag.Formats(), format) && format != "gitlab" {
		return withCode(exitUsage, fmt.Errorf("--format: unknown format %q: use one of %s", format, strings.Join(diag.Formats(), ", ")))
	}
	if c.Bool("diff") && !c.Bool("fix") {
		return withCode(exitUsage, errors.New("--diff needs --fix: run `composure lint --fix --diff`"))
	}
	only := c.StringSlice("rule")
	for _, id := range only {
		if _, ok := lint.Lookup(id); !ok {
			return withCode(exitUsage, fmt.Errorf("--rule: unknown rule %q: `composure rules` lists them", id))
		}
	}
	dirs, err := projectDirArgs(c.Args().Slice())
	if err != nil {
		return withCode(exitUsage, err)
	}
	if dirs != nil {
		return a.lintDirs(c, dirs, only, format, failOn)
	}
	envArgs, dfArgs := splitDockerfileArgs(c.Args().Slice())
	po := a.projectOptions(c)
	lr := a.lintRules(c, only)
	proj, err := loadLintTargets(po, envArgs, dfArgs, c.Bool("strict"), lr)
	if err != nil {
		return withCode(exitUsage, err)
	}
	if err := proj.config.Validate(lint.Rules()); err != nil {
		return withCode(exitUsage, fmt.Errorf("%s: %w", proj.configName, err))
	}
	fs := proj.findings(lr)
	fs = append(fs, proj.loadErrors...)
	diag.Sort(fs)

	if c.Bool("fix") {
		return a.fix(c, proj, fs, lr, format, failOn)
	}
	if err := a.printFindings(c, proj, fs, format); err != nil {
		return err
	}
	return lintExit(proj, fs, failOn)
}

// lintExit is lint's exit status: 2 when a file or environment does not
// load, 1 when a finding reaches failOn.
func lintExit(proj *lintProject, fs []diag.Finding, failOn diag.Severity) error {
	switch {
	case len(proj.loadErrors) > 0:
		return silentExit(exitUsage)
	case slices.ContainsFunc(fs, func(f diag.Finding) bool { return f.Severity >= failOn }):
		return silentExit(exitFindings)
	}
	return nil
}

// printFindings prints fs in format, each file named as format wants it
// (see lint_paths.go), with the source lines of the project's files.
func (a *app) printFindings(c *cli.Context, proj *lintProject, fs []diag.Finding, format string) error {
	base := pathBase(format, proj.dir)
	original := map[string]string{} // printed name -> the finding's name
	shown := renamed(fs, func(name string) string {
		if name == "" {
			return name
		}
		s := shownPath(proj.path(name), base)
		original[s] = name
		return s
	})
	docs := proj.docsByName()
	opts := diag.PrintOptions{
		Color: a.color(c),
		Sources: func(name string) []byte {
			if n, ok := original[name]; ok {
				name = n
			}
			if df := proj.dockerfileNamed(name); df != nil {
				return df.Src
			}
			return sourceOf(docs, proj.dir, name)
		},
		Rules: ruleInfos(format),
		Tool:  "composure", Version: version(), ToolURL: "https://github.com/composure-dev/composure",
	}
	if err := diag.Print(a.stdout, format, shown, opts); err != nil {
		return withCode(exitFailure, err)
	}
	return nil
}

// color decides on ANSI colours: only on a terminal, never with NO_COLOR set
// (https://no-color.org) or --no-color.
func (a *app) color(c *cli.Context) bool {
	if c.Bool("no-color") || a.getenv("NO_COLOR") != "" || a.getenv("TERM") == "dumb" {
		return false
	}
	f, ok := a.stdout.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func sourceOf(docs map[string]*compose.Document, dir, name string) []byte {
	if d, ok := docs[name]; ok {
		return d.Src
	}
	b, err := compose.ReadBounded(filepath.Join(dir, name))
	if err != nil {
		return nil
	}
	return b
}

// ruleInfos describes every rule for the output formats that list them
// (SARIF); nil for the others, which would only pay for reading the docs.
func ruleInfos(format string) []diag.RuleInfo {
	if format != "sarif" {
		return nil
	}
	var out []diag.RuleInfo
	for _, r := range lint.Rules() {
		m := r.Meta()
		doc, _ := lint.Doc(m.ID)
		out = append(out, diag.RuleInfo{ID: m.ID, Title: lint.Title(m.ID), Summary: m.Summary, Help: doc, URL: m.URL(), Severity: m.Severity})
	}
	return out
}

// fix applies the safe fixes of fs to the files (or prints them as a diff),
// one fix per finding; a file whose result would not parse is left alone,
// and so is every file outside the project directory (a Dockerfile built
// from ../other is not the project's to change). Then it lints again and
// prints what remains: the exit status is lint's, so a pre-commit hook
// running --fix fails while a finding at --fail-on stays.
func (a *app) fix(c *cli.Context, proj *lintProject, fs []diag.Finding, lr *lintRules, format string, failOn diag.Severity) error {
	byFile := map[string][]diag.TextEdit{}
	var names []string
	n := 0
	for _, f := range fs {
		if f.Fix == nil || f.Fix.Manual {
			continue // a manual fix changes how the project runs: shown, not applied
		}
		n++
		for _, e := range f.Fix.Edits {
			if _, ok := byFile[e.File]; !ok {
				names = append(names, e.File)
			}
			byFile[e.File] = append(byFile[e.File], e)
		}
	}
	slices.Sort(names)
	docs := proj.docsByName()
	base := pathBase("text", proj.dir)
	failed := false
	written := 0
	for _, name := range names {
		path := proj.path(name)
		shown := shownPath(path, base)
		if !within(path, proj.dir) {
			fmt.Fprintf(a.stderr, "composure: %s: not fixed: it is outside the project directory %s\n", shown, shownPath(proj.dir, base))
			continue
		}
		if df := proj.dockerfileNamed(name); df != nil {
			if !a.fixDockerfile(c, df, shown, byFile[name]) {
				failed = true
			} else {
				written++
			}
			continue
		}
		d := docs[name]
		if d == nil || d.Path == "" {
			continue
		}
		out, err := diag.Apply(d.Src, byFile[name])
		if err != nil {
			fmt.Fprintf(a.stderr, "composure: %s: fixes overlap, not applied: %v\n", shown, err)
			failed = true
			continue
		}
		if _, err := compose.Parse(name, out); err != nil {
			fmt.Fprintf(a.stderr, "composure: %s: the fixed file would not load (%v); not written\n", shown, err)
			failed = true
			continue
		}
		if c.Bool("diff") {
			fmt.Fprint(a.stdout, diag.Diff(shown, d.Src, out))
			written++
			continue
		}
		if err := writeAtomic(d.Path, out); err != nil {
			return err
		}
		written++
	}
	if c.Bool("diff") {
		if failed {
			return silentExit(exitFailure)
		}
		// what would remain: the findings no applied fix resolves
		var remain []diag.Finding
		for _, f := range fs {
			if f.Fix == nil || f.Fix.Manual || len(f.Fix.Edits) == 0 || !within(proj.path(f.Fix.Edits[0].File), proj.dir) {
				remain = append(remain, f)
			}
		}
		return lintExit(proj, remain, failOn)
	}
	fmt.Fprintf(a.stderr, "composure: applied %d %s to %d %s\n", n, plural(n, "fix", "fixes"), written, plural(written, "file", "files"))
	// Lint the fixed project again, with new rules (a rule keeps state for
	// one run): it must still load, and what remains is printed and
	// decides the exit status.
	lr = a.lintRules(c, lr.only)
	p2, err := loadLintTargets(proj.opts, proj.envNames, proj.dockerfileArgs, proj.strict, lr)
	if err != nil {
		fmt.Fprintf(a.stderr, "composure: the project no longer loads after fixing: %v\n", err)
		return silentExit(exitFailure)
	}
	if len(proj.loadErrors) == 0 && len(p2.loadErrors) > 0 {
		fmt.Fprintf(a.stderr, "composure: the project no longer loads after fixing: %v\n", p2.loadErrors[0])
		return silentExit(exitFailure)
	}
	if failed {
		return silentExit(exitFailure)
	}
	remain := append(p2.findings(lr), p2.loadErrors...)
	diag.Sort(remain)
	if len(remain) > 0 {
		if err := a.printFindings(c, p2, remain, format); err != nil {
			return err
		}
	}
	return lintExit(p2, remain, failOn)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// docsByName maps every name a finding gives a compose file of p to it.
func (p *lintProject) docsByName() map[string]*compose.Document {
	if p.named == nil {
		p.named = lint.DocsByName(p.files, p.envs)
	}
	return p.named
}

// path returns the absolute path of the file findings call name.
func (p *lintProject) path(name string) string {
	if filepath.IsAbs(name) {
		return filepath.Clean(name)
	}
	if df := p.dockerfileNamed(name); df != nil && df.Path != "" {
		return df.Path
	}
	if d := p.docsByName()[name]; d != nil && d.Path != "" {
		return d.Path
	}
	return filepath.Join(p.dir, filepath.FromSlash(name))
}

// lintProject is what lint runs on.
type lintProject struct {
	dir        string
	opts       envs.Options
	strict     bool
	explicit   []string
	envNames   []string
	files      []*compose.Document
	envs       []*lint.Env
	loadErrors []diag.Finding
	config     *lint.Config
	configName string
	// dockerfiles are the Dockerfiles of the local builds and those named
	// on the command line (dockerfileArgs).
	dockerfiles    []*lint.Dockerfile
	dockerfileArgs []string
	// running is the run the file rules started while the project loaded
	// (nil: none started).
	running *lint.Running
	// named is docsByName, built on first use.
	named map[string]*compose.Document
}

// findings runs rules on p, finishing the run started while it loaded if
// there is one, and returns the findings.
func (p *lintProject) findings(rules *lintRules) []diag.Finding {
	if p.running != nil {
		return p.running.Finish(p.envs, p.dockerfiles)
	}
	return lint.Run(lint.Input{Files: p.files, Envs: p.envs, Dockerfiles: p.dockerfiles, Rules: rules.rules, Config: p.config, Only: rules.only})
}

// lintRules are the rules a lint run uses: rules (nil: lint.Rules()),
// restricted to the IDs in only when it is not empty.
type lintRules struct {
	rules []lint.Rule
	only  []string
}

// lintRules returns fresh rules for one run, restricted to only, with
// ShellCheck when --shellcheck asks for it.
func (a *app) lintRules(c *cli.Context, only []string) *lintRules {
	lr := &lintRules{rules: lint.Rules(), only: only}
	if c.Bool("shellcheck") {
		a.useShellcheck(lr.rules)
	}
	return lr
}

// loadLintProject loads the project and the environments named in
// envNames (all when empty); see lint.LoadProject. With rules, the file
// rules start once the files parse (lint.Start).
func loadLintProject(po envs.Options, envNames []string, strict bool, rules *lintRules) (*lintProject, error) {
	lo := lint.LoadOptions{Strict: strict}
	var running *lint.Running
	if rules != nil {
		lo.Parsed = func(lp *lint.Project) {
			running = lint.Start(lint.Input{Files: lp.Files, Config: lp.Config, Rules: rules.rules, Only: rules.only})
		}
	}
	lp, err := lint.LoadProject(context.Background(), po, envNames, lo)
	if err != nil {
		return nil, err
	}
	p := &lintProject{dir: lp.Dir, opts: po, strict: strict, explicit: po.Files, envNames: envNames,
		files: lp.Files, envs: lp.Envs, loadErrors: lp.LoadErrors, config: lp.Config, running: running}
	if lp.Project.Config != nil {
		p.configName = lp.Project.Config.Doc.Name
	}
	return p, nil
}

// loadConfigOnly reads composure.yaml in dir, when only Dockerfiles are
// linted and no compose project is needed.
func (p *lintProject) loadConfigOnly() error {
	for _, n := range envs.ConfigFileNames {
		path := filepath.Join(p.dir, n)
		if st, err := os.Stat(path); err != nil || st.IsDir() {
			continue
		}
		c, err := envs.ReadConfig(path, n)
		if err != nil {
			return err
		}
		p.configName = n
		p.config, err = lint.ConfigFromSettings(c.Rules, c.Doc, lint.Rules())
		return err
	}
	return nil
}

// composeNames are the files docker compose reads by default, in its order.
var composeNames = []string{"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"}
