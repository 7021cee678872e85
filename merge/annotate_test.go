package merge

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/internal/gen"
)

// effectiveConfig is what `docker compose config` prints for the files
// (compose-go's project, marshalled), YAML or JSON.
func effectiveConfig(t testing.TB, dir string, files []string, format string) []byte {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	var cfs []types.ConfigFile
	for _, f := range files {
		cfs = append(cfs, types.ConfigFile{Filename: filepath.Join(abs, f)})
	}
	env := types.Mapping{}
	if dotEnv := filepath.Join(abs, ".env"); fileExists(dotEnv) {
		if env, err = dotenv.GetEnvFromFile(env, []string{dotEnv}); err != nil {
			t.Fatal(err)
		}
	}
	p, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir: abs, ConfigFiles: cfs, Environment: env,
	}, func(o *loader.Options) {
		o.SetProjectName("app", true)
		o.ResolvePaths = false
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	if format == "json" {
		out, err = p.MarshalJSON()
	} else {
		out, err = p.MarshalYAML()
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

func mergeFiles(t testing.TB, dir string, files []string) *Result {
	t.Helper()
	var docs []*compose.Document
	for _, f := range files {
		d, err := compose.ReadFile(filepath.Join(dir, f), f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	r, err := Merge(docs)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./merge -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestAnnotateGolden(t *testing.T) {
	dir := filepath.Join("testdata", "annotate", "app")
	files := []string{"compose.yaml", "compose.prod.yaml"}
	r := mergeFiles(t, dir, files)
	describe := func(p string) (string, bool) { return r.Describe(p), true }

	y, err := AnnotateYAML(effectiveConfig(t, dir, files, "yaml"), describe)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join(dir, "prod.golden.yaml"), y)
	// The comments must not change the document.
	var plain, annotated any
	if err := yaml.Unmarshal(effectiveConfig(t, dir, files, "yaml"), &plain); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(y, &annotated); err != nil {
		t.Fatalf("annotated YAML does not parse: %v", err)
	}
	if !equalJSON(plain, annotated) {
		t.Error("annotating changed the document")
	}

	j, err := AnnotateJSON(effectiveConfig(t, dir, files, "json"), describe)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join(dir, "prod.golden.json"), j)
	var doc map[string]any
	if err := json.Unmarshal(j, &doc); err != nil {
		t.Fatalf("annotated JSON does not parse: %v", err)
	}
	origins, _ := doc[OriginsKey].(map[string]any)
	for path, want := range map[string]string{
		"services.web.image":                   "compose.yaml:2:10 via *app at compose.yaml:9:9",
		"services.web.environment.LOG_LEVEL":   "compose.prod.yaml:4:18",
		"services.web.deploy.replicas":         "compose.prod.yaml:6:17",
		"services.db.image":                    "compose.yaml:15:12",
		"services.db.healthcheck.interval":     "compose.prod.yaml:9:17",
		"services.web.depends_on.db.condition": "default",
		"services.web.ports.0.published":       "compose.yaml:11:9",
		"services.web.networks.default":        "default",
		"services.db.healthcheck.test.1":       "compose.yaml:17:21",
		"services.web.depends_on.db.required":  "default",
		"services.web.restart":                 "compose.yaml:3:12 via *app at compose.yaml:9:9",
		"services.web.ports.0.protocol":        "compose.yaml:11:9",
		"volumes.data.name":                    "default", // `data:` has no text to name it
		"volumes.cache.name":                   "default",
		"volumes.cache.driver":                 "compose.yaml:26:13",
	} {
		if got := origins[path]; got != want {
			t.Errorf("x-origins[%q] = %v, want %q", path, got, want)
		}
	}
}

func equalJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

func TestAnnotateYAMLShapes(t *testing.T) {
	src := "a: 1\nb: [x, y]\nc: \"q\"\nd: |\n  text\n  more\ne: {}\nf:\n  - g: 2\n"
	got, err := AnnotateYAML([]byte(src), func(p string) (string, bool) { return "at " + p, true })
	if err != nil {
		t.Fatal(err)
	}
	want := "a: 1  # at a\nb: [x, y]  # at b.0; at b.1\nc: \"q\"  # at c\nd: |  # at d\n  text\n  more\ne: {}  # at e\nf:\n  - g: 2  # at f.0.g\n"
	if string(got) != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(string(got), "# at d") {
		t.Error("block scalar not annotated")
	}
}

// BenchmarkAnnotateYAML comments the effective config of the prod
// environment of the shared generated project.
func BenchmarkAnnotateYAML(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dir := b.TempDir()
			if err := gen.Write(dir, n); err != nil {
				b.Fatal(err)
			}
			files := []string{gen.Base, gen.Prod}
			cfg := effectiveConfig(b, dir, files, "yaml")
			r := mergeFiles(b, dir, files)
			describe := func(p string) (string, bool) { return r.Describe(p), true }
			b.ResetTimer()
			for b.Loop() {
				if _, err := AnnotateYAML(cfg, describe); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
