// Package fastload loads a compose project exactly as docker compose config
// does (compose-go v2.16.2 as the engine), in less than half the time.
//
// Profiling compose-go's ProjectOptions.LoadProject on generated projects
// (docs/benchmarks.md) shows its cost is linear in the number of services but
// with a large constant: every generic step of the loader (canonical forms,
// default values, relative path resolution, semantic validation,
// interpolation type casts, omit-empty, !reset application) walks the whole
// model and, at every node, ranges over a table of path patterns calling
// tree.Path.Matches, which splits both strings. That is a third of the CPU
// time and most of the allocations; garbage collection of those allocations
// is another quarter.
//
// Load runs the same pipeline as compose-go's loader (loader.go:
// LoadWithContext -> load -> loadYamlModel -> loadYamlFile, then
// ModelToProject), step by step and in the same order, calling compose-go's
// exported steps where they are cheap (override.Merge, schema.Validate,
// Normalize, ResolveEnvironment, ModelToProject) and
// copies of the slow generic steps (internal/composego) whose only change is
// an allocation-free pattern lookup (internal/pathmatch). Projects using
// `include` or `extends`, whose upstream steps take unexported state, are
// loaded by compose-go itself (Reference). TestEquivalence compares Load
// with Reference on generated projects and on every environment of the
// shared corpus.
package fastload

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sync"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/consts"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/override"
	"github.com/compose-spec/compose-go/v2/schema"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/compose-spec/compose-go/v2/utils"
	"github.com/sirupsen/logrus"
	"go.yaml.in/yaml/v4"

	interp "github.com/composure-dev/composure/internal/fastload/internal/composego/interpolation"
	uniq "github.com/composure-dev/composure/internal/fastload/internal/composego/override"
	"github.com/composure-dev/composure/internal/fastload/internal/composego/paths"
	"github.com/composure-dev/composure/internal/fastload/internal/composego/transform"
	"github.com/composure-dev/composure/internal/fastload/internal/composego/validation"
)

// errUnsupported makes Load hand the project to compose-go itself.
var errUnsupported = errors.New("fastload: feature not on the fast path")

// Load loads the project as Reference does, with the same result and the
// same errors, faster. When the fast path meets a feature it leaves to
// compose-go, or an error, compose-go loads the project again: failures are
// rare and must read exactly as docker compose words them (its checks run in
// an order the fast path does not promise to keep, e.g. for a services key
// that is not a mapping).
func Load(ctx context.Context, o Options) (*types.Project, error) {
	p, err := load(ctx, o)
	if err != nil {
		return Reference(ctx, o)
	}
	return p, nil
}

// load mirrors cli.ProjectOptions.LoadProject and loader.LoadWithContext.
func load(ctx context.Context, o Options) (*types.Project, error) {
	po, err := projectOptions(o)
	if err != nil {
		return nil, err
	}
	// cli.ProjectOptions.prepare
	defaultDir, err := po.GetWorkingDir()
	if err != nil {
		return nil, err
	}
	configDetails, err := po.ReadConfigFiles(ctx, defaultDir, po)
	if err != nil {
		return nil, err
	}
	isNamed := false
	if po.Name == "" {
		type named struct {
			Name string `yaml:"name,omitempty"`
		}
		for _, cfg := range configDetails.ConfigFiles {
			var n named
			if err := yaml.Unmarshal(cfg.Content, &n); err != nil {
				return nil, err
			}
			if n.Name != "" {
				isNamed = true
				break
			}
		}
	}
	loadOpts := append(loadOptions(o),
		withNamePrecedenceLoad(defaultDir, isNamed, po),
		func(lo *loader.Options) {
			if lo.ResolvePaths {
				lo.ConvertWindowsPaths = utils.StringToBool(po.Environment["COMPOSE_CONVERT_WINDOWS_PATHS"])
			}
		})

	details := types.ConfigDetails{
		ConfigFiles: configDetails.ConfigFiles,
		WorkingDir:  configDetails.WorkingDir,
		Environment: po.Environment,
	}
	project, err := loadWithContext(details, loadOpts...)
	if err != nil {
		return nil, err
	}
	for _, config := range details.ConfigFiles {
		project.ComposeFiles = append(project.ComposeFiles, config.Filename)
	}
	return finish(project)
}

// LoadWithContext is loader.LoadWithContext, faster: same arguments, same
// project, and compose-go's own result (loaded again by
// loader.LoadWithContext) when the fast path declines or fails. The config
// files must have their Content.
func LoadWithContext(ctx context.Context, details types.ConfigDetails, options ...func(*loader.Options)) (*types.Project, error) {
	p, err := loadWithContext(details, options...)
	if err != nil {
		return loader.LoadWithContext(ctx, details, options...)
	}
	return p, nil
}

