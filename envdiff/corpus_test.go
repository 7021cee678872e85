package envdiff

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/composure-dev/composure/internal/testenv"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/envs"
	"github.com/composure-dev/composure/merge"
)

// env is one environment of a corpus project: its files in load order and,
// for projects in the oracle, the name of `docker compose config` output.
type env struct {
	name   string
	files  []string
	oracle string // <oracle>/<project>/<oracle>.json, when set
}

// TestCorpusGoldens diffs environments of real projects. Where the oracle
// holds docker compose's own output for both environments it is the model;
// otherwise compose-go loads the files. Origins come from the files.
func TestCorpusGoldens(t *testing.T) {
	shared := testenv.SharedDir(t)
	root, err := filepath.Abs(filepath.Join("..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		golden   string
		dir      string // absolute
		project  string // oracle project
		vars     map[string]string
		envFile  string
		from, to env
	}{
		{
			golden: "blog-default-prod", dir: filepath.Join(root, "blog"), envFile: ".env",
			from: env{name: "default", files: []string{"docker-compose.yml", "docker-compose.override.yml"}},
			to:   env{name: "prod", files: []string{"docker-compose.yml", "docker-compose.prod.yml"}},
		},
		{
			golden: "blog-default-admin", dir: filepath.Join(root, "blog"), envFile: ".env",
			from: env{name: "default", files: []string{"docker-compose.yml", "docker-compose.override.yml"}},
			to:   env{name: "admin", files: []string{"docker-compose.yml", "docker-compose.admin.yml"}},
		},
		{
			golden: "netbox-docker-default-test", project: "netbox-docker",
			from: env{name: "default", files: []string{"docker-compose.yml"}, oracle: "default"},
			to:   env{name: "test", files: []string{"docker-compose.yml", "docker-compose.test.yml"}, oracle: "test"},
		},
		{
			golden: "opentelemetry-demo-default-full", project: "opentelemetry-demo",
			from: env{name: "default", files: []string{"compose.yaml"}, oracle: "default"},
			to:   env{name: "full", files: []string{"compose.yaml", "compose.full.yaml"}, oracle: "full"},
		},
		{
			golden: "opentelemetry-demo-default-observability", project: "opentelemetry-demo",
			from: env{name: "default", files: []string{"compose.yaml"}, oracle: "default"},
			to:   env{name: "observability", files: []string{"compose.yaml", "compose.observability.yaml"}, oracle: "observability"},
		},
		{
			golden: "example-voting-app-default-images", project: "example-voting-app",
			from: env{name: "default", files: []string{"docker-compose.yml"}, oracle: "default"},
			to:   env{name: "images", files: []string{"docker-compose.yml", "docker-compose.images.yml"}, oracle: "images"},
		},
		{
			golden: "frappe-docker-mariadb-postgres", dir: filepath.Join(shared, "corpus", "frappe-docker"), envFile: "example.env",
			from: env{name: "mariadb", files: []string{"compose.yaml", "overrides/compose.mariadb.yaml", "overrides/compose.redis.yaml", "overrides/compose.noproxy.yaml"}},
			to:   env{name: "postgres", files: []string{"compose.yaml", "overrides/compose.postgres.yaml", "overrides/compose.redis.yaml", "overrides/compose.https.yaml"}},
		},
		{
			golden: "defectdojo-dev-unit-tests", dir: filepath.Join(shared, "corpus", "defectdojo"),
			from: env{name: "dev", files: []string{"docker-compose.yml", "docker-compose.override.dev.yml"}},
			to:   env{name: "unit_tests", files: []string{"docker-compose.yml", "docker-compose.override.unit_tests.yml"}},
		},
		{
			golden: "docker-zulip-basic-memory", dir: filepath.Join(shared, "corpus", "docker-zulip"), envFile: "ci/base.env",
			vars: map[string]string{"GITHUB_CI_IMAGE": "zulip:ci"},
			from: env{name: "basic", files: []string{"compose.yaml", "ci/base.yaml", "ci/basic/compose.yaml"}},
			to:   env{name: "low-memory", files: []string{"compose.yaml", "ci/base.yaml", "ci/memory/compose.yaml", "ci/memory/low-memory.yaml"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			dir := tt.dir
			if tt.project != "" {
				dir = filepath.Join(shared, "corpus", tt.project)
			}
			side := func(e env) Side {
				if e.oracle != "" {
					return Side{Name: e.name, Model: readOracle(t, filepath.Join(shared, "oracle", tt.project, e.oracle+".json")),
						Origin: fileOrigins(t, dir, e.files...)}
				}
				return loadEnv(t, dir, e, tt.envFile, tt.vars)
			}
			r := Compare(side(tt.from), side(tt.to))
			out := render(t, r)
			checkGolden(t, filepath.Join("corpus", tt.golden+".txt"), out["txt"])
			checkGolden(t, filepath.Join("corpus", tt.golden+".json"), out["json"])
		})
	}
}

func readOracle(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// loadEnv loads the files of e as the CLI does (envs, then merge for the
// origins), with envFile (relative to dir) as --env-file and vars as the
// whole process environment. The project directory is written
// ${PROJECT_DIR}, as in the oracle.
func loadEnv(t *testing.T, dir string, e env, envFile string, vars map[string]string) Side {
	t.Helper()
	opts := envs.Options{Dir: dir, Environ: []string{}}
	for _, f := range e.files {
		opts.Files = append(opts.Files, filepath.Join(dir, f))
	}
	if envFile != "" {
		opts.EnvFiles = []string{filepath.Join(dir, envFile)}
	}
	for k, v := range vars {
		opts.Environ = append(opts.Environ, k+"="+v)
	}
	p, err := envs.Discover(opts)
	if err != nil {
		t.Fatal(err)
	}
	l, err := p.Load(context.Background(), p.Envs[0], compose.NewCache(), envs.LoadOptions{})
	if err != nil {
		t.Fatalf("loading %v: %v", e.files, err)
	}
	m, err := merge.Merge(l.Docs)
	if err != nil {
		t.Fatalf("merging %v: %v", e.files, err)
	}
	return Side{Name: e.name, Model: RewriteStrings(l.Model, dir, "${PROJECT_DIR}"), Origin: MergeOrigins(m, "")}
}
