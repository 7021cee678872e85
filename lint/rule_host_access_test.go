package lint

import (
	"context"
	"strings"
	"testing"
)

func TestShortVolume(t *testing.T) {
	tests := []struct {
		spec     string
		src      string
		readOnly bool
		ok       bool
	}{
		{"/var/run/docker.sock:/var/run/docker.sock", "/var/run/docker.sock", false, true},
		{"/etc:/host/etc:ro", "/etc", true, true},
		{"/etc:/host/etc:ro,z", "/etc", true, true},
		{"/etc:/host/etc:z,ro", "/etc", true, true},
		{"/etc:/host/etc:ro,rw", "/etc", false, true},
		{"/etc:/host/etc:rw", "/etc", false, true},
		{"/etc:/host/etc:rslave", "/etc", false, true},
		{"~/.docker/run/docker.sock:/var/run/docker.sock", "~/.docker/run/docker.sock", false, true},
		{"/var/lib/docker", "", false, false}, // anonymous volume
		{"data:/var/lib/docker", "", false, false},
		{"docker.sock:/var/run/docker.sock", "", false, false},
		{"./etc:/etc", "", false, false},
	}
	for _, tt := range tests {
		src, ro, ok := shortVolume(tt.spec)
		if src != tt.src || ro != tt.readOnly || ok != tt.ok {
			t.Errorf("shortVolume(%q) = %q, %v, %v; want %q, %v, %v", tt.spec, src, ro, ok, tt.src, tt.readOnly, tt.ok)
		}
	}
}

func TestHostPaths(t *testing.T) {
	tests := []struct {
		src         string
		socket, dir bool
		sensitive   bool
	}{
		{"/var/run/docker.sock", true, false, false},
		{"/run/docker.sock", true, false, false},
		{"/run/user/1000/docker.sock", true, false, false},
		{"/var/run", false, true, false},
		{"/run", false, true, false},
		{"/var/run/docker", false, false, false},
		{"/", false, false, true},
		{"/etc", false, false, true},
		{"/etc/localtime", false, false, false},
		{"/dev", false, false, true},
		{"/dev/dri", false, false, false},
		{"/proc", false, false, true},
		{"/proc/sys/kernel", false, false, true},
		{"/process", false, false, false},
		{"/sys/fs/cgroup", false, false, true},
		{"/system", false, false, false},
		{"/var/lib/docker/containers", false, false, true},
		{"/var/lib/dockerd", false, false, false},
		{"/srv/data", false, false, false},
	}
	for _, tt := range tests {
		socket, dir := dockerSocket(tt.src)
		sensitive := sensitivePath(tt.src) != ""
		if socket != tt.socket || dir != tt.dir || sensitive != tt.sensitive {
			t.Errorf("%q: socket %v, dir %v, sensitive %v; want %v, %v, %v", tt.src, socket, dir, sensitive, tt.socket, tt.dir, tt.sensitive)
		}
	}
}

// TestHostAccessEnvironments checks findings across environments: each at
// the file that set the value, listing the environments where it holds.
func TestHostAccessEnvironments(t *testing.T) {
	files := map[string]string{
		"compose.yaml":          "services:\n  proxy:\n    image: traefik:v3.1\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n  app:\n    image: example/app:1.0\n    cap_add: [NET_ADMIN]\n",
		"compose.override.yaml": "services:\n  app:\n    network_mode: host\n",
		// prod appends to cap_add, and mounts another socket where the
		// proxy expects Docker's: merged by target, it replaces it.
		"compose.prod.yaml": "services:\n  app:\n    cap_add: [SYS_ADMIN]\n  proxy:\n    volumes:\n      - /run/proxy.sock:/var/run/docker.sock\n",
	}
	dir := writeProject(t, files)
	lp, err := LoadProject(context.Background(), cleanEnv(dir), nil, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	for _, f := range Run(Input{Files: lp.Files, Envs: lp.Envs, Config: lp.Config, Only: []string{"host-access"}}) {
		got.WriteString(f.Span.String() + " " + strings.Join(f.Envs, ",") + "\n")
	}
	// NET_ADMIN, harmless in its own network, reaches the host's where the
	// override adds network_mode: host: in default only.
	want := "compose.override.yaml:3:19 default\ncompose.prod.yaml:3:15 prod\ncompose.yaml:5:9 default\ncompose.yaml:8:15 default\n"
	if got.String() != want {
		t.Errorf("got\n%swant\n%s", got.String(), want)
	}
}
