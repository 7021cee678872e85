package lint

import (
	"fmt"

	"github.com/composure-dev/composure/diag"
)

// NonRootUser reports services that set no user (optional, group
// security): they run as the user of the image, root for most images
// (best practice 6). An explicit root user is the privileged rule's, on by
// default; a local build whose Dockerfile switches user is
// dockerfile-root-user's.
type NonRootUser struct{ RuleBase }

var _ Rule = (*NonRootUser)(nil)

// NewNonRootUser returns the non-root-user rule.
func NewNonRootUser() *NonRootUser {
	return &NonRootUser{RuleBase{hardening("non-root-user", "services that set no user and run as the image's, root for most (optional)", diag.Warning, 6)}}
}

// VisitEnv checks every active service of e.
func (r *NonRootUser) VisitEnv(p *Pass, e *Env) {
	eachActive(p, e, func(name string, svc map[string]any) {
		if u, ok := e.Str(svc["user"]); ok && u != "" || unknown(e, svc["user"]) {
			return
		}
		if _, builds := svc["build"]; builds {
			return // its Dockerfile decides: dockerfile-root-user
		}
		reportMissing(p, e, name, fmt.Sprintf("service %q sets no user: it runs as the image's user, root for most images; set user: to an unprivileged UID (user: \"1000:1000\") the image supports", name))
	})
}
