package normalize

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/composure-dev/composure/compose"
)

// workloadKeys are the top-level sections that declare containers.
var workloadKeys = [...]string{"services", "jobs"}

// resolveEnvironment completes `environment` entries written as a bare
// name (`- DEBUG`) from the environment, and reads secrets and configs
// declared `environment: VAR` (compose-go's loader.ResolveEnvironment).
func resolveEnvironment(m map[string]any, env map[string]string) {
	for _, key := range workloadKeys {
		containers, _ := m[key].(map[string]any)
		for _, c := range containers {
			svc, ok := c.(map[string]any)
			if !ok {
				continue
			}
			list, ok := svc["environment"].([]any)
			if !ok {
				continue
			}
			out := make([]any, 0, len(list))
			for _, e := range list {
				s, ok := e.(string)
				if !ok {
					continue
				}
				if v, ok := env[s]; ok {
					s += "=" + v
				}
				out = append(out, s)
			}
			svc["environment"] = out
		}
	}
	for _, section := range [...]string{"secrets", "configs"} {
		resources, _ := m[section].(map[string]any)
		for _, r := range resources {
			res, ok := r.(map[string]any)
			if !ok {
				continue
			}
			name, ok := res["environment"].(string)
			if !ok {
				continue
			}
			v, ok := env[name]
			if !ok {
				continue
			}
			if section == "secrets" {
				res[types.SecretConfigXValue] = v
			} else {
				res["content"] = v
			}
		}
	}
}

// normalize adds what the specification implies (compose-go's
// loader.Normalize): the default network, build defaults, resolved
// environment and build args, the dependencies that links, `service:`
// namespaces and volumes_from imply, clean mount targets, pre_start hooks
// completed from their service, and resource names.
func (n *normalizer) normalize(m map[string]any) error {
	normalizeNetworks(m, n.usesDefault)
	lookup := func(k string) (string, bool) {
		v, ok := n.opts.Environment[k]
		return v, ok
	}
	for _, key := range workloadKeys {
		containers, _ := m[key].(map[string]any)
		for _, name := range sortedKeys(containers) {
			c, ok := containers[name].(map[string]any)
			if !ok {
				continue
			}
			if c["pull_policy"] == types.PullPolicyIfNotPresent {
				c["pull_policy"] = types.PullPolicyMissing
			}
			if b, ok := c["build"].(map[string]any); ok {
				if b["context"] == nil {
					b["context"] = "."
				}
				if b["dockerfile"] == nil && b["dockerfile_inline"] == nil {
					b["dockerfile"] = "Dockerfile"
				}
				if a, ok := b["args"]; ok {
					b["args"] = resolveEntries(a, lookup, false)
				}
			}
			if e, ok := c["environment"]; ok {
				c["environment"] = resolveEntries(e, lookup, true)
			}
			impliedDependencies(c)
			if vols, ok := c["volumes"].([]any); ok {
				for _, v := range vols {
					if vol, ok := v.(map[string]any); ok {
						if t, ok := vol["target"].(string); ok {
							vol["target"] = path.Clean(t)
						}
					}
				}
			}
			if err := completeHooks(c, n.opts.MergeService); err != nil {
				return n.errorAt([]string{key, name, "pre_start"}, err.Error())
			}
		}
	}
	nameResources(m)
	return nil
}

// impliedDependencies adds to depends_on the services a container needs
// started first: link targets, `service:NAME` namespaces, volumes_from
// sources.
func impliedDependencies(c map[string]any) {
	deps, _ := c["depends_on"].(map[string]any)
	if deps == nil {
		deps = map[string]any{}
	}
	add := func(name string, restart bool) {
		if _, ok := deps[name]; !ok {
			deps[name] = map[string]any{
				"condition": types.ServiceConditionStarted,
				"restart":   restart,
				"required":  true,
			}
		}
	}
	if links, ok := c["links"].([]any); ok {
		for _, l := range links {
			s, _ := l.(string)
			if parts := strings.Split(s, ":"); len(parts) == 2 {
				s = parts[0]
			}
			add(s, true)
		}
	}
	for _, ns := range [...]string{"network_mode", "ipc", "pid", "uts", "cgroup"} {
		if ref, ok := c[ns].(string); ok {
			if shared, ok := strings.CutPrefix(ref, types.ServicePrefix); ok {
				add(shared, true)
			}
		}
	}
	if from, ok := c["volumes_from"].([]any); ok {
		for _, v := range from {
			s, _ := v.(string)
			if !strings.HasPrefix(s, types.ContainerPrefix) {
				name, _, _ := strings.Cut(s, ":")
				add(name, false)
			}
		}
	}
	if len(deps) > 0 {
		c["depends_on"] = deps
	}
}

