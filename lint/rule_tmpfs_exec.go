package lint

import (
	"fmt"
	"strings"

	"github.com/composure-dev/composure/diag"
)

// TmpfsExec reports tmpfs mounts that allow running programs or setuid
// binaries (optional, group security): Docker mounts a tmpfs noexec and
// nosuid, and `exec` or `suid` undoes it, giving whoever writes there a
// place to run what they downloaded.
type TmpfsExec struct{ RuleBase }

var _ Rule = (*TmpfsExec)(nil)

// NewTmpfsExec returns the tmpfs-exec rule.
func NewTmpfsExec() *TmpfsExec {
	return &TmpfsExec{RuleBase{hardening("tmpfs-exec", "tmpfs mounts with exec or suid (optional)", diag.Info, 0)}}
}

// VisitEnv checks every active service of e: `tmpfs:` (a path or a list,
// PATH[:OPTIONS]).
func (r *TmpfsExec) VisitEnv(p *Pass, e *Env) {
	eachActive(p, e, func(name string, svc map[string]any) {
		check := func(index int, spec string) {
			target, opts, _ := strings.Cut(spec, ":")
			for _, o := range strings.Split(opts, ",") {
				if o == "exec" || o == "suid" {
					reportAt(p, e, name, "tmpfs", index, "", func(who, sfx string) string {
						return fmt.Sprintf("%s mount%s the tmpfs %q with %s: a file written there can be run%s; drop %s (Docker mounts a tmpfs noexec and nosuid)", who, sfx, target, o,
							map[string]string{"exec": "", "suid": " with its owner's privileges"}[o], o)
					})
				}
			}
		}
		switch t := svc["tmpfs"].(type) {
		case []any:
			for i, it := range t {
				if s, ok := e.Str(it); ok {
					check(i, s)
				}
			}
		default:
			if s, ok := e.Str(t); ok {
				check(-1, s)
			}
		}
	})
}
