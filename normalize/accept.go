package normalize

import (
	"fmt"
	"net"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/composure-dev/composure/compose"
)

// An Acceptor tells, cheaply, that a project loads without an error: that
// Model, the binding to compose-go's types and CheckConsistency would all
// accept it. It reads the tree of an environment merged without
// interpolation (what lint's rules read), interpolating as it goes, and
// answers for the shapes most projects are written in; for anything else
// (a key it does not know, a provider, a variable in a mount two files
// merge) it is unsure, and the caller loads the project to know. Its "yes" is
// exact: TestAcceptExact holds it to the loads on every corpus environment
// and on variants of them. lint asks it first, so that a project docker
// compose accepts costs no load.
//
// An Acceptor remembers the services it judged that environments share
// (those of AcceptOptions.First); the zero value is ready.
type Acceptor struct {
	mu   sync.Mutex
	seen map[acceptKey]*judgment
}

type acceptKey struct {
	svc  *map[string]any // the shared service mapping's identity
	vars string          // what its interpolation depends on
}

// AcceptOptions describe the environment an Acceptor judges.
type AcceptOptions struct {
	// Interpolate is merge.Interpolate with the environment's variables.
	Interpolate func(path []string, v any) (any, bool)
	// Vars names the variables the environment interpolates with: the
	// verdict on a service shared with other environments (see First) is
	// reused only with the same.
	Vars string
	// WorkingDir and Home resolve relative paths, as in Options.
	WorkingDir, Home string
	// EnvFiles reports whether a service's env files are there and read
	// with its environment, as the load reads them (nil: unsure).
	EnvFiles func(files []types.EnvFile, environment types.MappingWithEquals) bool
	// Profiles are the active profiles: a service behind others does not
	// run, and none may depend on it.
	Profiles []string
	// First, when not nil, is the tree of the environment's first file
	// alone, when one more file followed it: docker compose checks the
	// schema of that project too (its services that a later file wrote;
	// the others are those of the final tree). It is shared with the other
	// environments that start with the same file (merge.Prefix): a service
	// mapping of the final tree that is First's (the same map, no later
	// file wrote it) is shared with them.
	First map[string]any
}

// serviceFacts is what a service needs from the rest of its project:
// the names it refers to.
type serviceFacts struct {
	why           string // not "": why the service is not surely accepted
	networks      []string
	volumes       []string // named volumes its mounts use
	dependsOn     []string
	secrets       []string
	configs       []string
	containerName string
	profiles      []string
}

// Accepts reports whether tree, an environment's merged tree without
// interpolation, surely loads without an error. false means unsure.
func (a *Acceptor) Accepts(tree map[string]any, o AcceptOptions) bool {
	return a.Unsure(tree, o) == ""
}

// Unsure is why Accepts cannot tell that tree loads ("" when it can): the
// first reason found, such as `services.web: profiles`.
func (a *Acceptor) Unsure(tree map[string]any, o AcceptOptions) string {
	top, why := a.topLevel(tree, o)
	if why != "" {
		return why
	}
	services, _ := tree["services"].(map[string]any)
	firstServices, _ := o.First["services"].(map[string]any)
	facts := make(map[string]*serviceFacts, len(services))
	for name, v := range services {
		svc, ok := v.(map[string]any)
		if !ok {
			return "services." + name + ": not a mapping"
		}
		// Two files wrote this service: the merge matched its mounts by
		// their text, where the engine matches them interpolated.
		fs, both := firstServices[name]
		shared := both && sameMapping(svc, fs)
		if both && !shared && listVariable(svc) {
			return "services." + name + ": a variable in a mount two files merge"
		}
		f := a.service(name, svc, shared, o)
		if f.why != "" {
			return "services." + name + ": " + f.why
		}
		facts[name] = f
	}
	networks, _ := top["networks"].(map[string]any)
	volumes, _ := top["volumes"].(map[string]any)
	names := make(map[string]bool, len(facts))
	for name, f := range facts {
		for _, n := range f.networks {
			if _, ok := networks[n]; !ok && n != "default" {
				return "services." + name + ": undeclared network " + n
			}
		}
		for _, v := range f.volumes {
			if _, ok := volumes[v]; !ok {
				return "services." + name + ": undeclared volume " + v
			}
		}
		for _, ref := range [...]struct {
			section string
			used    []string
		}{{"secrets", f.secrets}, {"configs", f.configs}} {
			declared, _ := top[ref.section].(map[string]any)
			for _, u := range ref.used {
				if _, ok := declared[u]; !ok {
					return "services." + name + ": undeclared " + ref.section + " " + u
				}
			}
		}
		for _, d := range f.dependsOn {
			if facts[d] == nil || (runs(f, o.Profiles) && !runs(facts[d], o.Profiles)) {
				return "services." + name + ": depends on undefined or disabled " + d
			}
		}
		if f.containerName != "" {
			if names[f.containerName] {
				return "services." + name + ": container name used twice"
			}
			names[f.containerName] = true
		}
	}
	if dependencyCycle(facts) {
		return "a dependency cycle"
	}
	// last: the other environments have judged more of the first file's
	// services by then (firstStep takes their verdicts)
	if o.First != nil {
		if why := a.firstStep(tree, o); why != "" {
			return "first file: " + why
		}
	}
	return ""
}

