package lint

import (
	"fmt"

	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/dockerfile"
)

// ShellChecker checks a shell script; dockerfile.ShellCheck runs the
// shellcheck program.
type ShellChecker interface {
	Check(script, shell string) ([]dockerfile.ShellComment, error)
}

// DockerfileShellcheck runs ShellCheck on the scripts of RUN instructions,
// as hadolint does (best practice 11), and reports its comments at their
// place in the Dockerfile. It runs only with a checker
// (`composure lint --shellcheck` with shellcheck on PATH): by default
// composure executes nothing.
type DockerfileShellcheck struct {
	RuleBase
	checker ShellChecker
}

var _ DockerfileRule = (*DockerfileShellcheck)(nil)

// NewDockerfileShellcheck returns the dockerfile-shellcheck rule, without a
// checker.
func NewDockerfileShellcheck() *DockerfileShellcheck {
	return &DockerfileShellcheck{RuleBase: RuleBase{Meta{ID: "dockerfile-shellcheck", Summary: "ShellCheck findings in RUN scripts (with --shellcheck)",
		Severity: diag.Warning, Scope: ScopeDockerfile, Practice: 11}}}
}

// UseShellChecker gives the dockerfile-shellcheck rule among rules its
// checker.
func UseShellChecker(rules []Rule, c ShellChecker) {
	for _, r := range rules {
		if s, ok := r.(*DockerfileShellcheck); ok {
			s.checker = c
		}
	}
}

// VisitDockerfile checks every RUN script.
func (r *DockerfileShellcheck) VisitDockerfile(p *Pass, df *Dockerfile) {
	if r.checker == nil {
		return
	}
	for _, s := range df.Stages {
		if !df.Built(s) {
			continue
		}
		for _, ins := range s.Instructions {
			shell := s.Shell(ins)
			if shell == "" {
				continue
			}
			scripts := ins.Scripts()
			if len(ins.Heredocs) > 0 {
				// RUN <<EOF runs the bodies: check them, not the
				// `<<EOF` line; a heredoc fed to another program as
				// data is not a script.
				if len(scripts) < 2 {
					continue
				}
				scripts = scripts[1:]
			}
			for _, sc := range scripts {
				comments, err := r.checker.Check(sc.S, shell)
				if err != nil {
					p.Report(diag.Finding{Severity: diag.Error, Span: df.InstrSpan(ins), Message: fmt.Sprintf("shellcheck failed on this RUN: %v", err)})
					continue
				}
				for _, c := range comments {
					sev := diag.Info
					switch c.Level {
					case "error":
						sev = diag.Error
					case "warning":
						sev = diag.Warning
					}
					if p.override != nil {
						sev = *p.override
					}
					start := sc.Pos(sc.Offset(c.Line, c.Column))
					var end diag.Pos
					if c.EndLine == c.Line {
						end = sc.Pos(sc.Offset(c.EndLine, c.EndColumn))
					}
					p.Report(diag.Finding{Severity: sev, Span: df.Span(start, end),
						Message: fmt.Sprintf("SC%d: %s (https://www.shellcheck.net/wiki/SC%d)", c.Code, c.Message, c.Code)})
				}
			}
		}
	}
}
