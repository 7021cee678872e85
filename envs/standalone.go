package envs

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
)

// A sibling `<stem>.NAME.yml` of the base file is usually an overlay, loaded
// as `-f base -f sibling` (prod, admin). Some projects keep complete
// projects of their own under such names (langfuse's docker-compose.dev.yml,
// the voting app's docker-compose.images.yml), run as `-f sibling` alone:
// loading them over the base makes an environment nobody runs, and linting
// it reports conflicts between two projects. standalone tells them apart.

// standalone reports whether sibling d stands alone, and why (or why it is
// an overlay of the base, called baseName, which base loads on demand).
// It stands alone when it is complete: it defines services, each with an
// image or a build of its own, and declares all they use (the services
// they depend on, link to, share a namespace or volumes with; networks,
// named volumes, secrets, configs); and when, besides, it shares no
// service with the base, or names another project (`name:`), or redefines
// the services it shares (on average, more than half of the keys the base
// gives each). A complete file that only changes the images of the base's
// services, or an image and a setting of a few of them, is still an
// overlay (a prod file pinning registry images).
func standalone(d *compose.Document, baseName string, base func() *compose.Document) (bool, string) {
	if bytes.Contains(d.Src, []byte("!reset")) || bytes.Contains(d.Src, []byte("!override")) {
		return false, fmt.Sprintf("overlay of %s: it uses !reset or !override, which change another file", baseName)
	}
	// Each service is decoded when it is checked: an overlay shows itself
	// at its first service, most often, and a large one is not decoded.
	services := entries(d, "services")
	if len(services) == 0 {
		return false, fmt.Sprintf("overlay of %s: it defines no service", baseName)
	}
	all := map[string]any{}
	for _, e := range services {
		all[e.Key.Value] = true
	}
	declared := func(kind, name string) bool {
		for _, e := range entries(d, kind) {
			if e.Key.Value == name {
				return true
			}
		}
		return false
	}
	budget := d.ExpansionBudget()
	for _, e := range services {
		v, err := d.Decode(e.Value, budget)
		if err != nil {
			return false, fmt.Sprintf("overlay of %s", baseName)
		}
		svc, _ := v.(map[string]any)
		if why := needsBase(e.Key.Value, svc, all, declared); why != "" {
			return false, fmt.Sprintf("overlay of %s: %s", baseName, why)
		}
	}
	const complete = "every service has an image or a build, and what they use is declared in the file"
	b := base()
	if b == nil {
		return true, "standalone: " + complete
	}
	if n := scalar(d, "name"); n != "" && !strings.Contains(n, "$") && scalar(b, "name") != n {
		return true, fmt.Sprintf("standalone: project %q of its own; %s", n, complete)
	}
	baseServices := map[string]compose.Entry{}
	for _, e := range entries(b, "services") {
		baseServices[e.Key.Value] = e
	}
	var shared []string
	covered, total := 0, 0
	imagesOnly := true // every shared service sets only what to run
	for _, e := range services {
		be, ok := baseServices[e.Key.Value]
		if !ok {
			continue
		}
		shared = append(shared, e.Key.Value)
		ks := keys(d, e.Value)
		c, t := coverage(ks, keys(b, be.Value))
		covered += c
		total += t
		imagesOnly = imagesOnly && !slices.ContainsFunc(ks, func(k string) bool { return k != "image" && k != "build" })
	}
	if len(shared) == 0 {
		return true, fmt.Sprintf("standalone: no service of %s; %s", baseName, complete)
	}
	if imagesOnly {
		return false, fmt.Sprintf("overlay of %s: it sets the images of services of %s (%s)", baseName, baseName, strings.Join(shared, ", "))
	}
	if 2*covered > total {
		return true, fmt.Sprintf("standalone: it redefines the services it shares with %s (%s); %s", baseName, strings.Join(shared, ", "), complete)
	}
	return false, fmt.Sprintf("overlay of %s: it changes services of %s (%s)", baseName, baseName, strings.Join(shared, ", "))
}

// entries returns the entries of top-level section key of every document
// of d, in order (merge keys applied).
func entries(d *compose.Document, key string) []compose.Entry {
	var out []compose.Entry
	for _, root := range d.Roots() {
		e, ok := d.Get(root, key)
		if !ok {
			continue
		}
		es, err := d.Entries(e.Value, d.ExpansionBudget())
		if err == nil {
			out = append(out, es...)
		}
	}
	return out
}

// scalar returns the top-level scalar key of d ("" when absent).
func scalar(d *compose.Document, key string) string {
	for _, root := range d.Roots() {
		if e, ok := d.Get(root, key); ok && e.Value.Kind == yaml.ScalarNode {
			return e.Value.Value
		}
	}
	return ""
}

