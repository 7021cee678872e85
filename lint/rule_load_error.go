package lint

import (
	"errors"
	"slices"
	"strings"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
)

// LoadError reports what docker compose refuses in an environment (a
// schema violation, a reference to nothing, a dependency cycle, a variable
// required and not set...), each reason at its place, as an error: the
// environment's load (Env.Refused). Where another rule reports an error at
// the same line, that finding says it better and the refusal is left out.
//
// Files that cannot be read at all (broken YAML, a merge key on a scalar)
// are load-error findings too, reported by the loader, not by this
// visitor: nothing is linted from them, and the run exits 2.
type LoadError struct{ RuleBase }

var _ Rule = (*LoadError)(nil)

// NewLoadError returns the load-error rule.
func NewLoadError() *LoadError {
	return &LoadError{RuleBase{Meta{ID: "load-error", Summary: "what docker compose refuses, and files that cannot be loaded",
		Severity: diag.Error, Scope: ScopeEnv}}}
}

// VisitEnv reports the environment's refusals.
func (r *LoadError) VisitEnv(p *Pass, e *Env) {
	for _, f := range e.Refused {
		f.Severity = p.meta.Severity
		p.Report(f)
	}
}

// dropCovered leaves out the refusals (load-error findings of an
// environment) at a line where another rule reports an error: an unknown
// key is reported by unknown-key with a did-you-mean, a reference to
// nothing by undeclared-resource, and docker compose's own words would say
// it twice.
func dropCovered(fs []diag.Finding) []diag.Finding {
	type line struct {
		file string
		n    int
	}
	covered := map[line]bool{}
	for _, f := range fs {
		if f.Rule != "load-error" && f.Severity >= diag.Error {
			covered[line{f.Span.File, f.Span.Start.Line}] = true
			if f.Rule == "unknown-key" {
				// the other keys it names (the other top-level services of
				// a v1 file), which the schema's error may point at
				for _, r := range f.Related {
					covered[line{r.Span.File, r.Span.Start.Line}] = true
				}
			}
		}
	}
	return slices.DeleteFunc(fs, func(f diag.Finding) bool {
		return f.Rule == "load-error" && len(f.Envs) > 0 && covered[line{f.Span.File, f.Span.Start.Line}]
	})
}

// ErrorFinding turns a load error into a finding. An alias to an undefined
// anchor is a yaml-anchors finding; other errors are load-error. file names
// the file when err does not.
func ErrorFinding(err error, file string) diag.Finding {
	f := diag.Finding{Rule: "load-error", Severity: diag.Error, Message: err.Error(), Span: diag.Span{File: file}}
	var ce *compose.Error
	if errors.As(err, &ce) {
		f.Message = ce.Msg
		f.Span = diag.Span{File: ce.File, Start: diag.Pos(ce.Pos)}
		if strings.Contains(ce.Msg, "refers to no anchor") {
			f.Rule = "yaml-anchors"
		}
	}
	return f
}

// ErrorFindings is ErrorFinding for each problem of err: an environment
// docker compose refuses for several reasons (every variable that fails to
// interpolate) gives one finding a reason, each at its place.
func ErrorFindings(err error, file string) []diag.Finding {
	var list compose.ErrorList
	if errors.As(err, &list) {
		out := make([]diag.Finding, len(list))
		for i, e := range list {
			out[i] = ErrorFinding(e, file)
		}
		return out
	}
	return []diag.Finding{ErrorFinding(err, file)}
}
