package envs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/compose-spec/compose-go/v2/consts"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/merge"
	"github.com/composure-dev/composure/normalize"
)

// LoadOptions are the switches of `docker compose config` that change what
// is loaded.
type LoadOptions struct {
	NoInterpolate    bool // --no-interpolate: Model only, Project is nil
	NoNormalize      bool // --no-normalize
	NoPathResolution bool // --no-path-resolution
	NoConsistency    bool // --no-consistency
	// NoEnvResolution leaves services' env_file unread (docker compose does
	// so for --services, --images, --profiles, --volumes).
	NoEnvResolution bool
	// NoContainerNameCheck leaves container_name unicity unchecked, as
	// docker compose does for config --hash (it checks it only where it
	// prints the config); NoConsistency implies it.
	NoContainerNameCheck bool
	// NoModel leaves Loaded.Model nil when interpolating, for callers that
	// print the Project themselves (it saves a JSON round trip).
	NoModel bool
	// Shared says the project's environments are loaded together (lint,
	// diff): environments with the same first file and variables merge it
	// once (merge.Prefix), and a service mapping they share is checked
	// against the schema once.
	Shared bool
	// Services are the SERVICE arguments of `docker compose config`: only
	// these services (patterns: web*) and what they depend on are kept,
	// a service behind a profile enabled with its profile, and the
	// resources they do not use dropped (select.go). Empty keeps all. Not
	// applied with NoInterpolate, as docker compose does not.
	Services []string
}

// Loaded is one environment loaded.
type Loaded struct {
	Env *Environment
	// Docs are the environment's files as parsed, in load order (files
	// reached through include/extends are not among them).
	Docs []*compose.Document
	// Merged is the environment merged by the merge package, with the
	// origin (file:line:col, alias chain) of every value.
	Merged *merge.Result

	// Project is the effective config as `docker compose config` computes
	// it (nil with NoInterpolate).
	Project *types.Project
	// Model is the effective config exactly as `docker compose config
	// --format json` prints it (`$` escaped as `$$` when interpolated), or
	// with NoInterpolate the normalized model before interpolation.
	Model map[string]any
	// Environment is the mapping used for interpolation (process
	// environment completed by the env files).
	Environment types.Mapping
	// Name is the project name.
	Name string
}

