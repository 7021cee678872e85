package envdiff

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The canonical form of a model is what the tree differ compares: mappings
// stay map[string]any, every list becomes a keyed (a mapping from the
// identity of each item to the item), ordered sequences become one string
// leaf, and scalars become their string form. Two configurations that
// docker compose treats the same have equal canonical forms, so a plain tree
// diff of them finds exactly the differences that matter.

// keyed is a list turned into a mapping by the identity of its items. It is
// a distinct type so that a list and a mapping spelled the same way still
// differ in kind when r3labs/diff compares them.
type keyed map[string]any

// listKind says how a list's items are named in paths.
type listKind uint8

const (
	// byIdentity items are list items: rendered [identity].
	byIdentity listKind = iota
	// byKey items are mapping entries spelled as a list (KEY=VALUE,
	// depends_on: [db], networks: [front]): rendered as keys, the same as
	// the mapping spelling.
	byKey
	// whole lists are one value, their order part of it (command,
	// entrypoint, healthcheck.test, hooks, dns...).
	whole
)

// entry is one item of a list in canonical form.
type entry struct {
	key   string
	value any // canonical
	// synth is set when the model spells the item ("KEY=VALUE", a bare
	// name) rather than holding its value: value is then what to show.
	synth bool
}

// rule is how one list is compared. Its items name every item of a list,
// in order; for byKey lists a later entry with the same key wins, as in
// compose-go's list-to-mapping conversion. Canonicalization and the lookup
// of a change's values both use it, so no index into the model is kept.
type rule struct {
	kind     listKind
	spelling spelling
	// id names an item of an identity list; nil makes the list a set.
	id func(v any) string
	// def is the value a bare name stands for in a names list.
	def func() any
}

// spelling is how the items of a list are written.
type spelling uint8

const (
	itemsSpelling spelling = iota // items named by rule.id or by value
	kvSpelling                    // KEY=VALUE
	hostsSpelling                 // host=ip or host:ip
	namesSpelling                 // bare names
)

func (r rule) items(c *canon, path []string, l []any) []entry {
	switch r.spelling {
	case kvSpelling:
		return kvItems(l)
	case hostsSpelling:
		return hostsItems(l)
	case namesSpelling:
		return namesItems(l, r.def)
	}
	return idItems(c, path, l, r.id)
}

// canon computes canonical forms of the values of one model. It holds no
// state besides the model, so several goroutines may use it at once.
type canon struct {
	model map[string]any
}

func (c *canon) mapping(path []string, m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	hosts := hostsAt(path)
	for k, v := range m {
		if l, ok := v.([]any); ok && hosts {
			// extra_hosts: {host: [ip, ip]} is the same as host=ip entries.
			out[k] = joinInOrder(l)
			continue
		}
		out[k] = c.value(append(path, k), v)
	}
	return out
}

// hostsAt reports whether path is a service's extra_hosts, whose mapping
// spelling holds lists of addresses.
func hostsAt(path []string) bool {
	return len(path) >= 3 && path[0] == "services" && path[len(path)-1] == "extra_hosts"
}

func (c *canon) value(path []string, v any) any {
	switch v := v.(type) {
	case map[string]any:
		return c.mapping(path, v)
	case []any:
		return c.list(path, v)
	default:
		return scalar(v)
	}
}

func (c *canon) list(path []string, l []any) any {
	r := listRule(path)
	if r.kind == whole {
		return ordered(c, path, l)
	}
	items := r.items(c, path, l)
	out := make(keyed, len(items))
	for _, e := range items {
		out[e.key] = e.value
	}
	return out
}

// The rules, as fixed literals.
var (
	kvRule    = rule{kind: byKey, spelling: kvSpelling}
	hostsRule = rule{kind: byKey, spelling: hostsSpelling}
	wholeRule = rule{kind: whole}
	setRule   = rule{kind: byIdentity}
	portsRule = rule{kind: byIdentity, id: portID}
	volsRule  = rule{kind: byIdentity, id: volumeID}
	secRule   = rule{kind: byIdentity, id: secretID}
	cfgRule   = rule{kind: byIdentity, id: configID}
	devRule   = rule{kind: byIdentity, id: deviceID}
	subnetRul = rule{kind: byIdentity, id: subnetID}
	netsRule  = rule{kind: byKey, spelling: namesSpelling}
	depsRule  = rule{kind: byKey, spelling: namesSpelling, def: dependsDefault}
)

