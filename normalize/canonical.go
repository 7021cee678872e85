package normalize

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/internal/pathtrie"
)

// canonicalTrie expands the short syntax of the specification to its long
// syntax (compose-go's transform/canonical.go table, as facts: the same
// paths, the same results). A rule that reaches a mapping whose children
// may hold more short syntax descends itself.
var canonicalTrie = pathtrie.Compile(concat(
	table(containers,
		row("env_file", envFile),
		row("label_file", stringOrList),
		row("gpus", gpus),
		row("networks", stringSliceToMap),
		row("models", stringSliceToMap),
		row("volumes.*", volumeMount),
		row("dns", stringOrList),
		row("devices.*", deviceMapping),
		row("secrets.*", fileMount),
		row("configs.*", fileMount),
		row("ulimits.*", ulimits),
	),
	table(workloads,
		row("*.build.secrets.*", fileMount),
		row("*.build.provenance", stringOrX),
		row("*.build.sbom", stringOrX),
		row("*.build.additional_contexts", keyValue),
		row("*.depends_on", dependsOn),
		row("*.extends", extends),
		row("*.ports", ports),
		row("*.build", build),
		row("*.build.ssh", ssh),
		row("*.build.ulimits.*", ulimits),
	),
	[]pathtrie.Pattern[rule]{
		row("jobs.*.triggers.schedule.*", schedule),
		row("services.*.develop.watch.*.ignore", stringOrList),
		row("services.*.develop.watch.*.include", stringOrList),
		row("volumes.*", maybeExternal),
		row("networks.*", maybeExternal),
		row("secrets.*", maybeExternal),
		row("configs.*", maybeExternal),
		row("include.*", include),
	},
))

// canonicalDescend continues the walk below the value a rule is at (build,
// extends, resources), as rules below may apply there.
func (n *normalizer) canonicalDescend(v any) (any, error) {
	return n.descend(v, n.st)
}

func concat[T any](parts ...[]T) []T {
	var out []T
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// stringOrList: a single string is a list of one.
func stringOrList(_ *normalizer, v any) (any, error) {
	if s, ok := v.(string); ok {
		return []any{s}, nil
	}
	return v, nil
}

// stringOrX prints any scalar as a string (build provenance and sbom take a
// boolean or an attestation string).
func stringOrX(_ *normalizer, v any) (any, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	return fmt.Sprint(v), nil
}

// envFile: a path, or a list of paths and {path, required, format}
// mappings, becomes a list of mappings; required defaults to true.
func envFile(n *normalizer, v any) (any, error) {
	item := func(e any) any {
		switch x := e.(type) {
		case string:
			return map[string]any{"path": x, "required": true}
		case map[string]any:
			if _, ok := x["required"]; !ok {
				x["required"] = true
			}
			return x
		}
		return nil
	}
	switch x := v.(type) {
	case string:
		return []any{item(x)}, nil
	case []any:
		for i, e := range x {
			x[i] = item(e)
		}
		return x, nil
	}
	return nil, n.errorf("%s: invalid type %T for env_file", n.dotted(), v)
}

// gpus: `gpus: all` asks for every GPU.
func gpus(n *normalizer, v any) (any, error) {
	switch v.(type) {
	case []any:
		return n.canonicalDescend(v)
	case string:
		return []any{map[string]any{"count": "all"}}, nil
	}
	return v, n.errorf("%s: invalid type %T for gpus", n.dotted(), v)
}

// stringSliceToMap: a list of names becomes a mapping of names to null
// (service networks and models). merge already converts those it merges;
// this covers a list written in a single file.
func stringSliceToMap(_ *normalizer, v any) (any, error) {
	if s, ok := v.([]any); ok {
		m := make(map[string]any, len(s))
		for _, e := range s {
			if name, ok := e.(string); ok {
				m[name] = nil
			}
		}
		return m, nil
	}
	return v, nil
}

// volumeMount expands `SOURCE:TARGET[:OPTIONS]`.
func volumeMount(n *normalizer, v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		return x, nil
	case string:
		vol, err := compose.ParseVolume(x)
		if err != nil {
			if n.lenient {
				return x, nil
			}
			return nil, n.errorf("%v", err)
		}
		return volumeMap(vol), nil
	}
	return v, n.errorf("%s: invalid type %T for service volume mount", n.dotted(), v)
}