// Docs returns the files of env, in load order, parsed through cache (each
// file once per cache); the error is the first file's that fails.
func (p *Project) Docs(env *Environment, cache *compose.Cache) ([]*compose.Document, error) {
	if cache.FS() != p.fs {
		return nil, errors.New("envs: the cache reads another file system than the project")
	}
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

// Load loads env as `docker compose config` does, through composure's own
// pipeline: the files parsed once through cache (compose/), merged with
// include, extends and interpolation (merge/), normalized and validated
// (normalize/), bound to compose-go's types (model/), then docker compose's
// last steps (profiles, consistency, unused resources dropped, env_file
// read). Every error is a *compose.Error at the file:line:col of the value
// it is about.
func (p *Project) Load(ctx context.Context, env *Environment, cache *compose.Cache, opts LoadOptions) (*Loaded, error) {
	if cache == nil {
		cache = compose.NewCacheFS(p.fs)
	}
	l, interp, err := p.start(env, cache, opts.Shared)
	if err != nil {
		return nil, err
	}
	docs, environment, name := l.Docs, l.Environment, l.Name

	schema := p.schemaCache(opts.Shared)
	// docker compose checks the schema of the project each file makes with
	// the ones before it: a value a later file replaces is checked too
	steps := merge.WithSteps(func(r *merge.Result) error {
		return normalize.CheckSchema(r.Tree(), normalize.Options{
			Locate:        func(path string) (compose.Location, bool) { return locateIn(r, path, docs[0].Name) },
			Schema:        schema,
			SharedService: r.SharedService,
		})
	})
	mopts := []merge.Option{merge.WithFS(p.fs), merge.WithProjectDir(p.Dir), merge.WithIncluded(normalize.Included(p.fs)), merge.WithExtended(normalize.Extended(p.fs)), merge.WithWarnings(p.warn), steps}
	if !opts.NoInterpolate {
		mopts = append(mopts, merge.WithInterpolation(interp.Resolve))
	}
	var services *normalize.ServiceCache
	if opts.Shared && len(docs) > 1 {
		var prefix *merge.Prefix
		prefix, services = p.prefix(docs[0], interp, opts, mopts)
		l.Merged, err = prefix.Merge(docs[1:])
	} else {
		l.Merged, err = merge.Merge(docs, mopts...)
	}
	if err != nil {
		return nil, err
	}
	p.warnVersion(docs)
	home := p.home()
	nopts := normalize.Options{
		Name:              name,
		WorkingDir:        p.Dir,
		Environment:       interp,
		Home:              home,
		ResolvePaths:      !opts.NoPathResolution,
		SkipNormalization: opts.NoNormalize,
		Uninterpolated:    opts.NoInterpolate,
		Locate:            l.locate,
		Schema:            schema,
		Services:          services,
		SharedService:     l.Merged.SharedService,
		MergeService:      merge.Service,
		Warn:              p.warn,
		FS:                p.fs,
	}
	dict, err := normalize.Model(l.Merged.Tree(), nopts)
	if err != nil {
		return nil, err
	}
	l.Merged.ForgetTree() // normalize copied it; origins stay

	if opts.NoInterpolate {
		l.Model = dict
		return l, nil
	}
	proj, err := l.decodeProject(dict, p.Dir, interp, services)
	if err != nil {
		return nil, err
	}
	proj.ComposeFiles = append([]string(nil), env.Files...)
	if nopts.ResolvePaths && isTrue(environment["COMPOSE_CONVERT_WINDOWS_PATHS"]) {
		convertWindowsPaths(proj)
	}
	if proj, err = withProfiles(proj, p.profiles(env, environment)); err != nil {
		return nil, err
	}
	if !opts.NoConsistency {
		if err := normalize.CheckConsistency(proj, l.locate); err != nil {
			return nil, err
		}
	}
	// docker compose (compose-go's loader, then pkg/compose/loader.go and
	// cmd/compose/config.go): the enabled services' environments and
	// labels resolve; the named services are selected; unused resources
	// go; the environments resolve again, for the services the selection
	// took from behind a profile.
	if !opts.NoEnvResolution {
		if proj, err = p.resolveEnvFiles(proj, l); err != nil {
			return nil, err
		}
	}
	if anyContainer(proj, func(c *types.ContainerSpec) bool { return len(c.LabelFiles) > 0 }) {
		if err := p.resolveLabelFiles(proj); err != nil {
			return nil, err
		}
	}
	if len(opts.Services) > 0 {
		if proj, err = selectServices(proj, opts.Services, env.Name); err != nil {
			return nil, err
		}
		if !opts.NoEnvResolution {
			if proj, err = p.resolveEnvFiles(proj, l); err != nil {
				return nil, err
			}
		}
	}
	dropUnused(proj)
	if !opts.NoConsistency && !opts.NoContainerNameCheck {
		if err := proj.CheckContainerNameUnicity(); err != nil {
			return nil, l.containerNameError(proj, err)
		}
	}
	l.Project = proj
	if opts.NoModel {
		return l, nil
	}
	if err := l.CheckPrintable(); err != nil {
		return nil, err
	}
	if l.Model, err = plainModel(proj); err != nil {
		return nil, err
	}
	return l, nil
}

// home is the directory `~` stands for in paths.
func (p *Project) home() string {
	if home := p.environ["HOME"]; home != "" {
		return home
	}
	home, _ := os.UserHomeDir()
	return home
}

// start takes the first steps of Load: the files parsed, their anchors'
// expansion bounded, the variables read, the files include and extends
// reach checked, the project name decided. interp is the mapping docker
// compose interpolates with. shared checks each file's expansion once for
// the environments loaded together.
func (p *Project) start(env *Environment, cache *compose.Cache, shared bool) (l *Loaded, interp types.Mapping, err error) {
	docs, err := p.Docs(env, cache)
	if err != nil {
		return nil, nil, err
	}
	l = &Loaded{Env: env, Docs: docs}
	for _, d := range docs {
		check := checkExpansion
		if shared {
			check = p.checkExpansion
		}
		if err := check(d); err != nil {
			return nil, nil, err
		}
	}
	if l.Environment, err = p.environment(env, docs); err != nil {
		return nil, nil, err
	}
	if err := p.checkReferences(docs, cache, l.Environment); err != nil {
		return nil, nil, err
	}
	if l.Name, err = p.projectName(env, docs, l.Environment); err != nil {
		return nil, nil, err
	}
	// compose-go interpolates with the project name set.
	interp = l.Environment.Clone()
	interp[consts.ComposeProjectName] = l.Name
	return l, interp, nil
}

// plainModel is proj as `docker compose config --format json` prints it,
// decoded: the value of EscapeDollar(proj.MarshalJSON()) as JSON. It
// builds the mapping MarshalJSON builds (name, services, the resource
// sections that are not empty, the x- extensions at the top) and encodes it
// without indentation, then doubles the `$` in the decoded value: at
// 10,000 services the indented text and its escaped copy were two more
// buffers of tens of megabytes each, alive at once with both sides of a
// diff.
func plainModel(proj *types.Project) (map[string]any, error) {
	m := map[string]any{"name": proj.Name, "services": proj.Services}
	if len(proj.Networks) > 0 {
		m["networks"] = proj.Networks
	}
	if len(proj.Volumes) > 0 {
		m["volumes"] = proj.Volumes
	}
	if len(proj.Secrets) > 0 {
		m["secrets"] = proj.Secrets
	}
	if len(proj.Configs) > 0 {
		m["configs"] = proj.Configs
	}
	if len(proj.Jobs) > 0 {
		m["jobs"] = proj.Jobs
	}
	for k, v := range proj.Extensions {
		m[k] = v
	}
	js, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var model map[string]any
	if err := json.Unmarshal(js, &model); err != nil {
		return nil, err
	}
	if bytes.IndexByte(js, '$') >= 0 {
		escapeDollars(model)
	}
	return model, nil
}

// ModelWithModels is Model with the project's top-level models, which
// docker compose's JSON leaves out (compose-go v2.16.2's
// Project.MarshalJSON writes no models section) and diff compares: an
// overlay that only changes a model's context size is a difference.
func (l *Loaded) ModelWithModels() (map[string]any, error) {
	if l.Project == nil || len(l.Project.Models) == 0 || l.Model == nil {
		return l.Model, nil
	}
	js, err := json.Marshal(l.Project.Models)
	if err != nil {
		return nil, err
	}
	var models any
	if err := json.Unmarshal(js, &models); err != nil {
		return nil, err
	}
	if bytes.IndexByte(js, '$') >= 0 {
		models = escapeDollars(models)
	}
	m := maps.Clone(l.Model)
	m["models"] = models
	return m, nil
}

// escapeDollars doubles every `$` in the keys and strings of a decoded
// JSON value, in place: the value EscapeDollar's bytes decode to.
func escapeDollars(v any) any {
	switch x := v.(type) {
	case string:
		return strings.ReplaceAll(x, "$", "$$")
	case []any:
		for i, e := range x {
			x[i] = escapeDollars(e)
		}
	case map[string]any:
		var renamed []string
		for k, e := range x {
			x[k] = escapeDollars(e)
			if strings.Contains(k, "$") {
				renamed = append(renamed, k)
			}
		}
		for _, k := range renamed {
			e := x[k]
			delete(x, k)
			x[strings.ReplaceAll(k, "$", "$$")] = e
		}
	}
	return v
}

// CheckPrintable refuses a project docker compose cannot print, at the
// value that stops it (normalize.CheckPrintable).
func (l *Loaded) CheckPrintable() error {
	return normalize.CheckPrintable(l.Project, l.locate)
}

// locate is where the value at path (tree.Path syntax) of the merged tree
// was written; for a value no file wrote (a default), where its nearest
// written ancestor was.
func (l *Loaded) locate(path string) (compose.Location, bool) {
	first := ""
	if len(l.Docs) > 0 {
		first = l.Docs[0].Name
	}
	return locateIn(l.Merged, path, first)
}

// locateIn is where the value at path of r was written, or that of its
// nearest ancestor written in a file; else the file named first.
func locateIn(r *merge.Result, path, first string) (compose.Location, bool) {
	if loc, ok := r.Locate(path); ok {
		return loc, true
	}
	return compose.Location{File: first}, false
}

// profiles are the environment's, else COMPOSE_PROFILES.
func (p *Project) profiles(env *Environment, environment types.Mapping) []string {
	if len(env.Profiles) > 0 {
		return env.Profiles
	}
	var out []string
	for _, s := range strings.Split(environment[consts.ComposeProfiles], ",") {
		out = append(out, strings.TrimSpace(s))
	}
	return out
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
	vars, err := compose.ReadEnvFiles(p.fs, m, files)
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

// identRE matches the names a compose file may take from the environment.
var identRE = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// projectName decides the project name with docker compose's precedence:
// -p (or the environment's project_name), then COMPOSE_PROJECT_NAME, then
// the last `name:` of the files (interpolated), then the directory's name.
// A name given outright must already be valid; the others are normalized.
func (p *Project) projectName(env *Environment, docs []*compose.Document, environment types.Mapping) (string, error) {
	explicit := env.ProjectName
	if explicit == "" {
		explicit = environment[consts.ComposeProjectName]
	}
	if explicit != "" {
		if NormalizeProjectName(explicit) != explicit {
			return "", fmt.Errorf("invalid project name %q: must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number", explicit)
		}
		return explicit, nil
	}
	fromFiles := ""
	var at compose.Location
	for _, d := range docs {
		for _, r := range d.Roots() {
			if e, ok := d.Get(r, "name"); ok && e.Value.Kind == yaml.ScalarNode && e.Value.Value != "" {
				fromFiles, at = e.Value.Value, d.Loc(e.Value)
			}
		}
	}
	if fromFiles != "" {
		s, err := template.SubstituteWithOptions(fromFiles, environment.Resolve, template.WithoutLogging)
		if err != nil {
			return "", &compose.Error{Location: at, Msg: fmt.Sprintf("error while interpolating name: %v", err)}
		}
		if n := NormalizeProjectName(s); n != "" {
			return n, nil
		}
	}
	return NormalizeProjectName(filepath.Base(p.Dir)), nil
}

// NormalizeProjectName turns s into a valid project name: lower case, only
// letters, digits, '-' and '_', not starting with '-' or '_'.
func NormalizeProjectName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			b.WriteRune(r)
		}
	}
	return strings.TrimLeft(b.String(), "_-")
}

