package main

import (
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

// hashedService is a service with a bit of everything: docker compose's
// own golden hash is known for it.
func hashedService() types.ServiceConfig {
	replicas := 3
	one := "1"
	s := types.ServiceConfig{Name: "web", Restart: types.RestartPolicyAlways, Deploy: &types.DeployConfig{Replicas: &replicas}}
	s.Image = "nginx:latest"
	s.Command = types.ShellCommand{"nginx", "-g", "daemon off;"}
	s.User = "nobody"
	s.Tty = true
	s.StdinOpen = true
	s.Environment = types.MappingWithEquals{"A": &one, "B": nil}
	s.Labels = types.Labels{"com.example": "v"}
	s.Annotations = types.Mapping{"note": "x"}
	s.CapAdd = []string{"NET_ADMIN"}
	s.ExtraHosts = types.HostsList{"alpha": []string{"10.0.0.1"}}
	s.Ports = []types.ServicePortConfig{{Target: 80, Published: "8080", Protocol: "tcp"}}
	s.HealthCheck = &types.HealthCheckConfig{Test: types.HealthCheckTest{"CMD", "true"}}
	s.Volumes = []types.ServiceVolumeConfig{{Type: types.VolumeTypeVolume, Source: "data", Target: "/data"}}
	s.Networks = map[string]*types.ServiceNetworkConfig{"default": nil}
	return s
}

// TestServiceHash: the hash is docker compose's (its TestHashGoldenValues
// value for hashedService, computed with the key order pinned), what
// docker compose leaves out of it does not move it, and everything else
// does.
func TestServiceHash(t *testing.T) {
	const golden = "75bc312132c71fac4971d123202631b6978ac9d796336621af744d46611b42a2"
	two := 2
	tests := []struct {
		name   string
		change func(*types.ServiceConfig)
		same   bool
	}{
		{"docker compose's golden service", func(*types.ServiceConfig) {}, true},
		{"replicas", func(s *types.ServiceConfig) { s.Deploy = &types.DeployConfig{Replicas: &two} }, true},
		{"scale", func(s *types.ServiceConfig) { s.Scale = &two }, true},
		{"build", func(s *types.ServiceConfig) { s.Build = &types.BuildConfig{Context: "."} }, true},
		{"pull_policy", func(s *types.ServiceConfig) { s.PullPolicy = types.PullPolicyAlways }, true},
		{"depends_on", func(s *types.ServiceConfig) {
			s.DependsOn = types.DependsOnConfig{"db": {Condition: types.ServiceConditionStarted, Required: true}}
		}, true},
		{"profiles", func(s *types.ServiceConfig) { s.Profiles = []string{"debug"} }, true},
		{"the name (services are hashed apart)", func(s *types.ServiceConfig) { s.Name = "api" }, true},
		{"image", func(s *types.ServiceConfig) { s.Image = "nginx:1.27" }, false},
		{"a deploy setting besides replicas", func(s *types.ServiceConfig) {
			s.Deploy = &types.DeployConfig{Replicas: s.Deploy.Replicas, Mode: "global"}
		}, false},
		{"an environment value", func(s *types.ServiceConfig) { s.Environment["B"] = s.Environment["A"] }, false},
		{"the platform", func(s *types.ServiceConfig) { s.Platform = "linux/arm64" }, false},
		{"a key after the pinned ones (models)", func(s *types.ServiceConfig) {
			s.Models = map[string]*types.ServiceModelConfig{"llm": nil}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := hashedService()
			tt.change(&s)
			replicas := s.Deploy.Replicas
			got, err := serviceHash(s)
			if err != nil {
				t.Fatal(err)
			}
			if (got == golden) != tt.same {
				t.Errorf("hash %s, golden %s: want the same %v", got, golden, tt.same)
			}
			if s.Deploy.Replicas != replicas {
				t.Errorf("serviceHash changed the service's deploy.replicas")
			}
		})
	}
}

// TestHashPlatforms: config --hash gives a built service without a
// platform DOCKER_DEFAULT_PLATFORM (from the process environment or
// .env), as docker compose does before hashing, and refuses a default its
// build.platforms do not list, at the list.
func TestHashPlatforms(t *testing.T) {
	hashOf := func(t *testing.T, compose, dotenv string, env map[string]string) (int, string, string) {
		files := map[string]string{"compose.yaml": compose}
		if dotenv != "" {
			files[".env"] = dotenv
		}
		dir := writeProject(t, files)
		return runCLI(t, env, "-C", dir, "config", "--hash", hashAll)
	}
	const built = "services:\n  web:\n    build: .\n"
	const image = "services:\n  web:\n    image: nginx\n"
	arm := map[string]string{"DOCKER_DEFAULT_PLATFORM": "linux/arm64"}
	tests := []struct {
		name         string
		compose, env string // env: .env
		environ      map[string]string
		sameAs       string // the compose file whose hash it has, without DOCKER_DEFAULT_PLATFORM
		wantErr      string
	}{
		{name: "built, the default taken", compose: built, environ: arm, sameAs: built + "    platform: linux/arm64\n"},
		{name: "built, the default from .env", compose: built, env: "DOCKER_DEFAULT_PLATFORM=linux/arm64\n", sameAs: built + "    platform: linux/arm64\n"},
		{name: "built, its own platform kept", compose: built + "    platform: linux/amd64\n", environ: arm, sameAs: built + "    platform: linux/amd64\n"},
		{name: "not built, no platform given", compose: image, environ: arm, sameAs: image},
		{name: "built, the default listed", compose: "services:\n  web:\n    build:\n      context: .\n      platforms: [linux/amd64, linux/arm64]\n", environ: arm,
			sameAs: "services:\n  web:\n    build: .\n    platform: linux/arm64\n"},
		{name: "built, the default not listed", compose: "services:\n  web:\n    build:\n      context: .\n      platforms: [linux/amd64]\n", environ: arm,
			wantErr: "compose.yaml:5:18: service \"web\" build.platforms does not support value set by DOCKER_DEFAULT_PLATFORM: linux/arm64: add it to build.platforms, or set the service's platform\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := hashOf(t, tt.compose, tt.env, tt.environ)
			if tt.wantErr != "" {
				if code != exitUsage || stderr != tt.wantErr {
					t.Errorf("exit %d, stderr %q; want %d, %q", code, stderr, exitUsage, tt.wantErr)
				}
				return
			}
			_, want, _ := hashOf(t, tt.sameAs, "", nil)
			if code != 0 || out != want || want == "" {
				t.Errorf("exit %d (%s): printed %q, want %q", code, stderr, out, want)
			}
		})
	}
}

// TestConfigHashContainerNames: two services with one container_name
// hash, as with docker compose (it checks the names only where it prints
// the config), where config refuses them.
func TestConfigHashContainerNames(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": "services:\n  a:\n    image: nginx\n    container_name: web\n  b:\n    image: nginx\n    container_name: web\n"})
	if code, _, _ := runCLI(t, nil, "-C", dir, "config"); code != exitUsage {
		t.Errorf("config: exit %d, want %d", code, exitUsage)
	}
	code, out, errs := runCLI(t, nil, "-C", dir, "config", "--hash", hashAll)
	if code != 0 || strings.Count(out, "\n") != 2 {
		t.Errorf("config --hash: exit %d, printed %q (%s), want two hashes", code, out, errs)
	}
}
