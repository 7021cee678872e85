package envdiff

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
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
)

// container remembers, for one list of the model, where each canonical item
// came from, so changes can point back into the model.
type container struct {
	kind  listKind
	items map[string]item
}

// item is one entry of a list in the model.
type item struct {
	index int
	// synth is set when the item's value in the model is a spelling (a
	// "KEY=VALUE" string) rather than the value itself; value is then the
	// value to show.
	synth bool
	value any
}

// canon is a model in canonical form plus the index back into the model.
type canon struct {
	root  map[string]any
	model map[string]any
	lists map[string]*container // by containerKey of the list's canonical path
}

func containerKey(path []string) string { return strings.Join(path, "\x00") }

func canonicalize(model map[string]any) *canon {
	c := &canon{model: model, lists: map[string]*container{}}
	path := make([]string, 0, 16)
	c.root = c.mapping(path, model)
	for k := range c.root {
		// Top-level extensions hold anchors and tool settings, not what
		// runs: their effect shows where they are merged into services.
		if strings.HasPrefix(k, "x-") {
			delete(c.root, k)
		}
	}
	return c
}

func (c *canon) mapping(path []string, m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = c.value(append(path, k), v)
	}
	if len(path) >= 3 && path[0] == "services" && path[len(path)-1] == "extra_hosts" {
		// extra_hosts: {host: [ip, ip]} is the same as host=ip entries.
		for k, v := range out {
			if l, ok := m[k].([]any); ok {
				out[k] = joinSorted(l)
			} else {
				out[k] = v
			}
		}
	}
	return out
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

// listRule picks how the list at path is compared; path holds the keys from
// the root (list items by identity, which never matters here because no
// rule looks below a list item).
func listRule(path []string) func(c *canon, path []string, l []any) any {
	n := len(path)
	last := path[n-1]
	inService := n >= 3 && path[0] == "services"
	switch last {
	case "environment", "labels", "sysctls", "args", "annotations", "driver_opts":
		return (*canon).kvList
	case "extra_hosts":
		return (*canon).hostsList
	case "command", "entrypoint", "test":
		if inService {
			return (*canon).ordered
		}
	}
	if inService && n == 3 {
		switch last {
		case "ports":
			return byID(portID)
		case "volumes":
			return byID(volumeID)
		case "secrets":
			return byID(func(v any) string { return fileRefID(v, "/run/secrets/") })
		case "configs":
			return byID(func(v any) string { return fileRefID(v, "/") })
		case "env_file":
			return byID(fieldID("path"))
		case "devices":
			return byID(deviceID)
		case "networks":
			return namesList(nil)
		case "depends_on":
			return namesList(func() any {
				// compose-go: the list form means service_started, required.
				return map[string]any{"condition": "service_started", "required": "true"}
			})
		}
	}
	if n == 4 && path[0] == "networks" && path[2] == "ipam" && last == "config" {
		return byID(fieldID("subnet"))
	}
	return byID(nil)
}

func (c *canon) list(path []string, l []any) any {
	return listRule(path)(c, path, l)
}

// byID keeps a list as items named by id (nil: the item's own value, making
// the list a set).
func byID(id func(v any) string) func(c *canon, path []string, l []any) any {
	return func(c *canon, path []string, l []any) any {
		out := make(keyed, len(l))
		ct := &container{kind: byIdentity, items: make(map[string]item, len(l))}
		for i, v := range l {
			var k string
			var cv any
			if id != nil {
				k = id(v)
			}
			if k == "" {
				// Sets: the item is its own identity.
				cv = c.value(append(path, "[]"), v)
				k = identity(cv)
			}
			k = unique(out, k)
			if cv == nil {
				cv = c.value(append(path, k), v)
			}
			out[k] = cv
			ct.items[k] = item{index: i}
		}
		c.lists[containerKey(path)] = ct
		return out
	}
}