// warnVersion warns, once per file and run, about the obsolete `version`.
func (p *Project) warnVersion(docs []*compose.Document) {
	for _, d := range docs {
		if d.Root == nil {
			continue
		}
		if e, ok := d.Get(d.Root, "version"); ok {
			p.warn(d.Loc(e.Key), "the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion")
		}
	}
}

// warn reports a warning at its place once per Project: the same place and
// message found by several loads (diff, lint, refactor's proof) are said
// once.
func (p *Project) warn(at compose.Location, msg string) {
	p.warnMu.Lock()
	defer p.warnMu.Unlock()
	key := at.String() + "\x00" + msg
	if p.warned[key] {
		return
	}
	if p.warned == nil {
		p.warned = map[string]bool{}
	}
	p.warned[key] = true
	if p.warnTo != nil {
		p.warnTo(at.String() + ": " + msg)
	}
}

// resolveEnvFiles reads each service's env_file into its environment, as
// docker compose config does (and drops env_file), after checking that
// every required file exists so that a missing one is reported where it
// is named. It is compose-go's Project.WithServicesEnvironmentResolved(true)
// reading through p.fs, in place (proj is this load's own), services in
// order of name so that the first error is always the same.
func (p *Project) resolveEnvFiles(proj *types.Project, l *Loaded) (*types.Project, error) {
	for _, name := range proj.ServiceNames() {
		s := proj.Services[name]
		for i, ef := range s.EnvFiles {
			if !bool(ef.Required) {
				continue
			}
			if _, err := p.fs.Stat(ef.Path); err != nil {
				at, _ := l.locate(compose.JoinPath([]string{"services", name, "env_file", strconv.Itoa(i), "path"}))
				msg := strings.ReplaceAll(fmt.Sprintf("env file %s not found: %v", ef.Path, err), ef.Path, p.Rel(ef.Path))
				return nil, &compose.Error{Location: at, Msg: msg, Err: err}
			}
		}
	}
	needed := anyContainer(proj, func(c *types.ContainerSpec) bool {
		if len(c.EnvFiles) > 0 {
			return true
		}
		for _, v := range c.Environment {
			if v == nil {
				return true
			}
		}
		return false
	})
	if !needed {
		return proj, nil
	}
	for _, name := range proj.ServiceNames() {
		s := proj.Services[name]
		err := p.resolveEnvironment(&s.ContainerSpec, proj.Environment)
		s.PreStart = slices.Clone(s.PreStart) // shared with other projects (decodeProject)
		for i := range s.PreStart {
			// a hook carries its service's environment and env files
			// since it was loaded; one with neither is left alone
			if h := &s.PreStart[i].ContainerSpec; err == nil && (len(h.Environment) > 0 || len(h.EnvFiles) > 0) {
				err = p.resolveEnvironment(h, proj.Environment)
			}
		}
		if err != nil {
			return nil, &compose.Error{Location: compose.Location{File: l.Docs[0].Name}, Msg: err.Error(), Err: err}
		}
		proj.Services[name] = s
	}
	return proj, nil
}

