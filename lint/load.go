package lint

import (
	"context"
	"errors"
	"runtime"
	"strings"

	"github.com/compose-spec/compose-go/v2/dotenv"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/envs"
	"github.com/composure-dev/composure/internal/parallel"
	"github.com/composure-dev/composure/merge"
	"github.com/composure-dev/composure/normalize"
)

// Project is what one `composure lint` run checks: the project's files and
// its environments, loaded.
type Project struct {
	*envs.Project
	// Files are every file of the selected environments, each once.
	Files []*compose.Document
	// Envs are the environments that loaded (or at least merged).
	Envs []*Env
	// LoadErrors are files and environments that do not load, as
	// load-error (or yaml-anchors) findings; the CLI exits 2 on them.
	LoadErrors []diag.Finding
	// Config is the `rules:` section of composure.yaml (nil without one).
	Config *Config
}

// LoadProject discovers the project (envs.Discover: the environments
// `composure envs` lists), loads each environment named in names (all when
// empty) through envs.Load, and collects the files of those environments
// for the file rules. A file or environment that does not load becomes a
// finding and linting goes on; an environment compose-go rejects is still
// linted from the merge of its files, so the error comes with the findings
// that explain it. The error return is for what stops the run (no compose
// file, an unknown environment, a bad composure.yaml).
// LoadOptions choose how environments are loaded.
type LoadOptions struct {
	// Parsed, when set, is called once every file parsed, before any
	// environment loads: p has its Files and Config, not yet its Envs or
	// LoadErrors. The CLI starts the file rules there (Start), so they run
	// while the environments merge.
	Parsed func(p *Project)
}

func LoadProject(ctx context.Context, po envs.Options, names []string, lo LoadOptions) (*Project, error) {
	if po.Cache == nil {
		po.Cache = compose.NewCache() // discovery parses into it, and so does the loading
	}
	if warn := po.Warn; warn != nil {
		po.Warn = func(msg string) {
			if !reportedByRules(msg) {
				warn(msg)
			}
		}
	}
	proj, err := envs.Discover(po)
	if err != nil {
		return nil, err
	}
	p := &Project{Project: proj}
	if proj.Config != nil {
		if p.Config, err = ConfigFromSettings(proj.Config.Rules, proj.Config.Doc, Rules()); err != nil {
			return nil, err
		}
	}
	selected := proj.Envs
	if len(names) > 0 {
		selected = nil
		for _, n := range names {
			e, err := proj.Env(n)
			if err != nil {
				return nil, err
			}
			selected = append(selected, e)
		}
	}
	cache := po.Cache
	// Parse every file first, on every CPU; the loop below then finds them
	// in the cache (and reports their errors in order).
	var parse []func()
	queued := map[string]bool{}
	for _, env := range selected {
		for _, f := range env.Files {
			if !queued[f] {
				queued[f] = true
				parse = append(parse, func() { _, _ = cache.Load(f, proj.Rel(f)) })
			}
		}
	}
	parallel.Run(0, parse)
	seen := map[string]bool{}
	var loadErrs []diag.Finding
	// fast environments merge in parallel after the loop, in order
	type fastSlot struct {
		env *envs.Environment
		e   *Env
		err error
	}
	var fast []*fastSlot
	var loadable []*envs.Environment
	for _, env := range selected {
		broken := false
		for _, f := range env.Files {
			name := proj.Rel(f)
			// (an alias bomb is refused when the environment merges)
			d, err := cache.Load(f, name)
			if err != nil {
				broken = true
			}
			if seen[name] {
				continue
			}
			seen[name] = true
			if err != nil {
				var ce *compose.Error
				if !errors.As(err, &ce) {
					return nil, err
				}
				loadErrs = append(loadErrs, ErrorFinding(err, name))
				continue
			}
			p.Files = append(p.Files, d)
		}
		if !broken {
			loadable = append(loadable, env)
		}
	}
	reached, more, reachErrs := reachedFiles(proj, loadable, cache)
	p.Files = append(p.Files, more...)
	loadErrs = append(loadErrs, reachErrs...)
	if lo.Parsed != nil {
		lo.Parsed(p)
	}
	for _, env := range loadable {
		fast = append(fast, &fastSlot{env: env})
	}
	// Environments with the same first file (the base file, the largest)
	// merge it once; the merge of that file alone is also the first
	// project docker compose checks when more files follow.
	prefixes := map[string]*merge.Prefix{}
	for _, s := range fast {
		f := s.env.Files[0]
		if len(s.env.Files) > 1 && prefixes[f] == nil {
			d, err := cache.Load(f, proj.Rel(f))
			if err != nil {
				return nil, err // loaded above: the environment is not broken
			}
			prefixes[f] = merge.NewPrefix(d, merge.WithProjectDir(proj.Dir))
		}
	}
	// Each environment is linted from the merge of its files (the rules
	// read what is written), and what docker compose refuses is a
	// load-error finding at its place (Env.Refused), so such a project
	// fails lint with the findings that explain it. The merge tells most
	// environments docker compose accepts (envs.Project.Accepts); the
	// others are loaded through the engine as docker compose loads them.
	refusals := make([]error, len(fast))
	var acceptor normalize.Acceptor
	var tasks []func()
	for i, s := range fast {
		tasks = append(tasks, func() {
			prefix := prefixes[s.env.Files[0]]
			var merged *merge.Result
			s.e, merged, s.err = fastEnv(proj, s.env, cache, prefix)
			if s.err == nil {
				// what DiscoverDockerfiles reads: a file to look for
				// per build, while the other environments load
				s.e.builds, s.e.buildsFound = findBuilds(s.e), true
				if accepted(proj, s.env, cache, merged, prefix, &acceptor) {
					return
				}
			}
			_, refusals[i] = proj.Load(ctx, s.env, cache, envs.LoadOptions{NoModel: true, Shared: true})
		})
	}
	// More tasks than cores: the engine's loads wait for the work they
	// share (the first file's merge, services another load normalizes),
	// and a pool of one goroutine per core would keep a core idle while
	// one waits (lint at 1,000 services: 6 % less wall time).
	parallel.Run(4*runtime.GOMAXPROCS(0), tasks)
	proj.ForgetShared() // the engine's loads are through: only their errors stay
	// A file that does not parse is one finding, about the file: the
	// environments that include or extend it fail on the same error, at
	// the same place.
	fileErrs := map[diag.Span]bool{}
	for _, f := range loadErrs {
		fileErrs[f.Span] = true
	}
	envErrs := func(err error, env *envs.Environment) []diag.Finding {
		var out []diag.Finding
		for _, f := range ErrorFindings(err, proj.Rel(env.Files[0])) {
			if !fileErrs[f.Span] {
				out = append(out, f)
			}
		}
		return out
	}
	for i, s := range fast {
		if s.err != nil {
			for _, f := range envErrs(s.err, s.env) {
				f.Envs = []string{s.env.Name}
				loadErrs = append(loadErrs, f)
			}
			continue
		}
		if refusals[i] != nil {
			s.e.Refused = envErrs(refusals[i], s.env)
		}
		s.e.Reached = reached[s.env]
		p.Envs = append(p.Envs, s.e)
	}
	// one finding for an error several environments share
	p.LoadErrors = Postprocess(loadErrs, nil)
	return p, nil
}

