package merge

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/template"
	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/internal/pathtrie"
	"github.com/composure-dev/composure/internal/subst"
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
	return func(o *options) { o.lookup = lookup }
}

// WithWarnings receives warnings found while merging (a variable used but
// not set), with where they were found.
func WithWarnings(warn func(at compose.Location, msg string)) Option {
	return func(o *options) { o.warn = warn }
}

// interpolated substitutes variables in x in place (x is freshly decoded:
// no value of it is shared), keeping its origins. Every failure is
// reported, each at its value, in path order, as docker compose reports
// them all.
func (o *options) interpolated(x *val, d *compose.Document) (*val, error) {
	if o.lookup == nil || x.kind != kMap {
		return x, nil
	}
	ip := interpolator{opts: o, doc: d}
	ip.walk(x, pathtrie.Start(castTrie))
	if len(ip.errs) == 0 {
		return x, nil
	}
	slices.SortStableFunc(ip.errs, func(a, b pathErr) int { return slices.Compare(a.path, b.path) })
	list := make(compose.ErrorList, len(ip.errs))
	for i, e := range ip.errs {
		list[i] = e.err
	}
	return nil, list
}

// interpolator walks one decoded document.
type interpolator struct {
	opts *options
	doc  *compose.Document
	path []string
	errs []pathErr
}

type pathErr struct {
	path []string
	err  *compose.Error
}

func (ip *interpolator) walk(x *val, st pathtrie.State[cast]) {
	switch x.kind {
	case kMap:
		for k, e := range x.m {
			if e == nil {
				continue
			}
			ip.path = append(ip.path, k)
			ip.walk(e, st.Next(k))
			ip.path = ip.path[:len(ip.path)-1]
		}
	case kSeq:
		next := st.Next("[]")
		for _, e := range x.s {
			if e == nil {
				continue
			}
			ip.path = append(ip.path, "[]")
			ip.walk(e, next)
			ip.path = ip.path[:len(ip.path)-1]
		}
	case kScalar:
		s, ok := x.v.(string)
		if !ok {
			return
		}
		out, err := ip.substitute(s, x)
		if err != nil {
			ip.fail(x, err)
			return
		}
		x.v = out
		if c, ok := st.Match(); ok {
			v, err := c(out)
			if err != nil {
				ip.fail(x, fmt.Errorf("error while interpolating %s: failed to cast to expected type: %w", ip.dotted(), err))
				return
			}
			x.v = v
		}
	}
}

// substitute replaces the variables of s. A variable used bare (`${VAR}`,
// `$VAR`) that is not set becomes empty with a warning at its value, as
// docker compose warns.
func (ip *interpolator) substitute(s string, at *val) (string, error) {
	if strings.IndexByte(s, '$') < 0 {
		return s, nil
	}
	// the common shapes, without compose-go's regular expression; the rest
	// (errors and unset variables included) through compose-go
	if out, ok := subst.Fast(s, ip.opts.lookup); ok {
		return out, nil
	}
	out, err := substituteTemplate(s, ip.opts.lookup, func(name string) {
		if ip.opts.warn != nil && at.at != nil {
			ip.opts.warn(ip.variableAt(at, name), fmt.Sprintf("The %q variable is not set. Defaulting to a blank string.", name))
		}
	})
	if err == nil {
		return out, nil
	}
	var invalid *template.InvalidTemplateError
	if errors.As(err, &invalid) {
		return "", &invalidTemplate{path: ip.dotted(), fragment: invalidFragment(s)}
	}
	return "", fmt.Errorf("error while interpolating %s: %w", ip.dotted(), err)
}

// substituteTemplate substitutes the variables of s with compose-go's
// template, telling unset about each variable used bare and not set.
func substituteTemplate(s string, lookup func(string) (string, bool), unset func(name string)) (string, error) {
	last := ""
	look := func(name string) (string, bool) {
		last = name
		return lookup(name)
	}
	replace := func(sub string, m template.Mapping, cfg *template.Config) (string, error) {
		last = ""
		v, applied, err := template.DefaultReplacementAppliedFunc(sub, m, cfg)
		if err == nil && !applied && last != "" {
			unset(last)
		}
		return v, err
	}
	return template.SubstituteWithOptions(s, look, template.WithoutLogging, template.WithReplacementFunction(replace))
}

func (ip *interpolator) fail(x *val, err error) {
	e := &compose.Error{Location: compose.Location{File: ip.doc.Name}, Msg: err.Error(), Err: err}
	if x.at != nil && x.at.loc.IsValid() {
		e.Location = x.at.loc
		var missing *template.MissingRequiredError
		var invalid *invalidTemplate
		switch {
		case errors.As(err, &missing):
			e.Location = ip.variableAt(x, missing.Variable)
		case errors.As(err, &invalid):
			if loc, ok := ip.doc.Find(x.at.loc, invalid.fragment, 1<<16); ok {
				e.Location = loc
			}
		}
	}
	ip.errs = append(ip.errs, pathErr{path: slices.Clone(ip.path), err: e})
}

// invalidTemplate is a value with a `$` that starts no variable. docker
// compose prints the whole value after its message; composure, which
// places the error, quotes the offending part, so that the message stays
// one line whatever the value.
type invalidTemplate struct {
	path     string
	fragment string // from the offending `$` to the end of its line
}

