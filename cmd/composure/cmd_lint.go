package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/lint"
	"github.com/google/renameio/v2"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
	"gopkg.in/yaml.v3"
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
	proj, err := loadLintTargets(po.Dir, po.Files, envArgs, dfArgs, a.getenv)
	if err != nil {
		return withCode(exitUsage, err)
	}
	if err := proj.config.Validate(lint.Rules()); err != nil {
		return withCode(exitUsage, fmt.Errorf("%s: %w", proj.configName, err))
	}
	rules := lint.Rules()
	if c.Bool("shellcheck") {
		a.useShellcheck(rules)
	}
	fs := lint.Run(lint.Input{Files: proj.files, Envs: proj.envs, Dockerfiles: proj.dockerfiles, Rules: rules, Config: proj.config, Only: only})
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
		Rules: ruleInfos(),
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

func ruleInfos() []diag.RuleInfo {
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
		if f.Fix == nil {
			continue
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
		mode := os.FileMode(0o644)
		if st, err := os.Stat(d.Path); err == nil {
			mode = st.Mode().Perm()
		}
		if err := renameio.WriteFile(d.Path, out, mode); err != nil {
			return withCode(exitFailure, fmt.Errorf("writing %s: %w", name, err))
		}
	}
	if !c.Bool("diff") {
		fmt.Fprintf(a.stderr, "composure: applied %d %s to %d %s\n", n, plural(n, "fix", "fixes"), len(names), plural(len(names), "file", "files"))
		// Reload every environment: the fixed project must still load.
		if len(names) > 0 {
			p2, err := loadLintTargets(proj.dir, proj.explicit, proj.envNames, proj.dockerfileArgs, a.getenv)
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
}

// composeNames are the files docker compose reads by default, in its order.
var composeNames = []string{"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"}

// loadLintProject finds the files and environments of the project in dir.
//
// Until envs.Discover/Load are wired in, environments are built here: the
// default environment is the base file linted on its own, every other
// compose file is linted as a file.
func loadLintProject(dir string, files, envNames []string, getenv func(string) string) (*lintProject, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	p := &lintProject{dir: abs, explicit: files, envNames: envNames}
	if err := p.loadConfig(); err != nil {
		return nil, err
	}
	if len(files) == 0 {
		for _, n := range composeNames {
			if _, err := os.Stat(filepath.Join(abs, n)); err == nil {
				files = append(files, n)
				break
			}
		}
		if len(files) == 0 {
			if err := brokenLink(abs, composeNames); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("%s: no compose file found (looked for %s): run in the project directory, or pass -f FILE", dir, strings.Join(composeNames, ", "))
		}
		stem := strings.TrimSuffix(files[0], filepath.Ext(files[0]))
		ext := filepath.Ext(files[0])
		more, _ := filepath.Glob(filepath.Join(abs, stem+".*"+ext))
		slices.Sort(more)
		for _, m := range more {
			files = append(files, filepath.Base(m))
		}
	}
	cache := compose.NewCache()
	vars := dotenv(filepath.Join(abs, ".env"))
	lookup := func(k string) (string, bool) {
		if v, ok := vars[k]; ok {
			return v, true
		}
		if v := getenv(k); v != "" {
			return v, true
		}
		return "", false
	}
	for i, f := range files {
		path := f
		if !filepath.IsAbs(path) {
			path = filepath.Join(abs, f)
		}
		name := f
		if r, err := filepath.Rel(abs, path); err == nil && !strings.HasPrefix(r, "..") {
			name = r
		}
		d, err := cache.Load(path, name)
		if err != nil {
			var ce *compose.Error
			if errors.As(err, &ce) && errors.Is(err, compose.ErrNotFound) && i > 0 {
				return nil, err
			}
			if !errors.As(err, &ce) {
				return nil, err
			}
			p.loadErrors = append(p.loadErrors, lint.ErrorFinding(err, name))
			continue
		}
		// FileEnv drops a decode error: an alias bomb would lint clean.
		if err := decodeAll(d); err != nil {
			p.loadErrors = append(p.loadErrors, lint.ErrorFinding(err, name))
			continue
		}
		p.files = append(p.files, d)
		if i == 0 {
			p.envs = append(p.envs, lint.FileEnv("default", abs, d, lookup))
		}
	}
	return p, nil
}

// dotenv reads KEY=VALUE lines of a .env file (quotes stripped); enough to
// resolve variables until the envs package's loader is wired in.
func dotenv(path string) map[string]string {
	out := map[string]string{}
	b, err := compose.ReadBounded(path)
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "export "))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			v = v[1 : len(v)-1]
		}
		out[strings.TrimSpace(k)] = v
	}
	return out
}

// loadConfig reads the `lint:` section of composure.yaml:
//
//	lint:
//	  rules: {image-tag: off, restart-policy: warning}
//	  options: {duplicate-service: {min-shared: 3}}
func (p *lintProject) loadConfig() error {
	for _, n := range []string{"composure.yaml", ".composure.yaml"} {
		b, err := compose.ReadBounded(filepath.Join(p.dir, n))
		if err != nil {
			continue
		}
		p.configName = n
		var raw struct {
			Lint struct {
				Rules   map[string]string         `yaml:"rules"`
				Options map[string]map[string]any `yaml:"options"`
			} `yaml:"lint"`
		}
		if err := yaml.Unmarshal(b, &raw); err != nil {
			return fmt.Errorf("%s: %v", n, err)
		}
		p.config = &lint.Config{Severity: raw.Lint.Rules, Options: raw.Lint.Options}
		return nil
	}
	return nil
}
