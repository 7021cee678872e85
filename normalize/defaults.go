package normalize

import (
	"fmt"
	"net"
	"path"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/composure-dev/composure/internal/pathtrie"
)

// defaultsTrie adds the values the specification implies where they are
// left out (compose-go's transform/defaults.go).
var defaultsTrie = pathtrie.Compile(concat(
	table(workloads,
		row("*.build", defaultBuildContext),
		row("*.secrets.*", defaultSecretTarget),
		row("*.ports.*", defaultPortProtocol),
		row("*.gpus.*", defaultDeviceCount),
		row("*.volumes.*.bind", defaultCreateHostPath),
	),
	[]pathtrie.Pattern[rule]{
		row("services.*.deploy.resources.reservations.devices.*", defaultDeviceCount),
	},
))

func defaultBuildContext(_ *normalizer, v any) (any, error) {
	if m, ok := v.(map[string]any); ok {
		if _, ok := m["context"]; !ok {
			m["context"] = "."
		}
	}
	return v, nil
}

// defaultSecretTarget mounts a secret at /run/secrets/<name>.
func defaultSecretTarget(n *normalizer, v any) (any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, n.errorf("%s: unsupported type %T", n.dotted(), v)
	}
	if _, ok := m["target"]; !ok {
		m["target"] = fmt.Sprintf("/run/secrets/%v", m["source"])
	}
	return m, nil
}

func defaultPortProtocol(_ *normalizer, v any) (any, error) {
	if m, ok := v.(map[string]any); ok {
		if _, ok := m["protocol"]; !ok {
			m["protocol"] = "tcp"
		}
		if _, ok := m["mode"]; !ok {
			m["mode"] = "ingress"
		}
	}
	return v, nil
}

// defaultDeviceCount asks for every device when neither a count nor ids
// are given.
func defaultDeviceCount(n *normalizer, v any) (any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return v, n.errorf("%s: invalid type %T for device request", n.dotted(), v)
	}
	_, count := m["count"]
	_, ids := m["device_ids"]
	if !count && !ids {
		m["count"] = "all"
	}
	return m, nil
}

func defaultCreateHostPath(n *normalizer, v any) (any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return v, n.errorf("%s: invalid type %T for service volume bind", n.dotted(), v)
	}
	if _, ok := m["create_host_path"]; !ok {
		m["create_host_path"] = true
	}
	return m, nil
}

// checksTrie holds the checks the schema cannot express (compose-go's
// validation package).
var checksTrie = pathtrie.Compile([]pathtrie.Pattern[rule]{
	row("volumes.*", checkVolume),
	row("configs.*", checkFileObject("file", "environment", "content")),
	row("secrets.*", checkFileObject("file", "environment")),
	row("services.*.ports.*", checkHostIP),
	row("services.*.develop.watch.*.path", checkNotBlank),
	row("services.*.deploy.resources.reservations.devices.*", checkDeviceRequest),
	row("services.*.gpus.*", checkDeviceRequest),
})

// checkVolume refuses options beside `external: true`: an external
// volume is created elsewhere.
func checkVolume(n *normalizer, v any) (any, error) {
	if v == nil {
		return v, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return v, n.errorf("expected volume, got %v", v)
	}
	if ext, _ := m["external"].(bool); !ext {
		return v, nil
	}
	for _, k := range sortedKeys(m) {
		if k == "name" || k == "external" || strings.HasPrefix(k, "x-") {
			continue
		}
		return v, n.errorAt(append(n.path, k), fmt.Sprintf("%s: conflicting parameters \"external\" and %q specified", n.dotted(), k))
	}
	return v, nil
}

// checkFileObject requires exactly one of keys, unless a driver or
// `external` provides the content.
func checkFileObject(keys ...string) rule {
	return func(n *normalizer, v any) (any, error) {
		m, _ := v.(map[string]any)
		count := 0
		for _, k := range keys {
			if _, ok := m[k]; ok {
				count++
			}
		}
		if count > 1 {
			return v, n.errorf("%s: %s attributes are mutually exclusive", n.dotted(), strings.Join(keys, "|"))
		}
		if count == 0 {
			_, driver := m["driver"]
			_, external := m["external"]
			if !driver && !external {
				return v, n.errorf("%s: one of %s must be set", n.dotted(), strings.Join(keys, "|"))
			}
		}
		return v, nil
	}
}

func checkHostIP(n *normalizer, v any) (any, error) {
	if m, ok := v.(map[string]any); ok {
		if ip, ok := m["host_ip"]; ok {
			if s, _ := ip.(string); net.ParseIP(s) == nil {
				return v, n.errorAt(append(n.path, "host_ip"), fmt.Sprintf("%s: invalid ip address: %v", n.dotted(), ip))
			}
		}
	}
	return v, nil
}