func (e *invalidTemplate) Error() string {
	return fmt.Sprintf("invalid interpolation format for %s. You may need to escape any $ with another $. %q", e.path, e.fragment)
}

// invalidFragment is the part of s, from the first `$` that starts no
// variable to the end of its line.
func invalidFragment(s string) string {
	invalid := template.DefaultPattern.SubexpIndex("invalid")
	for _, m := range template.DefaultPattern.FindAllStringSubmatchIndex(s, -1) {
		if invalid >= 0 && m[2*invalid] >= 0 {
			rest := s[m[0]:]
			if i := strings.IndexByte(rest, '\n'); i >= 0 {
				rest = rest[:i]
			}
			return rest
		}
	}
	return s
}

// variableAt is where variable name is used in the text of value x: its
// `${name` or `$name`, else the value itself.
func (ip *interpolator) variableAt(x *val, name string) compose.Location {
	const limit = 4096 // a value's text; block scalars may span lines
	for _, text := range []string{"${" + name, "$" + name} {
		if loc, ok := ip.doc.Find(x.at.loc, text, limit); ok {
			return loc
		}
	}
	return x.at.loc
}

// dotted is the current path as compose-go prints it (list items "[]").
func (ip *interpolator) dotted() string { return strings.Join(ip.path, ".") }

// cast converts an interpolated string to the type the specification
// gives the value.
type cast func(string) (any, error)

// castTrie holds typeCasts compiled; list items are matched as "[]".
var castTrie = func() *pathtrie.Trie[cast] {
	rows := make([]pathtrie.Pattern[cast], 0, len(typeCasts))
	for p, c := range typeCasts {
		rows = append(rows, pathtrie.Pattern[cast]{Path: p, Rule: c})
	}
	return pathtrie.Compile(rows)
}()

// typeCasts is loader/interpolate.go's interpolateTypeCastMapping, spelled
// out: container attributes under services.*, jobs.* and
// services.*.pre_start.*, workload attributes under services.* and jobs.*,
// service-only ones under services.*.
var typeCasts = map[string]cast{
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

// Interpolate returns v, the value at path of a tree merged without
// WithInterpolation, as WithInterpolation would have made it: variables
// substituted and the specification's types cast. It answers only where it
// is sure to agree: ok is false where an interpolation or a cast fails. It
// gives no warnings (a variable used but not set). v is not modified; the
// maps and lists that change are copied.
//
// Interpolating after the merge gives what interpolating each file before
// it gives only where no merge matched values by a text that has a variable
// (a port, a mount target); the caller sees to that.
func Interpolate(path []string, v any, lookup func(name string) (string, bool)) (any, bool) {
	st := pathtrie.Start(castTrie)
	for _, k := range path {
		st = st.Next(k)
	}
	out, _, ok := interpolatePlain(v, st, lookup)
	return out, ok
}

// interpolatePlain is Interpolate below st; changed says out is not v.
func interpolatePlain(v any, st pathtrie.State[cast], lookup func(string) (string, bool)) (out any, changed, ok bool) {
	switch x := v.(type) {
	case string:
		c, cast := st.Match()
		if !cast && strings.IndexByte(x, '$') < 0 {
			return v, false, true // most values: no allocation
		}
		s := x
		if strings.IndexByte(x, '$') >= 0 {
			if s, ok = substitutePlainString(x, lookup); !ok {
				return nil, false, false
			}
		}
		if cast {
			cv, err := c(s)
			if err != nil {
				return nil, false, false
			}
			return cv, true, true
		}
		return s, s != x, true
	case map[string]any:
		var cp map[string]any
		for k, e := range x {
			ne, ch, ok := interpolatePlain(e, st.Next(k), lookup)
			if !ok {
				return nil, false, false
			}
			if ch {
				if cp == nil {
					cp = maps.Clone(x)
				}
				cp[k] = ne
			}
		}
		if cp != nil {
			return cp, true, true
		}
	case []any:
		next := st.Next("[]")
		var cp []any
		for i, e := range x {
			ne, ch, ok := interpolatePlain(e, next, lookup)
			if !ok {
				return nil, false, false
			}
			if ch {
				if cp == nil {
					cp = slices.Clone(x)
				}
				cp[i] = ne
			}
		}
		if cp != nil {
			return cp, true, true
		}
	}
	return v, false, true
}

// substitutePlainString substitutes the variables of s as substitute
// does, without its warnings.
func substitutePlainString(s string, lookup func(string) (string, bool)) (string, bool) {
	if out, ok := subst.Fast(s, lookup); ok {
		return out, true
	}
	if nestedTemplate(s) {
		// compose-go substitutes a nested default with logging on: a
		// variable unset there is a warning the load prints (once per run),
		// not Interpolate (once per call)
		return "", false
	}
	out, err := substituteTemplate(s, lookup, func(string) {})
	return out, err == nil
}

// nestedTemplate reports whether s has a `$` inside a `${...}`.
func nestedTemplate(s string) bool {
	for i := strings.Index(s, "${"); i >= 0; {
		rest := s[i+2:]
		end := strings.IndexAny(rest, "$}")
		if end < 0 {
			return false
		}
		if rest[end] == '$' {
			return true
		}
		next := strings.Index(rest[end:], "${")
		if next < 0 {
			return false
		}
		s, i = rest[end:], next
	}
	return false
}
