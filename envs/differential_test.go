package envs

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/internal/gen"
	"github.com/composure-dev/composure/internal/reference"
	"github.com/composure-dev/composure/internal/testenv"
)

// differentialCase is one set of files to load both ways.
type differentialCase struct {
	name  string
	dir   string
	files []string // absolute; nil: the project's default environment
}

// TestDifferential holds composure's engine (Load) to compose-go's loader
// run as docker compose config runs it (internal/reference): on every
// environment of the oracle index, on every compose file of the corpus
// loaded on its own, and on the generated projects, both refuse or both
// give the same project, compared as MarshalJSON bytes.
func TestDifferential(t *testing.T) {
	var cases []differentialCase
	cases = append(cases, generatedCases(t)...)
	if shared, ok := testenv.Shared(); ok {
		cases = append(cases, corpusCases(t, shared)...)
	} else {
		t.Log("no ../shared: the corpus part is skipped (set COMPOSURE_SHARED)")
	}
	var same, bothFail int
	for _, c := range cases {
		ours, oerr := loadOurs(c)
		ref, rerr := loadReference(c)
		switch {
		case oerr != nil && rerr != nil:
			bothFail++
		case oerr != nil:
			t.Errorf("%s: composure refuses what compose-go loads: %v", c.name, oerr)
		case rerr != nil:
			t.Errorf("%s: composure loads what compose-go refuses: %v", c.name, rerr)
		case !bytes.Equal(ours, ref):
			t.Errorf("%s: projects differ:\n%s", c.name, firstLineDiff(ours, ref))
		default:
			same++
		}
	}
	t.Logf("%d cases: %d the same project, %d refused by both", len(cases), same, bothFail)
}

// generatedCases are internal/gen's projects: every environment at 100
// and 1,000 services; at 10,000 the default one (compose-go takes minutes
// for the three), except in -short runs and under the race detector.
func generatedCases(t *testing.T) []differentialCase {
	sizes := []int{100, 1000}
	if !testing.Short() && testenv.RaceFactor == 1 {
		sizes = append(sizes, 10000)
	}
	var out []differentialCase
	for _, n := range sizes {
		dir := t.TempDir()
		if err := gen.Write(dir, n); err != nil {
			t.Fatal(err)
		}
		envs := gen.Environments()
		for _, name := range slices.Sorted(maps.Keys(envs)) {
			if n > 1000 && name != DefaultEnv {
				continue
			}
			var files []string
			for _, f := range envs[name] {
				files = append(files, filepath.Join(dir, f))
			}
			out = append(out, differentialCase{name: fmt.Sprintf("gen%d/%s", n, name), dir: dir, files: files})
		}
	}
	return out
}

// corpusCases are the oracle's environments and every compose file of the
// corpus on its own.
func corpusCases(t *testing.T, shared string) []differentialCase {
	f, err := os.Open(filepath.Join(shared, "oracle", "index.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []differentialCase
	projects := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 4 || cols[0] == "project" {
			continue
		}
		dir := filepath.Join(shared, "corpus", cols[0])
		c := differentialCase{name: cols[0] + "/" + cols[1], dir: dir}
		if cols[2] != "(docker compose default)" {
			for _, f := range strings.Split(cols[2], ",") {
				c.files = append(c.files, filepath.Join(dir, f))
			}
		}
		out = append(out, c)
		projects[dir] = true
	}
	for _, dir := range slices.Sorted(maps.Keys(projects)) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() || !isComposeName(e.Name()) {
				continue
			}
			out = append(out, differentialCase{
				name:  strings.TrimPrefix(filepath.Join(dir, e.Name()), shared+"/corpus/") + " alone",
				dir:   dir,
				files: []string{filepath.Join(dir, e.Name())},
			})
		}
	}
	return out
}

// isComposeName reports whether a file looks like a compose file
// (compose*.y(a)ml, docker-compose*.y(a)ml).
func isComposeName(name string) bool {
	if !strings.HasSuffix(name, ".yml") && !strings.HasSuffix(name, ".yaml") {
		return false
	}
	return strings.HasPrefix(name, "compose") || strings.HasPrefix(name, "docker-compose")
}

// environ is the process environment both sides see: the oracle's.
func environ(dir string) []string { return []string{"PWD=" + dir, "PATH=/usr/local/bin:/usr/bin:/bin"} }

func loadOurs(c differentialCase) ([]byte, error) {
	p, err := Discover(Options{Dir: c.dir, Files: c.files, Environ: environ(c.dir)})
	if err != nil {
		return nil, err
	}
	l, err := p.Load(context.Background(), p.Envs[0], compose.NewCache(), LoadOptions{NoModel: true})
	if err != nil {
		return nil, err
	}
	return l.Project.MarshalJSON()
}

func loadReference(c differentialCase) ([]byte, error) {
	env := map[string]string{}
	for _, kv := range environ(c.dir) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	files := c.files
	if files == nil {
		p, err := Discover(Options{Dir: c.dir, Environ: environ(c.dir)})
		if err != nil {
			return nil, err
		}
		files = p.Envs[0].Files
	}
	p, err := reference.Load(context.Background(), reference.Options{Dir: c.dir, Files: files, Env: env})
	if err != nil {
		return nil, err
	}
	p.ComposeFiles = files
	return p.MarshalJSON()
}

// firstLineDiff shows the first line where two outputs part.
func firstLineDiff(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			lo := max(0, i-3)
			return fmt.Sprintf("line %d:\ncomposure:  %s\ncompose-go: %s\ncontext:\n%s", i+1, al[i], bl[i], strings.Join(al[lo:i], "\n"))
		}
	}
	return fmt.Sprintf("%d lines against %d", len(al), len(bl))
}
