package lint

import (
	"fmt"
	"path"
	"strings"

	"github.com/composure-dev/composure/diag"
)

// HostAccess reports services that reach past the container into the host
// (best practice 6): the Docker socket (mounted, or given by
// use_api_socket), the host's namespaces, the capabilities and security
// options that take the container's confinement away, read-write mounts of
// the host's system directories, and the host's disks and memory as
// devices. Each is, for whoever controls the process, a step to root on the
// host. `privileged` and `user: root` are the privileged rule's.
type HostAccess struct{ RuleBase }

var _ Rule = (*HostAccess)(nil)

// NewHostAccess returns the host-access rule.
func NewHostAccess() *HostAccess {
	return &HostAccess{RuleBase{Meta{ID: "host-access", Summary: "Docker socket, host namespaces, dangerous capabilities and devices, unconfined services, writable host system paths",
		Severity: diag.Warning, Scope: ScopeEnv, Practice: 6, Group: GroupSecurity}}}
}

// hostNamespaces are the keys whose value `host` shares a namespace of the
// host, what that grants and what to do instead.
var hostNamespaces = []struct{ key, what, grant, fix string }{
	{"network_mode", "network", "it reaches every port listening on the host, localhost included", "use a bridge network and publish the ports it needs"},
	{"pid", "process", "it sees every process of the host and, as root, can signal and trace them", "remove it"},
	{"ipc", "IPC", "it reads and writes the host's shared memory", "share memory between services with ipc: shareable and ipc: service:NAME"},
	{"userns_mode", "user", "root in the container is root on the host even where the daemon remaps users", "remove it"},
	{"uts", "UTS", "it can change the host's hostname", "remove it"},
	{"cgroup", "cgroup", "it sees and can reach the host's control groups", "remove it (the default is a private cgroup namespace)"},
}

// dangerousCaps are the capabilities that reach past the container (CIS
// Docker Benchmark 5.4; capabilities(7)): what each grants. Others reach
// past it only with a host namespace (hostCaps). Capabilities bounded by
// limits (SYS_NICE, IPC_LOCK, LEASE) and those of Docker's default set are
// not reported.
var dangerousCaps = map[string]string{
	"ALL":             "every capability: nearly as much as privileged",
	"SYS_ADMIN":       "mounts and namespaces, the usual ways out of a container",
	"SYS_MODULE":      "loading kernel modules: code in the host's kernel",
	"SYS_RAWIO":       "raw I/O ports and /dev/mem: the host's hardware and memory",
	"DAC_READ_SEARCH": "open_by_handle_at: reading any file of the host's file systems (the shocker escape)",
	"BPF":             "loading BPF programs into the host's kernel",
	"PERFMON":         "perf events across the host: samples of every process and of the kernel",
	"SYSLOG":          "the host's kernel log, which the host hides from its own users",
	"SYS_TIME":        "setting the host's clock, which Docker does not give containers a copy of",
	"MAC_ADMIN":       "changing the AppArmor or SELinux policy that confines containers",
	"MAC_OVERRIDE":    "bypassing the AppArmor or SELinux policy that confines containers",
}

// hostCaps reach past the container only in a namespace it shares with the
// host: NET_ADMIN administers the network it is in (a VPN container's own,
// an everyday need; the host's with network_mode: host), SYS_PTRACE traces
// the processes it sees, SYS_BOOT's reboot(2) ends its own PID namespace
// (the host's with pid: host; kexec_load is refused by Docker's seccomp
// profile).
var hostCaps = map[string]struct{ key, grant string }{
	"NET_ADMIN":  {"network_mode", "it can change the host's interfaces, routes and firewall"},
	"SYS_PTRACE": {"pid", "it can trace and rewrite the host's processes"},
	"SYS_BOOT":   {"pid", "it can reboot the host"},
}

// dangerousDevices are host devices that hand over the host's disks, memory
// or kernel (CIS Docker Benchmark 5.18): a prefix of the device path, and
// what it is. /dev/net/tun, GPUs (/dev/dri), sound, serial and USB devices
// are the usual, narrow grants and are not reported.
var dangerousDevices = []struct{ prefix, what string }{
	{"/dev/sd", "a disk"}, {"/dev/hd", "a disk"}, {"/dev/nvme", "an NVMe disk"}, {"/dev/vd", "a virtio disk"},
	{"/dev/xvd", "a Xen disk"}, {"/dev/mmcblk", "an SD or eMMC disk"}, {"/dev/md", "a RAID array"},
	{"/dev/dm-", "a device-mapper volume"}, {"/dev/mapper/", "a device-mapper volume"}, {"/dev/disk/", "a disk"},
	{"/dev/loop", "loop devices, which mount any disk image"}, {"/dev/mem", "the host's memory"},
	{"/dev/kmem", "the kernel's memory"}, {"/dev/port", "the host's I/O ports"}, {"/dev/kmsg", "the kernel's log"},
	{"/dev/zfs", "the ZFS pools"}, {"/dev/rbd", "a Ceph block device"},
}

