package envs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/compose-spec/compose-go/v2/consts"
	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/compose-spec/compose-go/v2/utils"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/internal/fastload"
	"github.com/composure-dev/composure/merge"
)

// LoadOptions are the switches of `docker compose config` that change what
// is loaded.
type LoadOptions struct {
	NoInterpolate    bool // --no-interpolate: Model only, Project is nil
	NoNormalize      bool // --no-normalize
	NoPathResolution bool // --no-path-resolution
	NoConsistency    bool // --no-consistency
	// NoEnvResolution skips computing services' environment (docker compose
	// does so for --services, --images, --profiles, --volumes).
	NoEnvResolution bool
	// NoModel leaves Loaded.Model nil when interpolating, for callers that
	// print the Project themselves (it saves a JSON round trip).
	NoModel bool
}

// Loaded is one environment loaded.
type Loaded struct {
	Env *Environment
	// Docs are the environment's files as parsed, in load order (files
	// reached through include/extends are not among them).
	Docs []*compose.Document
	// Merged is the environment merged by the merge package: compose-go's
	// merged model with the origin (file:line:col, alias chain) of every
	// value. It is computed once compose-go has accepted the files, so
	// compose-go's diagnostics come first.
	Merged *merge.Result

	// Project is compose-go's project as `docker compose config` computes
	// it (nil with NoInterpolate).
	Project *types.Project
	// Model is the effective config exactly as `docker compose config
	// --format json` prints it (`$` escaped as `$$` when interpolated).
	Model map[string]any
	// Environment is the mapping used for interpolation (process
	// environment completed by the env files).
	Environment types.Mapping
}

// defaultMaxNodeVisits is compose-go's own cap (loader/reset.go).
const defaultMaxNodeVisits = 100_000

// nodeVisitFactor bounds compose-go's node visits in proportion to the input:
// the reset processor visits each node a few times, aliases re-visit their
// anchors. Alias bombs never get here: every Document is first expanded
// under its own compose.Budget.
const nodeVisitFactor = 64

// Docs returns the files of env, in load order, parsed through cache (each
// file once per cache); the error is the first file's that fails.
func (p *Project) Docs(env *Environment, cache *compose.Cache) ([]*compose.Document, error) {
	docs := make([]*compose.Document, 0, len(env.Files))
	for _, f := range env.Files {
		d, err := cache.Load(f, p.Rel(f))
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	return docs, nil
}

// Load loads env as `docker compose config` does: each file parsed once
// through cache (so the disk is read once), checked against alias bombs,
// then handed to compose-go as bytes.
func (p *Project) Load(ctx context.Context, env *Environment, cache *compose.Cache, opts LoadOptions) (*Loaded, error) {
	if cache == nil {
		cache = compose.NewCache()
	}
	docs, err := p.Docs(env, cache)
	if err != nil {
		return nil, err
	}
	l := &Loaded{Env: env, Docs: docs}
	nodes := 0
	for _, d := range docs {
		if err := checkExpansion(d); err != nil {
			return nil, err
		}
		nodes += d.Nodes
	}

	environment, err := p.environment(env, l.Docs)
	if err != nil {
		return nil, err
	}
	l.Environment = environment
	if err := p.checkReferences(l.Docs, cache, environment); err != nil {
		return nil, err
	}

	profiles := env.Profiles
	if len(profiles) == 0 {
		// cli.WithDefaultProfiles
		for _, s := range strings.Split(environment[consts.ComposeProfiles], ",") {
			profiles = append(profiles, strings.TrimSpace(s))
		}
	}

	maxVisits := nodes * nodeVisitFactor
	if maxVisits < defaultMaxNodeVisits {
		maxVisits = defaultMaxNodeVisits
	}
	lopts := []func(*loader.Options){
		func(o *loader.Options) {
			o.SkipInterpolation = opts.NoInterpolate
			o.SkipNormalization = opts.NoNormalize
			o.ResolvePaths = !opts.NoPathResolution
			o.SkipConsistencyCheck = opts.NoConsistency
			o.SkipResolveEnvironment = opts.NoEnvResolution
			o.MaxNodeVisits = maxVisits
			if o.ResolvePaths {
				o.ConvertWindowsPaths = utils.StringToBool(environment["COMPOSE_CONVERT_WINDOWS_PATHS"])
			}
		},
		loader.WithProfiles(profiles),
		loader.WithDiscardEnvFiles,
	}
	nameOpt, err := p.nameOption(env, l.Docs, environment)
	if err != nil {
		return nil, err
	}
	if nameOpt != nil {
		lopts = append(lopts, nameOpt)
	}

	details := types.ConfigDetails{WorkingDir: p.Dir, Environment: environment}
	for _, d := range l.Docs {
		src := d.Src
		if src == nil {
			src = []byte{}
		}
		details.ConfigFiles = append(details.ConfigFiles, types.ConfigFile{Filename: d.Path, Content: src})
	}

	if opts.NoInterpolate {
		model, err := loader.LoadModelWithContext(ctx, details, lopts...)
		if err != nil {
			return nil, p.loadError(l.Docs, err)
		}
		l.Model = model
		return l, l.merge(false)
	}
	// fastload runs compose-go's loader pipeline with allocation-free path
	// matching (4x less CPU at 1,000 services) and hands anything it does not
	// cover (include, extends, errors) to loader.LoadWithContext itself.
	proj, err := fastload.LoadWithContext(ctx, details, lopts...)
	if err != nil {
		return nil, p.loadError(l.Docs, err)
	}
	proj.ComposeFiles = append([]string(nil), env.Files...)
	// docker compose (pkg/compose/loader.go, cmd/compose/config.go):
	// WithServicesEnabled() and WithSelectedServices(nil) change nothing
	// without service names; unused resources go; environments resolve.
	proj = proj.WithoutUnnecessaryResources()
	if !opts.NoEnvResolution {
		if proj, err = proj.WithServicesEnvironmentResolved(true); err != nil {
			return nil, p.loadError(l.Docs, err)
		}
	}
	if !opts.NoConsistency {
		if err := proj.CheckContainerNameUnicity(); err != nil {
			return nil, p.loadError(l.Docs, err)
		}
	}
	l.Project = proj
	if err := l.merge(true); err != nil {
		return nil, err
	}
	if opts.NoModel {
		return l, nil
	}
	js, err := proj.MarshalJSON()
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(EscapeDollar(js), &l.Model); err != nil {
		return nil, err
	}
	return l, nil
}

// identRE matches the names a compose file may take from the environment.
var identRE = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// merge computes l.Merged from l.Docs, interpolated with the environment
// compose-go used when it interpolated, so that the merged tree has the
// effective config's values (two ports equal once interpolated are one).
func (l *Loaded) merge(interpolate bool) error {
	var opts []merge.Option
	if interpolate {
		env := l.Environment
		if l.Project != nil {
			// compose-go adds the project name to what it interpolates with.
			env = env.Clone()
			env["COMPOSE_PROJECT_NAME"] = l.Project.Name
		}
		opts = append(opts, merge.WithInterpolation(env.Resolve))
	}
	r, err := merge.Merge(l.Docs, opts...)
	if err != nil {
		return err
	}
	l.Merged = r
	return nil
}

// EscapeDollar doubles every `$`, as docker compose does to the output of
// an interpolated config so that it can be loaded again.
func EscapeDollar(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte{'$'}, []byte{'$', '$'})
}

