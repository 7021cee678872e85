package lint

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/dockerfile"
)

// DockerfileRunChain reports consecutive RUN instructions of one stage that
// could be one layer (best practice 3), with a fix that joins them with
// ` && \`. RUNs with different flags (--mount, --network), heredocs or the
// exec form are left apart: joining them would change what runs.
type DockerfileRunChain struct{ RuleBase }

var _ DockerfileRule = (*DockerfileRunChain)(nil)

// NewDockerfileRunChain returns the dockerfile-run-chain rule.
func NewDockerfileRunChain() *DockerfileRunChain {
	return &DockerfileRunChain{RuleBase{Meta{ID: "dockerfile-run-chain", Summary: "consecutive RUN instructions that could be one layer",
		Severity: diag.Warning, Scope: ScopeDockerfile, Fixable: true, Practice: 3}}}
}

// VisitDockerfile finds the runs of consecutive RUNs in every stage.
func (r *DockerfileRunChain) VisitDockerfile(p *Pass, df *Dockerfile) {
	for _, s := range df.Stages {
		if !df.Built(s) {
			continue
		}
		var group []*dockerfile.Instruction
		flush := func() {
			if len(group) > 1 {
				r.report(p, df, s, group)
			}
			group = nil
		}
		for _, ins := range s.Instructions {
			if ins.Cmd != "run" || ins.JSON || len(ins.Heredocs) > 0 {
				flush()
				continue
			}
			if len(group) > 0 && !slices.Equal(group[0].Flags, ins.Flags) {
				flush()
			}
			group = append(group, ins)
		}
		flush()
	}
}

func (r *DockerfileRunChain) report(p *Pass, df *Dockerfile, s *dockerfile.Stage, group []*dockerfile.Instruction) {
	lines := make([]string, 0, len(group))
	for _, ins := range group {
		lines = append(lines, strconv.Itoa(df.Line(ins)))
	}
	sev := p.meta.Severity
	where := ""
	if !df.Shipped(s) {
		sev = diag.Info
		where = " (a build stage: its layers do not reach the image, so this only tidies it)"
	}
	f := diag.Finding{Severity: sev, Span: df.InstrSpan(group[1]),
		Message: fmt.Sprintf("%d consecutive RUN instructions (lines %s) make %d layers: chain them with && into one RUN%s", len(group), strings.Join(lines, ", "), len(group), where)}
	for i, ins := range group {
		if i != 1 {
			f.Related = append(f.Related, df.Related(ins, "RUN that can join the chain"))
		}
	}
	f.Fix = r.fix(df, group)
	p.Report(f)
}

// stateful are shell builtins whose effect would reach the next command
// once the RUNs are joined (each RUN starts a fresh shell).
var stateful = map[string]bool{"cd": true, "export": true, "source": true, ".": true, "set": true, "unset": true,
	"umask": true, "pushd": true, "popd": true, "shopt": true, "alias": true, "ulimit": true, "trap": true, "exit": true, "exec": true}

// fix joins the group into its first RUN: each later RUN keyword becomes
// ` && \` and a continuation line; comments between stay as comment lines.
func (r *DockerfileRunChain) fix(df *Dockerfile, group []*dockerfile.Instruction) *diag.Fix {
	if df.Inline() {
		return nil
	}
	for i, ins := range group {
		t := strings.TrimSpace(ins.Args.S)
		if strings.HasSuffix(t, ";") || strings.HasSuffix(t, "&") || strings.HasSuffix(t, "|") || t == "" {
			return nil
		}
		if i == len(group)-1 {
			break
		}
		for _, c := range calls(ins) {
			if stateful[c.prog()] || stateful[c.cmd.Words[0].Value] {
				return nil
			}
		}
	}
	esc := string(df.Escape)
	indent := "    "
	var edits []diag.TextEdit
	for i := 1; i < len(group); i++ {
		prevEnd := group[i-1].EndOff
		argStart := df.Offset(group[i].Args.Pos(0))
		nl := "\n"
		if prevEnd < len(df.Src) && df.Src[prevEnd] == '\r' {
			nl = "\r\n" // keep the file's line endings
		}
		var b strings.Builder
		b.WriteString(" && " + esc + nl)
		for _, line := range strings.Split(string(df.Src[prevEnd:group[i].StartOff]), "\n") {
			if t := strings.TrimSpace(line); strings.HasPrefix(t, "#") {
				b.WriteString(indent + t + nl)
			}
		}
		b.WriteString(indent)
		edits = append(edits, df.Edit(prevEnd, argStart, b.String()))
	}
	return &diag.Fix{Message: fmt.Sprintf("join the %d RUN instructions with && into one", len(group)), Edits: edits}
}
