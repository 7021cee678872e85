package normalize

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/internal/gen"
	"github.com/composure-dev/composure/internal/testenv"
)

// documentSamples returns compose documents to check the schema on: the
// files of the generated 100-service project and of the corpus (when
// ../shared is there), as JSON values, keyed by file.
func documentSamples(t *testing.T) map[string]map[string]any {
	t.Helper()
	var files []string
	dir := t.TempDir()
	if err := gen.Write(dir, 100); err != nil {
		t.Fatal(err)
	}
	gens, _ := filepath.Glob(filepath.Join(dir, "*.yml"))
	files = append(files, gens...)
	if shared, ok := testenv.Shared(); ok {
		_ = filepath.WalkDir(filepath.Join(shared, "corpus"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (filepath.Ext(p) == ".yml" || filepath.Ext(p) == ".yaml") {
				files = append(files, p)
			}
			return nil
		})
	} else {
		t.Log("../shared not found: the corpus's files are not sampled")
	}
	out := map[string]map[string]any{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if yaml.Unmarshal(b, &doc) != nil {
			continue // not a compose file as yaml.v3 reads it
		}
		js, err := json.Marshal(doc)
		if err != nil {
			continue // keys that are not strings
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
		if err != nil {
			t.Fatal(err)
		}
		if m, ok := v.(map[string]any); ok {
			out[f] = m
		}
	}
	return out
}

// serviceSamples returns the service mappings of documentSamples, keyed by
// where each came from.
func serviceSamples(t *testing.T) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for f, doc := range documentSamples(t) {
		services, _ := doc["services"].(map[string]any)
		for name, svc := range services {
			if m, ok := svc.(map[string]any); ok {
				out[f+":"+name] = m
			}
		}
	}
	return out
}

// TestQuickService holds the attribute-by-attribute check to the service
// definition checked whole: on every sampled service, and on each with
// one attribute replaced by values of each JSON type (most of them
// invalid) or an unknown attribute added, both agree on valid and invalid.
func TestQuickService(t *testing.T) {
	if _, err := composeSchema(); err != nil {
		t.Fatal(err)
	}
	samples := serviceSamples(t)
	keys := make([]string, 0, len(samples))
	for k := range samples {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	replacements := []any{"x", json.Number("5"), json.Number("-1"), true, nil, []any{}, []any{"a", "a"}, map[string]any{}, map[string]any{"a": json.Number("1")}}
	checked, valid := 0, 0
	check := func(where string, m map[string]any) {
		t.Helper()
		whole := serviceSch.Validate(m) == nil
		if quick := quickService(m, true); quick != whole {
			js, _ := json.Marshal(m)
			t.Errorf("%s: attribute by attribute valid=%v, whole definition valid=%v: %s", where, quick, whole, js)
		}
		checked++
		if whole {
			valid++
		}
	}
	for _, k := range keys {
		m := samples[k]
		check(k, m)
		for attr, old := range m {
			for _, r := range replacements {
				m[attr] = r
				check(k+" "+attr, m)
			}
			m[attr] = old
		}
		m["posts"] = []any{"80:80"}
		check(k+" +posts", m)
		delete(m, "posts")
		m["x-anything"] = json.Number("1")
		check(k+" +x-anything", m)
		delete(m, "x-anything")
	}
	if len(samples) == 0 || valid == 0 || valid == checked {
		t.Fatalf("%d services, %d checks, %d valid: the test proves nothing", len(samples), checked, valid)
	}
	t.Logf("%d services, %d checks, %d valid", len(samples), checked, valid)
}

// BenchmarkServiceSchema checks the generated project's services against
// the service definition whole and attribute by attribute.
func BenchmarkServiceSchema(b *testing.B) {
	if _, err := composeSchema(); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if err := gen.Write(dir, 1000); err != nil {
		b.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "docker-compose.yml"))
	if err != nil {
		b.Fatal(err)
	}
	var doc struct {
		Services map[string]any `yaml:"services"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		b.Fatal(err)
	}
	js, _ := json.Marshal(doc.Services)
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		b.Fatal(err)
	}
	services := v.(map[string]any)
	b.Run("whole", func(b *testing.B) {
		for b.Loop() {
			for _, s := range services {
				if serviceSch.Validate(s) != nil {
					b.Fatal("invalid")
				}
			}
		}
	})
	b.Run("attributes", func(b *testing.B) {
		for b.Loop() {
			for _, s := range services {
				if !quickService(s.(map[string]any), true) {
					b.Fatal("invalid")
				}
			}
		}
	})
}

// TestOutlineNames holds the outline schemaErrors validates (only the
// service names the schema refuses) to the full one (every name, each
// with an empty service): the same error on models whose names are valid,
// invalid, or both, with and without other faults.
func TestOutlineNames(t *testing.T) {
	if _, err := composeSchema(); err != nil {
		t.Fatal(err)
	}
	if compiled.Validate(map[string]any{"services": map[string]any{"a": map[string]any{}}}) != nil {
		t.Fatal("the schema refuses an empty service: the outline must keep every name")
	}
	svc := func() map[string]any { return map[string]any{"image": "nginx"} }
	models := map[string]map[string]any{
		"valid names":           {"services": map[string]any{"web": svc(), "db.1": svc(), "A_b-c": svc()}},
		"a space":               {"services": map[string]any{"web": svc(), "my app": svc()}},
		"several refused":       {"services": map[string]any{"a/b": svc(), "ok": svc(), "é": svc(), "": svc()}},
		"refused and top-level": {"services": map[string]any{"a b": svc()}, "volumes": "nope"},
		"a bad service too":     {"services": map[string]any{"a b": svc(), "web": map[string]any{"image": []any{}}}},
		"top-level unknown key": {"services": map[string]any{"web": svc()}, "posts": map[string]any{}},
	}
	for name, m := range models {
		t.Run(name, func(t *testing.T) {
			errText := func() string {
				locate := func(path string) (compose.Location, bool) { return compose.Location{File: path}, true }
				err := (&normalizer{opts: Options{Locate: locate}}).validateSchema(m)
				if err == nil {
					return ""
				}
				return err.Error()
			}
			trimmed := errText()
			emptyServiceValid = false
			full := errText()
			emptyServiceValid = true
			if trimmed != full {
				t.Errorf("trimmed outline: %q\nfull outline:    %q", trimmed, full)
			}
			if (full == "") != (name == "valid names") {
				t.Errorf("error %q", full)
			}
		})
	}
}
