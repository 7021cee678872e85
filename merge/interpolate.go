package merge

import (
	"fmt"
	"strconv"
	"strings"

	interp "github.com/compose-spec/compose-go/v2/interpolation"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/tree"
)

// WithInterpolation interpolates each file as compose-go does before
// merging it (`${VAR}`, `${VAR:-default}`, ...), looking variables up with
// lookup, and casts the values the compose spec types (replicas, ports'
// targets, booleans) as loader/interpolate.go does. Without it, merge works
// on the raw text; with it, the merged tree matches the effective config
// where interpolation makes two values equal (a port written once literally
// and once through a variable is then one port, as in docker compose).
// Origins are the same either way: positions are of the raw text.
func WithInterpolation(lookup func(name string) (string, bool)) Option {
	return func(o *options) {
		o.interpolate = &interp.Options{
			LookupValue:     lookup,
			TypeCastMapping: typeCasts,
			Substitute:      template.Substitute,
		}
	}
}

// interpolated substitutes variables in x, keeping its origins.
func (o *options) interpolated(x *val, file string) (*val, error) {
	if o.interpolate == nil || x.kind != kMap {
		return x, nil
	}
	out, err := interp.Interpolate(x.plain().(map[string]any), *o.interpolate)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return reattach(x, out), nil
}

