package lint

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"gopkg.in/yaml.v3"
)

// DependsOnHealthcheck checks that each depends_on really waits for its
// dependency to be ready (best practice 14): depends_on only orders container
// start, unless the dependency has a healthcheck and the dependent asks for
// `condition: service_healthy`, or the dependent waits for it itself.
type DependsOnHealthcheck struct {
	RuleBase
	waitRE map[string][]*regexp.Regexp
}

var _ Rule = (*DependsOnHealthcheck)(nil)

// NewDependsOnHealthcheck returns the depends-on-healthcheck rule.
func NewDependsOnHealthcheck() *DependsOnHealthcheck {
	return &DependsOnHealthcheck{RuleBase: RuleBase{Meta{ID: "depends-on-healthcheck", Summary: "depends_on that does not wait for the dependency to be ready",
		Severity: diag.Warning, Scope: ScopeEnv, Fixable: true, Practice: 14}}, waitRE: map[string][]*regexp.Regexp{}}
}

type hcState int

const (
	hcNone hcState = iota
	hcDisabled
	hcDefined
	hcImage // no test in compose, but the local Dockerfile has HEALTHCHECK
)

// healthcheckUnknown reports whether a service with no healthcheck in
// compose may still have one from its image: a third-party image pulled
// from a registry (mailcow/unbound declares a HEALTHCHECK) cannot be read.
// An official image (postgres, redis: none declares one) or a local build
// (its Dockerfile was read) is known.
func healthcheckUnknown(e *Env, svc map[string]any) bool {
	if _, builds := svc["build"]; builds {
		return false
	}
	img, ok := e.Str(svc["image"])
	if !ok || img == "" {
		return false
	}
	repo := parseImageRef(img).repo
	return strings.Contains(repo, "/")
}

// healthcheck tells whether service svc has a healthcheck.
func healthcheck(e *Env, svc map[string]any) hcState {
	if hc, ok := svc["healthcheck"].(map[string]any); ok {
		if d, _ := e.Str(hc["disable"]); d == "true" {
			return hcDisabled
		}
		switch t := hc["test"].(type) {
		case []any:
			if len(t) > 0 {
				if s, _ := e.Str(t[0]); strings.EqualFold(s, "NONE") {
					return hcDisabled
				}
				return hcDefined
			}
		case string:
			if strings.EqualFold(strings.TrimSpace(t), "NONE") {
				return hcDisabled
			}
			if t != "" {
				return hcDefined
			}
		}
	}
	if DockerfileHealthcheck(e, svc) {
		return hcImage
	}
	return hcNone
}

// buildPaths returns the local build context (absolute) and dockerfile of
// svc; ok is false for remote contexts or no build.
func buildPaths(e *Env, svc map[string]any) (ctx, dockerfile string, ok bool) {
	b, has := svc["build"]
	if !has {
		return "", "", false
	}
	dockerfile = "Dockerfile"
	switch x := b.(type) {
	case string:
		ctx, ok = e.Str(x)
	case map[string]any:
		ctx = "."
		ok = true
		if c, has := x["context"]; has {
			ctx, ok = e.Str(c)
		}
		if df, has := x["dockerfile"]; has {
			if s, k := e.Str(df); k && s != "" {
				dockerfile = s
			}
		}
		if _, inline := x["dockerfile_inline"]; inline {
			dockerfile = ""
		}
	}
	if !ok || ctx == "" || isRemote(ctx) {
		return "", "", false
	}
	return e.Abs(ctx), dockerfile, true
}

// isRemote reports whether a build context is a URL rather than a directory.
func isRemote(s string) bool {
	return strings.Contains(s, "://") || strings.HasPrefix(s, "git@") || strings.HasPrefix(s, "github.com/")
}

// dependency is one entry of a service's depends_on.
type dependency struct {
	name string
	// key is the entry as written, variables not replaced: where it is
	// found in the files.
	key       string
	condition string // "" for the short syntax
	required  bool
}

