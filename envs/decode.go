package envs

import (
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// decodeProject binds the normalized model to compose-go's types.
// TODO(engine): model.Decode replaces this use of compose-go's loader.
func decodeProject(dict map[string]any, name, dir string, environment types.Mapping) (*types.Project, error) {
	opts := &loader.Options{SkipConsistencyCheck: true, SkipResolveEnvironment: true, SkipResolveLabels: true}
	opts.SetProjectName(name, true)
	return loader.ModelToProject(dict, opts, types.ConfigDetails{WorkingDir: dir, Environment: environment})
}