// keys returns the keys of mapping m of d (merge keys applied).
func keys(d *compose.Document, m *yaml.Node) []string {
	if m == nil || compose.Deref(m).Kind != yaml.MappingNode {
		return nil
	}
	es, err := d.Entries(m, d.ExpansionBudget())
	if err != nil {
		return nil
	}
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Key.Value
	}
	return out
}

// coverage counts the keys base sets for a service that svc sets too, out
// of those base sets; an image and a build both say what to run.
func coverage(svc, base []string) (covered, total int) {
	key := func(k string) string {
		if k == "image" || k == "build" {
			return "image"
		}
		return k
	}
	has := map[string]bool{}
	for _, k := range svc {
		has[key(k)] = true
	}
	seen := map[string]bool{}
	for _, k := range base {
		k = key(k)
		if seen[k] {
			continue
		}
		seen[k] = true
		total++
		if has[k] {
			covered++
		}
	}
	return covered, total
}

// needsBase explains what service name (config svc) of a file whose
// services are all and whose declarations declared answers for needs from
// another file; "" when nothing.
func needsBase(name string, svc map[string]any, all map[string]any, declared func(kind, name string) bool) string {
	_, hasImage := svc["image"]
	_, hasBuild := svc["build"]
	ext, hasExtends := svc["extends"]
	if !hasImage && !hasBuild && !hasExtends {
		return fmt.Sprintf("service %q has no image or build of its own", name)
	}
	service := func(ref string) string {
		if _, ok := all[ref]; ok || strings.Contains(ref, "$") {
			return ""
		}
		return fmt.Sprintf("service %q needs service %q, which the file does not define", name, ref)
	}
	if m, ok := ext.(map[string]any); ok {
		if _, file := m["file"]; !file {
			if s, ok := m["service"].(string); ok {
				if why := service(s); why != "" {
					return why
				}
			}
		}
	} else if s, ok := ext.(string); ok {
		if why := service(s); why != "" {
			return why
		}
	}
	refs := names(svc["depends_on"])
	for _, it := range asList(svc["links"]) {
		s, _, _ := strings.Cut(it, ":")
		refs = append(refs, s)
	}
	for _, it := range asList(svc["volumes_from"]) {
		if !strings.HasPrefix(it, "container:") {
			s, _, _ := strings.Cut(it, ":")
			refs = append(refs, s)
		}
	}
	for _, k := range []string{"network_mode", "pid", "ipc"} {
		if s, ok := svc[k].(string); ok && strings.HasPrefix(s, "service:") {
			refs = append(refs, strings.TrimPrefix(s, "service:"))
		}
	}
	slices.Sort(refs)
	for _, r := range refs {
		if why := service(r); why != "" {
			return why
		}
	}
	resource := func(kind, what, ref string) string {
		if ref == "" || strings.Contains(ref, "$") || declared(kind, ref) {
			return ""
		}
		return fmt.Sprintf("service %q uses %s %q, which the file does not declare", name, what, ref)
	}
	for _, n := range names(svc["networks"]) {
		if n == "default" {
			continue
		}
		if why := resource("networks", "network", n); why != "" {
			return why
		}
	}
	vols, _ := svc["volumes"].([]any)
	for _, it := range vols {
		var src string
		switch x := it.(type) {
		case string:
			if s, _, ok := strings.Cut(x, ":"); ok && namedVolume(s) {
				src = s
			}
		case map[string]any:
			if t, _ := x["type"].(string); t == "volume" {
				src, _ = x["source"].(string)
			}
		}
		if why := resource("volumes", "volume", src); why != "" {
			return why
		}
	}
	for _, kind := range []string{"secrets", "configs"} {
		l, _ := svc[kind].([]any)
		for _, it := range l {
			var ref string
			switch x := it.(type) {
			case string:
				ref = x
			case map[string]any:
				ref, _ = x["source"].(string)
			}
			if why := resource(kind, strings.TrimSuffix(kind, "s"), ref); why != "" {
				return why
			}
		}
	}
	return ""
}

// namedVolume reports whether the source of a short volume names a volume
// rather than a host path (./data, /data, ~/data, C:\data).
func namedVolume(s string) bool {
	if s == "" || strings.ContainsAny(s[:1], "./~$\\") {
		return false
	}
	return !(len(s) >= 2 && s[1] == ':') // a Windows drive
}

// names reads what a list of names or a mapping keyed by name names
// (depends_on, networks), sorted.
func names(v any) []string {
	var out []string
	switch x := v.(type) {
	case []any:
		out = asList(x)
	case map[string]any:
		for k := range x {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func asList(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, it := range l {
		if s, ok := it.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