// reportedByRules says a warning of docker compose's is also a finding of
// lint's (an unset variable: undefined-variable; `version:`:
// obsolete-version), which would otherwise say it twice.
func reportedByRules(msg string) bool {
	return strings.HasSuffix(msg, "variable is not set. Defaulting to a blank string.") ||
		strings.HasSuffix(msg, "the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion")
}

// fastEnv builds env from the merge of its files, with the variables
// docker compose would use (process environment, completed by the env
// files or the project's .env) and the services its profiles leave out.
// prefix, when not nil, is the merge of env's first file, shared with other
// environments.
func fastEnv(proj *envs.Project, env *envs.Environment, cache *compose.Cache, prefix *merge.Prefix) (*Env, *merge.Result, error) {
	docs, err := proj.Docs(env, cache)
	if err != nil {
		return nil, nil, err
	}
	var r *merge.Result
	if prefix != nil {
		r, err = prefix.Merge(docs[1:])
	} else {
		r, err = merge.Merge(docs, merge.WithProjectDir(proj.Dir))
	}
	if err != nil {
		return nil, nil, err
	}
	e := FromLoaded(proj, &envs.Loaded{Env: env, Docs: docs, Merged: r})
	e.Lookup = lookupIn(proj.Variables(env, docs))
	e.VarsKey = "files:" + strings.Join(env.EnvFiles, "\x00")
	applyProfiles(e, activeProfiles(env.Profiles, e.Lookup))
	return e, r, nil
}

// accepted reports whether env surely loads, judged from its merge for the
// rules without loading it.
func accepted(proj *envs.Project, env *envs.Environment, cache *compose.Cache, merged *merge.Result, prefix *merge.Prefix, acceptor *normalize.Acceptor) bool {
	var first *merge.Result
	if prefix != nil {
		var err error
		if first, err = prefix.First(); err != nil {
			return false
		}
	}
	return proj.Accepts(env, cache, merged, first, acceptor)
}

// lookupIn answers variable lookups from vars.
func lookupIn(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

// fileVariables returns the variables env files set, for an included
// file's own env_file (or .env).
func fileVariables(envFiles []string) func(string) (string, bool) {
	// Each env file is read bounded and only when it is a regular file (a
	// FIFO or /dev/zero would hang a plain read); later files win, and a
	// file may use the variables set before it.
	file := map[string]string{}
	for _, f := range envFiles {
		src, err := compose.ReadBounded(f)
		if err != nil {
			continue // the environment's load reports unreadable env files
		}
		m, err := dotenv.UnmarshalBytesWithLookup(src, func(k string) (string, bool) {
			v, ok := file[k]
			return v, ok
		})
		if err != nil {
			continue
		}
		for k, v := range m {
			file[k] = v
		}
	}
	return lookupIn(file)
}
