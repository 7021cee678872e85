package lint

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/composure-dev/composure/diag"
)

// UndeclaredResource reports the volumes, networks, secrets, configs and
// models a service uses and the top level does not declare (docker compose
// refuses such a project: compose-go's checkConsistency, "service %q refers
// to undefined volume %s"), and the ones the top level declares and no
// service uses (docker compose leaves them out: a leftover, or a name
// mistyped on one side).
type UndeclaredResource struct{ RuleBase }

var _ Rule = (*UndeclaredResource)(nil)

// NewUndeclaredResource returns the undeclared-resource rule.
func NewUndeclaredResource() *UndeclaredResource {
	return &UndeclaredResource{RuleBase{Meta{ID: "undeclared-resource", Summary: "volumes, networks, secrets, configs and models used but not declared at the top level, or declared and unused",
		Severity: diag.Error, Scope: ScopeEnv}}}
}

// The top-level sections a service refers to, indexes into resourceKinds.
const (
	kindVolume = iota
	kindNetwork
	kindSecret
	kindConfig
	kindModel
	numKinds
)

var resourceKinds = [numKinds]string{"volumes", "networks", "secrets", "configs", "models"}

// resourceCheck is one environment's declarations and what its services
// use of them.
type resourceCheck struct {
	p *Pass
	e *Env
	// declared is each top-level section (nil when absent or empty).
	declared [numKinds]map[string]any
	// used marks the declared names some service refers to.
	used [numKinds]map[string]bool
	// defaultDeclared is set when the top level declares the default
	// network.
	defaultDeclared bool
	// the service being read, and whether its references are checked
	name  string
	check bool
}

// VisitEnv checks every service of e against the top-level declarations,
// then the declarations against the services.
func (r *UndeclaredResource) VisitEnv(p *Pass, e *Env) {
	tree := e.Tree()
	c := &resourceCheck{p: p, e: e}
	for i, k := range resourceKinds {
		if d := asMap(tree[k]); len(d) > 0 {
			c.declared[i] = d
			c.used[i] = make(map[string]bool, len(d))
		}
	}
	_, c.defaultDeclared = c.declared[kindNetwork]["default"]
	// (in map order: findings are sorted once the rules are done)
	for name, svc := range e.Services {
		// compose-go checks only the services the profiles keep
		// (WithProfiles comes before checkConsistency): the others are
		// checked too, their findings saying which profile they need.
		c.name, c.check = name, true
		c.service(asMap(svc))
	}
	// compose-go does not check jobs, but what they name is used.
	for _, job := range asMap(tree["jobs"]) {
		c.name, c.check = "", false
		c.service(asMap(job))
	}
	for i, k := range resourceKinds {
		for name := range c.declared[i] {
			if c.used[i][name] {
				continue
			}
			if sp, rel, ok := e.KeySpan(configPath(k, name)); ok {
				p.Report(diag.Finding{Severity: diag.Info, Span: sp, Related: rel,
					Message: fmt.Sprintf("%s %q is declared and no service of the environment uses it: docker compose does not create it (but with up --all-resources); remove it if it is a leftover, or correct the name the services use", strings.TrimSuffix(k, "s"), name)})
			}
		}
	}
}

// str reads a name; ok is false when it cannot be known (a variable
// without value, or the environment's variables unknown).
func (c *resourceCheck) str(v any) (string, bool) {
	if s, ok := v.(string); ok && c.e.VarsUnknown && strings.Contains(s, "$") {
		return "", false
	}
	return c.e.Str(v)
}

// use records that the service refers to resource ref of kind i, written at
// services.<name>.<field>[.<j>][.<key>][<suffix>] (the path is built only
// to report), and reports ref when the top level does not declare it.
func (c *resourceCheck) use(i int, ref, what, field string, j int, key, suffix string) {
	if d := c.declared[i]; d != nil {
		if _, ok := d[ref]; ok {
			c.used[i][ref] = true
			return
		}
	}
	// compose-go declares the default network itself when a service uses
	// it (loader.normalizeNetworks).
	if !c.check || (i == kindNetwork && ref == "default") {
		return
	}
	// field may be a path itself (build.secrets); key is a name
	path := svcPath(c.name) + "." + field
	if j >= 0 {
		path += "." + strconv.Itoa(j)
	}
	if key != "" {
		path += "." + configPath(key)
	}
	if sp, rel, ok := c.e.Span(path + suffix); ok {
		c.p.ReportServices(diag.Finding{Severity: c.p.meta.Severity, Span: sp, Related: rel,
			Message: fmt.Sprintf("service %q refers to undefined %s %q: docker compose refuses to load the project; %s", c.name, what, ref, declareHint(c.declared[i], resourceKinds[i], ref))}, c.name)
	}
}

