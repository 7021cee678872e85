package lint

import (
	"fmt"

	"github.com/composure-dev/composure/diag"
)

// ReadOnly reports services whose root file system is writable (optional,
// group security): whoever controls the process can change its programs
// and leave tools behind (CIS Docker Benchmark 5.13).
type ReadOnly struct{ RuleBase }

var _ Rule = (*ReadOnly)(nil)

// NewReadOnly returns the read-only rule.
func NewReadOnly() *ReadOnly {
	return &ReadOnly{RuleBase{hardening("read-only", "services with a writable root file system (optional)", diag.Info, 0)}}
}

// VisitEnv checks every active service of e.
func (r *ReadOnly) VisitEnv(p *Pass, e *Env) {
	eachActive(p, e, func(name string, svc map[string]any) {
		if isTrue(e, svc["read_only"]) || unknown(e, svc["read_only"]) {
			return
		}
		reportMissing(p, e, name, fmt.Sprintf("service %q has a writable root file system: set read_only: true, and give the paths it writes a volume or a tmpfs", name))
	})
}