// dependsDefault is what `depends_on: [db]` means (compose-go: the list
// form is service_started, required).
func dependsDefault() any {
	return map[string]any{"condition": "service_started", "required": "true"}
}

func secretID(v any) string { return fileRefID(v, "/run/secrets/") }
func configID(v any) string { return fileRefID(v, "/") }
func subnetID(v any) string { return fieldID(v, "subnet") }

// listRule picks how the list at path is compared; path holds the keys from
// the root.
func listRule(path []string) rule {
	n := len(path)
	last := path[n-1]
	inService := n >= 3 && path[0] == "services"
	switch last {
	case "environment", "labels", "sysctls", "args", "annotations", "driver_opts":
		return kvRule
	case "extra_hosts":
		return hostsRule
	case "command", "entrypoint", "test":
		if inService {
			return wholeRule
		}
	}
	if inService && n == 3 {
		switch last {
		case "post_start", "pre_start", "pre_stop", "dns", "dns_search", "dns_opt", "env_file", "label_file":
			// Ordered: hooks run one after the other, the resolver tries
			// servers and search domains in order, a later env or label
			// file wins over an earlier one.
			return wholeRule
		case "ports":
			return portsRule
		case "volumes":
			return volsRule
		case "secrets":
			return secRule
		case "configs":
			return cfgRule
		case "devices":
			return devRule
		case "networks":
			return netsRule
		case "depends_on":
			return depsRule
		}
	}
	if n == 4 && path[0] == "networks" && path[2] == "ipam" && last == "config" {
		return subnetRul
	}
	return setRule
}

// idItems names items by id (nil: the item's own canonical value, making
// the list a set). A repeated identity gets #2, #3, ... in list order.
func idItems(c *canon, path []string, l []any, id func(v any) string) []entry {
	{
		out := make([]entry, 0, len(l))
		var seen map[string]bool
		if len(l) > 16 {
			seen = make(map[string]bool, len(l))
		}
		taken := func(k string) bool {
			if seen != nil {
				return seen[k]
			}
			for _, e := range out {
				if e.key == k {
					return true
				}
			}
			return false
		}
		for _, v := range l {
			var k string
			var cv any
			if id != nil {
				k = id(v)
			}
			if k == "" {
				// Sets: the item is its own identity.
				cv = c.value(append(path, "[]"), v)
				k = identity(cv)
			} else {
				cv = c.value(append(path, k), v)
			}
			k = unique(taken, k)
			if seen != nil {
				seen[k] = true
			}
			out = append(out, entry{key: k, value: cv})
		}
		return out
	}
}

// kvItems reads KEY=VALUE entries (a bare KEY has a null value), the list
// spelling of environment, labels, sysctls and build args.
func kvItems(l []any) []entry {
	out := make([]entry, len(l))
	for i, v := range l {
		k, val, has := strings.Cut(scalarString(v), "=")
		var cv any
		if has {
			cv = val
		}
		out[i] = entry{key: k, value: cv, synth: true}
	}
	return out
}

// hostsItems reads extra_hosts entries "host=ip" or "host:ip"; several
// entries for one host collect their addresses in order, as the mapping
// spelling {host: [ip, ip]} does (the lines of /etc/hosts keep that order,
// and a lookup answers the first).
func hostsItems(l []any) []entry {
	addrs := map[string][]any{}
	out := make([]entry, len(l))
	for i, v := range l {
		s := scalarString(v)
		sep := "="
		if !strings.Contains(s, "=") {
			sep = ":"
		}
		host, ip, _ := strings.Cut(s, sep)
		addrs[host] = append(addrs[host], ip)
		out[i] = entry{key: host, synth: true}
	}
	for i := range out {
		out[i].value = joinInOrder(addrs[out[i].key])
	}
	return out
}

// namesItems reads a list of names that stands for a mapping from those
// names to a default (service networks, depends_on).
func namesItems(l []any, def func() any) []entry {
	{
		out := make([]entry, len(l))
		for i, v := range l {
			var cv any
			if def != nil {
				cv = def()
			}
			out[i] = entry{key: scalarString(v), value: cv, synth: true}
		}
		return out
	}
}