// topLevel checks everything but the services: the keys it knows, the
// schema of the outline, the declarations of networks, volumes, secrets
// and configs. It returns the outline interpolated.
func (a *Acceptor) topLevel(tree map[string]any, o AcceptOptions) (map[string]any, string) {
	top := make(map[string]any, len(tree))
	for k, v := range tree {
		switch {
		case k == "services":
			top[k] = map[string]any{}
			continue
		case k == "networks", k == "volumes", k == "secrets", k == "configs", k == "name", k == "version", strings.HasPrefix(k, "x-"):
		default:
			return nil, k // include, models, jobs...
		}
		iv, ok := o.Interpolate([]string{k}, v)
		if !ok {
			return nil, k + ": interpolation"
		}
		top[k] = iv
	}
	if err := quickSchema(); err != nil {
		return nil, "schema: " + err.Error()
	}
	if services, ok := tree["services"].(map[string]any); ok {
		for name := range services {
			if !plainServiceName(name) {
				return nil, "service name " + name
			}
		}
	} else if tree["services"] != nil {
		return nil, "services: not a mapping"
	}
	if quickRoot.test(top) != valid {
		return nil, "schema of the top level"
	}
	for _, section := range [...]string{"networks", "volumes", "secrets", "configs"} {
		decls, _ := top[section].(map[string]any)
		for _, d := range decls {
			ok := false
			switch section {
			case "secrets":
				ok = fileObject(d, "file", "environment")
			case "configs":
				ok = fileObject(d, "file", "environment", "content")
			default:
				ok = plainResource(d)
			}
			if !ok {
				return nil, section + ": a declaration"
			}
		}
	}
	return top, ""
}

