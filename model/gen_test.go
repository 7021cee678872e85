package model

import (
	"flag"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

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

// genSizes are the project sizes compared and benchmarked.
var genSizes = []int{100, 1000, 10000}

// started is about when the test binary started; -test.timeout counts from
// then.
var started = time.Now()

// skipSize says why a project of n services is not loaded in this run, or
// "". At 10,000 services compose-go takes most of half an hour of this
// shared machine to load and bind the three environments, more than the
// default -test.timeout of 10 minutes leaves.
func skipSize(n int) string {
	if n < 10000 {
		return ""
	}
	if testing.Short() {
		return "10,000 services are left out of -short"
	}
	left := 24 * time.Hour
	if f := flag.Lookup("test.timeout"); f != nil {
		if d, err := time.ParseDuration(f.Value.String()); err == nil && d > 0 {
			left = d - time.Since(started)
		}
	}
	if left < 45*time.Minute {
		return fmt.Sprintf("10,000 services take compose-go about 30 minutes here, and -test.timeout leaves %v: run with -timeout 60m", left.Round(time.Minute))
	}
	return ""
}

// TestGeneratedAgainstComposeGo decodes every environment of generated
// projects with Decode and with compose-go and requires the same project.
func TestGeneratedAgainstComposeGo(t *testing.T) {
	for _, n := range genSizes {
		t.Run(fmt.Sprintf("services=%d", n), func(t *testing.T) {
			if why := skipSize(n); why != "" {
				t.Skip(why)
			}
			for _, env := range gen.EnvNames() {
				g := generated(t, n, env)
				name, _ := g.model["name"].(string)
				got, want := decodeBoth(g.model, name, g.dir, g.env)
				checkSame(t, env, got, want)
				if got.err == nil {
					t.Logf("%s: %d services, %d bytes of JSON, equal", env, len(got.raw.Services), len(got.json))
				}
			}
		})
	}
}
