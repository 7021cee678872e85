package lint

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/composure-dev/composure/diag"
)

// HostAccess reports services that reach past the container into the host
// (best practice 6): the Docker socket, the host's namespaces, the
// capabilities and security options that take the container's confinement
// away, and read-write mounts of the host's system directories. Each is, for
// whoever controls the process, a step to root on the host. `privileged` and
// `user: root` are the privileged rule's.
type HostAccess struct{ RuleBase }

var _ Rule = (*HostAccess)(nil)

// NewHostAccess returns the host-access rule.
func NewHostAccess() *HostAccess {
	return &HostAccess{RuleBase{Meta{ID: "host-access", Summary: "Docker socket mounts, host namespaces, near-privileged or unconfined services, writable host system paths",
		Severity: diag.Warning, Scope: ScopeEnv, Practice: 6}}}
}

// hostNamespaces are the keys whose value `host` shares a namespace of the
// host, what that grants and what to do instead.
var hostNamespaces = []struct{ key, what, grant, fix string }{
	{"network_mode", "network", "it reaches every port listening on the host, localhost included", "use a bridge network and publish the ports it needs"},
	{"pid", "process", "it sees every process of the host and, as root, can signal and trace them", "remove it"},
	{"ipc", "IPC", "it reads and writes the host's shared memory", "share memory between services with ipc: shareable and ipc: service:NAME"},
	{"userns_mode", "user", "root in the container is root on the host even where the daemon remaps users", "remove it"},
	{"uts", "UTS", "it can change the host's hostname", "remove it"},
}

// unconfined are the security_opt settings (docker run --security-opt,
// written key=value or the older key:value) that turn a confinement off.
var unconfined = []struct{ key, value, what, grant, fix string }{
	{"seccomp", "unconfined", "the seccomp filter", "every system call reaches the kernel", "remove it, or give it a profile that allows the calls it needs (seccomp=profile.json)"},
	{"apparmor", "unconfined", "AppArmor", "the host's AppArmor policy no longer confines it", "remove it, or load a profile made for it (apparmor=NAME)"},
	{"label", "disable", "SELinux labelling", "it can reach every file SELinux keeps from containers", "remove it, and relabel its bind mounts with :z or :Z instead"},
	{"systempaths", "unconfined", "the masking of /proc and /sys", "the kernel interfaces Docker hides become visible and writable", "remove it, and bind-mount read-only the one path it needs"},
}

// sensitivePaths are host directories a read-write bind mount of which
// hands the host over: CIS Docker Benchmark 5.5 (/, /boot, /dev, /etc, /lib,
// /proc, /sys, /usr) plus root's home and the daemon's state. Beneath the
// directories marked deep, every path is as sensitive (kernel settings,
// containers' files); beneath the others, a single file or device (the time
// zone, a GPU) is the usual, narrower grant and is not reported.
var sensitivePaths = []struct {
	dir   string
	deep  bool
	grant string
}{
	{"/", false, "it can change any file of the host"},
	{"/etc", false, "it can change the host's users, sudoers and services"},
	{"/root", false, "it can change root's SSH keys and shell startup files"},
	{"/boot", false, "it can replace the host's kernel and boot loader"},
	{"/usr", false, "it can replace the host's programs"},
	{"/lib", false, "it can replace the host's libraries and kernel modules"},
	{"/dev", false, "it sees every device node of the host, disks included"},
	{"/proc", true, "it can change kernel settings and reach the host's processes"},
	{"/sys", true, "it can change kernel, device and cgroup settings"},
	{"/var/lib/docker", true, "it can change every container's files and the daemon's state"},
}

// dockerSocket reports whether the cleaned host path src is the Docker
// socket (rootful at /var/run or /run, rootless and Docker Desktop sockets
// are named docker.sock too) and whether it is a directory holding it.
func dockerSocket(src string) (socket, dir bool) {
	switch src {
	case "/var/run/docker.sock", "/run/docker.sock":
		return true, false
	case "/var/run", "/run":
		return false, true
	}
	return path.Base(src) == "docker.sock", false
}

// socketProxy reports whether svc runs a Docker socket proxy
// (tecnativa/docker-socket-proxy, linuxserver/socket-proxy,
// wollomatic/socket-proxy...): the one service that must hold the socket,
// to hand the others a filtered API.
func socketProxy(e *Env, svc map[string]any) bool {
	img, ok := e.Str(svc["image"])
	if !ok {
		return false
	}
	name, _, _ := splitImage(img)
	return strings.Contains(path.Base(name), "socket-proxy")
}

// sensitivePath returns what a read-write mount of the cleaned host path
// src grants, or "".
func sensitivePath(src string) string {
	for _, s := range sensitivePaths {
		if src == s.dir || s.deep && strings.HasPrefix(src, s.dir) && src[len(s.dir)] == '/' {
			return s.grant
		}
	}
	return ""
}

// shortVolume reads a short-syntax volume (SOURCE:TARGET[:OPTIONS]) whose
// source is a host path: ok is false for named and anonymous volumes and
// relative paths, which reach no system path of the host.
func shortVolume(spec string) (src string, readOnly, ok bool) {
	m, ok := parseMount(spec)
	if !ok || !m.bind || !strings.HasPrefix(m.source, "/") && !strings.HasPrefix(m.source, "~/") {
		return "", false, false
	}
	return m.source, m.readOnly, true
}