// plainResource reports whether a network or volume declaration is one
// normalization surely accepts: no external mapping (deprecated, it
// warns), nothing beside `external: true` but a name.
func plainResource(d any) bool {
	if d == nil {
		return true
	}
	m, ok := d.(map[string]any)
	if !ok {
		return false
	}
	ext, isBool := m["external"].(bool)
	if _, has := m["external"]; has && !isBool {
		return false
	}
	for k := range m {
		switch k {
		case "name", "external":
		case "driver", "driver_opts", "internal", "attachable", "labels":
			if ext {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// fileObject reports whether a secret or config declaration has exactly
// one source among keys, not empty, or is external (checkFileObject and
// the consistency check).
func fileObject(d any, keys ...string) bool {
	m, ok := d.(map[string]any)
	if !ok {
		return false
	}
	if ext, _ := m["external"].(bool); ext {
		_, ok := only(m, "external", "name")
		return ok
	}
	if _, ok := only(m, append(keys, "name")...); !ok {
		return false
	}
	sources := 0
	for _, k := range keys {
		if v, ok := m[k]; ok {
			if s, _ := v.(string); s == "" {
				return false
			}
			sources++
		}
	}
	return sources == 1
}

// firstStep checks the schema of the project the first file makes alone:
// its outline, and its version of each service a later file wrote.
func (a *Acceptor) firstStep(tree map[string]any, o AcceptOptions) string {
	if _, why := a.topLevel(o.First, o); why != "" {
		return why
	}
	first, _ := o.First["services"].(map[string]any)
	final, _ := tree["services"].(map[string]any)
	for name, v := range first {
		if sameMapping(final[name], v) {
			continue // checked in the final tree
		}
		// The verdict on the whole mapping covers its schema. Environments
		// whose final tree holds it unchanged give the same verdict, and
		// take this one (a base file's service that one overlay writes is
		// another's unchanged).
		if m, ok := v.(map[string]any); ok && a.service(name, m, true, o).why == "" {
			continue
		}
		if !firstService(name, v, final[name], o) {
			return "services." + name + ": interpolation or schema"
		}
	}
	return ""
}

// firstService checks the schema of the first file's version of a
// service. Its attributes that the final version holds unchanged (the
// merge shares them) are checked there; the others are checked here, for
// this environment: another environment's final version holds other
// attributes unchanged, so the verdict is not shared.
func firstService(name string, v, final any, o AcceptOptions) bool {
	raw, ok := v.(map[string]any)
	if !ok {
		return false
	}
	fin, _ := final.(map[string]any)
	for k, e := range raw {
		if fe, ok := fin[k]; ok && unchanged(e, fe) {
			continue
		}
		ie, ok := o.Interpolate([]string{"services", name, k}, e)
		if !ok || !quickAttribute(k, ie, false) {
			return false
		}
	}
	return true
}

// unchanged reports whether a and b are the same value of merged trees:
// the same mapping or list, or equal scalars.
func unchanged(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		return ok && identity(x) == identity(y)
	case []any:
		y, ok := b.([]any)
		return ok && len(x) == len(y) && (len(x) == 0 || &x[0] == &y[0])
	case string, int, bool, float64, nil:
		return a == b
	}
	return false
}

// service judges one service, once per run for a shared one.
func (a *Acceptor) service(name string, svc map[string]any, shared bool, o AcceptOptions) *serviceFacts {
	if !shared {
		return judgeService(name, svc, o)
	}
	return a.once(acceptKey{svc: identity(svc), vars: o.Vars}, func() *serviceFacts { return judgeService(name, svc, o) })
}

// once returns judge's verdict for k, judged once per run: environments
// judging the same shared services at the same time (in a different
// order: map order) each take the others' verdicts instead of judging
// again, and wait for one being judged.
func (a *Acceptor) once(k acceptKey, judge func() *serviceFacts) *serviceFacts {
	a.mu.Lock()
	v, ok := a.seen[k]
	if !ok {
		if a.seen == nil {
			a.seen = map[acceptKey]*judgment{}
		}
		v = &judgment{done: make(chan struct{})}
		a.seen[k] = v
	}
	a.mu.Unlock()
	if ok {
		<-v.done
		return v.f
	}
	v.f = judge()
	close(v.done)
	return v.f
}

// judgment is a service judged, or being judged until done is closed.
type judgment struct {
	done chan struct{}
	f    *serviceFacts
}

// identity is a mapping's identity (the address of its runtime map).
func identity(m map[string]any) *map[string]any {
	return (*map[string]any)(reflect.ValueOf(m).UnsafePointer())
}

// runs reports whether the profiles a service is behind are active
// (types.ServiceConfig.HasProfile).
func runs(f *serviceFacts, active []string) bool {
	if len(f.profiles) == 0 {
		return true
	}
	for _, p := range active {
		if p == "*" || slices.Contains(f.profiles, p) {
			return true
		}
	}
	return false
}

// sameMapping reports whether a and b are one mapping (a service no
// later file wrote).
func sameMapping(a, b any) bool {
	x, ok := a.(map[string]any)
	y, ok2 := b.(map[string]any)
	return ok && ok2 && identity(x) == identity(y)
}

// listVariable reports whether a mount of svc (volumes, tmpfs) has a
// variable. Of the lists the acceptor knows, these are the ones whose
// merge can change whether a project loads: two mounts on one target are
// an error, and the merge matches mounts by target.
func listVariable(svc map[string]any) bool {
	return hasVariable(svc["volumes"]) || hasVariable(svc["tmpfs"])
}

func hasVariable(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.IndexByte(x, '$') >= 0
	case map[string]any:
		for _, e := range x {
			if hasVariable(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasVariable(e) {
				return true
			}
		}
	}
	return false
}

func notSure(why string) *serviceFacts { return &serviceFacts{why: why} }

// judgeService checks a service's schema and every attribute normalization
// and binding would refuse, for the attributes it knows.
func judgeService(name string, raw map[string]any, o AcceptOptions) *serviceFacts {
	iv, ok := o.Interpolate([]string{"services", name}, raw)
	if !ok {
		return notSure("interpolation")
	}
	svc := iv.(map[string]any)
	if !quickService(svc, false) {
		return notSure("schema")
	}
	f := &serviceFacts{}
	var targets []string
	for k, v := range svc {
		var ok bool
		switch k {
		case "image", "restart", "hostname", "user", "working_dir", "init", "tty", "stdin_open",
			"stop_signal", "read_only", "privileged", "platform", "pull_policy", "domainname",
			"pid", "ipc", "runtime", "cap_add", "cap_drop", "security_opt", "userns_mode", "cgroup":
			ok = true // the schema decides, and they bind as they are
		case "container_name":
			f.containerName, ok = v.(string)
		case "profiles":
			f.profiles, ok = stringList(v)
		case "environment":
			ok = mappingWithEquals(v)
		case "labels":
			ok = labels(v)
		case "command", "entrypoint":
			ok = decodes(new(types.ShellCommand), v)
		case "mem_limit", "mem_reservation", "memswap_limit", "shm_size":
			ok = decodes(new(types.UnitBytes), v)
		case "stop_grace_period":
			ok = decodes(new(types.Duration), v)
		case "cpus":
			ok = decodes(new(types.NanoCPUs), v)
		case "extra_hosts":
			ok = decodes(new(types.HostsList), v)
		case "dns", "dns_search":
			ok = decodes(new(types.StringList), v)
		case "expose":
			ok = decodes(new(types.StringOrNumberList), v)
		case "tmpfs":
			var l types.StringList
			if ok = decodes(&l, v); ok {
				for _, t := range l {
					target, _, _ := strings.Cut(t, ":")
					targets = append(targets, target)
				}
			}
		case "build":
			ok = acceptBuild(v, svc["platform"])
		case "env_file":
			var files []types.EnvFile
			if files, ok = envFiles(v, o); ok {
				var env types.MappingWithEquals
				if e, has := svc["environment"]; has {
					ok = decodes(&env, e)
				}
				ok = ok && o.EnvFiles != nil && o.EnvFiles(files, env)
			}
		case "logging":
			ok = acceptLogging(v)
		case "ulimits":
			ok = acceptUlimits(v)
		case "healthcheck":
			ok = acceptHealthcheck(v)
		case "deploy":
			ok = acceptDeploy(v)
		case "ports":
			ok = acceptPorts(v)
		case "network_mode":
			s, _ := v.(string)
			_, nets := svc["networks"]
			ok = (s == "host" || s == "none" || s == "bridge") && !nets
		case "networks":
			f.networks, ok = acceptServiceNetworks(v)
		case "depends_on":
			var deps []string
			deps, ok = acceptDependsOn(v)
			f.dependsOn = append(f.dependsOn, deps...)
		case "links":
			// each link is a dependency on its service (`service[:alias]`)
			var links []string
			if links, ok = stringList(v); ok {
				for _, l := range links {
					service, _, _ := strings.Cut(l, ":")
					f.dependsOn = append(f.dependsOn, service)
				}
			}
		case "secrets":
			f.secrets, ok = fileMounts(v)
		case "configs":
			f.configs, ok = fileMounts(v)
		case "volumes":
			var t []string
			f.volumes, t, ok = acceptVolumes(v)
			targets = append(targets, t...)
		default:
			ok = strings.HasPrefix(k, "x-")
		}
		if !ok {
			return notSure(k)
		}
	}
	if image, _ := svc["image"].(string); image == "" && svc["build"] == nil {
		return notSure("neither image nor build")
	}
	// values docker compose requires to agree with deploy's, and the
	// replicas a container name forbids
	if d, ok := svc["deploy"].(map[string]any); ok {
		if _, ok := d["resources"]; ok && (svc["cpus"] != nil || svc["mem_limit"] != nil || svc["mem_reservation"] != nil) {
			return notSure("deploy.resources and a limit beside")
		}
		if _, ok := d["replicas"]; ok && f.containerName != "" {
			return notSure("deploy.replicas and container_name")
		}
	}
	seen := make(map[string]bool, len(targets))
	for _, t := range targets {
		if seen[t] {
			return notSure("a mount target twice")
		}
		seen[t] = true
	}
	return f
}

// stringList is v as a list of strings (profiles).
func stringList(v any) ([]string, bool) {
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// mappingWithEquals reports whether types.MappingWithEquals decodes v (an
// environment, build args) without building it: a mapping, or a list
// whose keys do not end with a space.
func mappingWithEquals(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		return true
	case []any:
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				s = fmt.Sprint(e)
			}
			k, _, _ := strings.Cut(s, "=")
			if k != "" && unicode.IsSpace(rune(k[len(k)-1])) {
				return false
			}
		}
		return true
	}
	return false
}

// labels reports whether types.Labels decodes v: a mapping or a list.
func labels(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

// decodes reports whether the binding's decoder of a compose-go type
// accepts v. Some panic on a type the schema excludes: that is a no.
func decodes(t interface{ DecodeMapstructure(any) error }, v any) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return t.DecodeMapstructure(v) == nil
}

// only reports whether every key of v, a mapping, is one of keys.
func only(v any, keys ...string) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	for k := range m {
		found := false
		for _, want := range keys {
			found = found || k == want
		}
		if !found {
			return nil, false
		}
	}
	return m, true
}