// declareHint says how to fix a reference to ref, undeclared in the
// top-level section kind (declared): use the key of the declaration whose
// name: ref is, or the nearest declared key, or declare it.
func declareHint(declared map[string]any, kind, ref string) string {
	keys := sortedKeys(declared)
	for _, k := range keys {
		if n, ok := asMap(declared[k])["name"].(string); ok && n == ref {
			return fmt.Sprintf("services refer to it by its key %q (%q is its name:)", k, ref)
		}
	}
	if n, ok := nearest(ref, keys, 3); ok {
		return fmt.Sprintf("did you mean %q? Or declare %q under the top-level %s:", n, ref, kind)
	}
	return fmt.Sprintf("declare it under the top-level %s:", kind)
}

// service marks what svc uses and reports what it uses undeclared.
func (c *resourceCheck) service(svc map[string]any) {
	if svc == nil {
		return
	}
	vols, _ := svc["volumes"].([]any)
	for j, it := range vols {
		switch x := it.(type) {
		case string:
			if spec, ok := c.str(x); ok {
				if m, ok := parseMount(spec); ok && !m.bind && m.source != "" {
					c.use(kindVolume, m.source, "volume", "volumes", j, "", "")
				}
			}
		case map[string]any:
			if t, ok := c.str(x["type"]); !ok || t != "volume" {
				continue
			}
			// no source: an anonymous volume
			if src, ok := c.str(x["source"]); ok && src != "" {
				c.use(kindVolume, src, "volume", "volumes", j, "", ".source")
			}
		}
	}
	// A service with no networks is on the default network, unless it
	// shares another's network stack or is run by a provider
	// (loader.normalizeNetworks); that matters only when the top level
	// declares default (else compose-go does, and nothing is reported).
	onDefault := c.defaultDeclared
	switch ns := svc["networks"].(type) {
	case []any:
		onDefault = onDefault && len(ns) == 0
		for j, it := range ns {
			if n, ok := c.str(it); ok {
				c.use(kindNetwork, n, "network", "networks", j, "", "")
			}
		}
	case map[string]any:
		onDefault = onDefault && len(ns) == 0
		// compose-go interpolates values, not keys
		for n := range ns {
			c.use(kindNetwork, n, "network", "networks", -1, n, "")
		}
	}
	if onDefault {
		_, networkMode := svc["network_mode"]
		_, provider := svc["provider"]
		if !networkMode && !provider {
			c.use(kindNetwork, "default", "network", "", -1, "", "")
		}
	}
	c.refs(kindSecret, svc["secrets"], "secret", "secrets")
	if b, ok := svc["build"].(map[string]any); ok {
		c.refs(kindSecret, b["secrets"], "build secret", "build.secrets")
	}
	c.refs(kindConfig, svc["configs"], "config", "configs")
	switch ms := svc["models"].(type) {
	case []any:
		for j, it := range ms {
			if n, ok := c.str(it); ok {
				c.use(kindModel, n, "model", "models", j, "", "")
			}
		}
	case map[string]any:
		for n := range ms {
			c.use(kindModel, n, "model", "models", -1, n, "")
		}
	}
}

// refs reads a list of secrets or configs: names, or mappings with a source.
func (c *resourceCheck) refs(i int, list any, what, field string) {
	s, _ := list.([]any)
	for j, it := range s {
		switch x := it.(type) {
		case string:
			if n, ok := c.str(x); ok {
				c.use(i, n, what, field, j, "", "")
			}
		case map[string]any:
			if n, ok := c.str(x["source"]); ok {
				c.use(i, n, what, field, j, "", ".source")
			}
		}
	}
}