// resolveEntries completes KEY=VALUE entries written as a bare KEY (a
// list item, or a mapping key with a null value) from lookup. Entries
// lookup does not know are kept bare when keepEmpty, dropped otherwise.
func resolveEntries(v any, lookup func(string) (string, bool), keepEmpty bool) any {
	switch x := v.(type) {
	case []any:
		var out []any
		for _, e := range x {
			switch s := e.(type) {
			case string:
				if strings.Contains(s, "=") {
					out = append(out, s)
				} else if val, ok := lookup(s); ok {
					out = append(out, s+"="+val)
				} else if keepEmpty {
					out = append(out, s)
				}
			case []any, map[string]any:
				out = append(out, resolveEntries(s, lookup, keepEmpty))
			}
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if e != nil {
				out[k] = e
			} else if val, ok := lookup(k); ok {
				out[k] = val
			} else if keepEmpty {
				out[k] = nil
			}
		}
		return out
	}
	return v
}

// ownNetworking reports whether a container chooses its networking
// otherwise than by networks (a provider, a network_mode): it is never put
// on the default network.
func ownNetworking(svc map[string]any) bool {
	_, provider := svc["provider"]
	_, mode := svc["network_mode"]
	return provider || mode
}

// normalizeNetworks connects every container that chooses no network (and
// has neither a network_mode nor a provider) to `default`, and declares
// `default` when some container uses it, or when usesDefault says a
// container normalized earlier, not in m, does (Model's reuse).
func normalizeNetworks(m map[string]any, usesDefault bool) {
	networks, _ := m["networks"].(map[string]any)
	if networks == nil {
		networks = map[string]any{}
	}
	for _, key := range workloadKeys {
		containers, _ := m[key].(map[string]any)
		for _, c := range containers {
			svc, ok := c.(map[string]any)
			if !ok || ownNetworking(svc) {
				continue
			}
			nets, _ := svc["networks"].(map[string]any)
			switch _, hasDefault := nets["default"]; {
			case len(nets) == 0:
				svc["networks"] = map[string]any{"default": nil}
				usesDefault = true
			case hasDefault:
				usesDefault = true
			}
		}
	}
	if _, ok := networks["default"]; !ok && usesDefault {
		networks["default"] = nil
	}
	if len(networks) > 0 {
		m["networks"] = networks
	}
}

// nameResources names volumes, networks, configs and secrets declared
// without a name: `<project>_<key>`, or the key itself for an external
// resource.
func nameResources(m map[string]any) {
	project := fmt.Sprint(m["name"])
	for _, section := range [...]string{"networks", "volumes", "configs", "secrets"} {
		declared, _ := m[section].(map[string]any)
		for key := range declared {
			declared[key] = named(declared[key], project, key)
		}
	}
}

// named returns the declaration of resource key (nil: an empty one) with
// its name set when it has none.
func named(decl any, project, key string) map[string]any {
	res, _ := decl.(map[string]any)
	if res == nil {
		res = map[string]any{}
	}
	if res["name"] != nil {
		return res
	}
	res["name"] = project + "_" + key
	if isTrue(res["external"]) {
		res["name"] = key
	}
	return res
}

// isTrue reads v as docker compose reads a boolean written as any scalar
// (true, "TRUE", 1, "t"); nil and anything else are false.
func isTrue(v any) bool {
	if v == nil {
		return false
	}
	b, _ := strconv.ParseBool(fmt.Sprint(v))
	return b
}

// completeHooks completes each pre_start hook of a service with the
// service's container attributes (volumes excepted: hooks share them at run
// time through volumes_from), merged as a later file's service merges into
// an earlier one's, the hook's own attributes winning.
func completeHooks(svc map[string]any, mergeService func(base, over map[string]any) (map[string]any, error)) error {
	hooks, ok := svc["pre_start"].([]any)
	if !ok || len(hooks) == 0 {
		return nil
	}
	if mergeService == nil {
		return errors.New("pre_start hooks need Options.MergeService")
	}
	base := map[string]any{}
	for _, k := range types.ContainerSpecAttributes {
		if v, ok := svc[k]; ok && k != "volumes" {
			base[k] = v
		}
	}
	for i, h := range hooks {
		hook, ok := h.(map[string]any)
		if !ok {
			continue
		}
		merged, err := mergeService(deepCopy(base).(map[string]any), hook)
		if err != nil {
			return fmt.Errorf("resolving pre_start hook specification: %w", err)
		}
		hooks[i] = merged
	}
	return nil
}

