package envs

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/internal/gen"
	"github.com/composure-dev/composure/internal/testenv"
)

// TestSharedLoads holds loads of environments together (LoadOptions.Shared:
// one merge of the base file, each shared service checked and normalized
// once, the environments loading at the same time as lint and diff load
// them) to loads of each environment alone: the same project, model and
// error, on every environment of every corpus project the oracle names and
// of generated projects.
func TestSharedLoads(t *testing.T) {
	dirs := []string{sharedFixture(t)}
	for _, n := range []int{100, 1000} {
		dir := t.TempDir()
		if err := gen.Write(dir, n); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	if shared, ok := testenv.Shared(); ok {
		projects := map[string]bool{}
		for _, c := range corpusCases(t, shared) {
			projects[c.dir] = true
		}
		dirs = append(dirs, slices.Sorted(maps.Keys(projects))...)
	} else {
		t.Log("no ../shared: the corpus part is skipped (set COMPOSURE_SHARED)")
	}
	// NoModel: lint's loads, which also bind each shared service once
	flagSets := []LoadOptions{{NoModel: true}, {}, {NoNormalize: true}, {NoPathResolution: true}}
	if testenv.RaceFactor > 1 {
		flagSets = flagSets[:2] // the race detector needs the loads at once, not every flag set
	}
	var envCount, same, refused int
	for _, dir := range dirs {
		for _, opts := range flagSets {
			together, err := loadAll(dir, opts, true)
			if err != nil {
				continue // discovery refuses it: nothing to share
			}
			alone, err := loadAll(dir, opts, false)
			if err != nil {
				t.Fatalf("%s: %v", dir, err)
			}
			for i := range together {
				envCount++
				a, b := together[i], alone[i]
				switch {
				case a.err != b.err:
					t.Errorf("%s %s %+v: together %q, alone %q", dir, a.name, opts, a.err, b.err)
				case a.err != "":
					refused++
				case !bytes.Equal(a.out, b.out):
					t.Errorf("%s %s %+v: loaded together, the model differs:\n%s", dir, a.name, opts, firstLineDiff(a.out, b.out))
				default:
					same++
				}
			}
		}
	}
	t.Logf("%d loads: %d the same model, %d the same error", envCount, same, refused)
}

type sharedCase struct {
	name string
	out  []byte
	err  string
}

// loadAll loads every environment of the project in dir, all at once
// through one Project with shared, else each through its own Project.
func loadAll(dir string, opts LoadOptions, shared bool) ([]sharedCase, error) {
	discover := func() (*Project, error) { return Discover(Options{Dir: dir, Environ: environ(dir)}) }
	p, err := discover()
	if err != nil {
		return nil, err
	}
	out := make([]sharedCase, len(p.Envs))
	cache := compose.NewCache()
	var wg sync.WaitGroup
	for i, env := range p.Envs {
		load := func() {
			q, c := p, cache
			o := opts
			o.Shared = shared
			if !shared {
				q, _ = discover()
				c = compose.NewCache()
			}
			out[i].name = env.Name
			l, err := q.Load(context.Background(), q.Envs[i], c, o)
			if err != nil {
				out[i].err = strings.ReplaceAll(err.Error(), dir, "DIR")
				return
			}
			out[i].out, err = l.Project.MarshalJSON()
			if err != nil {
				out[i].err = err.Error()
			}
			out[i].out = append(out[i].out, '\n')
			m, _ := json.Marshal(l.Model)
			out[i].out = append(out[i].out, m...)
		}
		if shared {
			wg.Go(load)
		} else {
			load()
		}
	}
	wg.Wait()
	return out, nil
}

// sharedFixture is a project whose environments share a service that the
// steps after binding change (bare environment entries and an env file to
// resolve, a pre_start hook, a label file): loaded at once (under -race in
// CI), environments that share its normalized form must not write into it.
func sharedFixture(t *testing.T) string {
	dir := t.TempDir()
	files := map[string]string{
		"compose.yaml": `services:
  api:
    image: api:1
    environment: [TOKEN, MODE=base]
    env_file: [app.env]
    label_file: [app.labels]
    volumes: ['C:\\data:/data']
    pre_start:
      - command: ["migrate"]
        environment: [TOKEN]
  web:
    image: web:1
`,
		"compose.override.yaml": "services:\n  web:\n    environment: [DEBUG=1]\n",
		"compose.prod.yaml":     "services:\n  web:\n    image: web:2\n",
		"compose.admin.yaml":    "services:\n  web:\n    image: web:3\n",
		".env":                  "TOKEN=t0k3n\nCOMPOSE_CONVERT_WINDOWS_PATHS=1\n",
		"app.env":               "FROM_FILE=yes\nTOKEN=from-file\n",
		"app.labels":            "team=core\n",
	}
	writeFiles(t, dir, files)
	return dir
}

// writeFiles writes files (path relative to dir: contents) under dir,
// making the directories they need.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestResolveCopies: the steps after binding write into the project they
// are given, never into the slices and maps its services share with the
// projects of other environments loaded together (decodeProject binds a
// shared service once and hands each environment the same slices).
func TestResolveCopies(t *testing.T) {
	dir := sharedFixture(t)
	p, err := Discover(Options{Dir: dir, Environ: environ(dir)})
	if err != nil {
		t.Fatal(err)
	}
	token := "t0k3n"
	hook := types.PreStartHook{ContainerSpec: types.ContainerSpec{
		Environment: types.MappingWithEquals{"TOKEN": nil},
		LabelFiles:  []string{filepath.Join(dir, "app.labels")},
	}}
	shared := types.ServiceConfig{Name: "api", PreStart: []types.PreStartHook{hook}}
	shared.Environment = types.MappingWithEquals{"TOKEN": nil}
	proj := &types.Project{Services: types.Services{"api": shared}, Environment: types.Mapping{"TOKEN": token}}
	l := &Loaded{Docs: []*compose.Document{{Name: "compose.yaml"}}}
	if _, err := p.resolveEnvFiles(proj, l); err != nil {
		t.Fatal(err)
	}
	if err := p.resolveLabelFiles(proj); err != nil {
		t.Fatal(err)
	}
	got := proj.Services["api"]
	if v := got.PreStart[0].Environment["TOKEN"]; v == nil || *v != token || got.PreStart[0].Labels["team"] != "core" {
		t.Fatalf("the project's hook was not resolved: %+v", got.PreStart[0].ContainerSpec)
	}
	if v := got.Environment["TOKEN"]; v == nil || *v != token {
		t.Fatalf("the project's service was not resolved: %v", got.Environment)
	}
	if shared.Environment["TOKEN"] != nil {
		t.Errorf("the shared service's environment was written into: %v", shared.Environment)
	}
	if h := shared.PreStart[0]; h.Environment["TOKEN"] != nil || h.Labels != nil || len(h.LabelFiles) != 1 {
		t.Errorf("the shared hook was written into: %+v", h.ContainerSpec)
	}
}