// dependencies reads the depends_on v of service name.
func dependencies(e *Env, name string, v any) []dependency {
	var out []dependency
	switch x := v.(type) {
	case []any:
		for _, it := range x {
			if s, ok := e.Str(it); ok {
				raw, _ := it.(string)
				out = append(out, dependency{name: s, key: raw, required: true})
			}
		}
	case map[string]any:
		// merge turns a short list into this mapping without replacing
		// the variables of its keys (- ${DB_HOST:-db}); docker compose
		// replaces them first
		for _, k := range sortedKeys(x) {
			n, ok := e.Interpolate(k)
			if !ok {
				n = k
			}
			d := dependency{name: n, key: k, required: true}
			if m, ok := x[k].(map[string]any); ok {
				d.condition, _ = e.Str(m["condition"])
				if r, ok := e.Str(m["required"]); ok && r == "false" {
					d.required = false
				}
			}
			out = append(out, d)
		}
	}
	return out
}

// target is what the rule reads of a service others depend on.
type target struct {
	svc map[string]any
	hc  hcState
	// cluster: its healthcheck is defined and tests the state of a
	// cluster (clusterHealth)
	cluster bool
}

// targets reads each service others depend on once per environment: a
// database many services depend on may build from a Dockerfile, read to
// find its healthcheck.
type targets struct {
	e  *Env
	of map[string]target
}

// get returns what the rule reads of service name, a defined one.
func (t *targets) get(name string) target {
	tg, ok := t.of[name]
	if !ok {
		tg.svc, _ = t.e.Services[name].(map[string]any)
		tg.hc = healthcheck(t.e, tg.svc)
		tg.cluster = tg.hc == hcDefined && clusterHealth(tg.svc)
		t.of[name] = tg
	}
	return tg
}

// VisitEnv checks every depends_on of e.
func (r *DependsOnHealthcheck) VisitEnv(p *Pass, e *Env) {
	t := &targets{e: e, of: map[string]target{}}
	for _, name := range e.ServiceNames() {
		svc := e.Service(name)
		deps := dependencies(e, name, svc["depends_on"])
		if len(deps) == 0 {
			continue
		}
		// The findings depend on the service and on the state of each
		// dependency: defined or not, left out by the profiles or not,
		// and its healthcheck.
		key := make([]byte, 0, 32*len(deps))
		for _, dep := range deps {
			key = append(key, dep.name...)
			key = append(key, 0)
			_, defined := e.Services[dep.name]
			switch {
			case !defined:
				key = append(key, '?')
			case e.leftOut(name, dep.name):
				key = append(key, '!')
			default:
				tg := t.get(dep.name)
				key = append(key, byte('0'+tg.hc))
				// what tells whether the service waits for it
				if img, ok := tg.svc["image"].(string); ok {
					key = append(key, img...)
				}
				if tg.cluster {
					key = append(key, 'c')
				}
			}
			key = append(key, 0)
		}
		p.Service(name, svc, string(key), func() {
			s := &dependent{name: name, svc: svc}
			for _, dep := range deps {
				r.check(p, e, t, s, dep)
			}
		})
	}
}

// dependent is a service whose dependencies check looks at, with what
// check reads of the service: each read on first use, once for all the
// dependencies.
type dependent struct {
	name string
	svc  map[string]any
	// waiter is what the service runs first (waiterText), read only for
	// a dependency it may wait for.
	waiter lazy[string]
	// ordered: the service needs its dependencies to exist, not to be
	// ready (orderedOnly).
	ordered lazy[bool]
	// list is its depends_on collection in the file that set it, found
	// for a finding.
	list lazy[dependsOnList]
	// longForm is the edit of the fix of a finding at an item of a short
	// list (longForm), nil when there is none.
	longForm lazy[*diag.TextEdit]
}

// dependsOnList is the depends_on collection n of a service, written in
// file; n is nil where it is not found.
type dependsOnList struct {
	file string
	d    *compose.Document
	n    *yaml.Node
}

// lazy is a value found on first use.
type lazy[T any] struct {
	v    T
	done bool
}

// get returns the value, found by find the first time.
func (l *lazy[T]) get(find func() T) T {
	if !l.done {
		l.v, l.done = find(), true
	}
	return l.v
}

// orderedOnly reports whether service name (config svc) needs its
// dependencies to exist, not to be ready: a reverse proxy answers 502
// until its upstreams are; a database's web console connects when it is
// opened, and shows an error until then; a proxy's certificate companion
// needs its container, and the proxy's health may wait for the
// certificates.
func orderedOnly(e *Env, name string, svc map[string]any) bool {
	return isProxy(e, name, svc) || isAdminUI(e, name, svc) || isProxyCompanion(e, svc)
}