// resolveEnvironment gives c its environment as the container sees it:
// entries without a value take it from the project's environment, then
// the env files are read in order (their values may use the project's
// environment, else c's own entries), and c's entries win over theirs.
func (p *Project) resolveEnvironment(c *types.ContainerSpec, projectEnv types.Mapping) error {
	// (Resolve writes in place, and c's maps may be shared: decodeProject)
	own := maps.Clone(c.Environment).Resolve(projectEnv.Resolve)
	lookup := func(k string) (string, bool) {
		if v, ok := projectEnv.Resolve(k); ok {
			return v, true
		}
		if v := own[k]; v != nil {
			return *v, true
		}
		return "", false
	}
	env := own.ToMapping()
	for _, ef := range c.EnvFiles {
		err := p.readMappingFile(ef.Path, ef.Format, env, lookup)
		switch {
		case errors.Is(err, fs.ErrNotExist) && !bool(ef.Required):
			// an optional env file that is not there
		case errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("env file %s not found: %w", ef.Path, err)
		case err != nil:
			return err
		}
	}
	c.Environment = env.ToMappingWithEquals().OverrideBy(own)
	c.EnvFiles = nil
	return nil
}

// resolveLabelFiles reads each service's (and hook's) label_file into its
// labels, as docker compose does (compose-go's
// Project.WithServicesLabelsResolved(false), reading through p.fs), in
// place, services in order of name.
func (p *Project) resolveLabelFiles(proj *types.Project) error {
	for _, name := range proj.ServiceNames() {
		s := proj.Services[name]
		err := p.resolveLabels(&s.ContainerSpec)
		s.PreStart = slices.Clone(s.PreStart) // shared with other projects (decodeProject)
		for i := range s.PreStart {
			if err == nil {
				err = p.resolveLabels(&s.PreStart[i].ContainerSpec)
			}
		}
		if err != nil {
			return err
		}
		proj.Services[name] = s
	}
	return nil
}

