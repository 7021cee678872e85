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
	lr := &lintRules{rules: lint.Rules(), only: only}
	if c.Bool("shellcheck") {
		a.useShellcheck(lr.rules)
	}
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
		return a.fix(c, proj, fs)
	}
	docs := map[string]*compose.Document{}
	for _, d := range proj.files {
		docs[d.Name] = d
	}
	opts := diag.PrintOptions{
		Color: a.color(c),
		Sources: func(name string) []byte {
			if df := proj.dockerfileNamed(name); df != nil {
				return df.Src
			}
			return sourceOf(docs, proj.dir, name)
		},
		Rules: ruleInfos(format),
		Tool:  "composure", Version: version(), ToolURL: "https://github.com/composure-dev/composure",
	}
	if err := diag.Print(a.stdout, format, fs, opts); err != nil {
		return withCode(exitFailure, err)
	}
	switch {
	case len(proj.loadErrors) > 0:
		return silentExit(exitUsage)
	case slices.ContainsFunc(fs, func(f diag.Finding) bool { return f.Severity >= failOn }):
		return silentExit(exitFindings)
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

// fix applies the fixes of fs to the files (or prints them as a diff), one
// fix per finding; a file whose result would not parse is left alone.
func (a *app) fix(c *cli.Context, proj *lintProject, fs []diag.Finding) error {
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
	docs := map[string]*compose.Document{}
	for _, d := range proj.files {
		docs[d.Name] = d
	}
	failed := false
	for _, name := range names {
		if df := proj.dockerfileNamed(name); df != nil {
			if !a.fixDockerfile(c, df, byFile[name]) {
				failed = true
			}
			continue
		}
		d := docs[name]
		if d == nil || d.Path == "" {
			continue
		}
		out, err := diag.Apply(d.Src, byFile[name])
		if err != nil {
			fmt.Fprintf(a.stderr, "composure: %s: fixes overlap, not applied: %v\n", name, err)
			failed = true
			continue
		}
		if _, err := compose.Parse(name, out); err != nil {
			fmt.Fprintf(a.stderr, "composure: %s: the fixed file would not load (%v); not written\n", name, err)
			failed = true
			continue
		}
		if c.Bool("diff") {
			fmt.Fprint(a.stdout, diag.Diff(name, d.Src, out))
			continue
		}
		if err := writeAtomic(d.Path, out); err != nil {
			return err
		}
	}
	if !c.Bool("diff") {
		fmt.Fprintf(a.stderr, "composure: applied %d %s to %d %s\n", n, plural(n, "fix", "fixes"), len(names), plural(len(names), "file", "files"))
		// Reload every environment: the fixed project must still load.
		if len(names) > 0 {
			p2, err := loadLintTargets(proj.opts, proj.envNames, proj.dockerfileArgs, proj.strict, nil)
			if err != nil || len(p2.loadErrors) > 0 {
				fmt.Fprintf(a.stderr, "composure: the project no longer loads after fixing: %v\n", errOr(err, p2))
				return silentExit(exitFailure)
			}
		}
	}
	if failed {
		return silentExit(exitFailure)
	}
	return nil
}

func errOr(err error, p *lintProject) any {
	if err != nil {
		return err
	}
	return p.loadErrors[0]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
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
