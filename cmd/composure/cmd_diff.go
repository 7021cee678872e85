package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/envdiff"
	"github.com/composure-dev/composure/envs"
	"github.com/composure-dev/composure/internal/parallel"
	"github.com/composure-dev/composure/redact"
)

// diffOptions are the flags of `composure diff`.
type diffOptions struct {
	format   string // text, json, markdown or github
	redact   bool
	exitCode bool
	rev      string
	all      bool
	color    bool
}

var diffFormats = []string{"text", "json", "markdown", "github"}

func (a *app) diffCommand() *cli.Command {
	return &cli.Command{
		Name:      "diff",
		Usage:     "show what differs between two environments, or one environment at two git revisions",
		ArgsUsage: "[ENV [ENV]]",
		Description: "composure diff A B               environment A against B (e.g. default prod)\n" +
			"composure diff ENV               default against ENV\n" +
			"composure diff ENV --rev REV     ENV as of git revision REV against the working tree\n" +
			"composure diff ENV --rev R1..R2  ENV at revision R1 against revision R2\n" +
			"composure diff [--all]           each environment against default\n\n" +
			"Paths name list items by identity, not position:\n" +
			"services.web.ports[127.0.0.1:8080:80/tcp] (" + docsURL + "docs/diff.md).",
		Flags: diffFlags(),
		Action: func(c *cli.Context) error {
			defer a.collectSooner()()
			args := c.Args().Slice()
			o := diffOptions{
				format:   c.String("format"),
				redact:   c.Bool("redact"),
				exitCode: c.Bool("exit-code"),
				rev:      c.String("rev"),
				all:      c.Bool("all"),
			}
			var err error
			if o.color, err = a.useColor(c); err != nil {
				return err
			}
			if !slicesContains(diffFormats, o.format) {
				return withCode(exitUsage, fmt.Errorf("unknown format %q: use %s", o.format, orList(diffFormats)))
			}
			if len(args) == 0 && o.rev == "" {
				// Plain `composure diff`: every environment against default.
				o.all = true
			}
			switch {
			case o.all && (o.rev != "" || len(args) > 0):
				return withCode(exitUsage, errors.New("--all compares every environment with default: give no environment names and no --rev"))
			case o.rev != "" && len(args) > 1:
				return withCode(exitUsage, fmt.Errorf("--rev compares one environment at two revisions: give one environment name, got %d", len(args)))
			case len(args) > 2:
				return withCode(exitUsage, fmt.Errorf("diff compares two environments (e.g. `composure diff default prod`), one with default or with itself at --rev, or each with default; got %d names", len(args)))
			case !o.all && o.rev == "" && len(args) == 1:
				// `composure diff prod`: what prod changes from default.
				args = []string{envs.DefaultEnv, args[0]}
			}
			// the sides load at once: their warnings, in order of place
			release := a.holdWarnings()
			defer release()
			// discovery parses into the cache the loads read, and starts
			// on the base file while it reads the overlays
			opts := a.projectOptions(c)
			cache := compose.NewCache()
			opts.Cache = cache
			p, err := envs.Discover(opts)
			if err != nil {
				return err
			}
			var reports []envdiff.Report
			switch {
			case o.all:
				reports, err = a.diffAll(c.Context, p, cache, o.redact)
			case o.rev != "":
				name := envs.DefaultEnv
				if len(args) == 1 {
					name = args[0]
				}
				var r envdiff.Report
				r, err = a.diffRev(c, p, cache, name, o.rev)
				reports = []envdiff.Report{r}
			default:
				var r envdiff.Report
				r, err = a.diffEnvs(c.Context, p, cache, args[0], args[1], o.redact)
				reports = []envdiff.Report{r}
			}
			release()
			if err != nil {
				return err
			}
			if o.redact {
				pol := projectPolicy(p)
				for i := range reports {
					reports[i] = reports[i].Redact(pol)
				}
			}
			if err := a.writeDiff(reports, o); err != nil {
				return withCode(exitFailure, err)
			}
			if o.exitCode {
				for _, r := range reports {
					if !r.Empty() {
						return silentExit(exitFindings)
					}
				}
			}
			return nil
		},
	}
}