// resolveLabels completes c's labels with its label files, read in order
// (a file's values may use the labels of the files before it); c's own
// labels win.
func (p *Project) resolveLabels(c *types.ContainerSpec) error {
	labels := types.MappingWithEquals{}
	lookup := func(k string) (string, bool) {
		if v := labels[k]; v != nil {
			return *v, true
		}
		return "", false
	}
	for _, f := range c.LabelFiles {
		vars := types.Mapping{}
		err := p.readMappingFile(f, "", vars, lookup)
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("label file %s not found: %w", f, err)
		}
		if err != nil {
			return err
		}
		labels.OverrideBy(vars.ToMappingWithEquals())
	}
	labels = labels.OverrideBy(c.Labels.ToMappingWithEquals())
	if len(labels) > 0 {
		c.Labels = types.NewLabelsFromMappingWithEquals(labels)
	}
	return nil
}

// readMappingFile reads an env_file or a label_file into vars through
// p.fs. A directory is refused as compose-go refuses it, reading it.
func (p *Project) readMappingFile(path, format string, vars map[string]string, lookup func(string) (string, bool)) error {
	err := compose.ReadEnvFile(p.fs, path, format, vars, lookup)
	if errors.Is(err, compose.ErrNotRegular) {
		if st, serr := p.fs.Stat(path); serr == nil && st.IsDir() {
			return &fs.PathError{Op: "read", Path: path, Err: syscall.EISDIR}
		}
	}
	return err
}

