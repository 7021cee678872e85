package normalize

import (
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/composure-dev/composure/compose"
)

// locatePath places an error at its tree path, as its file name.
func locatePath(path string) (compose.Location, bool) { return compose.Location{File: path}, true }

// TestConsistencyFirstError: of several inconsistencies, the one reported
// is the first in order of service name, then of the names the service
// refers to, whatever the order of the maps.
func TestConsistencyFirstError(t *testing.T) {
	svc := func(set func(s *types.ServiceConfig)) types.ServiceConfig {
		s := types.ServiceConfig{}
		s.Image = "app:1"
		if set != nil {
			set(&s)
		}
		return s
	}
	deps := func(names ...string) types.DependsOnConfig {
		d := types.DependsOnConfig{}
		for _, n := range names {
			d[n] = types.ServiceDependency{Condition: types.ServiceConditionStarted, Required: true}
		}
		return d
	}
	nets := func(names ...string) map[string]*types.ServiceNetworkConfig {
		m := map[string]*types.ServiceNetworkConfig{}
		for _, n := range names {
			m[n] = nil
		}
		return m
	}
	tests := []struct {
		name string
		p    types.Project
		want string
	}{
		{"networks", types.Project{Services: types.Services{
			"b": svc(func(s *types.ServiceConfig) { s.Networks = nets("n1") }),
			"a": svc(func(s *types.ServiceConfig) { s.Networks = nets("zz", "front", "mid") }),
		}}, `services.a.networks.front: service "a" refers to undefined network front: invalid compose project`},
		{"depends_on", types.Project{Services: types.Services{
			"web": svc(func(s *types.ServiceConfig) { s.DependsOn = deps("queue", "cache", "db") }),
			"db":  svc(nil),
		}}, `services.web.depends_on.cache: service "web" depends on undefined service "cache": invalid compose project`},
		{"models", types.Project{Services: types.Services{
			"web": svc(func(s *types.ServiceConfig) { s.Models = map[string]*types.ServiceModelConfig{"m2": nil, "m1": nil} }),
		}}, `services.web.models.m1: service "web" refers to undefined model m1: invalid compose project`},
		{"cycles", types.Project{Services: types.Services{
			"d": svc(func(s *types.ServiceConfig) { s.DependsOn = deps("c") }),
			"c": svc(func(s *types.ServiceConfig) { s.DependsOn = deps("d") }),
			"b": svc(func(s *types.ServiceConfig) { s.DependsOn = deps("a") }),
			"a": svc(func(s *types.ServiceConfig) { s.DependsOn = deps("b") }),
		}}, "services.b.depends_on.a: dependency cycle detected: a -> b -> a"},
		{"mounts", types.Project{Services: types.Services{
			"web": svc(func(s *types.ServiceConfig) {
				s.Tmpfs = []string{"/run", "/tmp:size=1m"}
				s.Volumes = []types.ServiceVolumeConfig{
					{Type: types.VolumeTypeBind, Source: "/srv", Target: "/data"},
					{Type: types.VolumeTypeBind, Source: "/x", Target: "/tmp"},
				}
			}),
		}}, "services.web.volumes.1: services.web.volumes[1]: target /tmp already mounted as services.web.tmpfs[1]"},
		{"consistent", types.Project{Services: types.Services{
			"web": svc(func(s *types.ServiceConfig) { s.DependsOn, s.Networks = deps("db"), nets("default") }),
			"db":  svc(nil),
		}, Networks: types.Networks{"default": {}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 20 { // map order changes from run to run
				err := CheckConsistency(&tt.p, locatePath)
				got := ""
				if err != nil {
					got = err.Error()
				}
				if got != tt.want {
					t.Fatalf("got %q, want %q", got, tt.want)
				}
			}
		})
	}
}

// TestConsistencyCopies: scale fills deploy.replicas in the project
// checked, as docker compose does, and not in the service's Deploy, which
// the projects of environments loaded together share (envs binds a
// shared service once).
func TestConsistencyCopies(t *testing.T) {
	two := 2
	shared := types.ServiceConfig{Scale: &two, Deploy: &types.DeployConfig{}}
	shared.Image = "app:1"
	p := &types.Project{Services: types.Services{"web": shared}}
	if err := CheckConsistency(p, locatePath); err != nil {
		t.Fatal(err)
	}
	if r := p.Services["web"].Deploy.Replicas; r == nil || *r != 2 {
		t.Errorf("the project's deploy.replicas is %v, want 2", r)
	}
	if shared.Deploy.Replicas != nil {
		t.Errorf("the shared Deploy was written into: replicas %d", *shared.Deploy.Replicas)
	}
}
