package model

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/consts"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"gopkg.in/yaml.v3"
)

// loadModel returns compose-go's canonical model of an environment the way
// docker compose config loads it (docker/compose cmd/compose/config.go and
// pkg/compose/loader.go, compose-go's cli.ProjectOptions): PWD, HOME and
// PATH in the environment as the oracle had them, the project's .env read,
// COMPOSE_FILE honoured, the default files found when files is empty,
// env_file contents discarded after resolution, paths resolved, the
// project named by COMPOSE_PROJECT_NAME, the files or the directory.
// visits raises compose-go's cap on YAML node visits (0 keeps its
// default), which refuses large generated projects. The model is what
// Decode takes; its "name" key holds the project name.
//
// ProjectOptions.LoadModel would be shorter, but it hands the loader
// ConfigDetails without the project's environment: .env variables are not
// interpolated. So the steps are taken one by one, as LoadProject does.
func loadModel(dir string, files []string, visits int) (map[string]any, types.Mapping, error) {
	abs := make([]string, len(files))
	for i, f := range files {
		abs[i] = filepath.Join(dir, f)
	}
	po, err := cli.NewProjectOptions(abs,
		cli.WithWorkingDirectory(dir),
		cli.WithEnv([]string{"PWD=" + dir, "HOME=/home/oracle", "PATH=/usr/local/bin:/usr/bin:/bin"}),
		cli.WithEnvFiles(),
		cli.WithDotEnv,
		cli.WithConfigFileEnv,
		cli.WithDefaultConfigPath,
	)
	if err != nil {
		return nil, nil, err
	}
	ctx := context.Background()
	details, err := po.ReadConfigFiles(ctx, dir, po)
	if err != nil {
		return nil, nil, err
	}
	details.Environment = po.Environment
	named := func(o *loader.Options) {
		o.ResolvePaths = true
		o.MaxNodeVisits = visits
		if n := po.Environment[consts.ComposeProjectName]; n != "" {
			o.SetProjectName(n, true)
		} else if !namedInFiles(details) {
			o.SetProjectName(loader.NormalizeProjectName(filepath.Base(dir)), false)
		}
	}
	m, err := loader.LoadModelWithContext(ctx, *details, loader.WithDiscardEnvFiles, named)
	return m, po.Environment, err
}

// namedInFiles tells whether a compose file sets the project's name.
func namedInFiles(d *types.ConfigDetails) bool {
	for _, f := range d.ConfigFiles {
		var n struct {
			Name string `yaml:"name"`
		}
		if yaml.Unmarshal(f.Content, &n) == nil && n.Name != "" {
			return true
		}
	}
	return false
}

// oracleEnv is one row of the oracle's index.tsv.
type oracleEnv struct {
	project, env string
	files        []string // nil: docker compose's default files
	ok           bool     // docker compose config printed it
}

// oracleEnvs reads /work/shared/oracle/index.tsv.
func oracleEnvs(t *testing.T, shared string) []oracleEnv {
	f, err := os.Open(filepath.Join(shared, "oracle", "index.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []oracleEnv
	sc := bufio.NewScanner(f)
	for first := true; sc.Scan(); first = false {
		cols := strings.Split(sc.Text(), "\t")
		if first || len(cols) < 4 {
			continue
		}
		e := oracleEnv{project: cols[0], env: cols[1], ok: cols[3] == "ok"}
		if cols[2] != "(docker compose default)" {
			e.files = strings.Split(cols[2], ",")
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
