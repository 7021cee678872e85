package render

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/composure-dev/composure/internal/gen"
)

// generated caches the projects internal/gen writes, loaded per
// environment: the benchmarks load the same ones.
var generated struct {
	sync.Mutex
	projects map[string]*types.Project // "n/env"
}

// generatedProject loads environment env of the generated project of n
// services.
func generatedProject(tb testing.TB, n int, env string) *types.Project {
	tb.Helper()
	generated.Lock()
	defer generated.Unlock()
	key := fmt.Sprintf("%d/%s", n, env)
	if p, ok := generated.projects[key]; ok {
		return p
	}
	dir := filepath.Join(tb.TempDir(), "gen")
	if err := gen.Write(dir, n); err != nil {
		tb.Fatal(err)
	}
	// composure's own engine loads them (envs.TestDifferential holds it to
	// compose-go's loader on these projects): compose-go takes minutes for
	// 10,000 services, which the printer under test has nothing to do with.
	var files []string
	for _, f := range gen.Environments()[env] {
		files = append(files, filepath.Join(dir, f))
	}
	p, err := loadComposure(dir, files, []string{"PATH=/usr/bin:/bin"})
	if err != nil {
		tb.Fatalf("loading %d services, environment %s: %v", n, env, err)
	}
	if generated.projects == nil {
		generated.projects = map[string]*types.Project{}
	}
	generated.projects[key] = p
	return p
}

// TestGenerated compares YAML with MarshalYAML on generated projects of
// 100, 1,000 and (without -short) 10,000 services, in every environment.
func TestGenerated(t *testing.T) {
	sizes := []int{100, 1000}
	if !testing.Short() {
		sizes = append(sizes, 10000)
	}
	for _, n := range sizes {
		for _, env := range gen.EnvNames() {
			p := generatedProject(t, n, env)
			if len(p.Services) < n {
				t.Fatalf("%d/%s: %d services loaded", n, env, len(p.Services))
			}
			want, err := p.MarshalYAML()
			if err != nil {
				t.Fatal(err)
			}
			got, err := YAML(p)
			if err != nil {
				t.Fatalf("%d/%s: %v", n, env, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%d services, %s: differs from MarshalYAML\n%s", n, env, firstDifference(got, want))
				continue
			}
			t.Logf("%d services, %s: %d bytes, identical", n, env, len(got))
		}
	}
}
