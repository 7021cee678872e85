package lint

import (
	"fmt"
	"strings"

	"github.com/composure-dev/composure/diag"
)

// ResourceLimits reports services without a memory, CPU or process limit
// (optional, group security): one container that leaks or forks without
// end takes the host down with every other service (CIS Docker Benchmark
// 5.10, 5.11, 5.28).
type ResourceLimits struct{ RuleBase }

var _ Rule = (*ResourceLimits)(nil)

// NewResourceLimits returns the resource-limits rule.
func NewResourceLimits() *ResourceLimits {
	return &ResourceLimits{RuleBase{hardening("resource-limits", "services without a memory, CPU or pids limit (optional)", diag.Warning, 0)}}
}

// limitKeys are where each limit is written: service keys, and
// deploy.resources.limits.
var limitKeys = []struct {
	what    string
	service []string
	deploy  string
}{
	{"memory", []string{"mem_limit"}, "memory"},
	{"CPU", []string{"cpus", "cpu_quota", "cpu_count", "cpu_percent"}, "cpus"},
	{"pids", []string{"pids_limit"}, "pids"},
}

// VisitEnv checks every active service of e.
func (r *ResourceLimits) VisitEnv(p *Pass, e *Env) {
	eachActive(p, e, func(name string, svc map[string]any) {
		deploy := asMap(asMap(asMap(svc["deploy"])["resources"])["limits"])
		var missing []string
		limited := func(v any) bool {
			s, ok := e.Str(v)
			return ok && s != "" && s != "0" && s != "-1" || unknown(e, v)
		}
		for _, l := range limitKeys {
			set := limited(deploy[l.deploy])
			for _, k := range l.service {
				set = set || limited(svc[k])
			}
			if !set {
				missing = append(missing, l.what)
			}
		}
		if len(missing) == 0 {
			return
		}
		list := strings.Join(missing, ", ")
		if n := len(missing); n > 1 {
			list = strings.Join(missing[:n-1], ", ") + " or " + missing[n-1]
		}
		reportMissing(p, e, name, fmt.Sprintf("service %q has no %s limit: one container that leaks or forks without end can starve the host; set deploy.resources.limits (memory, cpus, pids)", name, list))
	})
}