// diffFlags are the flags of diff; withProjectFlags adds the project flags.
func diffFlags() []cli.Flag {
	return append([]cli.Flag{
		choice(&cli.StringFlag{Name: "format", Value: "text", Usage: "output `FORMAT` (markdown for a pull-request comment, github for a job summary)"}, diffFormats...),
		&cli.BoolFlag{Name: "redact", Usage: "print values of secret-looking variables, args, labels and secrets, and passwords in URLs, as ***"},
		&cli.BoolFlag{Name: "exit-code", Usage: "exit with status 1 when there are differences"},
		&cli.StringFlag{Name: "rev", Usage: "compare ENV as of git revision `REV` (or REV1..REV2) instead of two environments; runs git"},
		&cli.BoolFlag{Name: "all", Usage: "compare each environment with default"},
	}, colorFlags()...)
}

// writeDiff renders the reports in the chosen format.
func (a *app) writeDiff(reports []envdiff.Report, o diffOptions) error {
	var w envdiff.ReportWriter
	switch o.format {
	case "json":
		w = envdiff.JSONReport{Reports: reports, List: o.all}
	case "markdown":
		w = envdiff.MarkdownReport{Reports: reports}
	case "github":
		w = envdiff.GitHubReport{Reports: reports}
	default:
		w = envdiff.TextReport{Reports: reports, Color: o.color}
	}
	return w.WriteReport(a.stdout)
}

// diffEnvs compares two environments of the working tree.
func (a *app) diffEnvs(ctx context.Context, p *envs.Project, cache *compose.Cache, from, to string, sources bool) (envdiff.Report, error) {
	fromEnv, err := p.Env(from)
	if err != nil {
		return envdiff.Report{}, withCode(exitUsage, err)
	}
	toEnv, err := p.Env(to)
	if err != nil {
		return envdiff.Report{}, withCode(exitUsage, err)
	}
	sides, err := loadSides(ctx, p, []*envs.Environment{fromEnv, toEnv}, cache, sources)
	if err != nil {
		return envdiff.Report{}, err
	}
	sides[0].Name, sides[1].Name = from, to
	return envdiff.Compare(sides[0], sides[1]), nil
}

// diffAll compares every environment with default, in the project's order.
func (a *app) diffAll(ctx context.Context, p *envs.Project, cache *compose.Cache, sources bool) ([]envdiff.Report, error) {
	def, err := p.Env(envs.DefaultEnv)
	if err != nil {
		return nil, withCode(exitUsage, err)
	}
	list := []*envs.Environment{def}
	for _, e := range p.Envs {
		if e.Name != def.Name {
			list = append(list, e)
		}
	}
	sides, err := loadSides(ctx, p, list, cache, sources)
	if err != nil {
		return nil, err
	}
	var reports []envdiff.Report
	for _, s := range sides[1:] {
		reports = append(reports, envdiff.Compare(sides[0], s))
	}
	if len(reports) == 0 {
		// Not an error: `composure diff --all --exit-code` in CI must not
		// fail a project that has one environment.
		fmt.Fprintln(a.stderr, "composure: the project has only the default environment: nothing to compare it with (run `composure envs`)")
	}
	return reports, nil
}

// diffRev compares environment name at a revision with the working tree,
// or at two revisions (REV1..REV2).
func (a *app) diffRev(c *cli.Context, p *envs.Project, cache *compose.Cache, name, rev string) (envdiff.Report, error) {
	ctx := c.Context
	from, to, two := strings.Cut(rev, "..")
	if from == "" || (two && to == "") {
		return envdiff.Report{}, withCode(exitUsage, fmt.Errorf("--rev %q: give a revision, or two as REV1..REV2", rev))
	}
	fromSide, closeFrom, err := a.revSide(c, p, name, from)
	if err != nil {
		return envdiff.Report{}, err
	}
	defer closeFrom()
	if !two {
		env, err := p.Env(name)
		if err != nil {
			return envdiff.Report{}, withCode(exitUsage, err)
		}
		toSide, err := loadSide(ctx, p, env, cache, name, "", c.Bool("redact"))
		if err != nil {
			return envdiff.Report{}, err
		}
		return envdiff.Compare(fromSide, toSide), nil
	}
	toSide, closeTo, err := a.revSide(c, p, name, to)
	if err != nil {
		return envdiff.Report{}, err
	}
	defer closeTo()
	return envdiff.Compare(fromSide, toSide), nil
}

