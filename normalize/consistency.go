package normalize

import (
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/composure-dev/composure/compose"
)

// CheckConsistency refuses a project whose parts do not fit together
// (compose-go's checkConsistency, as docker compose runs it): services with
// neither image nor build, references to undeclared networks, volumes,
// secrets, configs and models, dependencies on unknown services, dependency
// cycles, contradictory settings, two mounts on one target. locate places
// each error at the value it is about (a tree.Path of the merged tree).
// Services are checked in name order, so the same error comes every run.
func CheckConsistency(p *types.Project, locate func(path string) (compose.Location, bool)) error {
	c := checker{p: p, locate: locate}
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		if err := c.service(name, p.Services[name]); err != nil {
			return err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(p.AllJobs())) {
		if _, ok := p.Services[name]; ok {
			return c.errorf([]string{"jobs", name}, "%q is declared both as a service and a job: service and job names must be unique: invalid compose project", name)
		}
		if _, ok := p.DisabledServices[name]; ok {
			return c.errorf([]string{"jobs", name}, "%q is declared both as a service and a job: service and job names must be unique: invalid compose project", name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(p.Jobs)) {
		j := p.Jobs[name]
		for _, dep := range slices.Sorted(maps.Keys(j.DependsOn)) {
			if _, isJob := p.Jobs[dep]; isJob {
				continue
			}
			if _, ok := p.Services[dep]; ok {
				continue
			}
			if _, disabled := p.DisabledServices[dep]; disabled && !j.DependsOn[dep].Required {
				continue
			}
			return c.errorf([]string{"jobs", name, "depends_on", dep}, "job %q depends on undefined service or job %q: invalid compose project", name, dep)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(p.Secrets)) {
		s := p.Secrets[name]
		if !s.External && s.File == "" && s.Environment == "" {
			return c.errorf([]string{"secrets", name}, "secret %q must declare either `file` or `environment`: invalid compose project", name)
		}
	}
	return c.cycles()
}

// CheckPrintable refuses what docker compose v5.7.1 loads, builds and runs
// but cannot print (compose-go v2.16.2's types.SSHKey writes `"id": path`,
// which is not JSON): a build ssh key given with a path. `config` of the
// whole project, and anything that needs the project as JSON, call it;
// lint, the lists and --hash do not, as docker compose's work.
func CheckPrintable(p *types.Project, locate func(path string) (compose.Location, bool)) error {
	c := checker{p: p, locate: locate}
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		b := p.Services[name].Build
		if b == nil {
			continue
		}
		for _, key := range b.SSH {
			if key.Path != "" {
				return c.errorf([]string{"services", name, "build", "ssh", key.ID}, "json: error calling MarshalJSON for type types.SSHKey: invalid character ':' after top-level value: docker compose v5.7.1 cannot print a build ssh key given with a path (%s=%s), though it builds with it; to print the config, use the agent socket (`default`) here and pass the key to `docker compose build --ssh`", key.ID, key.Path)
			}
		}
	}
	return nil
}

type checker struct {
	p      *types.Project
	locate func(path string) (compose.Location, bool)
}

func (c *checker) errorf(path []string, format string, args ...any) error {
	var loc compose.Location
	if c.locate != nil {
		loc, _ = c.locate(compose.JoinPath(path))
	}
	return &compose.Error{Location: loc, Msg: fmt.Sprintf(format, args...)}
}

// service checks one enabled service.
func (c *checker) service(name string, s types.ServiceConfig) error {
	at := func(parts ...string) []string { return append([]string{"services", name}, parts...) }
	p := c.p
	if s.Build == nil && s.Image == "" && s.Provider == nil {
		return c.errorf(at(), "service %q has neither an image nor a build context specified: invalid compose project", name)
	}
	if b := s.Build; b != nil {
		if b.DockerfileInline != "" && b.Dockerfile != "" {
			return c.errorf(at("build"), "service %q declares mutualy exclusive dockerfile and dockerfile_inline: invalid compose project", name)
		}
		for _, add := range slices.Sorted(maps.Keys(b.AdditionalContexts)) {
			target, ok := strings.CutPrefix(b.AdditionalContexts[add], types.ServicePrefix)
			if !ok {
				continue
			}
			t, found := p.Services[target]
			if !found {
				t, found = p.DisabledServices[target]
			}
			if !found {
				return c.errorf(at("build", "additional_contexts", add), "service %q declares unknown service %q as additional contexts %s", name, target, add)
			}
			if t.Build == nil {
				return c.errorf(at("build", "additional_contexts", add), "service %q declares non-buildable service %q as additional contexts %s", name, target, add)
			}
		}
		if len(b.Platforms) > 0 && s.Platform != "" && !slices.Contains(b.Platforms, s.Platform) {
			return c.errorf(at("platform"), "service.build.platforms MUST include service.platform %q: invalid compose project", s.Platform)
		}
	}
	if s.NetworkMode != "" && len(s.Networks) > 0 {
		return c.errorf(at("network_mode"), "service %s declares mutually exclusive `network_mode` and `networks`: invalid compose project", name)
	}
	for _, n := range failing(s.Networks, func(n string) bool { _, ok := p.Networks[n]; return ok }) {
		if _, ok := p.Networks[n]; !ok {
			return c.errorf(at("networks", n), "service %q refers to undefined network %s: invalid compose project", name, n)
		}
	}
	if s.HealthCheck != nil && len(s.HealthCheck.Test) > 0 {
		switch s.HealthCheck.Test[0] {
		case "CMD", "CMD-SHELL", "NONE":
		default:
			return c.errorf(at("healthcheck", "test"), `healthcheck.test must start either by "CMD", "CMD-SHELL" or "NONE"`)
		}
	}
	known := func(dep string) bool {
		if _, ok := p.Services[dep]; ok {
			return true
		}
		_, disabled := p.DisabledServices[dep]
		return disabled && !s.DependsOn[dep].Required
	}
	for _, dep := range failing(s.DependsOn, known) {
		if known(dep) {
			continue
		}
		if _, isJob := p.Jobs[dep]; isJob {
			return c.errorf(at("depends_on", dep), "service %q cannot depend on job %q: services can only depend on other services: invalid compose project", name, dep)
		}
		return c.errorf(impliedBy(s, dep, at), "service %q depends on undefined service %q: invalid compose project", name, dep)
	}
	if ref, ok := strings.CutPrefix(s.NetworkMode, types.ServicePrefix); ok {
		if _, err := p.GetServices(ref); err != nil {
			return c.errorf(at("network_mode"), "service %q not found for network_mode 'service:%s'", ref, ref)
		}
	}
	for i, v := range s.Volumes {
		if v.Type == types.VolumeTypeVolume && v.Source != "" {
			if _, ok := p.Volumes[v.Source]; !ok {
				return c.errorf(at("volumes", fmt.Sprint(i)), "service %q refers to undefined volume %s: invalid compose project", name, v.Source)
			}
		}
	}
	if s.Build != nil {
		for i, sec := range s.Build.Secrets {
			if _, ok := p.Secrets[sec.Source]; !ok {
				return c.errorf(at("build", "secrets", fmt.Sprint(i)), "service %q refers to undefined build secret %s: invalid compose project", name, sec.Source)
			}
		}
	}
	for i, cfg := range s.Configs {
		if _, ok := p.Configs[cfg.Source]; !ok {
			return c.errorf(at("configs", fmt.Sprint(i)), "service %q refers to undefined config %s: invalid compose project", name, cfg.Source)
		}
	}
	for _, m := range failing(s.Models, func(m string) bool { _, ok := p.Models[m]; return ok }) {
		if _, ok := p.Models[m]; !ok {
			return c.errorf(at("models", m), "service %q refers to undefined model %s: invalid compose project", name, m)
		}
	}
	for i, sec := range s.Secrets {
		if _, ok := p.Secrets[sec.Source]; !ok {
			return c.errorf(at("secrets", fmt.Sprint(i)), "service %q refers to undefined secret %s: invalid compose project", name, sec.Source)
		}
	}
	if s.Scale != nil && s.Deploy != nil {
		if s.Deploy.Replicas != nil && *s.Scale != *s.Deploy.Replicas {
			return c.errorf(at("scale"), "services.%s: can't set distinct values on 'scale' and 'deploy.replicas': invalid compose project", name)
		}
		// docker compose runs what scale says (compose-go writes it into
		// the Deploy the project's service points to); composure writes a
		// copy: environments loaded together share a bound service's Deploy
		if s.Deploy.Replicas == nil {
			d := *s.Deploy
			d.Replicas = s.Scale
			s.Deploy = &d
			p.Services[name] = s
		}
	}
	if s.Scale != nil && *s.Scale < 0 {
		return c.errorf(at("scale"), "services.%s.scale: must be greater than or equal to 0", name)
	}
	if s.Deploy != nil && s.Deploy.Replicas != nil && *s.Deploy.Replicas < 0 {
		return c.errorf(at("deploy", "replicas"), "services.%s.deploy.replicas: must be greater than or equal to 0", name)
	}
	if d := s.Deploy; d != nil {
		lim, res := d.Resources.Limits, d.Resources.Reservations
		switch {
		case s.CPUS != 0 && lim != nil && lim.NanoCPUs.Value() != s.CPUS:
			return c.errorf(at("cpus"), "services.%s: can't set distinct values on 'cpus' and 'deploy.resources.limits.cpus': invalid compose project", name)
		case s.MemLimit != 0 && lim != nil && lim.MemoryBytes != s.MemLimit:
			return c.errorf(at("mem_limit"), "services.%s: can't set distinct values on 'mem_limit' and 'deploy.resources.limits.memory': invalid compose project", name)
		case s.MemReservation != 0 && res != nil && res.MemoryBytes != s.MemReservation:
			return c.errorf(at("mem_reservation"), "services.%s: can't set distinct values on 'mem_reservation' and 'deploy.resources.reservations.memory': invalid compose project", name)
		case s.PidsLimit != 0 && lim != nil && lim.Pids != s.PidsLimit:
			return c.errorf(at("pids_limit"), "services.%s: can't set distinct values on 'pids_limit' and 'deploy.resources.limits.pids': invalid compose project", name)
		}
	}
	if scale(s) > 1 && s.ContainerName != "" {
		attr := "scale"
		if s.Scale == nil {
			attr = "deploy.replicas"
		}
		// compose-go swaps the two values in this message; composure says
		// it the right way round.
		return c.errorf(at("container_name"), "services.%s: can't set container_name and %s as container name must be unique: invalid compose project", name, attr)
	}
	if s.Develop != nil {
		for i, w := range s.Develop.Watch {
			if w.Target == "" && w.Action != types.WatchActionRebuild && w.Action != types.WatchActionRestart {
				return c.errorf(at("develop", "watch", fmt.Sprint(i)), "services.%s.develop.watch: target is required for non-rebuild actions: invalid compose project", name)
			}
		}
	}
	if len(s.Tmpfs)+len(s.Volumes) < 2 {
		return nil
	}
	type mount struct {
		kind string
		i    int
	}
	where := func(m mount) string { return fmt.Sprintf("services.%s.%s[%d]", name, m.kind, m.i) }
	mounts := map[string]mount{}
	add := func(target string, m mount) error {
		if prev, ok := mounts[target]; ok {
			return c.errorf(at(m.kind, fmt.Sprint(m.i)), "%s: target %s already mounted as %s", where(m), target, where(prev))
		}
		mounts[target] = m
		return nil
	}
	for i, t := range s.Tmpfs {
		target, _, _ := strings.Cut(t, ":")
		if err := add(target, mount{"tmpfs", i}); err != nil {
			return err
		}
	}
	for i, v := range s.Volumes {
		if err := add(v.Target, mount{"volumes", i}); err != nil {
			return err
		}
	}
	return nil
}

// failing returns the keys of m in order when one of them fails ok, else
// none: the checks go through a service's names in order only to report
// the first failure, which most projects never have.
func failing[M ~map[string]V, V any](m M, ok func(string) bool) []string {
	for k := range m {
		if !ok(k) {
			return slices.Sorted(maps.Keys(m))
		}
	}
	return nil
}

// scale is how many containers the service runs (types.ServiceConfig's
// GetScale: scale, else deploy.replicas, else 1).
func scale(s types.ServiceConfig) int {
	switch {
	case s.Scale != nil:
		return *s.Scale
	case s.Deploy != nil && s.Deploy.Replicas != nil:
		return *s.Deploy.Replicas
	}
	return 1
}

// cycles refuses a dependency cycle among services, at the depends_on
// entry that closes it. The walk in map order tells whether there is one;
// only then does the walk in name order find which, so that the same
// cycle is reported every run.
func (c *checker) cycles() error {
	if chain := c.findCycle(false); chain == nil {
		return nil
	}
	chain := c.findCycle(true)
	name, dep := chain[len(chain)-2], chain[len(chain)-1]
	return c.errorf([]string{"services", name, "depends_on", dep}, "dependency cycle detected: %s", strings.Join(chain, " -> "))
}

// keysOf returns m's keys, in order when sorted, else in map order.
func keysOf[M ~map[string]V, V any](m M, sorted bool) iter.Seq[string] {
	if sorted {
		return slices.Values(slices.Sorted(maps.Keys(m)))
	}
	return maps.Keys(m)
}

// findCycle walks the services' dependencies depth first, services and
// dependencies in name order when sorted, and returns the first cycle it
// meets as the chain of names that closes it (a -> b -> a), or nil.
func (c *checker) findCycle(sorted bool) []string {
	const (
		unvisited = iota
		visiting
		done
	)
	state := make(map[string]uint8, len(c.p.Services))
	var stack []string
	var visit func(name string) []string
	visit = func(name string) []string {
		state[name] = visiting
		stack = append(stack, name)
		for dep := range keysOf(c.p.Services[name].DependsOn, sorted) {
			if _, ok := c.p.Services[dep]; !ok {
				continue
			}
			switch state[dep] {
			case visiting:
				i := slices.Index(stack, dep)
				return append(slices.Clone(stack[i:]), dep)
			case unvisited:
				if chain := visit(dep); chain != nil {
					return chain
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[name] = done
		return nil
	}
	for name := range keysOf(c.p.Services, sorted) {
		if state[name] == unvisited {
			if chain := visit(name); chain != nil {
				return chain
			}
		}
	}
	return nil
}

// impliedBy is the path of what makes s depend on dep: the `service:dep`
// namespace, link or volumes_from entry that implies it (docker compose adds
// the dependency), else its depends_on entry.
func impliedBy(s types.ServiceConfig, dep string, at func(...string) []string) []string {
	for _, ns := range []struct{ key, value string }{
		{"network_mode", s.NetworkMode}, {"ipc", s.Ipc}, {"pid", s.Pid}, {"uts", s.Uts}, {"cgroup", s.Cgroup},
	} {
		if ns.value == types.ServicePrefix+dep {
			return at(ns.key)
		}
	}
	for i, l := range s.Links {
		if name, _, _ := strings.Cut(l, ":"); name == dep {
			return at("links", fmt.Sprint(i))
		}
	}
	for i, v := range s.VolumesFrom {
		if name, _, _ := strings.Cut(v, ":"); name == dep {
			return at("volumes_from", fmt.Sprint(i))
		}
	}
	return at("depends_on", dep)
}