// kvList reads KEY=VALUE entries (a bare KEY has a null value), the list
// spelling of environment, labels, sysctls and build args.
func (c *canon) kvList(path []string, l []any) any {
	out := make(keyed, len(l))
	ct := &container{kind: byKey, items: make(map[string]item, len(l))}
	for i, v := range l {
		s, ok := v.(string)
		if !ok {
			s = fmt.Sprint(scalar(v))
		}
		k, val, has := strings.Cut(s, "=")
		var cv any
		if has {
			cv = val
		}
		// Later entries win, as in compose-go's list-to-mapping conversion.
		out[k] = cv
		ct.items[k] = item{index: i, synth: true, value: cv}
	}
	c.lists[containerKey(path)] = ct
	return out
}

// hostsList reads extra_hosts entries "host=ip" or "host:ip"; several
// entries for one host collect their addresses, as the mapping spelling
// {host: [ip, ip]} does.
func (c *canon) hostsList(path []string, l []any) any {
	addrs := map[string][]any{}
	ct := &container{kind: byKey, items: make(map[string]item, len(l))}
	for i, v := range l {
		s := fmt.Sprint(scalar(v))
		sep := "="
		if !strings.Contains(s, "=") {
			sep = ":"
		}
		host, ip, _ := strings.Cut(s, sep)
		addrs[host] = append(addrs[host], ip)
		ct.items[host] = item{index: i, synth: true}
	}
	out := make(keyed, len(addrs))
	for host, ips := range addrs {
		out[host] = joinSorted(ips)
		it := ct.items[host]
		it.value = out[host]
		ct.items[host] = it
	}
	c.lists[containerKey(path)] = ct
	return out
}

// namesList reads a list of names that stands for a mapping from those
// names to a default (service networks, depends_on).
func namesList(def func() any) func(c *canon, path []string, l []any) any {
	return func(c *canon, path []string, l []any) any {
		out := make(keyed, len(l))
		ct := &container{kind: byKey, items: make(map[string]item, len(l))}
		for i, v := range l {
			k := fmt.Sprint(scalar(v))
			var cv any
			if def != nil {
				cv = def()
			}
			out[k] = cv
			ct.items[k] = item{index: i, synth: true, value: cv}
		}
		c.lists[containerKey(path)] = ct
		return out
	}
}

// ordered compares a sequence whose order matters (command, entrypoint,
// healthcheck.test) as one value.
func (c *canon) ordered(path []string, l []any) any {
	s := make([]any, len(l))
	for i, v := range l {
		s[i] = c.value(append(path, strconv.Itoa(i)), v)
	}
	b, _ := json.Marshal(s)
	return "\x00seq" + string(b)
}

// scalar is the string a scalar compares as: the loader resolves "8080" and
// 8080, or "true" and true, to the same setting.
func scalar(v any) any {
	switch v := v.(type) {
	case nil:
		return nil
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
		return scalar(float64(v))
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case json.Number:
		if f, err := v.Float64(); err == nil {
			return scalar(f)
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

// unique makes k unique among the keys of m by appending #2, #3, ... The
// first occurrence keeps the plain identity.
func unique(m keyed, k string) string {
	if _, dup := m[k]; !dup {
		return k
	}
	for n := 2; ; n++ {
		kk := k + "#" + strconv.Itoa(n)
		if _, dup := m[kk]; !dup {
			return kk
		}
	}
}

func joinSorted(l []any) string {
	s := make([]string, len(l))
	for i, v := range l {
		s[i] = fmt.Sprint(scalar(v))
	}
	slices.Sort(s)
	return strings.Join(s, ",")
}

func str(m map[string]any, k string) string {
	v, ok := m[k]
	if !ok || v == nil {
		return ""
	}
	return fmt.Sprint(scalar(v))
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
		target = fmt.Sprint(scalar(v))
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

func fieldID(field string) func(v any) string {
	return func(v any) string {
		switch v := v.(type) {
		case map[string]any:
			return str(v, field)
		case string:
			return v
		}
		return ""
	}
}
