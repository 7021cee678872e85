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
	"github.com/composure-dev/composure/internal/termsafe"
	"github.com/composure-dev/composure/lint"
	"github.com/urfave/cli/v2"
)

func (a *app) lintCommand() *cli.Command {
	return &cli.Command{
		Name:      "lint",
		Usage:     "check compose files and every environment they make up",
		ArgsUsage: "[ENV...] [DOCKERFILE...] | DIR...",
		Description: "Lints each compose file as written and the effective config of each environment (default: all),\n" +
			"reporting where each offending value was set, and the Dockerfile of every local build. Dockerfiles named\n" +
			"as arguments are linted too (alone, with no compose file needed, when no ENV is named).\n" +
			"Given project directories instead of environments, lints them all (--jobs at once) in one report,\n" +
			"each as composure run in it would (a directory without a compose file: the project up from it).\n" +
			"composure runs no program, unless --shellcheck asks for ShellCheck on RUN scripts.\n" +
			"`composure rules` lists the rules; each is documented in " + docsURL + "docs/rules.md",
		Flags: append([]cli.Flag{
			choice(&cli.StringFlag{Name: "format", Value: "text", Usage: "output `FORMAT`"}, diag.Formats()...),
			choice(&cli.StringFlag{Name: "fail-on", Value: "error", Usage: "exit 1 when a finding has this `SEVERITY` or a higher one"}, severities...),
			&cli.StringSliceFlag{Name: "rule", Usage: "run only this rule (repeatable): `RULE` is an ID that composure rules lists"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only the findings at or above --fail-on, and nothing when there are none"},
			&cli.StringSliceFlag{Name: "enable", Usage: "turn on the optional rule `ID`, or every rule of a group: security (repeatable; over composure.yaml's rules:)"},
			&cli.StringSliceFlag{Name: "disable", Usage: "turn off the rule `ID`, or every rule of a group (repeatable; after --enable)"},
			// --strict is what lint does now: every environment is loaded as docker
			// compose loads it; the flag stays for the scripts that pass it.
			&cli.BoolFlag{Name: "strict", Hidden: true},
			&cli.BoolFlag{Name: "fix", Usage: "apply the safe fixes to the files"},
			&cli.BoolFlag{Name: "diff", Usage: "with --fix: print the changes as a unified diff, write nothing"},
			&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Usage: "with several project directories: lint at most `N` at once", DefaultText: "the number of CPUs"},
			&cli.BoolFlag{Name: "shellcheck", Usage: "run shellcheck (from PATH) on the RUN scripts of Dockerfiles"},
		}, colorFlags()...),
		Action: a.lint,
	}
}

func (a *app) lint(c *cli.Context) error {
	defer a.collectLater()()
	failOn, err := diag.ParseSeverity(c.String("fail-on"))
	if err != nil {
		return withCode(exitUsage, fmt.Errorf("--fail-on: %w", err))
	}
	format := c.String("format")
	// gitlab: the name GitLab's documentation gives the codequality report
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
	enable, disable := c.StringSlice("enable"), c.StringSlice("disable")
	if err := lint.CheckNames("--enable", enable); err != nil {
		return withCode(exitUsage, err)
	}
	if err := lint.CheckNames("--disable", disable); err != nil {
		return withCode(exitUsage, err)
	}
	dirs, err := projectDirArgs(c.Args().Slice())
	if err != nil {
		return withCode(exitUsage, err)
	}
	if dirs != nil {
		return a.lintDirs(c, dirs, &lintRules{only: only, enable: enable, disable: disable}, format, failOn)
	}
	envArgs, dfArgs := splitDockerfileArgs(c.Args().Slice())
	po := a.projectOptions(c)
	lr := a.lintRules(c, only)
	// the environments load at once: their warnings, in order of place
	release := a.holdWarnings()
	proj, err := loadLintTargets(po, envArgs, dfArgs, lr)
	release()
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
	if err := a.printFindings(c, proj, fs, format, failOn); err != nil {
		return err
	}
	if len(proj.unlisted) > 0 && !c.Bool("quiet") {
		// not linted, and nothing else would say so
		names := make([]string, len(proj.unlisted))
		for i, f := range proj.unlisted {
			names[i] = termsafe.Line(shownPath(f, pathBase("text", proj.dir)))
		}
		fmt.Fprintf(a.stderr, "composure: not linted, in no environment: %s; lint with -f FILE, or declare the environments in composure.yaml\n", strings.Join(names, ", "))
	}
	return lintExit(proj, fs, failOn)
}

