package lint

import (
	"errors"
	"strings"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
)

// LoadError stands for files and environments that cannot be loaded at all
// (broken YAML, a merge key on a scalar, an environment docker compose
// rejects). The loader reports it, not a visitor, so linting goes on with
// the other files; the run exits 2.
type LoadError struct{ RuleBase }

var _ Rule = (*LoadError)(nil)

// NewLoadError returns the load-error rule.
func NewLoadError() *LoadError {
	return &LoadError{RuleBase{Meta{ID: "load-error", Summary: "files or environments that cannot be loaded",
		Severity: diag.Error}}}
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
