package refactor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// Env is one environment to prove a rewrite against: the files docker
// compose would load, in order.
type Env struct {
	Name string
	// Dir is the project directory (relative paths resolve against it).
	Dir string
	// Files are absolute, in load order.
	Files []string
	// ProjectName is the compose project name ("" for the directory's).
	ProjectName string
}

// Loader computes the effective config of env as `docker compose config
// --format json` prints it, reading the files named in content from memory
// instead of disk.
type Loader func(ctx context.Context, env Env, content map[string][]byte) (map[string]any, error)

// NotEquivalentError says that a rewrite would change an environment.
type NotEquivalentError struct {
	File, Env   string
	Differences []string
}

func (e *NotEquivalentError) Error() string {
	return fmt.Sprintf("%s: refusing to refactor: environment %q would change: %s", e.File, e.Env, strings.Join(e.Differences, "; "))
}

// Prove loads every environment of envs before and after the rewrite of r
// (After replacing the file at path) and compares the effective configs.
// Top-level keys in r.Added (new x- blocks, extended anchors) are left out
// of the comparison: they are the rewrite itself. It returns nil when every
// environment is unchanged, a *NotEquivalentError when one changes, and
// another error when an environment cannot be loaded.
func Prove(ctx context.Context, load Loader, envs []Env, path string, r *Result) error {
	if !r.Changed() {
		return nil
	}
	if len(envs) == 0 {
		return fmt.Errorf("%s: refusing to refactor: no environment includes this file, so nothing proves the rewrite", r.Doc.Name)
	}
	for _, env := range envs {
		before, err := load(ctx, env, map[string][]byte{path: r.Before})
		if err != nil {
			return fmt.Errorf("%s: refusing to refactor: environment %q does not load, so nothing proves the rewrite: %w", r.Doc.Name, env.Name, err)
		}
		after, err := load(ctx, env, map[string][]byte{path: r.After})
		if err != nil {
			return &NotEquivalentError{File: r.Doc.Name, Env: env.Name, Differences: []string{"it no longer loads: " + err.Error()}}
		}
		for _, k := range r.Added {
			delete(before, k)
			delete(after, k)
		}
		if !reflect.DeepEqual(before, after) {
			return &NotEquivalentError{File: r.Doc.Name, Env: env.Name, Differences: Differences(before, after)}
		}
	}
	return nil
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
		if !reflect.DeepEqual(a, b) {
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

// ComposeGo is a Loader on compose-go's own loader (what docker compose
// runs), with the process environment and the project's .env for
// interpolation. A project that does not load strictly (a required variable
// unset, an env_file missing) is loaded again without interpolation,
// validation and environment resolution: both sides of a proof then go
// through the same relaxed path, which still applies merge keys, anchors,
// overrides and extends.
func ComposeGo(getenv func(string) string, environ []string) Loader {
	return func(ctx context.Context, env Env, content map[string][]byte) (map[string]any, error) {
		vars := map[string]string{}
		for _, kv := range environ {
			if k, v, ok := strings.Cut(kv, "="); ok {
				vars[k] = v
			}
		}
		if dot := filepath.Join(env.Dir, ".env"); fileExists(dot) {
			if m, err := dotenv.GetEnvFromFile(vars, []string{dot}); err == nil {
				for k, v := range m {
					if _, set := vars[k]; !set {
						vars[k] = v
					}
				}
			}
		}
		details := types.ConfigDetails{WorkingDir: env.Dir, Environment: vars}
		for _, f := range env.Files {
			cf := types.ConfigFile{Filename: f}
			if b, ok := content[f]; ok {
				cf.Content = b
			} else {
				b, err := os.ReadFile(f)
				if err != nil {
					return nil, err
				}
				cf.Content = b
			}
			details.ConfigFiles = append(details.ConfigFiles, cf)
		}
		name := env.ProjectName
		if name == "" {
			name = loader.NormalizeProjectName(filepath.Base(env.Dir))
		}
		if name == "" {
			name = "composure"
		}
		named := func(o *loader.Options) { o.SetProjectName(name, true) }
		p, err := loader.LoadWithContext(ctx, details, named)
		if err == nil {
			return projectModel(p)
		}
		relaxed := func(o *loader.Options) {
			o.SkipInterpolation = true
			o.SkipValidation = true
			o.SkipConsistencyCheck = true
			o.SkipResolveEnvironment = true
			o.ResolvePaths = false
		}
		p, err2 := loader.LoadWithContext(ctx, details, named, relaxed)
		if err2 == nil {
			return projectModel(p)
		}
		m, err3 := loader.LoadModelWithContext(ctx, details, named, relaxed)
		if err3 == nil {
			return m, nil
		}
		return nil, errors.Join(err, err3)
	}
}

func projectModel(p *types.Project) (map[string]any, error) {
	b, err := p.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return m, nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// baseNames are the files docker compose reads when given no -f, in order
// of preference.
var baseNames = []string{"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"}

// overlayRE matches `<stem>.<env>.yml` beside a base file `<stem>.yml`.
var overlayRE = regexp.MustCompile(`^(compose|docker-compose)\.([^.]+)\.ya?ml$`)

// Environments lists the environments that include the file at path, by
// the file names docker compose and best practice 12 use: a base file alone
// and with its override (default), with each `<stem>.<env>.yml` beside it;
// an overlay with the base it goes on; any other file on its own. It stands
// in for envs.Discover where no project discovery is available.
func Environments(path string) ([]Env, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	dir, base := filepath.Dir(abs), filepath.Base(abs)
	env := func(name string, files ...string) Env { return Env{Name: name, Dir: dir, Files: files} }
	findBase := func() string {
		for _, b := range baseNames {
			if p := filepath.Join(dir, b); fileExists(p) && p != abs {
				return p
			}
		}
		return ""
	}
	if slices.Contains(baseNames, base) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, err
		}
		def := env("default", abs)
		var others []Env
		for _, e := range entries {
			m := overlayRE.FindStringSubmatch(e.Name())
			if m == nil || e.IsDir() {
				continue
			}
			other := filepath.Join(dir, e.Name())
			if m[2] == "override" {
				def.Files = append(def.Files, other)
				continue
			}
			others = append(others, env(m[2], abs, other))
		}
		out := []Env{def}
		if len(def.Files) > 1 {
			out = append(out, env("base", abs))
		}
		return append(out, others...), nil
	}
	if m := overlayRE.FindStringSubmatch(base); m != nil {
		if b := findBase(); b != "" {
			name := m[2]
			if name == "override" {
				name = "default"
			}
			return []Env{env(name, b, abs)}, nil
		}
	}
	return []Env{env(strings.TrimSuffix(base, filepath.Ext(base)), abs)}, nil
}