// volumeMap is the long syntax of a parsed short volume.
func volumeMap(vol types.ServiceVolumeConfig) map[string]any {
	m := map[string]any{"type": vol.Type}
	if vol.Source != "" {
		m["source"] = vol.Source
	}
	if vol.Target != "" {
		m["target"] = path.Clean(vol.Target)
	}
	if vol.ReadOnly {
		m["read_only"] = true
	}
	if b := vol.Bind; b != nil {
		bind := map[string]any{}
		if b.Propagation != "" {
			bind["propagation"] = b.Propagation
		}
		if b.SELinux != "" {
			bind["selinux"] = b.SELinux
		}
		if b.CreateHostPath {
			bind["create_host_path"] = true
		}
		m["bind"] = bind
	}
	if vv := vol.Volume; vv != nil {
		volume := map[string]any{}
		if vv.NoCopy {
			volume["nocopy"] = true
		}
		m["volume"] = volume
	}
	return m
}

// deviceMapping expands `HOST[:CONTAINER[:PERMISSIONS]]`.
func deviceMapping(n *normalizer, v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		return x, nil
	case string:
		parts := strings.Split(x, ":")
		src, dst, perms := parts[0], "", "rwm"
		if len(parts) > 3 {
			if !n.lenient {
				return nil, n.errorf("confusing device mapping, please use long syntax: %s", x)
			}
			parts, src = nil, ""
		}
		if len(parts) > 1 {
			dst = parts[1]
		}
		if len(parts) > 2 {
			perms = parts[2]
		}
		if dst == "" {
			dst = src
		}
		return map[string]any{"source": src, "target": dst, "permissions": perms}, nil
	}
	return v, n.errorf("%s: invalid type %T for service volume mount", n.dotted(), v)
}

// fileMount: a secret or config named alone is {source: name}.
func fileMount(n *normalizer, v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		return x, nil
	case string:
		return map[string]any{"source": x}, nil
	}
	return nil, n.errorf("%s: unsupported type %T", n.dotted(), v)
}

// ulimits: a number or a {soft, hard} mapping.
func ulimits(n *normalizer, v any) (any, error) {
	switch v.(type) {
	case map[string]any, int:
		return v, nil
	case string:
		if n.lenient {
			return v, nil
		}
	}
	return v, n.errorf("%s: invalid type %T for ulimits", n.dotted(), v)
}

// keyValue: a list of KEY=VALUE becomes a mapping.
func keyValue(n *normalizer, v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		return x, nil
	case []any:
		m := make(map[string]any, len(x))
		for _, e := range x {
			s, _ := e.(string)
			k, val, ok := strings.Cut(s, "=")
			if !ok {
				if n.lenient {
					return v, nil
				}
				return nil, n.errorf("%s: invalid value %s, expected key=value", n.dotted(), fmt.Sprint(e))
			}
			m[k] = val
		}
		return m, nil
	}
	return nil, n.errorf("%s: invalid type %T", n.dotted(), v)
}

// dependsOn: a list of services, or a mapping whose entries lack condition
// or required, gets compose's defaults (service_started, required).
func dependsOn(n *normalizer, v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		for _, name := range sortedKeys(x) {
			d, ok := x[name].(map[string]any)
			if !ok {
				return nil, n.errorf("%s.%s: unsupported value %v", n.dotted(), name, x)
			}
			if _, ok := d["condition"]; !ok {
				d["condition"] = types.ServiceConditionStarted
			}
			if _, ok := d["required"]; !ok {
				d["required"] = true
			}
		}
		return x, nil
	case []any:
		m := make(map[string]any, len(x))
		for _, e := range x {
			name, _ := e.(string)
			m[name] = map[string]any{"condition": types.ServiceConditionStarted, "required": true}
		}
		return m, nil
	}
	return v, n.errorf("%s: invalid type %T for depend_on", n.dotted(), v)
}

// extends: a service name alone is {service: name}.
func extends(n *normalizer, v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		return n.canonicalDescend(x)
	case string:
		return map[string]any{"service": x}, nil
	}
	return v, n.errorf("%s: invalid type %T for extends", n.dotted(), v)
}

