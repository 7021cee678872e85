package refactor

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/envs"
	"github.com/composure-dev/composure/internal/parallel"
)

// NotEquivalentError says that a rewrite would change an environment.
type NotEquivalentError struct {
	File, Env   string
	Differences []string
}

func (e *NotEquivalentError) Error() string {
	return fmt.Sprintf("%s: refusing to refactor: environment %q would change: %s", e.File, e.Env, strings.Join(e.Differences, "; "))
}

// Prove loads each environment of list (environments of p that include the
// rewritten file) before and after the rewrite, through the loader of
// `composure config` (envs.Project.Load), and compares the effective
// configs. Top-level keys in r.Added (new x- blocks, extended anchors) are
// left out of the comparison: they are the rewrite itself. It returns nil
// when every environment is unchanged, a *NotEquivalentError when one
// changes, and another error when an environment cannot be loaded.
//
// An environment that does not load as `docker compose config` would (a
// required variable unset, an env file missing) is compared as `config
// --no-interpolate --no-consistency` loads it, on both sides.
func Prove(ctx context.Context, p *envs.Project, list []*envs.Environment, r *Result) error {
	if !r.Changed() {
		return nil
	}
	if len(list) == 0 {
		return fmt.Errorf("%s: refusing to refactor: no environment includes this file, so nothing proves the rewrite", r.Doc.Name)
	}
	after, err := compose.Parse(r.Doc.Name, r.After)
	if err != nil {
		return &NotEquivalentError{File: r.Doc.Name, Differences: []string{"it no longer parses: " + err.Error()}}
	}
	after.Path = r.Doc.Path
	// Each environment is proved on its own, on every CPU (each load is
	// compose-go's whole pipeline); the error is that of the first
	// environment in list that fails.
	errs := make([]error, len(list))
	tasks := make([]func(), len(list))
	for i, env := range list {
		tasks[i] = func() { errs[i] = proveEnv(ctx, p, env, r, after) }
	}
	parallel.Run(0, tasks)
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// proveEnv compares env's effective config before and after the rewrite.
func proveEnv(ctx context.Context, p *envs.Project, env *envs.Environment, r *Result, after *compose.Document) error {
	opts := envs.LoadOptions{}
	before, err := loadWith(ctx, p, env, r.Doc, opts)
	if err != nil {
		opts = envs.LoadOptions{NoInterpolate: true, NoConsistency: true, NoEnvResolution: true}
		var err2 error
		if before, err2 = loadWith(ctx, p, env, r.Doc, opts); err2 != nil {
			return fmt.Errorf("%s: refusing to refactor: environment %q does not load, so nothing proves the rewrite: %w", r.Doc.Name, env.Name, err)
		}
	}
	got, err := loadWith(ctx, p, env, after, opts)
	if err != nil {
		return &NotEquivalentError{File: r.Doc.Name, Env: env.Name, Differences: []string{"it no longer loads: " + err.Error()}}
	}
	for _, k := range r.Added {
		delete(before, k)
		delete(got, k)
	}
	if !compose.PlainEqual(before, got) {
		return &NotEquivalentError{File: r.Doc.Name, Env: env.Name, Differences: Differences(before, got)}
	}
	return nil
}

// loadWith loads env with doc standing for the file at doc.Path.
func loadWith(ctx context.Context, p *envs.Project, env *envs.Environment, doc *compose.Document, opts envs.LoadOptions) (map[string]any, error) {
	cache := compose.NewCache()
	cache.Put(doc)
	l, err := p.Load(ctx, env, cache, opts)
	if err != nil {
		return nil, err
	}
	return l.Model, nil
}

// Including returns the environments of p whose files include path
// (absolute).
func Including(p *envs.Project, path string) []*envs.Environment {
	var out []*envs.Environment
	for _, e := range p.Envs {
		if slices.Contains(e.Files, path) {
			out = append(out, e)
		}
	}
	return out
}

// Differences lists where two decoded configs differ, by dotted path, at
// most ten.
func Differences(a, b any) []string {
	var out []string
	var walk func(path string, a, b any)
	walk = func(path string, a, b any) {
		if len(out) >= 10 {
			return
		}
		am, aok := a.(map[string]any)
		bm, bok := b.(map[string]any)
		if aok && bok {
			keys := make([]string, 0, len(am)+len(bm))
			for k := range am {
				keys = append(keys, k)
			}
			for k := range bm {
				if _, ok := am[k]; !ok {
					keys = append(keys, k)
				}
			}
			slices.Sort(keys)
			for _, k := range keys {
				p := k
				if path != "" {
					p = path + "." + k
				}
				av, ain := am[k]
				bv, bin := bm[k]
				switch {
				case !bin:
					out = append(out, fmt.Sprintf("%s: removed (was %s)", p, brief(av)))
				case !ain:
					out = append(out, fmt.Sprintf("%s: added (%s)", p, brief(bv)))
				default:
					walk(p, av, bv)
				}
			}
			return
		}
		as, aok := a.([]any)
		bs, bok := b.([]any)
		if aok && bok && len(as) == len(bs) {
			for i := range as {
				walk(fmt.Sprintf("%s.%d", path, i), as[i], bs[i])
			}
			return
		}
		if !compose.PlainEqual(a, b) {
			out = append(out, fmt.Sprintf("%s: %s became %s", path, brief(a), brief(b)))
		}
	}
	walk("", a, b)
	return out
}

func brief(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 80 {
		return string(b[:77]) + "..."
	}
	return string(b)
}
