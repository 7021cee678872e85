package lint

import (
	"fmt"
	"strings"

	"github.com/composure-dev/composure/diag"
)

// Privileged reports containers that run privileged or explicitly as root
// (best practice 6): a compromise of the process is then a compromise of the
// host, or at least of everything root can reach in the container.
type Privileged struct{ RuleBase }

var _ Rule = (*Privileged)(nil)

// NewPrivileged returns the privileged rule.
func NewPrivileged() *Privileged {
	return &Privileged{RuleBase{Meta{ID: "privileged", Summary: "services running privileged or as root",
		Severity: diag.Warning, Scope: ScopeEnv, Practice: 6, Group: GroupSecurity}}}
}

// VisitEnv checks every service of e, of every profile. A value inside an
// anchor several services merge is one finding at the anchor (reportAt).
func (r *Privileged) VisitEnv(p *Pass, e *Env) {
	for _, name := range e.ServiceNames() {
		svc := e.Service(name)
		if v, ok := e.Str(svc["privileged"]); ok && v == "true" {
			reportAt(p, e, name, "privileged", -1, "", func(who, sfx string) string {
				return fmt.Sprintf("%s run%s privileged: it gets every capability and the host's devices; grant only what it needs with cap_add and devices", who, sfx)
			})
		}
		if u, ok := e.Str(svc["user"]); ok {
			user, _, _ := strings.Cut(u, ":")
			if user == "root" || user == "0" {
				reportAt(p, e, name, "user", -1, "", func(who, sfx string) string {
					return fmt.Sprintf("%s run%s as root (user %q): run it as an unprivileged user created in the image", who, sfx, u)
				})
			}
		}
	}
}
