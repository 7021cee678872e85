package lint

import (
	"fmt"
	"regexp"

	"github.com/composure-dev/composure/diag"
)

// ContainerNameConflict reports two services of an environment with the
// same container_name, and a container_name on a service scaled beyond one
// replica: the engine refuses to create the second container.
type ContainerNameConflict struct{ RuleBase }

var _ Rule = (*ContainerNameConflict)(nil)

// containerNameRE is the engine's rule for container names (moby's
// RestrictedNamePattern): `docker compose up` fails on any other.
var containerNameRE = regexp.MustCompile(`^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

// NewContainerNameConflict returns the container-name-conflict rule.
func NewContainerNameConflict() *ContainerNameConflict {
	return &ContainerNameConflict{RuleBase{Meta{ID: "container-name-conflict", Summary: "container names used twice, on a scaled service, or that the engine refuses",
		Severity: diag.Error, Scope: ScopeEnv}}}
}

// VisitEnv checks the container names of e, of the services of every
// profile; two services gated by different profiles are alternatives, not
// a conflict.
func (r *ContainerNameConflict) VisitEnv(p *Pass, e *Env) {
	users := map[string][]string{} // container name -> services, in order
	for _, name := range e.ServicesInOrder() {
		svc := e.Service(name)
		cn, ok := e.Str(svc["container_name"])
		if !ok || cn == "" {
			continue
		}
		path := svcPath(name, "container_name")
		sp, rel, ok := e.Span(path)
		if !ok {
			continue
		}
		if !containerNameRE.MatchString(cn) {
			from := ""
			if raw, _ := svc["container_name"].(string); raw != cn {
				from = fmt.Sprintf(" (%s)", raw)
			}
			p.ReportServices(diag.Finding{Severity: p.meta.Severity, Span: sp, Related: rel,
				Message: fmt.Sprintf("container name %q%s is one the engine refuses: it must start with a letter or a digit and hold at least two of letters, digits, _, . and -; rename it", cn, from)}, name)
			continue
		}
		conflict := false
		for _, other := range users[cn] {
			if !e.RunTogether(other, name) {
				continue
			}
			osp, _, _ := e.Span(svcPath(other, "container_name"))
			rel = append(rel, diag.Related{Span: osp, Message: fmt.Sprintf("service %q uses it here", other)})
			p.ReportServices(diag.Finding{Severity: p.meta.Severity, Span: sp, Related: rel,
				Message: fmt.Sprintf("container name %q is used by services %q and %q: the second container cannot be created; rename one", cn, other, name)}, other, name)
			conflict = true
			break
		}
		users[cn] = append(users[cn], name)
		if conflict {
			continue
		}
		replicas := 1
		if s, ok := e.Str(svc["scale"]); ok {
			fmt.Sscan(s, &replicas)
		}
		if s, ok := e.Str(asMap(svc["deploy"])["replicas"]); ok {
			fmt.Sscan(s, &replicas)
		}
		if replicas > 1 {
			p.ReportServices(diag.Finding{Severity: p.meta.Severity, Span: sp, Related: rel,
				Message: fmt.Sprintf("service %q has container_name %q and %d replicas: container names must be unique; remove container_name", name, cn, replicas)}, name)
		}
	}
}
