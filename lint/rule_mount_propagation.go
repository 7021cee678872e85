package lint

import (
	"fmt"
	"strings"

	"github.com/composure-dev/composure/diag"
)

// MountPropagation reports bind mounts with shared propagation (optional,
// group security): a mount the container makes under them appears on the
// host (CIS Docker Benchmark 5.20). slave propagation, which only brings
// the host's mounts in, is not reported.
type MountPropagation struct{ RuleBase }

var _ Rule = (*MountPropagation)(nil)

// NewMountPropagation returns the mount-propagation rule.
func NewMountPropagation() *MountPropagation {
	return &MountPropagation{RuleBase{hardening("mount-propagation", "bind mounts with shared propagation (optional)", diag.Info, 0)}}
}

// VisitEnv checks the volumes of every active service of e, short and long
// syntax.
func (r *MountPropagation) VisitEnv(p *Pass, e *Env) {
	eachActive(p, e, func(name string, svc map[string]any) {
		for i, it := range asSlice(svc["volumes"]) {
			var src, prop, sub string
			switch x := it.(type) {
			case map[string]any:
				if t, _ := e.Str(x["type"]); t != "bind" {
					continue
				}
				src, _ = e.Str(x["source"])
				prop, _ = e.Str(asMap(x["bind"])["propagation"])
				sub = ".bind.propagation"
			default:
				spec, ok := e.Str(it)
				if !ok {
					continue
				}
				m, ok := parseMount(spec)
				if !ok || !m.bind {
					continue
				}
				src, prop = m.source, m.propagation
			}
			if prop == "shared" || prop == "rshared" {
				reportAt(p, e, name, "volumes", i, sub, func(who, sfx string) string {
					return fmt.Sprintf("%s mount%s %q with %s propagation: a mount made in the container under it appears on the host; use the default (rprivate), or rslave to see the host's mounts", who, sfx, strings.TrimSpace(src), prop)
				})
			}
		}
	})
}