// containerNameError places a container name conflict at the second
// service's container_name.
func (l *Loaded) containerNameError(proj *types.Project, err error) error {
	seen := map[string]string{}
	for _, name := range proj.ServiceNames() {
		cn := proj.Services[name].ContainerName
		if cn == "" {
			continue
		}
		if _, dup := seen[cn]; dup {
			at, _ := l.locate(compose.JoinPath([]string{"services", name, "container_name"}))
			return &compose.Error{Location: at, Msg: err.Error(), Err: err}
		}
		seen[cn] = name
	}
	return err
}

// convertWindowsPaths rewrites bind sources written as Windows paths
// (C:\data) the way the engine expects them (/c/data), as
// COMPOSE_CONVERT_WINDOWS_PATHS asks.
func convertWindowsPaths(proj *types.Project) {
	for name, s := range proj.Services {
		s.Volumes = slices.Clone(s.Volumes) // shared with other projects (decodeProject)
		for i, v := range s.Volumes {
			vol := strings.ToLower(filepath.VolumeName(v.Source))
			if len(vol) != 2 {
				continue
			}
			src := "/" + vol[:1] + v.Source[len(vol):]
			s.Volumes[i].Source = strings.ReplaceAll(src, `\`, "/")
		}
		proj.Services[name] = s
	}
}

// compose-go's Project.With* steps copy the whole project; composure calls
// them only where they change something, which on most projects is never
// (at 10,000 services each copy is a tenth of a second).

// withProfiles disables the services and jobs no enabled profile selects
// (Project.WithProfiles), in place when no service or job has a profile.
func withProfiles(proj *types.Project, profiles []string) (*types.Project, error) {
	// (not AllServices: it copies every service into a new map)
	gated := false
	for _, ss := range []types.Services{proj.Services, proj.DisabledServices} {
		for name := range ss {
			gated = gated || len(ss[name].Profiles) > 0
		}
	}
	for _, j := range proj.AllJobs() {
		gated = gated || len(j.Profiles) > 0
	}
	if gated {
		return proj.WithProfiles(profiles)
	}
	// what WithProfiles leaves: maps, never nil (`services: {}` prints)
	if proj.Services == nil {
		proj.Services = types.Services{}
	}
	if proj.DisabledServices == nil {
		proj.DisabledServices = types.Services{}
	}
	if proj.Jobs != nil && proj.DisabledJobs == nil {
		proj.DisabledJobs = types.Jobs{}
	}
	proj.Profiles = profiles
	return proj, nil
}

// anyContainer reports whether f holds for a service or one of its
// pre_start hooks.
func anyContainer(proj *types.Project, f func(*types.ContainerSpec) bool) bool {
	for _, s := range proj.Services {
		if f(&s.ContainerSpec) {
			return true
		}
		for i := range s.PreStart {
			if f(&s.PreStart[i].ContainerSpec) {
				return true
			}
		}
	}
	return false
}

// dropUnused removes the networks, volumes, secrets, configs and models no
// enabled service uses, as docker compose config does
// (Project.WithoutUnnecessaryResources), in place.
func dropUnused(proj *types.Project) {
	used := map[string]map[string]bool{}
	use := func(kind, name string) {
		if used[kind] == nil {
			used[kind] = map[string]bool{}
		}
		used[kind][name] = true
	}
	for _, s := range proj.Services {
		for n := range s.Networks {
			use("networks", n)
		}
		for _, v := range s.Volumes {
			if v.Type == types.VolumeTypeVolume && v.Source != "" {
				use("volumes", v.Source)
			}
		}
		for _, sec := range s.Secrets {
			use("secrets", sec.Source)
		}
		if s.Build != nil {
			for _, sec := range s.Build.Secrets {
				use("secrets", sec.Source)
			}
		}
		for _, c := range s.Configs {
			use("configs", c.Source)
		}
		for m := range s.Models {
			use("models", m)
		}
	}
	proj.Networks = keep(proj.Networks, used["networks"])
	proj.Volumes = keep(proj.Volumes, used["volumes"])
	proj.Secrets = keep(proj.Secrets, used["secrets"])
	proj.Configs = keep(proj.Configs, used["configs"])
	proj.Models = keep(proj.Models, used["models"])
}

// keep returns the entries of m named in used (never nil, as compose-go).
func keep[M ~map[string]V, V any](m M, used map[string]bool) M {
	out := make(M, len(used))
	for k := range used {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}

// isTrue reads a COMPOSE_* switch: 1, t, true, ... in any case, spaces
// around ignored.
func isTrue(s string) bool {
	b, _ := strconv.ParseBool(strings.ToLower(strings.TrimSpace(s)))
	return b
}

// prefix is the shared merge of first for the environments interpolated
// with env (and the same switches), and the cache of the services they
// share normalized with opts.
func (p *Project) prefix(first *compose.Document, env types.Mapping, opts LoadOptions, mopts []merge.Option) (*merge.Prefix, *normalize.ServiceCache) {
	keys := slices.Sorted(maps.Keys(env))
	var b strings.Builder
	fmt.Fprintf(&b, "%s\x00%t", first.Path, opts.NoInterpolate)
	for _, k := range keys {
		b.WriteString("\x00" + k + "=" + env[k])
	}
	p.sharedMu.Lock()
	defer p.sharedMu.Unlock()
	sh, ok := p.shared[b.String()]
	if !ok {
		sh = &shared{prefix: merge.NewPrefix(first, mopts...), services: map[[3]bool]*normalize.ServiceCache{}}
		if p.shared == nil {
			p.shared = map[string]*shared{}
		}
		p.shared[b.String()] = sh
	}
	// the switches that change a service's normalized form, beside the
	// variables and --no-interpolate, and whether services are bound once
	flags := [3]bool{opts.NoNormalize, opts.NoPathResolution, opts.NoModel}
	c := sh.services[flags]
	if c == nil {
		c = &normalize.ServiceCache{}
		// Loads that keep no model (lint's, which only check) bind each
		// shared service once. diff keeps each side's model: with two
		// environments, binding the shared services apart cost it more
		// time and memory than it saved (10,000 services: 785-835 MB
		// against 695-759 MB peak, and more CPU), since the first side
		// binds services the other side's overlay then replaces.
		if opts.NoModel && !opts.NoInterpolate {
			c.Derive = bindService
		}
		sh.services[flags] = c
	}
	return sh.prefix, c
}

// shared is what the environments that merge one first file with the same
// variables share.
type shared struct {
	prefix   *merge.Prefix
	services map[[3]bool]*normalize.ServiceCache
}

// Variables returns what env's files are interpolated with, as Load
// computes it (process environment, env files or .env, PWD, and
// COMPOSE_PROJECT_NAME set to the project name). When an env file cannot
// be read, the process environment alone: Load reports the error.
func (p *Project) Variables(env *Environment, docs []*compose.Document) map[string]string {
	m, err := p.environment(env, docs)
	if err != nil {
		m = maps.Clone(p.environ)
		if m == nil {
			m = map[string]string{}
		}
		if _, ok := m["PWD"]; !ok {
			m["PWD"] = p.Dir
		}
	}
	// docker compose interpolates with the project name set, whether or
	// not the variable is, as Load does; an invalid name is Load's error
	// to report
	if name, err := p.projectName(env, docs, m); err == nil {
		m[consts.ComposeProjectName] = name
	}
	return m
}

// checkExpansion checks d once per Project: environments share their
// base file. The Project keeps d alive, so only loads that keep their
// files anyway (Shared) use it.
func (p *Project) checkExpansion(d *compose.Document) error {
	if v, ok := p.expanded.Load(d); ok {
		err, _ := v.(error) // nil: the check passed
		return err
	}
	err := checkExpansion(d)
	p.expanded.Store(d, err)
	return err
}

// ForgetShared drops what the environments loaded together share
// (LoadOptions.Shared): the merge of their first file and the checked,
// normalized and bound services, which take about as much memory as one
// more environment. Call it once those loads are through: a later shared
// load starts afresh.
func (p *Project) ForgetShared() {
	p.sharedMu.Lock()
	defer p.sharedMu.Unlock()
	p.shared, p.schema = nil, nil
}

// schemaCache is the project's cache of schema checks, when environments
// are loaded together.
func (p *Project) schemaCache(shared bool) *normalize.SchemaCache {
	if !shared {
		return nil
	}
	p.sharedMu.Lock()
	defer p.sharedMu.Unlock()
	if p.schema == nil {
		p.schema = &normalize.SchemaCache{}
	}
	return p.schema
}