// VisitEnv checks every service, of every profile. A service's
// findings depend only on its config and the variables, so Pass.Service
// could replay them in the environments that share it; but the check is a
// few map lookups and no allocation, cheaper than the memo's bookkeeping:
// a run of this rule alone on the generated 1,000-service project took
// 2.8 ms CPU and 3,107 allocations (840 KB) with the memo, 2.0 ms and 56
// (100 KB, the run's own) without.
func (r *HostAccess) VisitEnv(p *Pass, e *Env) {
	for _, name := range e.ServiceNames() {
		r.check(p, e, name, e.Service(name))
	}
}

// check reports service name. Paths and messages are built only for
// findings: most services have none.
func (r *HostAccess) check(p *Pass, e *Env, name string, svc map[string]any) {
	// Inside an anchor merged by several services, one finding at the
	// anchor stands for all of them: its message names none.
	report := func(key string, i int, sub string, msg func(who, sfx string) string) {
		at := svcPath(name, key)
		if i >= 0 {
			at += "." + strconv.Itoa(i) + sub
		}
		sp, rel, ok := e.Span(at)
		if !ok {
			return
		}
		who, sfx := fmt.Sprintf("service %q", name), "s"
		if len(rel) > 0 {
			who, sfx = "the services merging this block", ""
		}
		p.ReportServices(diag.Finding{Severity: p.meta.Severity, Span: sp, Related: rel, Message: msg(who, sfx)}, name)
	}
	for _, ns := range hostNamespaces {
		if v, ok := e.Str(svc[ns.key]); ok && v == "host" {
			report(ns.key, -1, "", func(who, sfx string) string {
				return fmt.Sprintf("%s share%s the host's %s namespace (%s: host): %s; %s", who, sfx, ns.what, ns.key, ns.grant, ns.fix)
			})
		}
	}
	for i, it := range asSlice(svc["cap_add"]) {
		c, ok := e.Str(it)
		if !ok {
			continue
		}
		switch strings.TrimPrefix(strings.ToUpper(c), "CAP_") {
		case "ALL":
			report("cap_add", i, "", func(who, sfx string) string {
				return fmt.Sprintf("%s add%s every capability (cap_add %q): nearly as much as privileged; add only the capabilities it needs, such as NET_BIND_SERVICE", who, sfx, c)
			})
		case "SYS_ADMIN":
			report("cap_add", i, "", func(who, sfx string) string {
				return fmt.Sprintf("%s add%s SYS_ADMIN (cap_add %q): it can mount file systems and create namespaces, the usual ways out of a container; add the narrower capability the task needs, or the device with devices:", who, sfx, c)
			})
		}
	}
	for i, it := range asSlice(svc["security_opt"]) {
		o, ok := e.Str(it)
		if !ok {
			continue
		}
		k, v, ok := strings.Cut(o, "=")
		if !ok {
			k, v, _ = strings.Cut(o, ":")
		}
		for _, u := range unconfined {
			if strings.EqualFold(k, u.key) && strings.EqualFold(v, u.value) {
				report("security_opt", i, "", func(who, sfx string) string {
					return fmt.Sprintf("%s turn%s off %s (security_opt %q): %s; %s", who, sfx, u.what, o, u.grant, u.fix)
				})
			}
		}
	}
	for i, it := range asSlice(svc["volumes"]) {
		var src, sub string
		var readOnly bool
		switch x := it.(type) {
		case map[string]any:
			if t, _ := e.Str(x["type"]); t != "bind" {
				continue
			}
			s, ok := e.Str(x["source"])
			if !ok || !strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "~/") {
				continue
			}
			ro, _ := e.Str(x["read_only"])
			src, readOnly, sub = s, ro == "true", ".source"
		default:
			spec, ok := e.Str(it)
			if !ok {
				continue
			}
			if src, readOnly, ok = shortVolume(spec); !ok {
				continue
			}
		}
		// path.Clean allocates only when it changes something
		// (`//var/run/docker.sock`, as Docker Desktop on Windows wants it).
		clean := path.Clean(src)
		if socket, dir := dockerSocket(clean); socket || dir {
			if socketProxy(e, svc) {
				continue
			}
			report("volumes", i, sub, func(who, sfx string) string {
				what := fmt.Sprintf("the Docker socket %q", src)
				if dir {
					what = fmt.Sprintf("the host's %q (which holds the Docker socket)", src)
				}
				if readOnly {
					what += " read-only, which does not restrict the API"
				}
				return fmt.Sprintf("%s mount%s %s: whoever controls the container is root on the host; put a socket proxy that allows only the API calls it needs in between, or use rootless Docker", who, sfx, what)
			})
			continue
		}
		if readOnly {
			continue
		}
		if grant := sensitivePath(clean); grant != "" {
			report("volumes", i, sub, func(who, sfx string) string {
				return fmt.Sprintf("%s mount%s the host's %q read-write: %s; mount it read-only (:ro), or only the file it needs", who, sfx, src, grant)
			})
		}
	}
}
