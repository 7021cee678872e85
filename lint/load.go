package lint

import (
	"context"
	"errors"
	"slices"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/envs"
	"github.com/composure-dev/composure/merge"
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
func LoadProject(ctx context.Context, po envs.Options, names []string) (*Project, error) {
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
	cache := compose.NewCache()
	seen := map[string]bool{}
	var loadErrs []diag.Finding
	for _, env := range selected {
		broken := false
		for _, f := range env.Files {
			name := proj.Rel(f)
			d, err := cache.Load(f, name)
			if err == nil {
				// an alias bomb is a load error, not a clean file
				_, err = d.Decode(d.Root, d.ExpansionBudget())
			}
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
		if broken {
			continue
		}
		l, err := proj.Load(ctx, env, cache, envs.LoadOptions{NoModel: true})
		if err != nil {
			first := ""
			if len(env.Files) > 0 {
				first = proj.Rel(env.Files[0])
			}
			f := ErrorFinding(err, first)
			f.Envs = []string{env.Name}
			loadErrs = append(loadErrs, f)
			if e := mergedOnly(proj, env, cache); e != nil {
				p.Envs = append(p.Envs, e)
			}
			continue
		}
		p.Envs = append(p.Envs, FromLoaded(proj, l))
	}
	// one finding for an error several environments share
	p.LoadErrors = Postprocess(loadErrs, nil)
	return p, nil
}

// mergedOnly builds an environment from the merge of its files alone, for
// one compose-go rejects; nil when the files do not merge. Its variables
// are unknown, so every one counts as set.
func mergedOnly(proj *envs.Project, env *envs.Environment, cache *compose.Cache) *Env {
	var docs []*compose.Document
	for _, f := range env.Files {
		d, err := cache.Load(f, proj.Rel(f))
		if err != nil {
			return nil
		}
		docs = append(docs, d)
	}
	r, err := merge.Merge(docs)
	if err != nil {
		return nil
	}
	e := FromLoaded(proj, &envs.Loaded{Env: env, Docs: docs, Merged: r})
	e.Lookup = func(string) (string, bool) { return "", false }
	e.VarsUnknown = true
	// compose-go did not say which services the profiles leave out: a
	// service listing profiles is out unless the environment enables one.
	for name, svc := range e.Services {
		ps, _ := asMap(svc)["profiles"].([]any)
		if len(ps) == 0 {
			continue
		}
		on := false
		for _, x := range ps {
			if s, ok := x.(string); ok && slices.Contains(env.Profiles, s) || x == "*" {
				on = true
			}
		}
		e.Disabled[name] = !on
	}
	return e
}