// ports expands each short port (`[IP:][HOST:]CONTAINER[/PROTOCOL]`, ranges
// included: one entry a port) into long syntax.
func ports(n *normalizer, v any) (any, error) {
	entries, ok := v.([]any)
	if !ok {
		return v, n.errorf("%s: invalid type %T for port", n.dotted(), v)
	}
	out := make([]any, 0, len(entries))
	for i, e := range entries {
		var spec string
		switch x := e.(type) {
		case map[string]any:
			out = append(out, x)
			continue
		case int:
			spec = fmt.Sprint(x)
		case string:
			spec = x
		default:
			return v, n.errorAt(append(n.path, strconv.Itoa(i)), fmt.Sprintf("%s: invalid type %T for port", n.dotted(), e))
		}
		parsed, err := types.ParsePortConfig(spec)
		if err != nil {
			if n.lenient {
				return v, nil
			}
			// at the entry, not at `ports:`
			return nil, n.errorAt(append(n.path, strconv.Itoa(i)), err.Error())
		}
		for _, p := range parsed {
			out = append(out, portMap(p))
		}
	}
	return out, nil
}

// portMap is the long syntax of a parsed short port.
func portMap(p types.ServicePortConfig) map[string]any {
	m := map[string]any{}
	for _, f := range [...]struct {
		key, value string
	}{{"name", p.Name}, {"mode", p.Mode}, {"host_ip", p.HostIP}, {"published", p.Published}, {"protocol", p.Protocol}, {"app_protocol", p.AppProtocol}} {
		if f.value != "" {
			m[f.key] = f.value
		}
	}
	if p.Target != 0 {
		m["target"] = int(p.Target)
	}
	return m
}

// build: a context path alone is {context: path}.
func build(n *normalizer, v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		return n.canonicalDescend(x)
	case string:
		return map[string]any{"context": x}, nil
	}
	return v, n.errorf("%s: invalid type %T for build", n.dotted(), v)
}

// ssh: a list of ID[=PATH] becomes a mapping; `default` alone maps to null.
func ssh(n *normalizer, v any) (any, error) {
	if m, ok := v.(map[string]any); ok {
		return m, nil
	}
	list, ok := v.([]any)
	if !ok {
		return v, n.errorf("%s: invalid type %T for ssh", n.dotted(), v)
	}
	keys := make(map[string]any, len(list))
	for _, item := range list {
		spec, isString := item.(string)
		if !isString {
			return nil, n.errorf("invalid ssh key type %T", item)
		}
		if id, path, withPath := strings.Cut(spec, "="); withPath {
			keys[id] = path
			continue
		}
		if spec == "default" {
			keys[spec] = nil
			continue
		}
		if n.lenient {
			return v, nil // uninterpolated: left as written
		}
		return nil, n.errorf("invalid ssh key %q", spec)
	}
	return keys, nil
}

// schedule: a crontab expression alone is {cron: expression}.
func schedule(n *normalizer, v any) (any, error) {
	switch x := v.(type) {
	case string:
		return map[string]any{"cron": x}, nil
	case map[string]any:
		return x, nil
	}
	return nil, n.errorf("%s: invalid type %T for schedule entry", n.dotted(), v)
}

// include: a path alone is {path: path}.
func include(n *normalizer, v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		return x, nil
	case string:
		return map[string]any{"path": x}, nil
	}
	return v, n.errorf("%s: invalid type %T for external", n.dotted(), v)
}

// maybeExternal: the deprecated `external: {name: N}` becomes `name: N`
// and `external: true`.
func maybeExternal(n *normalizer, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, n.errorf("%s: must be a mapping", n.dotted())
	}
	if _, err := n.canonicalDescend(m); err != nil {
		return nil, err
	}
	ext, ok := m["external"].(map[string]any)
	if !ok {
		return m, nil
	}
	m["external"] = true
	extName, hasExtName := ext["name"]
	if !hasExtName {
		return m, nil
	}
	if n.opts.Warn != nil {
		n.opts.Warn(n.locate(n.path), fmt.Sprintf("%s: external.name is deprecated. Please set name and external: true", n.dotted()))
	}
	name, named := m["name"]
	if !named {
		m["name"] = extName
		return m, nil
	}
	if name != extName {
		return nil, n.errorf("%s: name and external.name conflict; only use name", n.dotted())
	}
	return m, nil
}
