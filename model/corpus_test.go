package model

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/composure-dev/composure/internal/testenv"
)

// TestCorpusAgainstComposeGo decodes the canonical model of every
// environment docker compose config printed (oracle result "ok") with
// Decode and with compose-go, and requires the same project.
func TestCorpusAgainstComposeGo(t *testing.T) {
	shared := testenv.SharedDir(t)
	var compared, unloadable, sharing int
	for _, e := range oracleEnvs(t, shared) {
		if !e.ok {
			continue
		}
		name := e.project + "/" + e.env
		model, env, err := loadModel(filepath.Join(shared, "corpus", e.project), e.files, 0)
		if err != nil {
			// The oracle ran in an empty environment with HOME set; a
			// project that needs more is not this package's concern.
			t.Logf("%s: compose-go cannot load it here: %v", name, err)
			unloadable++
			continue
		}
		if sharedValues(model) > 0 {
			sharing++
		}
		pname, _ := model["name"].(string)
		got, want := decodeBoth(model, pname, filepath.Join(shared, "corpus", e.project), env)
		checkSame(t, name, got, want)
		compared++
	}
	t.Logf("corpus: %d environments compared, %d not loadable here; %d models share a mapping or list between two places", compared, unloadable, sharing)
	if compared < 300 {
		t.Errorf("only %d environments compared", compared)
	}
}

// sharedValues counts the maps and lists a model reaches more than once:
// compose-go's processExtensions would rewrite such a value once per place.
func sharedValues(v any) int {
	seen := map[uintptr]bool{}
	n := 0
	var walk func(any)
	// visit walks the items of a collection first met at p.
	visit := func(p uintptr, items func(func(any))) {
		if seen[p] {
			n++
			return
		}
		seen[p] = true
		items(walk)
	}
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			visit(reflect.ValueOf(x).Pointer(), func(f func(any)) {
				for _, e := range x {
					f(e)
				}
			})
		case []any:
			if len(x) > 0 {
				visit(reflect.ValueOf(x).Pointer(), func(f func(any)) {
					for _, e := range x {
						f(e)
					}
				})
			}
		}
	}
	walk(v)
	return n
}