// check reports dependency dep of service s; t reads the dependency when
// it is defined and enabled.
func (r *DependsOnHealthcheck) check(p *Pass, e *Env, t *targets, s *dependent, dep dependency) {
	name := s.name
	// Where the dependency is written is found only for a finding (most
	// dependencies have none): nothing is reported where it is unknown.
	// Inside an anchor merged by several services, one finding at the anchor
	// stands for all of them (the alias sites are the related locations).
	report := func(sev diag.Severity, msg func(who, sfx string) string, withFix bool) {
		sp, rel, short := r.where(e, s, dep.key)
		if sp.File == "" {
			return
		}
		who, sfx := e.subject(name, sp, rel)
		var fix *diag.Fix
		if withFix && short {
			fix = r.fix(e, t, s, dep.name)
		}
		p.ReportServices(diag.Finding{Severity: sev, Span: sp, Related: rel, Message: msg(who, sfx), Fix: fix}, name)
	}
	_, defined := e.Services[dep.name]
	if !defined {
		report(diag.Error, func(who, sfx string) string {
			return fmt.Sprintf("%s depend%s on %q, which is not defined: define it or remove the dependency", who, sfx, dep.name)
		}, false)
		return
	}
	if e.leftOut(name, dep.name) {
		if dep.required {
			report(diag.Error, func(who, sfx string) string {
				return fmt.Sprintf("%s depend%s on %q, which runs only with profile %s: enable it too, or mark the dependency required: false", who, sfx, dep.name, strings.Join(quoted(e.serviceProfiles(dep.name)), " or "))
			}, false)
		}
		return
	}
	tg := t.get(dep.name)
	hc, depSvc := tg.hc, tg.svc
	switch dep.condition {
	case "service_completed_successfully":
		return
	case "service_healthy":
		switch hc {
		case hcDisabled:
			report(diag.Error, func(who, sfx string) string {
				return fmt.Sprintf("%s wait%s for %q to be healthy, but %q disables its healthcheck: it never becomes healthy", who, sfx, dep.name, dep.name)
			}, false)
		case hcNone:
			if !healthcheckUnknown(e, depSvc) {
				report(diag.Warning, func(who, sfx string) string {
					return fmt.Sprintf("%s wait%s for %q to be healthy, but %q defines no healthcheck: add one", who, sfx, dep.name, dep.name)
				}, false)
			}
		}
		return
	}
	if s.ordered.get(func() bool { return orderedOnly(e, name, s.svc) }) {
		return
	}
	job := hc == hcNone && oneShotJob(e, dep.name, depSvc)
	if hc == hcNone && !job && !backingService(e, dep.name, depSvc) {
		// An application started after another (a worker after the
		// API, a frontend after its backend) is ordered, not waiting:
		// it reaches the other when it needs it, and retries.
		return
	}
	text := s.waiter.get(func() string { return waiterText(e, s.svc) })
	if waitsFor(text, dep.name, depSvc, e, r.waitRE) {
		return
	}
	if tg.cluster && mentions(text, dep.name) {
		// dep turns healthy once the cluster forms, and this service
		// talks to it at start (creates or joins the cluster): waiting
		// for dep's health could wait forever.
		return
	}
	if dep.condition == "service_started" {
		// merge gives a short list's entries this condition, with no file
		// as its origin (Origin answers no). Written out, it is the
		// author's choice not to wait for health (a cluster whose nodes
		// turn healthy only once every node runs would never start
		// otherwise). Looked up last: only a finding needs it.
		if _, explicit := e.Origin(svcPath(name, "depends_on", dep.key, "condition")); explicit {
			return
		}
	}
	switch {
	case hc == hcDefined || hc == hcImage:
		report(diag.Warning, func(who, sfx string) string {
			return fmt.Sprintf("%s start%s as soon as %q starts, not when it is healthy: use `condition: service_healthy`", who, sfx, dep.name)
		}, true)
	case job:
		// a healthcheck is the wrong advice for a job that exits
		report(diag.Warning, func(who, sfx string) string {
			return fmt.Sprintf("%s start%s when %q's container starts, not when it has finished: %q looks like a job that runs once; use `condition: service_completed_successfully`", who, sfx, dep.name, dep.name)
		}, false)
	default:
		report(diag.Warning, func(who, sfx string) string {
			return fmt.Sprintf("%s start%s when %q's container starts, not when %q is ready: give %q a healthcheck and use `condition: service_healthy`, or wait for it in the entrypoint (wait-for-it.sh %s:PORT)", who, sfx, dep.name, dep.name, dep.name, dep.name)
		}, false)
	}
}