// lintExit is lint's exit status: 2 when a file cannot be read or parsed,
// 1 when a finding reaches failOn (an environment docker compose refuses
// is a load-error error finding).
func lintExit(proj *lintProject, fs []diag.Finding, failOn diag.Severity) error {
	switch {
	case proj.unreadable():
		return silentExit(exitUsage)
	case slices.ContainsFunc(fs, func(f diag.Finding) bool { return f.Severity >= failOn }):
		return silentExit(exitFindings)
	}
	return nil
}

// unreadable reports whether a file of the project cannot be read or
// parsed: a load error about a file, not about an environment.
func (p *lintProject) unreadable() bool {
	return slices.ContainsFunc(p.loadErrors, func(f diag.Finding) bool { return len(f.Envs) == 0 })
}

// printFindings prints fs in format (with --quiet, only those at or above
// failOn), each file named as format wants it (see lint_paths.go), with the
// source lines of the project's files.
func (a *app) printFindings(c *cli.Context, proj *lintProject, fs []diag.Finding, format string, failOn diag.Severity) error {
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
	color, err := a.useColor(c)
	if err != nil {
		return err
	}
	opts := diag.PrintOptions{
		Color: color,
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
	if err := diag.Print(a.stdout, format, shownFindings(c, shown, failOn), opts); err != nil {
		return withCode(exitFailure, err)
	}
	return nil
}

// severities are the values of --fail-on, highest first.
var severities = []string{"error", "warning", "info"}

// shownFindings are the findings lint prints: all, or with --quiet those
// at or above failOn, the ones that decide the exit status.
func shownFindings(c *cli.Context, fs []diag.Finding, failOn diag.Severity) []diag.Finding {
	if !c.Bool("quiet") {
		return fs
	}
	return slices.DeleteFunc(slices.Clone(fs), func(f diag.Finding) bool { return f.Severity < failOn })
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
	unfixed := map[string]bool{} // files whose fixes were not applied
	for _, name := range names {
		path := proj.path(name)
		shown := shownPath(path, base)
		if !within(path, proj.dir) {
			fmt.Fprintf(a.stderr, "composure: %s: not fixed: it is outside the project directory %s\n", shown, shownPath(proj.dir, base))
			continue
		}
		if df := proj.dockerfileNamed(name); df != nil {
			if !a.fixDockerfile(c, df, shown, byFile[name]) {
				failed, unfixed[name] = true, true
			} else {
				written++
			}
			continue
		}
		d := docs[name]
		if d == nil || d.Path == "" {
			unfixed[name] = true
			continue
		}
		out, err := diag.Apply(d.Src, byFile[name])
		if err != nil {
			fmt.Fprintf(a.stderr, "composure: %s: fixes overlap, not applied: %v\n", shown, err)
			failed, unfixed[name] = true, true
			continue
		}
		if _, err := compose.Parse(name, out); err != nil {
			fmt.Fprintf(a.stderr, "composure: %s: the fixed file would not load (%v); not written\n", shown, err)
			failed, unfixed[name] = true, true
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
	loadFailed := proj.unreadable()
	if c.Bool("diff") {
		if failed {
			return silentExit(exitFailure)
		}
		// what would remain: the findings no applied fix resolves
		var remain []diag.Finding
		for _, f := range fs {
			if f.Fix == nil || f.Fix.Manual || len(f.Fix.Edits) == 0 || !within(proj.path(f.Fix.Edits[0].File), proj.dir) ||
				slices.ContainsFunc(f.Fix.Edits, func(e diag.TextEdit) bool { return unfixed[e.File] }) {
				remain = append(remain, f)
			}
		}
		return lintExit(proj, remain, failOn)
	}
	fmt.Fprintf(a.stderr, "composure: applied %d %s to %d %s\n", n, plural(n, "fix", "fixes"), written, plural(written, "file", "files"))
	if written == 0 {
		// nothing changed: nothing to lint again
		if err := a.printFindings(c, proj, fs, format, failOn); err != nil {
			return err
		}
		return lintExit(proj, fs, failOn)
	}
	// Lint the fixed project again, with new rules (a rule keeps state for
	// one run): it must still load, and what remains is printed and
	// decides the exit status.
	lr = a.lintRules(c, lr.only)
	p2, err := loadLintTargets(proj.opts, proj.envNames, proj.dockerfileArgs, lr)
	switch {
	case err != nil && loadFailed:
		return withCode(exitUsage, err)
	case err != nil:
		fmt.Fprintf(a.stderr, "composure: the project no longer loads after fixing: %v\n", err)
		return silentExit(exitFailure)
	case !loadFailed && len(p2.loadErrors) > len(proj.loadErrors):
		// It loaded before: the fixes broke it, composure's own failure.
		fmt.Fprintf(a.stderr, "composure: the project no longer loads after fixing: %v\n", p2.loadErrors[0])
		return silentExit(exitFailure)
	}
	if failed {
		return silentExit(exitFailure)
	}
	remain := append(p2.findings(lr), p2.loadErrors...)
	diag.Sort(remain)
	if len(remain) > 0 {
		if err := a.printFindings(c, p2, remain, format, failOn); err != nil {
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
	dir  string
	opts envs.Options
	// unlisted are compose files discovery finds in no environment
	// (envs.Project.Unlisted), when every environment is linted.
	unlisted   []string
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
	p.config = rules.configure(p.config)
	return lint.Run(lint.Input{Files: p.files, Envs: p.envs, Dockerfiles: p.dockerfiles, Rules: rules.rules, Config: p.config, Only: rules.only})
}

// lintRules are the rules a lint run uses: rules (nil: lint.Rules()),
// restricted to the IDs in only when it is not empty, with the rules and
// groups of --enable turned on and those of --disable off.
type lintRules struct {
	rules           []lint.Rule
	only            []string
	enable, disable []string
}

// configure applies --enable and --disable to the configuration of
// composure.yaml (nil without one).
func (r *lintRules) configure(c *lint.Config) *lint.Config {
	if r == nil {
		return c
	}
	rules := r.rules
	if rules == nil {
		rules = lint.Rules()
	}
	return c.Switch(r.enable, r.disable, rules)
}

// lintRules returns fresh rules for one run, restricted to only, with
// ShellCheck when --shellcheck asks for it.
func (a *app) lintRules(c *cli.Context, only []string) *lintRules {
	lr := &lintRules{rules: lint.Rules(), only: only, enable: c.StringSlice("enable"), disable: c.StringSlice("disable")}
	if c.Bool("shellcheck") {
		a.useShellcheck(lr.rules)
	}
	return lr
}

// loadLintProject loads the project and the environments named in
// envNames (all when empty); see lint.LoadProject. With rules, the file
// rules start once the files parse (lint.Start).
func loadLintProject(po envs.Options, envNames []string, rules *lintRules) (*lintProject, error) {
	lo := lint.LoadOptions{}
	var running *lint.Running
	if rules != nil {
		lo.Parsed = func(lp *lint.Project) {
			withRedact(lp)
			lp.Config = rules.configure(lp.Config)
			running = lint.Start(lint.Input{Files: lp.Files, Config: lp.Config, Rules: rules.rules, Only: rules.only})
		}
	}
	lp, err := lint.LoadProject(context.Background(), po, envNames, lo)
	if err != nil {
		return nil, err
	}
	withRedact(lp)
	if running == nil {
		lp.Config = rules.configure(lp.Config)
	}
	p := &lintProject{dir: lp.Dir, opts: po, explicit: po.Files, envNames: envNames,
		files: lp.Files, envs: lp.Envs, loadErrors: lp.LoadErrors, config: lp.Config, running: running}
	if len(envNames) == 0 {
		p.unlisted = lp.Unlisted
	}
	if lp.Project.Config != nil {
		p.configName = lp.Project.Config.Doc.Name
	}
	return p, nil
}

// withRedact gives the lint configuration composure.yaml's `redact:` names,
// which hardcoded-secret treats as secret as --redact does.
func withRedact(lp *lint.Project) {
	if lp.Config != nil && lp.Project != nil && lp.Project.Config != nil {
		lp.Config.Redact = lp.Project.Config.Redact
	}
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
