package lint

import (
	"fmt"

	"github.com/composure-dev/composure/diag"
)

// CapDropAll reports services that keep Docker's default capabilities
// (optional, group security): CHOWN, DAC_OVERRIDE, FOWNER, NET_RAW,
// SETUID, SETGID... most processes need none of them (best practice 6; CIS
// Docker Benchmark 5.3).
type CapDropAll struct{ RuleBase }

var _ Rule = (*CapDropAll)(nil)

// NewCapDropAll returns the cap-drop-all rule.
func NewCapDropAll() *CapDropAll {
	return &CapDropAll{RuleBase{hardening("cap-drop-all", "services that do not drop every capability with cap_drop: [ALL] (optional)", diag.Warning, 6)}}
}

// VisitEnv checks every active service of e. A privileged service has
// every capability whatever it drops: privileged reports it.
func (r *CapDropAll) VisitEnv(p *Pass, e *Env) {
	eachActive(p, e, func(name string, svc map[string]any) {
		if capList(e, svc["cap_drop"], "ALL") || isTrue(e, svc["privileged"]) {
			return
		}
		reportMissing(p, e, name, fmt.Sprintf("service %q keeps Docker's default capabilities (CHOWN, DAC_OVERRIDE, NET_RAW, SETUID...): drop them with cap_drop: [ALL] and add back only what it needs with cap_add", name))
	})
}