// where finds the depends_on entry for dep of service s in the file that
// set it: the list item or the mapping key; short reports that it is an
// item of the service's short list, which the fix rewrites.
func (r *DependsOnHealthcheck) where(e *Env, s *dependent, dep string) (sp diag.Span, rel []diag.Related, short bool) {
	sp, rel, ok := e.Span(svcPath(s.name, "depends_on", dep))
	if !ok {
		return diag.Span{}, nil, false
	}
	d := e.Doc(sp.File)
	if d == nil || e.run == nil {
		return sp, rel, false
	}
	l := s.list.get(func() dependsOnList {
		o, _ := e.Origin(svcPath(s.name, "depends_on"))
		l := dependsOnList{file: o.File, d: e.Doc(o.File)}
		if l.d != nil {
			l.n = e.run.index(l.d).collectionAt(o.Pos)
		}
		return l
	})
	if l.file != sp.File || l.n == nil {
		return sp, rel, false
	}
	switch l.n.Kind {
	case yaml.SequenceNode:
		for _, it := range l.n.Content {
			if it := compose.Deref(it); it.Kind == yaml.ScalarNode && it.Value == dep {
				return NodeSpan(d, it), rel, true
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(l.n.Content); i += 2 {
			if l.n.Content[i].Value == dep {
				return NodeSpan(d, l.n.Content[i]), rel, false
			}
		}
	}
	return sp, rel, false
}

// fix is the manual fix of a finding at dependency dep of service s, an
// item of its short list (where found the list): the list rewritten to
// the long form (longForm).
func (r *DependsOnHealthcheck) fix(e *Env, t *targets, s *dependent, dep string) *diag.Fix {
	ed := s.longForm.get(func() *diag.TextEdit {
		l := s.list.v
		return longForm(e, t, s.name, l.d, l.n)
	})
	if ed == nil {
		return nil
	}
	return &diag.Fix{Manual: true, Edits: []diag.TextEdit{*ed},
		Message: fmt.Sprintf("by hand, not by --fix (check first that %q turns healthy without %q): the long depends_on syntax with condition: service_healthy", dep, s.name)}
}

// longForm rewrites the short depends_on list n of service name to the
// long form (service_healthy for the dependencies with a healthcheck,
// service_started for the others, so nothing else changes). It is a manual
// fix, never applied by --fix: waiting for a dependency's health changes
// when the service starts, and deadlocks where the dependency turns
// healthy only once the service runs (the nodes of a cluster the service
// forms).
func longForm(e *Env, t *targets, name string, d *compose.Document, n *yaml.Node) *diag.TextEdit {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 || n.Anchor != "" {
		return nil
	}
	var names []string
	for _, it := range n.Content {
		if it.Kind != yaml.ScalarNode || strings.Contains(it.Value, "$") {
			// a mapping key is not interpolated: - ${DB_HOST} cannot be one
			return nil
		}
		names = append(names, it.Value)
	}
	cond := func(dn string) string {
		if _, ok := e.Services[dn].(map[string]any); ok && !e.leftOut(name, dn) {
			if hc := t.get(dn).hc; hc == hcDefined || hc == hcImage {
				return "service_healthy"
			}
		}
		return "service_started"
	}
	start, _ := NodeRange(d, n)
	_, end := NodeRange(d, n.Content[len(n.Content)-1])
	var text string
	if n.Style&yaml.FlowStyle != 0 {
		// [a, b] -> {a: {condition: ...}, b: {condition: ...}}
		parts := make([]string, 0, len(names))
		for _, dn := range names {
			parts = append(parts, fmt.Sprintf("%s: {condition: %s}", dn, cond(dn)))
		}
		text = "{" + strings.Join(parts, ", ") + "}"
		// the flow sequence's end: its closing bracket on the first line
		seqEnd := bytes.IndexByte(d.Src[start:], ']')
		if seqEnd < 0 {
			return nil
		}
		end = start + seqEnd + 1
	} else {
		// Block list: the items start at column n.Column (the first "-").
		indent := strings.Repeat(" ", n.Column-1)
		lines := make([]string, 0, 2*len(names))
		for i, dn := range names {
			pre := indent
			if i == 0 {
				pre = ""
			}
			lines = append(lines, pre+dn+":", indent+"  condition: "+cond(dn))
		}
		text = strings.Join(lines, "\n")
	}
	ed := edit(d, start, end, text)
	return &ed
}