// typeCasts is loader/interpolate.go's interpolateTypeCastMapping, spelled
// out: container attributes under services.*, jobs.* and
// services.*.pre_start.*, workload attributes under services.* and jobs.*,
// service-only ones under services.*.
var typeCasts = map[tree.Path]interp.Cast{
	"networks.*.external":    toBoolean,
	"networks.*.internal":    toBoolean,
	"networks.*.attachable":  toBoolean,
	"networks.*.enable_ipv4": toBoolean,
	"networks.*.enable_ipv6": toBoolean,
	"volumes.*.external":     toBoolean,
	"secrets.*.external":     toBoolean,
	"configs.*.external":     toBoolean,

	"services.*.cpu_count":                                toInt64,
	"services.*.cpu_percent":                              toFloat,
	"services.*.cpu_period":                               toInt64,
	"services.*.cpu_quota":                                toInt64,
	"services.*.cpu_rt_period":                            toInt64,
	"services.*.cpu_rt_runtime":                           toInt64,
	"services.*.cpus":                                     toFloat32,
	"services.*.cpu_shares":                               toInt64,
	"services.*.init":                                     toBoolean,
	"services.*.networks.*.use_service_name_alias":        toBoolean,
	"services.*.oom_kill_disable":                         toBoolean,
	"services.*.oom_score_adj":                            toInt64,
	"services.*.pids_limit":                               toInt64,
	"services.*.privileged":                               toBoolean,
	"services.*.read_only":                                toBoolean,
	"services.*.umask":                                    toUmask,
	"services.*.ulimits.*":                                toInt,
	"services.*.ulimits.*.hard":                           toInt,
	"services.*.ulimits.*.soft":                           toInt,
	"services.*.volumes.[].read_only":                     toBoolean,
	"services.*.volumes.[].volume.nocopy":                 toBoolean,
	"services.*.depends_on.*.required":                    toBoolean,
	"services.*.depends_on.*.restart":                     toBoolean,
	"services.*.healthcheck.retries":                      toInt,
	"services.*.healthcheck.disable":                      toBoolean,
	"services.*.ports.[].target":                          toInt,
	"services.*.stdin_open":                               toBoolean,
	"services.*.tty":                                      toBoolean,
	"services.*.deploy.replicas":                          toInt,
	"services.*.deploy.update_config.parallelism":         toInt,
	"services.*.deploy.update_config.max_failure_ratio":   toFloat,
	"services.*.deploy.rollback_config.parallelism":       toInt,
	"services.*.deploy.rollback_config.max_failure_ratio": toFloat,
	"services.*.deploy.restart_policy.max_attempts":       toInt,
	"services.*.deploy.placement.max_replicas_per_node":   toInt,
	"services.*.scale":                                    toInt,

	"jobs.*.cpu_count":                         toInt64,
	"jobs.*.cpu_percent":                       toFloat,
	"jobs.*.cpu_period":                        toInt64,
	"jobs.*.cpu_quota":                         toInt64,
	"jobs.*.cpu_rt_period":                     toInt64,
	"jobs.*.cpu_rt_runtime":                    toInt64,
	"jobs.*.cpus":                              toFloat32,
	"jobs.*.cpu_shares":                        toInt64,
	"jobs.*.init":                              toBoolean,
	"jobs.*.networks.*.use_service_name_alias": toBoolean,
	"jobs.*.oom_kill_disable":                  toBoolean,
	"jobs.*.oom_score_adj":                     toInt64,
	"jobs.*.pids_limit":                        toInt64,
	"jobs.*.privileged":                        toBoolean,
	"jobs.*.read_only":                         toBoolean,
	"jobs.*.umask":                             toUmask,
	"jobs.*.ulimits.*":                         toInt,
	"jobs.*.ulimits.*.hard":                    toInt,
	"jobs.*.ulimits.*.soft":                    toInt,
	"jobs.*.volumes.[].read_only":              toBoolean,
	"jobs.*.volumes.[].volume.nocopy":          toBoolean,
	"jobs.*.depends_on.*.required":             toBoolean,
	"jobs.*.depends_on.*.restart":              toBoolean,
	"jobs.*.healthcheck.retries":               toInt,
	"jobs.*.healthcheck.disable":               toBoolean,
	"jobs.*.ports.[].target":                   toInt,
	"jobs.*.stdin_open":                        toBoolean,
	"jobs.*.tty":                               toBoolean,

	"services.*.pre_start.*.cpu_count":                         toInt64,
	"services.*.pre_start.*.cpu_percent":                       toFloat,
	"services.*.pre_start.*.cpu_period":                        toInt64,
	"services.*.pre_start.*.cpu_quota":                         toInt64,
	"services.*.pre_start.*.cpu_rt_period":                     toInt64,
	"services.*.pre_start.*.cpu_rt_runtime":                    toInt64,
	"services.*.pre_start.*.cpus":                              toFloat32,
	"services.*.pre_start.*.cpu_shares":                        toInt64,
	"services.*.pre_start.*.init":                              toBoolean,
	"services.*.pre_start.*.networks.*.use_service_name_alias": toBoolean,
	"services.*.pre_start.*.oom_kill_disable":                  toBoolean,
	"services.*.pre_start.*.oom_score_adj":                     toInt64,
	"services.*.pre_start.*.pids_limit":                        toInt64,
	"services.*.pre_start.*.privileged":                        toBoolean,
	"services.*.pre_start.*.read_only":                         toBoolean,
	"services.*.pre_start.*.umask":                             toUmask,
	"services.*.pre_start.*.ulimits.*":                         toInt,
	"services.*.pre_start.*.ulimits.*.hard":                    toInt,
	"services.*.pre_start.*.ulimits.*.soft":                    toInt,
	"services.*.pre_start.*.volumes.[].read_only":              toBoolean,
	"services.*.pre_start.*.volumes.[].volume.nocopy":          toBoolean,
}

func toInt(value string) (any, error)   { return strconv.Atoi(value) }
func toInt64(value string) (any, error) { return strconv.ParseInt(value, 10, 64) }
func toFloat(value string) (any, error) { return strconv.ParseFloat(value, 64) }

func toFloat32(value string) (any, error) {
	f, err := strconv.ParseFloat(value, 32)
	if err != nil {
		return nil, err
	}
	return float32(f), nil
}

// toUmask reads a leading 0 or 0o as octal, as a YAML integer.
func toUmask(value string) (any, error) { return strconv.ParseUint(value, 0, 32) }

// toBoolean accepts YAML 1.1's y/yes/on and n/no/off too, as compose-go.
func toBoolean(value string) (any, error) {
	switch strings.ToLower(value) {
	case "true", "y", "yes", "on":
		return true, nil
	case "false", "n", "no", "off":
		return false, nil
	}
	return nil, fmt.Errorf("invalid boolean: %s", value)
}