// extensionAliases are the specification attributes first used as `x-`
// extensions, in the order compose-go promotes them (outermost first).
var extensionAliases = [...]struct {
	parent   []string // path of the mapping holding the attribute, "*" any key or item
	from, to string
}{
	{[]string{"services", "*"}, "x-develop", "develop"},
	{[]string{"services", "*", "develop", "watch", "*"}, "x-initialSync", "initial_sync"},
}

// promoteAliases renames those extensions to their attribute; where both
// are set, the extension merges under the attribute, which wins. It reports
// whether it changed anything.
func promoteAliases(m map[string]any) bool {
	services, _ := m["services"].(map[string]any)
	return aliasSites(services, promote)
}

// aliasSites calls f, in the order compose-go promotes them, on each
// mapping of services where an extension alias may be written, with the
// alias's extension and attribute, and reports whether any call returned
// true. A service's develop is read after f ran on the service.
func aliasSites(services map[string]any, f func(m map[string]any, from, to string) bool) bool {
	found := false
	for _, s := range services {
		svc, ok := s.(map[string]any)
		if !ok {
			continue
		}
		found = f(svc, extensionAliases[0].from, extensionAliases[0].to) || found
		develop, _ := svc["develop"].(map[string]any)
		watch, _ := develop["watch"].([]any)
		for _, w := range watch {
			if item, ok := w.(map[string]any); ok {
				found = f(item, extensionAliases[1].from, extensionAliases[1].to) || found
			}
		}
	}
	return found
}

func promote(m map[string]any, from, to string) bool {
	ext, ok := m[from]
	if !ok {
		return false
	}
	delete(m, from)
	if m[to] == nil {
		m[to] = ext
		return true
	}
	m[to] = mergeUnder(ext, m[to])
	return true
}

// mergeUnder merges over into under as compose-go merges a value with no
// special rule: mappings key by key, sequences appended without
// duplicates, anything else replaced.
func mergeUnder(under, over any) any {
	switch u := under.(type) {
	case map[string]any:
		o, ok := over.(map[string]any)
		if !ok {
			return over
		}
		for k, v := range o {
			if e, ok := u[k]; ok {
				u[k] = mergeUnder(e, v)
			} else {
				u[k] = v
			}
		}
		return u
	case []any:
		o, ok := over.([]any)
		if !ok {
			return over
		}
		for _, v := range o {
			if !containsEqual(u, v) {
				u = append(u, v)
			}
		}
		return u
	}
	if over == nil {
		return under
	}
	return over
}

func containsEqual(list []any, v any) bool {
	for _, e := range list {
		if compose.PlainEqual(e, v) {
			return true
		}
	}
	return false
}

// uniqueAfterCanonical drops list entries the canonical forms made equal to
// an earlier one, the later taking its place, as compose-go's second
// EnforceUnicity does: of its keys, only those of ports (a range becomes
// several entries; `80:80` and its long syntax share a key only once
// expanded) and of volume targets (cleaned) change through canonical forms.
func (n *normalizer) uniqueAfterCanonical(m map[string]any) {
	services, _ := m["services"].(map[string]any)
	for _, s := range services {
		svc, ok := s.(map[string]any)
		if !ok {
			continue
		}
		if ps, ok := svc["ports"].([]any); ok && len(ps) > 1 {
			svc["ports"] = uniqueBy(ps, portKey)
		}
		if vs, ok := svc["volumes"].([]any); ok && len(vs) > 1 {
			svc["volumes"] = uniqueBy(vs, volumeKey)
		}
	}
}

func portKey(v any) (string, bool) {
	p, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	host, ok := p["host_ip"]
	if !ok {
		host = "0.0.0.0"
	}
	protocol, ok := p["protocol"]
	if !ok {
		protocol = "tcp"
	}
	return fmt.Sprintf("%v:%v:%v/%v", host, p["published"], p["target"], protocol), true
}

func volumeKey(v any) (string, bool) {
	vol, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	t, ok := vol["target"].(string)
	return t, ok
}

// uniqueBy keeps one entry per key, the last one, at the first one's
// place; entries without a key are kept.
func uniqueBy(list []any, key func(any) (string, bool)) []any {
	out := make([]any, 0, len(list))
	seen := make(map[string]int, len(list))
	for _, e := range list {
		k, ok := key(e)
		if !ok {
			out = append(out, e)
			continue
		}
		if i, dup := seen[k]; dup {
			out[i] = e
			continue
		}
		seen[k] = len(out)
		out = append(out, e)
	}
	return out
}