// ordered compares a sequence whose order matters (command, entrypoint,
// healthcheck.test, hooks, dns...) as one value.
func ordered(c *canon, path []string, l []any) any {
	var b strings.Builder
	b.WriteString("\x00seq")
	for i, v := range l {
		switch v.(type) {
		case map[string]any, []any:
			b.WriteString(identity(c.value(append(path, strconv.Itoa(i)), v)))
		default:
			b.WriteString(strconv.Quote(scalarString(v)))
		}
		b.WriteByte(',')
	}
	return b.String()
}

// scalar is the string a scalar compares as: the loader resolves "8080" and
// 8080, or "true" and true, to the same setting.
func scalar(v any) any {
	switch v.(type) {
	case nil:
		return nil
	case string:
		// Returning v itself, not its string, avoids boxing it again.
		return v
	}
	return scalarString(v)
}

// scalarString is scalar for a value known to be set (nil is "null").
func scalarString(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1e18 {
			return strconv.FormatInt(int64(v), 10)
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	case float32:
		return scalarString(float64(v))
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case json.Number:
		if f, err := v.Float64(); err == nil {
			return scalarString(f)
		}
		return v.String()
	default:
		return fmt.Sprint(v)
	}
}

// identity names a set item by its canonical value.
func identity(cv any) string {
	if s, ok := cv.(string); ok {
		return s
	}
	if cv == nil {
		return "null"
	}
	b, _ := json.Marshal(cv)
	return string(b)
}

// unique makes k unique among the taken keys by appending #2, #3, ... The
// first occurrence keeps the plain identity.
func unique(taken func(string) bool, k string) string {
	if !taken(k) {
		return k
	}
	for n := 2; ; n++ {
		kk := k + "#" + strconv.Itoa(n)
		if !taken(kk) {
			return kk
		}
	}
}

func joinInOrder(l []any) string {
	s := make([]string, len(l))
	for i, v := range l {
		s[i] = scalarString(v)
	}
	return strings.Join(s, ",")
}

func str(m map[string]any, k string) string {
	v, ok := m[k]
	if !ok || v == nil {
		return ""
	}
	return scalarString(v)
}

// portID is host_ip:published:target/protocol, leaving out what is unset
// (tcp when no protocol is given).
func portID(v any) string {
	var ip, pub, target, proto string
	switch v := v.(type) {
	case map[string]any:
		ip, pub, target, proto = str(v, "host_ip"), str(v, "published"), str(v, "target"), str(v, "protocol")
	case string:
		// Short syntax: [[ip:]published:]target[/protocol]. The model holds
		// the long form; this keeps raw lists comparable too.
		s, p, _ := strings.Cut(v, "/")
		proto = p
		parts := strings.Split(s, ":")
		target = parts[len(parts)-1]
		if len(parts) >= 2 {
			pub = parts[len(parts)-2]
		}
		if len(parts) >= 3 {
			ip = strings.Join(parts[:len(parts)-2], ":")
		}
	default:
		target = scalarString(v)
	}
	if proto == "" {
		proto = "tcp"
	}
	id := target + "/" + proto
	if pub != "" {
		id = pub + ":" + id
	}
	if ip != "" {
		id = ip + ":" + id
	}
	return id
}

// volumeID is the mount target; a short-syntax volume without a source is
// its own target.
func volumeID(v any) string {
	switch v := v.(type) {
	case map[string]any:
		return str(v, "target")
	case string:
		parts := strings.Split(v, ":")
		if len(parts) >= 2 {
			return parts[1]
		}
		return parts[0]
	}
	return ""
}

// fileRefID names a service secret or config by its target; without one,
// docker places it at dir+source.
func fileRefID(v any, dir string) string {
	switch v := v.(type) {
	case map[string]any:
		if t := str(v, "target"); t != "" {
			if dir == "/run/secrets/" && !strings.HasPrefix(t, "/") {
				return dir + t
			}
			return t
		}
		if s := str(v, "source"); s != "" {
			return dir + s
		}
	case string:
		return dir + v
	}
	return ""
}

func deviceID(v any) string {
	switch v := v.(type) {
	case map[string]any:
		if t := str(v, "target"); t != "" {
			return t
		}
		return str(v, "source")
	case string:
		parts := strings.Split(v, ":")
		if len(parts) >= 2 {
			return parts[1]
		}
		return parts[0]
	}
	return ""
}

func fieldID(v any, field string) string {
	switch v := v.(type) {
	case map[string]any:
		return str(v, field)
	case string:
		return v
	}
	return ""
}
