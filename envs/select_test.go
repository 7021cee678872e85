package envs

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/internal/reference"
	"github.com/composure-dev/composure/internal/testenv"
)

// selectProject has a dependency chain (web → api → db), a service behind
// a profile that needs db, one behind another profile, a service with an
// env file, resources some services use, and a container name two
// services share.
const selectProject = `services:
  web:
    image: nginx
    depends_on: [api]
    networks: [front]
  api:
    image: api
    depends_on:
      db:
        condition: service_healthy
    env_file: api.env
    networks: [front, back]
  db:
    image: postgres
    volumes: [db-data:/var/lib/postgresql/data]
    networks: [back]
    healthcheck:
      test: ["CMD", "pg_isready"]
  worker:
    image: worker
    env_file: worker.env
    container_name: shared
  cron:
    image: cron
    container_name: shared
    profiles: [ops]
  debug:
    image: busybox
    profiles: [debug]
    env_file: debug.env
    depends_on: [db]
  tools:
    image: tools
    profiles: [debug]
networks:
  front: {}
  back: {}
volumes:
  db-data: {}
  unused: {}
`

// TestSelectServices holds LoadOptions.Services to docker compose config
// SERVICE... (compose-go's loader run as docker compose runs it): the same
// project, or both refuse; and says which services stay.
func TestSelectServices(t *testing.T) {
	tests := []struct {
		name     string
		services []string
		profiles []string
		noEnv    bool
		remove   string // a file to delete before loading
		want     []string
		wantErr  string
	}{
		{name: "dependencies follow", services: []string{"web"}, want: []string{"api", "db", "web"}},
		{name: "a leaf", services: []string{"db"}, want: []string{"db"}},
		{name: "several", services: []string{"db", "worker"}, want: []string{"db", "worker"}},
		{name: "a pattern", services: []string{"w*"}, want: []string{"api", "db", "web", "worker"}},
		{name: "behind a profile: its profile comes with it, only it and its dependencies stay",
			services: []string{"debug"}, want: []string{"db", "debug"}},
		{name: "behind a profile already enabled", services: []string{"debug"}, profiles: []string{"debug"}, want: []string{"db", "debug"}},
		{name: "a duplicate container name among services left out is no conflict", services: []string{"worker"}, profiles: []string{"ops"}, want: []string{"worker"}},
		{name: "a duplicate container name among the selected is", services: []string{"worker", "cron"},
			wantErr: `container name "shared" is already in use`},
		{name: "an unselected service's missing env file still fails, as docker compose reads it first",
			services: []string{"db"}, remove: "worker.env", wantErr: "worker.env not found"},
		{name: "the env file of a service taken from behind a profile is read", services: []string{"debug"}, remove: "debug.env", wantErr: "debug.env not found"},
		{name: "without env resolution nothing is read", services: []string{"debug"}, remove: "debug.env", noEnv: true, want: []string{"db", "debug"}},
		{name: "unknown", services: []string{"wbe"}, wantErr: `no such service "wbe" in environment "default": its services are "api", "cron", "db", "debug", "tools", "web", "worker"`},
		{name: "a pattern that matches nothing", services: []string{"x*"}, wantErr: `no such service "x*"`},
		{name: "one unknown among known ones", services: []string{"web", "nope"}, wantErr: `no such service "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"compose.yaml": selectProject, "api.env": "API=1\n", "worker.env": "W=1\n", "debug.env": "D=1\n"})
			if tt.remove != "" {
				os.Remove(filepath.Join(dir, tt.remove))
			}
			p, err := Discover(Options{Dir: dir, Environ: environ(dir), Profiles: tt.profiles})
			if err != nil {
				t.Fatal(err)
			}
			l, err := p.Load(context.Background(), p.Envs[0], compose.NewCache(), LoadOptions{Services: tt.services, NoEnvResolution: tt.noEnv, NoModel: true})
			ref, rerr := reference.Load(context.Background(), reference.Options{Dir: dir, Files: p.Envs[0].Files, Env: map[string]string{"PWD": dir},
				Profiles: tt.profiles, Services: tt.services, NoEnvResolution: tt.noEnv})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				if rerr == nil {
					t.Errorf("compose-go loads what composure refuses")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := slices.Sorted(maps.Keys(l.Project.Services)); !slices.Equal(got, tt.want) {
				t.Errorf("services %v, want %v", got, tt.want)
			}
			if rerr != nil {
				t.Fatalf("compose-go refuses: %v", rerr)
			}
			sameProject(t, l.Project, ref, p.Envs[0].Files)
		})
	}
}

// TestSelectUnknownService: the error names what there is, and is an
// *UnknownServiceError for callers that suggest a name.
func TestSelectUnknownService(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte("services:\n  web:\n    image: nginx\n  debug:\n    image: busybox\n    profiles: [debug]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Discover(Options{Dir: dir, Environ: environ(dir)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Load(context.Background(), p.Envs[0], nil, LoadOptions{Services: []string{"wbe"}})
	var ue *UnknownServiceError
	if !errors.As(err, &ue) {
		t.Fatalf("error %v (%T), want an *UnknownServiceError", err, err)
	}
	if ue.Name != "wbe" || ue.Env != DefaultEnv || !slices.Equal(ue.Known, []string{"debug", "web"}) {
		t.Errorf("got %+v", *ue)
	}
}

// TestSelectDifferential holds the selection to compose-go on the corpus:
// in every environment of the oracle, its first and last service by name
// and the first one behind a profile, each alone (every service took four
// times as long, and its 823 selections all agreed).
func TestSelectDifferential(t *testing.T) {
	shared, ok := testenv.Shared()
	if !ok {
		t.Skip("no ../shared (set COMPOSURE_SHARED)")
	}
	var loads, same, bothFail int
	for _, c := range corpusCases(t, shared) {
		if strings.HasSuffix(c.name, " alone") {
			continue // the oracle's environments are enough here
		}
		p, err := Discover(Options{Dir: c.dir, Files: c.files, Environ: environ(c.dir)})
		if err != nil {
			continue
		}
		full, err := p.Load(context.Background(), p.Envs[0], nil, LoadOptions{NoModel: true})
		if err != nil || full.CheckPrintable() != nil {
			continue // refused, or not printable as the JSON compared here
		}
		var names []string
		if enabled := slices.Sorted(maps.Keys(full.Project.Services)); len(enabled) > 0 {
			names = append(names, enabled[0])
			if len(enabled) > 1 {
				names = append(names, enabled[len(enabled)-1])
			}
		}
		if disabled := slices.Sorted(maps.Keys(full.Project.DisabledServices)); len(disabled) > 0 {
			names = append(names, disabled[0])
		}
		for _, s := range names {
			loads++
			l, oerr := p.Load(context.Background(), p.Envs[0], nil, LoadOptions{Services: []string{s}, NoModel: true})
			ref, rerr := reference.Load(context.Background(), reference.Options{Dir: c.dir, Files: p.Envs[0].Files,
				Env: map[string]string{"PWD": c.dir, "PATH": "/usr/local/bin:/usr/bin:/bin"}, Services: []string{s}})
			switch {
			case oerr != nil && rerr != nil:
				bothFail++
			case oerr != nil:
				t.Errorf("%s, service %s: composure refuses what compose-go loads: %v", c.name, s, oerr)
			case rerr != nil:
				t.Errorf("%s, service %s: composure loads what compose-go refuses: %v", c.name, s, rerr)
			default:
				if sameProject(t, l.Project, ref, p.Envs[0].Files) {
					same++
				}
			}
		}
	}
	t.Logf("%d selections: %d the same project, %d refused by both", loads, same, bothFail)
	if loads < 50 {
		t.Errorf("only %d selections tried", loads)
	}
}

// sameProject reports whether composure's project prints as compose-go's,
// and says where they part when not.
func sameProject(t *testing.T, ours, ref *types.Project, files []string) bool {
	t.Helper()
	ref.ComposeFiles = files
	a, err := ours.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	b, err := ref.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("projects differ:\n%s", firstLineDiff(a, b))
		return false
	}
	return true
}
