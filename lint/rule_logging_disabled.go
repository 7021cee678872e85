package lint

import (
	"fmt"

	"github.com/composure-dev/composure/diag"
)

// LoggingDisabled reports services whose logging driver is none (optional,
// group security): what the container prints, errors and the traces of an
// intrusion included, is thrown away.
type LoggingDisabled struct{ RuleBase }

var _ Rule = (*LoggingDisabled)(nil)

// NewLoggingDisabled returns the logging-disabled rule.
func NewLoggingDisabled() *LoggingDisabled {
	return &LoggingDisabled{RuleBase{hardening("logging-disabled", "services with logging turned off, driver none (optional)", diag.Info, 0)}}
}

// VisitEnv checks every active service of e.
func (r *LoggingDisabled) VisitEnv(p *Pass, e *Env) {
	eachActive(p, e, func(name string, svc map[string]any) {
		if d, ok := e.Str(asMap(svc["logging"])["driver"]); ok && d == "none" {
			reportAt(p, e, name, "logging.driver", -1, "", func(who, sfx string) string {
				return fmt.Sprintf("%s turn%s logging off (logging driver none): what it prints, errors and traces of an intrusion included, is lost; keep a driver (json-file with max-size, or local)", who, sfx)
			})
		}
	})
}
