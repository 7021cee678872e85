package render

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/composure-dev/composure/envs"
)

// loadComposure loads the files of the project in dir (none: the project's
// default environment) with composure's engine, as composure config does:
// the printer under test only needs a project, and envs.TestDifferential
// holds the engine to compose-go's loader.
func loadComposure(dir string, files, environ []string) (*types.Project, error) {
	p, err := envs.Discover(envs.Options{Dir: dir, Files: files, Environ: append(environ, "PWD="+dir)})
	if err != nil {
		return nil, err
	}
	env, err := p.Env(envs.DefaultEnv)
	if err != nil {
		return nil, err
	}
	l, err := p.Load(context.Background(), env, nil, envs.LoadOptions{NoModel: true})
	if err != nil {
		return nil, err
	}
	return l.Project, nil
}