func checkNotBlank(n *normalizer, v any) (any, error) {
	if s, _ := v.(string); s == "" {
		return v, n.errorf("%s: value can't be blank", n.dotted())
	}
	return v, nil
}

func checkDeviceRequest(n *normalizer, v any) (any, error) {
	m, _ := v.(map[string]any)
	_, count := m["count"]
	_, ids := m["device_ids"]
	if count && ids {
		return v, n.errorf(`%s: "count" and "device_ids" attributes are exclusive`, n.dotted())
	}
	return v, nil
}

// pathsTrie makes relative paths absolute against the project directory
// (compose-go's paths.ResolveRelativePaths table).
var pathsTrie = pathtrie.Compile(concat(
	table(workloads,
		row("*.build.context", absContext),
		row("*.build.additional_contexts.*", absContext),
		row("*.build.ssh.*", absHostPath),
		row("*.env_file.*.path", absPath),
		row("*.label_file.*", absPath),
		row("*.extends.file", absPath),
		row("*.volumes.*", absVolumeSource),
	),
	[]pathtrie.Pattern[rule]{
		row("services.*.develop.watch.*.path", absResolvedPath),
		row("services.*.pre_start.*.env_file.*.path", absPath),
		row("services.*.pre_start.*.label_file.*", absPath),
		row("services.*.pre_start.*.volumes.*", absVolumeSource),
		row("configs.*.file", absHostPath),
		row("secrets.*.file", absHostPath),
		row("volumes.*", absDriverDevice),
	},
))

// expandHome replaces a leading "~" with the home directory.
func (n *normalizer) expandHome(p string) string {
	if strings.HasPrefix(p, "~") && n.opts.Home != "" {
		return filepath.Join(n.opts.Home, p[1:])
	}
	return p
}

func (n *normalizer) abs(p string) string {
	p = n.expandHome(p)
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(n.opts.WorkingDir, p)
}

// absPath resolves a path, or each path of a list.
func absPath(n *normalizer, v any) (any, error) {
	switch x := v.(type) {
	case string:
		return n.abs(x), nil
	case []any:
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, n.errorf("unexpected type %T", e)
			}
			x[i] = n.abs(s)
		}
		return x, nil
	}
	return nil, n.errorf("unexpected type %T", v)
}

// absContext resolves a build context unless it is a URL, a git
// reference or another service's image.
func absContext(n *normalizer, v any) (any, error) {
	s, _ := v.(string)
	if strings.Contains(s, "://") || strings.HasPrefix(s, types.ServicePrefix) {
		return s, nil
	}
	for _, remote := range []string{"https://", "http://", "git://", "ssh://", "github.com/", "git@"} {
		if strings.HasPrefix(s, remote) {
			return s, nil
		}
	}
	return absPath(n, s)
}

// absHostPath resolves a path on the host, leaving Unix and Windows
// absolute paths alone whatever the platform composure runs on.
func absHostPath(n *normalizer, v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return v, nil
	}
	s = n.expandHome(s)
	if path.IsAbs(s) || isWindowsAbs(s) || filepath.IsAbs(s) {
		return s, nil
	}
	return filepath.Join(n.opts.WorkingDir, s), nil
}

func absResolvedPath(n *normalizer, v any) (any, error) {
	abs, err := absPath(n, v)
	if err != nil {
		return nil, err
	}
	s, ok := abs.(string)
	if !ok {
		return abs, nil
	}
	resolved, err := resolveSymlink(n.opts.FS, s)
	if err != nil {
		return nil, n.errorf("%v", err)
	}
	return resolved, nil
}

// absVolumeSource resolves the source of a bind mount.
func absVolumeSource(n *normalizer, v any) (any, error) {
	m, ok := v.(map[string]any)
	if !ok || m["type"] != types.VolumeTypeBind {
		return v, nil
	}
	src, ok := m["source"]
	if !ok {
		return nil, n.errorf(`invalid mount config for type "bind": field Source must not be empty`)
	}
	abs, err := absHostPath(n, src)
	if err != nil {
		return nil, err
	}
	m["source"] = abs
	return m, nil
}

// absDriverDevice resolves the device of a local volume that is a bind
// mount in disguise (`driver_opts: {o: bind, device: ./data}`).
func absDriverDevice(n *normalizer, v any) (any, error) {
	m, ok := v.(map[string]any)
	if !ok || m["driver"] != "local" {
		return v, nil
	}
	opts, ok := m["driver_opts"].(map[string]any)
	if !ok {
		return v, nil
	}
	if dev, ok := opts["device"]; ok && opts["o"] == "bind" {
		abs, err := absHostPath(n, dev)
		if err != nil {
			return nil, err
		}
		opts["device"] = abs
	}
	return m, nil
}