func acceptBuild(v, platform any) bool {
	if _, ok := v.(string); ok {
		return true
	}
	m, ok := only(v, "context", "dockerfile", "dockerfile_inline", "args", "target", "cache_from", "cache_to",
		"tags", "network", "labels", "platforms", "no_cache", "pull", "shm_size")
	if !ok {
		return false
	}
	_, file := m["dockerfile"]
	_, inline := m["dockerfile_inline"]
	if file && inline {
		return false
	}
	if args, ok := m["args"]; ok && !mappingWithEquals(args) {
		return false
	}
	if l, ok := m["labels"]; ok && !labels(l) {
		return false
	}
	if size, ok := m["shm_size"]; ok && !decodes(new(types.UnitBytes), size) {
		return false
	}
	if platforms, ok := m["platforms"]; ok && platform != nil {
		list, ok := platforms.([]any)
		return ok && slices.Contains(list, platform)
	}
	return true
}

// envFiles reads env_file as normalization makes it canonical (envFile:
// required unless said otherwise) and its paths absolute (abs).
func envFiles(v any, o AcceptOptions) ([]types.EnvFile, bool) {
	n := &normalizer{opts: Options{WorkingDir: o.WorkingDir, Home: o.Home}}
	canonical, err := envFile(n, deepCopy(v)) // envFile writes in place; v may be shared
	if err != nil {
		return nil, false
	}
	list, _ := canonical.([]any)
	out := make([]types.EnvFile, 0, len(list))
	for _, e := range list {
		m, ok := only(e, "path", "required", "format")
		if !ok {
			return nil, false
		}
		path, ok := m["path"].(string)
		required, ok2 := m["required"].(bool)
		format, ok3 := m["format"].(string)
		if _, has := m["format"]; !ok || !ok2 || (has && !ok3) {
			return nil, false
		}
		out = append(out, types.EnvFile{Path: n.abs(path), Required: types.OptOut(required), Format: format})
	}
	return out, true
}

