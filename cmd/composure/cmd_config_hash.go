package main

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/envs"
	"github.com/composure-dev/composure/internal/termsafe"
)

// hashAll is the --hash value that names every enabled service.
const hashAll = "*"

// hashKeyOrder is the order in which docker compose writes the top-level
// keys of a service before hashing it (docker/compose pkg/compose/hash.go,
// v5.7.1): the order of compose-go's ServiceConfig fields before v2.16
// moved them into ContainerSpec and WorkloadSpec, pinned so that the hash
// of an unchanged service, stamped on its containers, did not move. Keys
// it does not list come after, in name order.
var hashKeyOrder = strings.Fields(`
	profiles annotations attach build develop blkio_config cap_add cap_drop
	cgroup_parent cgroup cpu_count cpu_percent cpu_period cpu_quota
	cpu_rt_period cpu_rt_runtime cpus cpuset cpu_shares command configs
	container_name credential_spec depends_on deploy device_cgroup_rules
	devices dns dns_opt dns_search dockerfile domainname entrypoint provider
	environment env_file expose extends external_links extra_hosts group_add
	gpus hostname healthcheck image init ipc isolation labels label_file
	links logging log_driver log_opt mem_limit mem_reservation memswap_limit
	mem_swappiness mac_address models net network_mode networks
	oom_kill_disable oom_score_adj pid pids_limit platform ports privileged
	pull_policy read_only restart runtime scale secrets security_opt shm_size
	stdin_open stop_grace_period stop_signal storage_opt sysctls tmpfs tty
	ulimits use_api_socket user userns_mode uts volume_driver volumes
	volumes_from working_dir pre_start post_start pre_stop`)

// serviceHash is the configuration hash docker compose stamps on a
// service's containers and prints with config --hash (pkg/compose/hash.go
// ServiceHash): the SHA-256, in hex, of the service's JSON, keys in
// hashKeyOrder, without what changes no container: build, pull_policy,
// scale, deploy.replicas, depends_on and profiles. compose-go exports no
// such function.
func serviceHash(s types.ServiceConfig) (string, error) {
	s.Build, s.PullPolicy, s.Scale, s.DependsOn, s.Profiles = nil, "", nil, nil, nil
	if s.Deploy != nil {
		d := *s.Deploy // the project's own stays as it is
		d.Replicas = nil
		s.Deploy = &d
	}
	js, err := json.Marshal(s)
	if err != nil {
		return "", err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(js, &fields); err != nil {
		return "", err
	}
	rank := func(k string) int {
		if i := slices.Index(hashKeyOrder, k); i >= 0 {
			return i
		}
		return len(hashKeyOrder)
	}
	keys := slices.SortedFunc(maps.Keys(fields), func(a, b string) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a, b))
	})
	// The object again, each value as json.Marshal wrote it.
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		name, err := json.Marshal(k)
		if err != nil {
			return "", err
		}
		buf.Write(name)
		buf.WriteByte(':')
		buf.Write(fields[k])
	}
	buf.WriteByte('}')
	sum := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(sum[:]), nil
}

// hashPlatforms gives the services docker compose builds the platform it
// gives them before hashing (cmd/compose applyPlatforms, for a single
// platform): a built service without one runs on DOCKER_DEFAULT_PLATFORM,
// which its build.platforms must then list, as they must list its own.
// What it does to build itself does not change the hash.
func hashPlatforms(l *envs.Loaded) error {
	p := l.Project
	def := p.Environment["DOCKER_DEFAULT_PLATFORM"]
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		if s.Build == nil {
			continue
		}
		listed := len(s.Build.Platforms) == 0 || slices.Contains(s.Build.Platforms, def)
		if def != "" && s.Platform == "" {
			if !listed {
				return platformError(l, name, fmt.Sprintf("service %q build.platforms does not support value set by DOCKER_DEFAULT_PLATFORM: %s: add it to build.platforms, or set the service's platform", name, def))
			}
			s.Platform = def
			p.Services[name] = s
		}
		if s.Platform != "" && len(s.Build.Platforms) > 0 && !slices.Contains(s.Build.Platforms, s.Platform) {
			return platformError(l, name, fmt.Sprintf("service %q build configuration does not support platform: %s: add it to build.platforms", name, s.Platform))
		}
	}
	return nil
}

// platformError places msg at the service's build.platforms (or its
// build, or the service).
func platformError(l *envs.Loaded, service, msg string) error {
	var at compose.Location
	for _, path := range []string{"services." + service + ".build.platforms", "services." + service + ".build", "services." + service} {
		if o, ok := l.Merged.Origin(path); ok && o.Location.IsValid() {
			at = o.Location
			break
		}
	}
	return &compose.Error{Location: at, Msg: msg}
}

// renderHashes prints `NAME HASH` for the services the --hash value names
// (hashAll: every enabled one), as docker compose does: the names sorted
// as given, each one enabled.
func renderHashes(l *envs.Loaded, value string) ([]byte, error) {
	if err := hashPlatforms(l); err != nil {
		return nil, err
	}
	p := l.Project
	names := p.ServiceNames()
	if value != hashAll {
		names = strings.Split(value, ",")
		slices.Sort(names)
	}
	var buf bytes.Buffer
	for _, name := range names {
		s, ok := p.Services[name]
		if !ok {
			return nil, hashNameError(l, name)
		}
		h, err := serviceHash(s)
		if err != nil {
			return nil, fmt.Errorf("cannot hash service %q: %w", name, err)
		}
		fmt.Fprintf(&buf, "%s %s\n", termsafe.Line(name), h)
	}
	return buf.Bytes(), nil
}

// hashNameError says why --hash cannot hash name: a profile disables it,
// or the environment has no such service (selectionError says which is
// near).
func hashNameError(l *envs.Loaded, name string) error {
	if s, ok := l.Project.DisabledServices[name]; ok {
		return fmt.Errorf("--hash: service %q of environment %q is behind a profile: enable it with --profile %s", name, l.Env.Name, orList(s.Profiles))
	}
	return &envs.UnknownServiceError{Name: name, Env: l.Env.Name, Known: slices.Sorted(maps.Keys(l.Project.AllServices()))}
}
