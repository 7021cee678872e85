package render

import (
	"context"
	"io"
	"os"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/sirupsen/logrus"
)

// TestMain silences compose-go's logrus warnings (unset variables, obsolete
// `version`) while the tests load projects.
func TestMain(m *testing.M) {
	logrus.SetOutput(io.Discard)
	os.Exit(m.Run())
}

// loadOptions are the inputs of `docker compose config` that the tests
// vary.
type loadOptions struct {
	dir string
	// files are the compose files, absolute, in load order; none means
	// docker compose's own choice (COMPOSE_FILE, else compose.yaml or
	// docker-compose.yml and its override).
	files []string
	// env is the whole process environment.
	env []string
	// maxNodeVisits caps YAML node visits while resolving !reset and
	// aliases; 0 keeps compose-go's default.
	maxNodeVisits int
}

// loadProject loads a project with compose-go alone, the way docker compose
// config does (docker/compose cmd/compose/compose.go ToProjectOptions and
// cmd/compose/config.go): the process environment plus PWD, .env, then
// COMPOSE_FILE or the default files, COMPOSE_PROFILES; env_file contents
// folded into environment, paths resolved; then only the enabled services,
// the resources they use, and their environment resolved.
func loadProject(ctx context.Context, o loadOptions) (*types.Project, error) {
	lopts := []func(*loader.Options){
		loader.WithDiscardEnvFiles,
		func(lo *loader.Options) {
			lo.ResolvePaths = true
			if o.maxNodeVisits > 0 {
				lo.MaxNodeVisits = o.maxNodeVisits
			}
		},
	}
	po, err := cli.NewProjectOptions(o.files,
		cli.WithWorkingDirectory(o.dir),
		cli.WithEnv(o.env),
		cli.WithEnv([]string{"PWD=" + o.dir}),
		cli.WithEnvFiles(),
		cli.WithDotEnv,
		cli.WithConfigFileEnv,
		cli.WithDefaultConfigPath,
		cli.WithDefaultProfiles(),
		cli.WithLoadOptions(lopts...),
	)
	if err != nil {
		return nil, err
	}
	p, err := po.LoadProject(ctx)
	if err != nil {
		return nil, err
	}
	if p, err = p.WithServicesEnabled(); err != nil {
		return nil, err
	}
	p = p.WithoutUnnecessaryResources()
	return p.WithServicesEnvironmentResolved(true)
}

// nodeVisitBudget is a cap on node visits proportional to the files' size:
// the generated projects merge anchors into thousands of services, more
// visits than compose-go's default allows.
func nodeVisitBudget(files []string) int {
	total := 0
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			total += int(st.Size())
		}
	}
	return max(100_000, 100*total)
}
