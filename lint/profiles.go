package lint

import (
	"fmt"
	"slices"
	"strings"

	"github.com/composure-dev/composure/diag"
)

// Profiles: lint checks every service of every profile, as `docker compose
// --profile '*'` would run them, not only those the environment's active
// profiles enable: a privileged container or a Docker socket behind a
// `debug` profile runs as soon as someone enables it. A finding about a
// service the active profiles leave out says which profile it needs, in
// its message: ` (only with profile "debug")`. Environment rules report
// such findings through Pass.ReportServices; Postprocess drops the
// profile-only copy of a finding that also holds without one (an anchor
// merged by a gated and an ungated service).

// activeProfiles returns the profiles an environment enables: its own,
// else COMPOSE_PROFILES split on commas as docker compose splits it
// (cli.WithDefaultProfiles), so that unset it enables the one profile ""
// (dify lists "" among a service's profiles to have it run by default).
func activeProfiles(own []string, lookup func(string) (string, bool)) []string {
	if len(own) > 0 {
		return own
	}
	var v string
	if lookup != nil {
		v, _ = lookup("COMPOSE_PROFILES")
	}
	var out []string
	for _, p := range strings.Split(v, ",") {
		out = append(out, strings.TrimSpace(p))
	}
	return out
}

// applyProfiles marks the services of e whose profiles none of active
// enables, as compose-go's WithProfiles does ("*" enables all).
func applyProfiles(e *Env, active []string) {
	all := slices.Contains(active, "*")
	for name, svc := range e.Services {
		ps, _ := asMap(svc)["profiles"].([]any)
		if len(ps) == 0 || all {
			continue
		}
		on := false
		for _, x := range ps {
			if s, ok := x.(string); ok && slices.Contains(active, s) {
				on = true
			}
		}
		if !on {
			e.Disabled[name] = true
		}
	}
}

// serviceProfiles returns the profiles of service name (nil: none, it
// always runs).
func (e *Env) serviceProfiles(name string) []string {
	var out []string
	for _, x := range asSlice(e.Service(name)["profiles"]) {
		if s, ok := e.Str(x); ok && s != "" {
			out = append(out, s)
		}
	}
	return out
}

// gate returns the profiles one of which service name needs to run in e:
// nil when the active profiles enable it (or it has none).
func (e *Env) gate(name string) []string {
	if !e.Disabled[name] {
		return nil
	}
	return e.serviceProfiles(name)
}

// RunTogether reports whether services a and b of e can run at the same
// time with one profile enabled: both enabled by the active profiles, one
// of them always on (it has no profile) and the other with its profile, or
// both with a profile they share. Two services gated by different profiles
// are alternatives (a `cpu` and a `gpu` variant of one service, `prod` and
// `dev` stacks), not compared, whether or not one of those profiles is
// active: the same file linted with `--profile prod` and without it tells
// the same story.
func (e *Env) RunTogether(a, b string) bool {
	if e.gate(a) == nil && e.gate(b) == nil {
		return true
	}
	pa, pb := e.serviceProfiles(a), e.serviceProfiles(b)
	if len(pa) == 0 || len(pb) == 0 {
		return true
	}
	return slices.ContainsFunc(pa, func(p string) bool { return slices.Contains(pb, p) })
}

// leftOut reports whether service b may be left out when service a runs in
// e: b runs only with a profile, and a runs without it (with no profile, or
// with one of its own that does not enable b).
func (e *Env) leftOut(a, b string) bool {
	gb := e.gate(b)
	if gb == nil {
		return false
	}
	ga := e.gate(a)
	if ga == nil {
		return true
	}
	for _, p := range ga {
		if !slices.Contains(gb, p) {
			return true
		}
	}
	return false
}

