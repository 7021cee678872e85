package model

import (
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/composure-dev/composure/internal/gen"
)

// genModel is the canonical model of one environment of a generated
// project.
type genModel struct {
	dir   string
	model map[string]any
	env   types.Mapping
}

var (
	genMu     sync.Mutex
	genModels = map[string]genModel{}
)

// generated returns compose-go's canonical model of environment env of the
// internal/gen project of n services, loaded once per test binary (a
// 10,000-service project takes compose-go tens of seconds). compose-go's
// default cap on YAML node visits refuses the larger projects; it is lifted
// here, the input being ours.
func generated(tb testing.TB, n int, env string) genModel {
	tb.Helper()
	genMu.Lock()
	defer genMu.Unlock()
	key := fmt.Sprintf("%d/%s", n, env)
	if g, ok := genModels[key]; ok {
		return g
	}
	dir := fmt.Sprintf("%s/gen-%d", genRoot(tb), n)
	if err := gen.Write(dir, n); err != nil {
		tb.Fatal(err)
	}
	m, e, err := loadModel(dir, gen.Environments()[env], math.MaxInt32)
	if err != nil {
		tb.Fatalf("%s: %v", key, err)
	}
	g := genModel{dir: dir, model: m, env: e}
	genModels[key] = g
	return g
}

var (
	genRootOnce sync.Once
	genRootDir  string
)

// genRoot is a directory for generated projects that lives as long as the
// test binary (a benchmark's b.TempDir would go with its first run).
func genRoot(tb testing.TB) string {
	genRootOnce.Do(func() {
		d, err := mkdirTemp()
		if err != nil {
			tb.Fatal(err)
		}
		genRootDir = d
	})
	return genRootDir
}

// genSizes are the project sizes compared and benchmarked; 10,000 services
// are left out of -short.
func genSizes() []int {
	if testing.Short() {
		return []int{100, 1000}
	}
	return []int{100, 1000, 10000}
}

// TestGeneratedAgainstComposeGo decodes every environment of generated
// projects with Decode and with compose-go and requires the same project.
func TestGeneratedAgainstComposeGo(t *testing.T) {
	for _, n := range genSizes() {
		for _, env := range gen.EnvNames() {
			g := generated(t, n, env)
			name, _ := g.model["name"].(string)
			got, want := decodeBoth(g.model, name, g.dir, g.env)
			checkSame(t, fmt.Sprintf("services=%d/%s", n, env), got, want)
			if got.err == nil {
				t.Logf("services=%d/%s: %d services, %d bytes of JSON, equal", n, env, len(got.raw.Services), len(got.json))
			}
		}
	}
}
