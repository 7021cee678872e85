// Package reference loads a compose project with compose-go's own loader,
// exactly as docker compose config does: the yardstick composure's engine is
// held to by differential tests and benchmarks. Nothing but tests and the
// benchmark tool imports it; composure itself loads with its own pipeline
// (envs.Project.Load).
package reference

import (
	"context"
	"maps"
	"os"
	"slices"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// Options says what to load: the same inputs docker compose config takes.
type Options struct {
	// Dir is the absolute project directory.
	Dir string
	// Files are the absolute compose files in load order.
	Files []string
	// Env is the process environment (docker compose adds PWD when missing).
	Env map[string]string
	// EnvFiles are the env files to read; nil means the project's .env, as
	// docker compose does without --env-file.
	EnvFiles []string
	// ProjectName is the -p value ("" to take it from the files or Dir).
	ProjectName string
	// Profiles are the enabled profiles.
	Profiles []string
	// MaxNodeVisits caps YAML node visits while resolving aliases and
	// !reset/!override; 0 means a cap proportional to the input size (see
	// NodeVisitBudget), so large projects load while alias bombs still stop.
	MaxNodeVisits int
	// Services are the SERVICE arguments of `docker compose config`: the
	// services to keep, with what they depend on (none: all).
	Services []string
	// NoEnvResolution is --no-env-resolution: env_file is neither read nor
	// dropped.
	NoEnvResolution bool
	// NoConsistency is --no-consistency: no consistency check, no
	// container name unicity check.
	NoConsistency bool
	// NoContainerNameCheck skips the container name unicity check alone,
	// as docker compose config --hash does.
	NoContainerNameCheck bool
}

// projectOptions builds compose-go's cli options the way docker compose
// config builds them (docker/compose cmd/compose/config.go and
// pkg/compose/loader.go): env from the process plus PWD, the .env (or the
// given env files) read, env_file contents folded into environment and the
// key dropped, paths resolved.
func projectOptions(o Options) (*cli.ProjectOptions, error) {
	env := maps.Clone(o.Env)
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["PWD"]; !ok {
		env["PWD"] = o.Dir
	}
	list := make([]string, 0, len(env))
	for _, k := range slices.Sorted(maps.Keys(env)) {
		list = append(list, k+"="+env[k])
	}
	fns := []cli.ProjectOptionsFn{
		cli.WithWorkingDirectory(o.Dir),
		cli.WithEnv(list),
		cli.WithEnvFiles(o.EnvFiles...),
		cli.WithDotEnv,
		// docker compose's config: --profile, else COMPOSE_PROFILES (from
		// the environment or .env)
		cli.WithDefaultProfiles(o.Profiles...),
		cli.WithLoadOptions(loadOptions(o)...),
	}
	if o.ProjectName != "" {
		fns = append(fns, cli.WithName(o.ProjectName))
	}
	return cli.NewProjectOptions(o.Files, fns...)
}

// Load loads the project with compose-go alone, exactly as docker compose
// config does.
func Load(ctx context.Context, o Options) (*types.Project, error) {
	po, err := projectOptions(o)
	if err != nil {
		return nil, err
	}
	p, err := po.LoadProject(ctx)
	if err != nil {
		return nil, err
	}
	return finish(p, o)
}

// finish applies what docker compose config does after LoadProject
// (pkg/compose/loader.go postProcessProject, cmd/compose/config.go
// runConfigInterpolate).
func finish(p *types.Project, o Options) (*types.Project, error) {
	p, err := p.WithServicesEnabled(o.Services...)
	if err != nil {
		return nil, err
	}
	if p, err = p.WithSelectedServices(o.Services); err != nil {
		return nil, err
	}
	p = p.WithoutUnnecessaryResources()
	if !o.NoEnvResolution {
		if p, err = p.WithServicesEnvironmentResolved(true); err != nil {
			return nil, err
		}
	}
	if !o.NoConsistency && !o.NoContainerNameCheck {
		if err := p.CheckContainerNameUnicity(); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// loadOptions are the loader options docker compose config sets through
// cli.WithProfiles, cli.WithDiscardEnvFile, cli.WithResolvedPaths(true),
// cli.WithConsistency and cli.WithoutEnvironmentResolution, plus the
// node-visit cap.
func loadOptions(o Options) []func(*loader.Options) {
	visits := o.MaxNodeVisits
	if visits == 0 {
		visits = nodeVisitBudget(o.Files)
	}
	return []func(*loader.Options){
		loader.WithDiscardEnvFiles,
		func(lo *loader.Options) {
			lo.ResolvePaths = true
			lo.MaxNodeVisits = visits
			lo.SkipConsistencyCheck = o.NoConsistency
			lo.SkipResolveEnvironment = o.NoEnvResolution
		},
	}
}

// nodeVisitBudget is the MaxNodeVisits cap for loading files: compose-go's
// default of 100,000 visits, or 100 visits per input byte when larger, so
// that the generated 10,000-service projects load (docker compose itself
// refuses them).
func nodeVisitBudget(files []string) int {
	const floor, perByte = 100_000, 100
	total := 0
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			total += int(st.Size())
		}
	}
	return max(floor, total*perByte)
}