// environment is the mapping docker compose interpolates with: the process
// environment, PWD added when missing, completed by the env files.
func (p *Project) environment(env *Environment, docs []*compose.Document) (types.Mapping, error) {
	m := make(types.Mapping, len(p.environ)+8)
	for k, v := range p.environ {
		m[k] = v
	}
	if p.getenv != nil {
		// Only a lookup function: ask it for every name the files could
		// refer to (${NAME}, $NAME, bare `environment: [NAME]` entries).
		for _, d := range docs {
			for _, name := range identRE.FindAll(d.Src, -1) {
				k := string(name)
				if _, ok := m[k]; ok {
					continue
				}
				if v := p.getenv(k); v != "" {
					m[k] = v
				}
			}
		}
	}
	if _, ok := m["PWD"]; !ok {
		// docker compose adds its working directory; composure acts as if
		// run from the project directory.
		m["PWD"] = p.Dir
	}
	files := env.EnvFiles
	if len(files) == 0 {
		files = p.defaultEnvFiles()
	}
	if err := p.checkEnvFiles(files); err != nil {
		return nil, err
	}
	vars, err := dotenv.GetEnvFromFile(m, files)
	if err != nil {
		return nil, p.envFileError(files, err)
	}
	m.Merge(vars)
	return m, nil
}

func (p *Project) envFileError(files []string, err error) error {
	msg := err.Error()
	for _, f := range files {
		if strings.Contains(msg, f) {
			msg = strings.ReplaceAll(msg, f, p.Rel(f))
			msg = strings.TrimPrefix(msg, "couldn't find env file: "+p.Rel(f))
			if msg == "" {
				msg = "env file not found: create it or fix --env-file / env_files"
			}
			return &compose.Error{Location: compose.Location{File: p.Rel(f)}, Msg: strings.TrimPrefix(msg, ": "), Err: err}
		}
	}
	return fmt.Errorf("reading env files: %w", err)
}

// nameOption decides the project name with docker compose's precedence
// (cli.withNamePrecedenceLoad): -p or the environment's project_name, then
// COMPOSE_PROJECT_NAME, then `name:` in the files (left to compose-go), then
// the directory name.
func (p *Project) nameOption(env *Environment, docs []*compose.Document, environment types.Mapping) (func(*loader.Options), error) {
	if n := env.ProjectName; n != "" {
		if loader.NormalizeProjectName(n) != n {
			return nil, loader.InvalidProjectNameErr(n)
		}
		return func(o *loader.Options) { o.SetProjectName(n, true) }, nil
	}
	if n := environment[consts.ComposeProjectName]; n != "" {
		return func(o *loader.Options) { o.SetProjectName(n, true) }, nil
	}
	for _, d := range docs {
		for _, r := range append([]*yaml3Node{d.Root}, d.Extra...) {
			if r == nil {
				continue
			}
			if e, ok := d.Get(r, "name"); ok && e.Value.Value != "" {
				return nil, nil
			}
		}
	}
	n := loader.NormalizeProjectName(filepath.Base(p.Dir))
	return func(o *loader.Options) { o.SetProjectName(n, false) }, nil
}