// loadWithContext mirrors loader.LoadWithContext.
func loadWithContext(details types.ConfigDetails, options ...func(*loader.Options)) (*types.Project, error) {
	opts := loader.ToOptions(&details, options)
	if opts.SkipInterpolation || len(opts.ResourceLoaders) > 1 {
		return nil, errUnsupported // not what config prints by default; remote files
	}
	if len(details.ConfigFiles) < 1 {
		return nil, errors.New("no compose file specified")
	}
	if err := projectName(&details, opts); err != nil {
		return nil, err
	}
	dict, err := loadModel(details, opts)
	if err != nil {
		return nil, err
	}
	return loader.ModelToProject(dict, opts, details)
}

// withNamePrecedenceLoad is cli's unexported option of the same name.
func withNamePrecedenceLoad(absWorkingDir string, namedInYaml bool, options *cli.ProjectOptions) func(*loader.Options) {
	return func(opts *loader.Options) {
		if options.Name != "" {
			opts.SetProjectName(options.Name, true)
		} else if nameFromEnv, ok := options.Environment[consts.ComposeProjectName]; ok && nameFromEnv != "" {
			opts.SetProjectName(nameFromEnv, true)
		} else if !namedInYaml {
			dirname := filepath.Base(absWorkingDir)
			symlink, err := filepath.EvalSymlinks(absWorkingDir)
			if err == nil && filepath.Base(symlink) != dirname {
				logrus.Warnf("project has been loaded without an explicit name from a symlink. Using name %q", dirname)
			}
			opts.SetProjectName(loader.NormalizeProjectName(dirname), false)
		}
	}
}

// projectName is loader's unexported function of the same name.
func projectName(details *types.ConfigDetails, opts *loader.Options) error {
	defer func() {
		if details.Environment == nil {
			details.Environment = map[string]string{}
		}
		name, _ := opts.GetProjectName()
		details.Environment[consts.ComposeProjectName] = name
	}()

	if name, explicit := opts.GetProjectName(); explicit {
		if loader.NormalizeProjectName(name) != name {
			return loader.InvalidProjectNameErr(name)
		}
		return nil
	}

	type named struct {
		Name string `yaml:"name"`
	}
	var pjNameFromConfigFile string
	for _, configFile := range details.ConfigFiles {
		var n named
		decoder := yaml.NewDecoder(bytes.NewReader(configFile.Content))
		for {
			err := decoder.Decode(&n)
			if err != nil && errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				break // caught downstream, as upstream says
			}
			if n.Name != "" {
				pjNameFromConfigFile = n.Name
			}
		}
	}
	if !opts.SkipInterpolation {
		interpolated, err := interp.Interpolate(
			map[string]any{"name": pjNameFromConfigFile},
			interpOptions(opts),
		)
		if err != nil {
			return err
		}
		pjNameFromConfigFile = interpolated["name"].(string)
	}
	if !opts.SkipNormalization {
		pjNameFromConfigFile = loader.NormalizeProjectName(pjNameFromConfigFile)
	}
	if pjNameFromConfigFile != "" {
		_, explicit := opts.GetProjectName()
		opts.SetProjectName(pjNameFromConfigFile, explicit)
	}
	return nil
}

// interpOptions converts the loader's interpolation options to the copied
// package's (same functions, the cast table copied from loader).
func interpOptions(opts *loader.Options) interp.Options {
	o := interp.Options{TypeCastMapping: interpolateTypeCastMapping}
	if opts.Interpolate != nil {
		o.LookupValue = interp.LookupValue(opts.Interpolate.LookupValue)
		o.Substitute = opts.Interpolate.Substitute
	}
	if o.Substitute == nil {
		o.Substitute = template.Substitute
	}
	return o
}

// loadModel mirrors loader.load (without include cycles: include is not on
// the fast path).
func loadModel(details types.ConfigDetails, opts *loader.Options) (map[string]any, error) {
	dict, err := loadYamlModel(details, opts)
	if err != nil {
		return nil, err
	}
	if len(dict) == 0 {
		return nil, errors.New("empty compose file")
	}
	name, _ := opts.GetProjectName()
	if !opts.SkipValidation && name == "" {
		return nil, errors.New("project name must not be empty")
	}
	if opts.UnsupportedAttributesCheck != nil {
		return nil, errUnsupported
	}
	if !opts.SkipNormalization {
		dict["name"] = name
		dict, err = loader.Normalize(dict, details.Environment)
		if err != nil {
			return nil, err
		}
	}
	return dict, nil
}