// dangerousDevice returns what the host device path src is, or "".
func dangerousDevice(src string) string {
	src = path.Clean(src)
	if src == "/dev" {
		return "every device of the host"
	}
	for _, d := range dangerousDevices {
		if strings.HasPrefix(src, d.prefix) {
			return d.what
		}
	}
	return ""
}

// unconfined are the security_opt settings (docker run --security-opt,
// written key=value or the older key:value) that turn a confinement off.
var unconfined = []struct{ key, value, what, grant, fix string }{
	{"seccomp", "unconfined", "the seccomp filter", "every system call reaches the kernel", "remove it, or give it a profile that allows the calls it needs (seccomp=profile.json)"},
	{"apparmor", "unconfined", "AppArmor", "the host's AppArmor policy no longer confines it", "remove it, or load a profile made for it (apparmor=NAME)"},
	{"label", "disable", "SELinux labelling", "it can reach every file SELinux keeps from containers", "remove it, and relabel its bind mounts with :z or :Z instead"},
	{"systempaths", "unconfined", "the masking of /proc and /sys", "the kernel interfaces Docker hides become visible and writable", "remove it, and bind-mount read-only the one path it needs"},
	{"label", "type:spc_t", "SELinux confinement (the super-privileged container type)", "it can reach every file SELinux keeps from containers", "remove it, and relabel its bind mounts with :z or :Z instead"},
	{"label", "type:unconfined_t", "SELinux confinement", "it can reach every file SELinux keeps from containers", "remove it, and relabel its bind mounts with :z or :Z instead"},
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
		reportAt(p, e, name, key, i, sub, msg)
	}
	for _, ns := range hostNamespaces {
		if v, ok := e.Str(svc[ns.key]); ok && v == "host" {
			report(ns.key, -1, "", func(who, sfx string) string {
				return fmt.Sprintf("%s share%s the host's %s namespace (%s: host): %s; %s", who, sfx, ns.what, ns.key, ns.grant, ns.fix)
			})
		}
	}
	shares := func(key string) bool { v, ok := e.Str(svc[key]); return ok && v == "host" }
	for i, it := range asSlice(svc["cap_add"]) {
		c, ok := e.Str(it)
		if !ok {
			continue
		}
		cp := strings.TrimPrefix(strings.ToUpper(c), "CAP_")
		switch grant := dangerousCaps[cp]; {
		case cp == "ALL":
			report("cap_add", i, "", func(who, sfx string) string {
				return fmt.Sprintf("%s add%s every capability (cap_add %q): nearly as much as privileged; add only the capabilities it needs, such as NET_BIND_SERVICE", who, sfx, c)
			})
		case cp == "SYS_ADMIN":
			report("cap_add", i, "", func(who, sfx string) string {
				return fmt.Sprintf("%s add%s SYS_ADMIN (cap_add %q): it can mount file systems and create namespaces, the usual ways out of a container; add the narrower capability the task needs, or the device with devices:", who, sfx, c)
			})
		case grant != "":
			report("cap_add", i, "", func(who, sfx string) string {
				return fmt.Sprintf("%s add%s %s (cap_add %q): %s; remove it, or run the task on the host", who, sfx, cp, c, grant)
			})
		case hostCaps[cp].key != "" && shares(hostCaps[cp].key):
			h := hostCaps[cp]
			report("cap_add", i, "", func(who, sfx string) string {
				return fmt.Sprintf("%s add%s %s (cap_add %q) in the host's namespace (%s: host): %s; remove one or the other", who, sfx, cp, c, h.key, h.grant)
			})
		}
	}
	if isTrue(e, svc["use_api_socket"]) {
		report("use_api_socket", -1, "", func(who, sfx string) string {
			return fmt.Sprintf("%s get%s the Docker API socket (use_api_socket: true): whoever controls the container is root on the host; remove it, or put a socket proxy that allows only the API calls it needs in between", who, sfx)
		})
	}
	for i, it := range asSlice(svc["devices"]) {
		var src, sub string
		switch x := it.(type) {
		case map[string]any:
			s, ok := e.Str(x["source"])
			if !ok {
				continue
			}
			src, sub = s, ".source"
		default:
			spec, ok := e.Str(it)
			if !ok {
				continue
			}
			src, _, _ = strings.Cut(spec, ":")
		}
		if what := dangerousDevice(src); what != "" {
			report("devices", i, sub, func(who, sfx string) string {
				return fmt.Sprintf("%s get%s the host device %q, %s: it reads and writes it whatever the file permissions; mount the files it needs as a volume instead", who, sfx, src, what)
			})
		}
	}
	for i, it := range asSlice(svc["device_cgroup_rules"]) {
		r, ok := e.Str(it)
		if !ok {
			continue
		}
		if f := strings.Fields(r); len(f) >= 2 && (f[0] == "a" || f[0] == "b") && strings.HasPrefix(f[1], "*:") {
			report("device_cgroup_rules", i, "", func(who, sfx string) string {
				return fmt.Sprintf("%s allow%s %s (device_cgroup_rules %q): with a device node it can make, the host's disks; allow the one device it needs (c 189:* rmw)", who, sfx, map[string]string{"a": "every device", "b": "every block device"}[f[0]], r)
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
