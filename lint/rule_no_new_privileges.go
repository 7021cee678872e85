package lint

import (
	"fmt"
	"strings"

	"github.com/composure-dev/composure/diag"
)

// NoNewPrivileges reports services that do not set no-new-privileges
// (optional, group security): a setuid or setcap binary of the image then
// gives its process more privileges than the container started with (best
// practice 6; CIS Docker Benchmark 5.26).
type NoNewPrivileges struct{ RuleBase }

var _ Rule = (*NoNewPrivileges)(nil)

// NewNoNewPrivileges returns the no-new-privileges rule.
func NewNoNewPrivileges() *NoNewPrivileges {
	return &NoNewPrivileges{RuleBase{hardening("no-new-privileges", "services without security_opt no-new-privileges (optional)", diag.Warning, 6)}}
}

// noNewPrivileges reads a security_opt item: whether it is
// no-new-privileges and whether it turns it on ("no-new-privileges",
// ":true", "=true").
func noNewPrivileges(o string) (is, on bool) {
	k, v, set := strings.Cut(o, ":")
	if !set {
		k, v, set = strings.Cut(o, "=")
	}
	if k != "no-new-privileges" {
		return false, false
	}
	return true, !set || v == "true"
}

// VisitEnv checks every active service of e.
func (r *NoNewPrivileges) VisitEnv(p *Pass, e *Env) {
	eachActive(p, e, func(name string, svc map[string]any) {
		for i, it := range asSlice(svc["security_opt"]) {
			o, ok := e.Str(it)
			if !ok {
				continue
			}
			if is, on := noNewPrivileges(o); is {
				if !on {
					reportAt(p, e, name, "security_opt", i, "", func(who, sfx string) string {
						return fmt.Sprintf("%s turn%s no-new-privileges off (security_opt %q): a setuid binary of the image can raise its privileges; write no-new-privileges:true", who, sfx, o)
					})
				}
				return
			}
		}
		reportMissing(p, e, name, fmt.Sprintf("service %q does not set no-new-privileges: a setuid binary of the image (su, sudo, ping) can raise its process's privileges; add security_opt: [\"no-new-privileges:true\"]", name))
	})
}