// revSide loads environment name as of rev, read through git (revFS):
// the working tree's paths, the revision's files. Its origins name files
// as REV:file, so that each side says where it comes from. The --env-file
// files, and a .env the revision does not have (an untracked .env), are
// read from the working tree: they hold local settings, not the change
// under review.
func (a *app) revSide(c *cli.Context, p *envs.Project, name, rev string) (envdiff.Side, func(), error) {
	r, err := openRev(c.Context, p.Dir, rev)
	if err != nil {
		return envdiff.Side{}, nil, withCode(exitUsage, err)
	}
	done := func() { _ = r.Close() }
	fail := func(err error) (envdiff.Side, func(), error) {
		done()
		return envdiff.Side{}, nil, err
	}
	r.fallback[filepath.Join(p.Dir, ".env")] = true
	opts := a.projectOptions(c)
	for _, f := range opts.EnvFiles {
		abs, err := filepath.Abs(f)
		if err != nil {
			return fail(err)
		}
		r.local[abs] = true
	}
	opts.Dir = p.Dir
	opts.FS = r
	rp, err := envs.Discover(opts)
	if err != nil {
		return fail(fmt.Errorf("at revision %q: %w", rev, err))
	}
	env, err := rp.Env(name)
	if err != nil {
		return fail(withCode(exitUsage, fmt.Errorf("at revision %q: %w", rev, err)))
	}
	// rp.Parsed holds what discovery parsed (nil: Load makes a cache)
	s, err := loadSide(c.Context, rp, env, rp.Parsed, name+"@"+rev, rev+":", c.Bool("redact"))
	if err != nil {
		return fail(fmt.Errorf("at revision %q: %w", rev, err))
	}
	return s, done, nil
}

// loadSides loads the environments list of the working tree at once, on
// every CPU, each side named after its environment. The error is that of
// the first environment in list that fails, whichever finished first.
// sources: what loadSide keeps for --redact.
func loadSides(ctx context.Context, p *envs.Project, list []*envs.Environment, cache *compose.Cache, sources bool) ([]envdiff.Side, error) {
	sides := make([]envdiff.Side, len(list))
	errs := make([]error, len(list))
	tasks := make([]func(), len(list))
	for i, e := range list {
		tasks[i] = func() { sides[i], errs[i] = loadSide(ctx, p, e, cache, e.Name, "", sources) }
	}
	parallel.Run(0, tasks)
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return sides, nil
}

// loadSide loads env, with the origins of its merge. filePrefix is put in
// front of origin file names ("HEAD~1:" for a revision). With sources
// (--redact), the side also traces values to the secret variables written
// there, which keeps the parsed files alive: at 10,000 services that is
// about 50 MB a side, so it is kept only when asked for.
func loadSide(ctx context.Context, p *envs.Project, env *envs.Environment, cache *compose.Cache, label, filePrefix string, sources bool) (envdiff.Side, error) {
	// Shared: the sides merge their common first file once and share it
	l, err := p.Load(ctx, env, cache, envs.LoadOptions{Shared: true})
	if err != nil {
		return envdiff.Side{}, err
	}
	model, err := l.ModelWithModels()
	if err != nil {
		return envdiff.Side{}, err
	}
	s := envdiff.Side{
		Name:   label,
		Model:  model,
		Origin: envdiff.MergeOrigins(l.Merged, filePrefix),
	}
	if sources {
		s.Sources = redact.MergeSources(l.Merged, l.Docs, l.Environment)
	}
	return s, nil
}

// diffGCPercent is the collector's target for diff: diff holds two loaded
// environments at once, and with Go's default (100) the heap grows to twice
// their live size before a collection; at 1.4 times, a 10,000-service diff
// peaks about a fifth lower (0.72-0.75 GB against 0.90-1.0) for about a
// tenth more CPU time, in the same wall time (docs/benchmarks.md, "Garbage
// collection"). GOGC, when set, wins.
const diffGCPercent = 40

// collectSooner sets the collector's target to diffGCPercent unless GOGC
// is set, and returns what restores it.
func (a *app) collectSooner() func() {
	if a.getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(diffGCPercent)
	return func() { debug.SetGCPercent(old) }
}

func slicesContains(s []string, v string) bool {
	for _, e := range s {
		if e == v {
			return true
		}
	}
	return false
}
