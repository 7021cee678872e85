package lint

import (
	"strconv"
	"strings"

	"github.com/composure-dev/composure/diag"
)

// hardening returns the metadata of an optional rule of the security
// group: settings that harden a service, whose absence is the default of
// most projects, so that reporting it by default would be noise. They run
// with --enable security, --enable ID, or `security: on` in composure.yaml.
func hardening(id, summary string, sev diag.Severity, practice int) Meta {
	return Meta{ID: id, Summary: summary, Severity: sev, Scope: ScopeEnv, Optional: true, Group: GroupSecurity, Practice: practice}
}

// eachActive calls check for every service of e, of every profile as
// every rule lints them (a finding behind a profile says which: reportAt),
// in written order, once per service config for the environments that
// share it (Pass.Service): the findings of these rules depend on the
// service's config alone.
func eachActive(p *Pass, e *Env, check func(name string, svc map[string]any)) {
	for _, name := range e.ServicesInOrder() {
		svc := e.Service(name)
		p.Service(name, svc, "", func() { check(name, svc) })
	}
}

// reportAt reports at the value at path key (.index and sub, when index is
// not negative) of service name. msg gets the subject: the service, or,
// when the value is inside an anchor several services merge, "the services
// merging this block" (one finding at the anchor stands for all of them,
// its aliases as related locations), and the verb's -s.
func reportAt(p *Pass, e *Env, name, key string, index int, sub string, msg func(who, sfx string) string) {
	at := svcPath(name, strings.Split(key, ".")...)
	if index >= 0 {
		at += "." + strconv.Itoa(index) + sub
	}
	sp, rel, ok := e.Span(at)
	if !ok {
		return
	}
	who, sfx := e.subject(name, sp, rel)
	p.ReportServices(diag.Finding{Severity: p.meta.Severity, Span: sp, Related: rel, Message: msg(who, sfx)}, name)
}

// reportMissing reports what service name lacks at its name, where it is
// first defined: a setting it does not have has no place of its own.
func reportMissing(p *Pass, e *Env, name, msg string) {
	if sp, rel, ok := e.KeySpan(svcPath(name)); ok {
		p.ReportServices(diag.Finding{Severity: p.meta.Severity, Span: sp, Related: rel, Message: msg}, name)
	}
}

// capList reports whether list (cap_add or cap_drop) names capability c
// (ALL, NET_ADMIN...), in any case, with or without CAP_.
func capList(e *Env, list any, c string) bool {
	for _, it := range asSlice(list) {
		if s, ok := e.Str(it); ok && strings.TrimPrefix(strings.ToUpper(s), "CAP_") == c {
			return true
		}
	}
	return false
}

// isTrue reports whether v reads as true.
func isTrue(e *Env, v any) bool {
	s, ok := e.Str(v)
	return ok && (s == "true" || s == "True" || s == "TRUE")
}

// unknown reports whether v is set but cannot be read: a variable without
// a value in this environment (read_only: ${READONLY}). A hardening rule
// does not claim a setting is missing when the file sets it from a
// variable it cannot see.
func unknown(e *Env, v any) bool {
	if v == nil {
		return false
	}
	_, ok := e.Str(v)
	_, scalar := v.(string)
	return scalar && !ok
}