// loadYamlModel mirrors loader.loadYamlModel.
func loadYamlModel(config types.ConfigDetails, opts *loader.Options) (map[string]any, error) {
	dict := map[string]any{}
	var err error
	for _, file := range config.ConfigFiles {
		dict, err = loadYamlFile(file, opts, dict)
		if err != nil {
			return nil, err
		}
	}
	if !opts.SkipDefaultValues {
		dict, err = transform.SetDefaultValues(dict)
		if err != nil {
			return nil, err
		}
	}
	if !opts.SkipValidation {
		if err := validation.Validate(dict); err != nil {
			return nil, err
		}
	}
	if opts.ResolvePaths {
		var remotes []paths.RemoteResource
		for _, l := range opts.RemoteResourceLoaders() {
			remotes = append(remotes, l.Accept)
		}
		if err := paths.ResolveRelativePaths(dict, config.WorkingDir, remotes); err != nil {
			return nil, err
		}
	}
	loader.ResolveEnvironment(dict, config.Environment)
	return dict, nil
}

// loadYamlFile mirrors loader.loadYamlFile.
func loadYamlFile(file types.ConfigFile, opts *loader.Options, dict map[string]any) (map[string]any, error) {
	if file.Content == nil || file.Config != nil {
		return nil, errUnsupported // ReadConfigFiles always fills Content
	}
	processRawYaml := func(raw any, processor *ResetProcessor) error {
		var kc keyConverter
		converted, err := kc.convert(raw)
		if err != nil {
			return err
		}
		cfg, ok := converted.(map[string]any)
		if !ok {
			return errors.New("top-level object must be a mapping")
		}
		if opts.Interpolate != nil && !opts.SkipInterpolation {
			cfg, err = interp.Interpolate(cfg, interpOptions(opts))
			if err != nil {
				return err
			}
		}
		fixEmptyNotNull(cfg)
		if err := promoteAliases(cfg, ""); err != nil {
			return err
		}
		if _, ok := cfg["include"]; ok && !opts.SkipInclude {
			return errUnsupported
		}
		if err := processor.Apply(dict); err != nil {
			return err
		}
		if !opts.SkipExtends && usesExtends(cfg) {
			return errUnsupported
		}
		dict, err = override.Merge(dict, cfg)
		if err != nil {
			return err
		}
		dict, err = uniq.EnforceUnicity(dict)
		if err != nil {
			return err
		}
		if !opts.SkipValidation {
			if err := schema.Validate(dict); err != nil {
				return fmt.Errorf("validating %s: %w", file.Filename, err)
			}
			if _, ok := dict["version"]; ok {
				warnObsoleteVersion(file.Filename)
				delete(dict, "version")
			}
		}
		dict, err = transform.Canonical(dict, opts.SkipInterpolation)
		if err != nil {
			return err
		}
		dict = omitEmptyModel(dict)
		dict, err = uniq.EnforceUnicity(dict)
		return err
	}

	decoder := yaml.NewDecoder(bytes.NewReader(file.Content))
	for {
		var raw any
		reset := newResetProcessor(&raw, opts.MaxNodeVisits)
		err := decoder.Decode(reset)
		if err != nil && errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("failed to parse %s: %w", file.Filename, err)
		}
		if err := processRawYaml(raw, reset); err != nil {
			return nil, err
		}
	}
	return dict, nil
}

// usesExtends reports whether a service of cfg extends another: extends is
// resolved by compose-go (loader.ApplyExtends needs its unexported cycle
// tracker).
func usesExtends(cfg map[string]any) bool {
	for _, section := range []string{"services", "jobs"} {
		services, _ := cfg[section].(map[string]any)
		for _, s := range services {
			if m, ok := s.(map[string]any); ok {
				if _, ok := m["extends"]; ok {
					return true
				}
			}
		}
	}
	return false
}

// versionWarned mirrors loader's process-wide versionWarning set: docker
// compose warns about `version` once per file per process, however many
// environments include the file (compose-go keeps it global for the same
// reason, so that repeated loads do not warn again).
var versionWarned sync.Map

// warnObsoleteVersion is loader's (*Options).warnObsoleteVersion.
func warnObsoleteVersion(file string) {
	if _, warned := versionWarned.LoadOrStore(file, true); !warned {
		logrus.Warning(fmt.Sprintf("%s: the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion", file))
	}
}