func acceptLogging(v any) bool {
	m, ok := only(v, "driver", "options")
	if !ok {
		return false
	}
	// types.Options decodes any mapping (values printed) and nothing else
	opts, ok := m["options"]
	_, isMap := opts.(map[string]any)
	return !ok || opts == nil || isMap
}

// acceptUlimits reads ulimits as normalization and the binding do: a
// number, or soft and hard numbers.
func acceptUlimits(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	for _, l := range m {
		switch x := l.(type) {
		case int:
		case map[string]any:
			if _, ok := only(x, "soft", "hard"); !ok {
				return false
			}
			for _, n := range x {
				if _, ok := n.(int); !ok {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

func acceptHealthcheck(v any) bool {
	m, ok := only(v, "test", "interval", "timeout", "start_period", "start_interval", "retries", "disable")
	if !ok {
		return false
	}
	for k, e := range m {
		switch k {
		case "test":
			var t types.HealthCheckTest
			if !decodes(&t, e) {
				return false
			}
			if len(t) > 0 && t[0] != "CMD" && t[0] != "CMD-SHELL" && t[0] != "NONE" {
				return false
			}
		case "retries":
			if n, ok := e.(int); !ok || n < 0 {
				return false
			}
		case "disable":
			if _, ok := e.(bool); !ok {
				return false
			}
		default:
			if !decodes(new(types.Duration), e) {
				return false
			}
		}
	}
	return true
}

func acceptDeploy(v any) bool {
	m, ok := only(v, "mode", "replicas", "resources", "restart_policy", "labels")
	if !ok {
		return false
	}
	if l, ok := m["labels"]; ok && !labels(l) {
		return false
	}
	if r, ok := m["replicas"]; ok {
		if n, ok := r.(int); !ok || n < 0 {
			return false
		}
	}
	if r, ok := m["resources"]; ok {
		res, ok := only(r, "limits", "reservations")
		if !ok {
			return false
		}
		for _, l := range res {
			lm, ok := only(l, "cpus", "memory")
			if !ok {
				return false
			}
			if c, ok := lm["cpus"]; ok && !decodes(new(types.NanoCPUs), c) {
				return false
			}
			if b, ok := lm["memory"]; ok && !decodes(new(types.UnitBytes), b) {
				return false
			}
		}
	}
	if r, ok := m["restart_policy"]; ok {
		rp, ok := only(r, "condition", "max_attempts", "delay", "window")
		if !ok {
			return false
		}
		for k, e := range rp {
			switch k {
			case "max_attempts":
				if n, ok := e.(int); !ok || n < 0 {
					return false
				}
			case "delay", "window":
				if !decodes(new(types.Duration), e) {
					return false
				}
			}
		}
	}
	return true
}

func acceptPorts(v any) bool {
	list, ok := v.([]any)
	if !ok {
		return false
	}
	for _, e := range list {
		switch x := e.(type) {
		case string:
			if plainPort(x) {
				continue
			}
			if _, err := types.ParsePortConfig(x); err != nil {
				return false
			}
		case int:
			if x < 0 {
				return false
			}
			if x >= 1 && x <= 65535 {
				continue
			}
			if _, err := types.ParsePortConfig(strconv.Itoa(x)); err != nil {
				return false
			}
		case map[string]any:
			m, ok := only(x, "target", "published", "protocol", "mode", "host_ip", "name", "app_protocol")
			if !ok {
				return false
			}
			if t, ok := m["target"].(int); !ok || t < 0 || t > 65535 {
				return false
			}
			if p, ok := m["published"]; ok {
				if _, ok := p.(string); !ok {
					return false
				}
			}
			if ip, ok := m["host_ip"]; ok {
				if s, _ := ip.(string); net.ParseIP(s) == nil {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

// plainPort reports whether s is `[HOST:]CONTAINER[/tcp|/udp]`, each port
// a number from 1 to 65535 written without a leading zero: a shape
// types.ParsePortConfig accepts (TestPlainPort), told without its
// allocations (most ports of most projects).
func plainPort(s string) bool {
	s, proto, hasProto := strings.Cut(s, "/")
	if hasProto && proto != "tcp" && proto != "udp" {
		return false
	}
	host, container, hasHost := strings.Cut(s, ":")
	return portNumber(host) && (!hasHost || portNumber(container))
}

// portNumber reports whether s is a number from 1 to 65535 with no
// leading zero.
func portNumber(s string) bool {
	if s == "" || len(s) > 5 || s[0] == '0' {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n <= 65535
}

// acceptServiceNetworks returns the networks a service names, in the
// mapping form the merge gives them.
func acceptServiceNetworks(v any) ([]string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	names := make([]string, 0, len(m))
	for n, e := range m {
		if e != nil {
			if _, ok := only(e, "aliases"); !ok {
				return nil, false
			}
		}
		names = append(names, n)
	}
	return names, true
}

// fileMounts returns the secrets or configs a service mounts (fileMount's
// forms), each mount one the binding takes.
func fileMounts(v any) ([]string, bool) {
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		switch x := e.(type) {
		case string:
			out = append(out, x)
		case map[string]any:
			m, ok := only(x, "source", "target", "uid", "gid", "mode")
			if !ok {
				return nil, false
			}
			source, ok := m["source"].(string)
			if !ok {
				return nil, false
			}
			if mode, ok := m["mode"]; ok && !decodes(new(types.FileMode), mode) {
				return nil, false
			}
			out = append(out, source)
		default:
			return nil, false
		}
	}
	return out, true
}

// acceptDependsOn returns the services a service depends on, in the
// mapping form the merge gives them.
func acceptDependsOn(v any) ([]string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	names := make([]string, 0, len(m))
	for n, e := range m {
		if _, ok := only(e, "condition", "restart", "required"); !ok {
			return nil, false
		}
		names = append(names, n)
	}
	return names, true
}

// acceptVolumes reads a service's volumes as normalization does (short
// syntax expanded, bind sources required); it returns the named volumes
// used and the mount targets.
func acceptVolumes(v any) (named, targets []string, ok bool) {
	list, ok := v.([]any)
	if !ok {
		return nil, nil, false
	}
	for _, e := range list {
		var typ, source, target string
		switch x := e.(type) {
		case string:
			vol, err := compose.ParseVolume(x)
			if err != nil {
				return nil, nil, false
			}
			typ, source, target = vol.Type, vol.Source, path.Clean(vol.Target)
		case map[string]any:
			if typ, source, target, ok = longVolume(x); !ok {
				return nil, nil, false
			}
		default:
			return nil, nil, false
		}
		switch typ {
		case types.VolumeTypeBind:
			if source == "" {
				return nil, nil, false
			}
		case types.VolumeTypeVolume:
			if source != "" {
				named = append(named, source)
			}
		default:
			return nil, nil, false
		}
		targets = append(targets, target)
	}
	return named, targets, true
}

// longVolume reads the long syntax of a bind or volume mount, with the
// options the binding takes as they are.
func longVolume(m map[string]any) (typ, source, target string, ok bool) {
	m, ok = only(m, "type", "source", "target", "read_only", "bind", "volume")
	if !ok {
		return "", "", "", false
	}
	typ, _ = m["type"].(string)
	target, _ = m["target"].(string)
	if target == "" {
		return "", "", "", false
	}
	if s, has := m["source"]; has {
		if source, ok = s.(string); !ok {
			return "", "", "", false
		}
	}
	if b, has := m["bind"]; has {
		if typ != types.VolumeTypeBind {
			return "", "", "", false
		}
		if _, ok := only(b, "create_host_path", "propagation", "selinux"); !ok {
			return "", "", "", false
		}
	}
	if v, has := m["volume"]; has {
		if typ != types.VolumeTypeVolume {
			return "", "", "", false
		}
		if _, ok := only(v, "nocopy", "subpath"); !ok {
			return "", "", "", false
		}
	}
	return typ, source, target, true
}

// dependencyCycle reports whether services depend on each other in a
// cycle.
func dependencyCycle(facts map[string]*serviceFacts) bool {
	const (
		visiting = 1
		done     = 2
	)
	state := make(map[string]uint8, len(facts))
	var visit func(string) bool
	visit = func(n string) bool {
		switch state[n] {
		case visiting:
			return true
		case done:
			return false
		}
		state[n] = visiting
		for _, d := range facts[n].dependsOn {
			if visit(d) {
				return true
			}
		}
		state[n] = done
		return false
	}
	for n := range facts {
		if visit(n) {
			return true
		}
	}
	return false
}