// profileNote is what a finding about services names adds to its message
// when some of them run only with a profile e does not enable: ` (only
// with profile "debug")`, ` (only with profile "cpu" or "gpu")`, ` (only
// with profiles "a" and "b")`; "" when all of them run.
func (e *Env) profileNote(names ...string) string {
	var groups [][]string
	for _, n := range names {
		g := e.gate(n)
		if g == nil || slices.ContainsFunc(groups, func(h []string) bool { return slices.Equal(g, h) }) {
			continue
		}
		groups = append(groups, g)
	}
	if len(groups) == 0 {
		return ""
	}
	// A profile every gated service has enables them all: any of those
	// (a service in profiles ghost and split runs with either).
	var common []string
	for _, p := range groups[0] {
		if !slices.ContainsFunc(groups, func(h []string) bool { return !slices.Contains(h, p) }) {
			common = append(common, p)
		}
	}
	if len(common) > 0 {
		groups = [][]string{common}
	}
	return formatProfileNote(groups)
}

// formatProfileNote renders the note for groups of profiles: one profile of
// each group must be enabled.
func formatProfileNote(groups [][]string) string {
	quote := func(ps []string) string { return strings.Join(quoted(ps), " or ") }
	if len(groups) == 1 {
		return fmt.Sprintf(" (only with profile %s)", quote(groups[0]))
	}
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = quote(g)
		if len(g) > 1 {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return fmt.Sprintf(" (only with profiles %s)", strings.Join(parts, " and "))
}

// profileNotePrefix starts every note profileNote makes.
const profileNotePrefix = " (only with profile"

// ReportServices reports f, a finding about services names of the
// environment: its message says which profile it needs when some of them
// run only with a profile the environment does not enable.
func (p *Pass) ReportServices(f diag.Finding, names ...string) {
	if p.env != nil {
		f.Message += p.env.profileNote(names...)
	}
	p.Report(f)
}

// ReportAnyService reports f, a finding that holds as soon as any of
// services names runs (one .dockerignore for every service that builds
// from a context): when all of them run only with a profile, its message
// says which profiles enable one ("or", not "and").
func (p *Pass) ReportAnyService(f diag.Finding, names ...string) {
	if p.env != nil {
		f.Message += p.env.anyProfileNote(names...)
	}
	p.Report(f)
}

// anyProfileNote is profileNote for a finding that needs any one of names
// to run: "" when one of them runs without a profile.
func (e *Env) anyProfileNote(names ...string) string {
	var union []string
	for _, n := range names {
		g := e.gate(n)
		if g == nil {
			return ""
		}
		for _, p := range g {
			if !slices.Contains(union, p) {
				union = append(union, p)
			}
		}
	}
	if len(union) == 0 {
		return ""
	}
	return formatProfileNote([][]string{union})
}

// withoutProfileNote returns msg without the profile note profileNote
// appends, and whether it had one.
func withoutProfileNote(msg string) (string, bool) {
	i := strings.LastIndex(msg, profileNotePrefix)
	if i < 0 || !strings.HasSuffix(msg, ")") {
		return msg, false
	}
	return msg[:i], true
}

// dropProfileCopies removes from fs each finding that only repeats, with a
// profile note, a finding that holds without one (same rule, span and
// message but the note), adding its environments to that finding's.
func dropProfileCopies(fs []diag.Finding) []diag.Finding {
	type key struct {
		rule, msg string
		span      diag.Span
	}
	plain := map[key]int{}
	for i, f := range fs {
		if _, noted := withoutProfileNote(f.Message); !noted {
			plain[key{f.Rule, f.Message, f.Span}] = i
		}
	}
	drop := make([]bool, len(fs))
	for i, f := range fs {
		msg, noted := withoutProfileNote(f.Message)
		if !noted {
			continue
		}
		j, ok := plain[key{f.Rule, msg, f.Span}]
		if !ok {
			continue
		}
		drop[i] = true
		for _, e := range f.Envs {
			if !slices.Contains(fs[j].Envs, e) {
				fs[j].Envs = append(fs[j].Envs, e)
			}
		}
	}
	out := make([]diag.Finding, 0, len(fs))
	for i, f := range fs {
		if !drop[i] {
			out = append(out, f)
		}
	}
	return out
}

// quoted returns each of ss in Go quotes.
func quoted(ss []string) []string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return q
}
