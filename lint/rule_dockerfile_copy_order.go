package lint

import (
	"fmt"
	"strings"

	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/dockerfile"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// DockerfileCopyOrder reports a `COPY . .` (or ADD of the whole context)
// that comes before the step installing the dependencies in the same stage
// (best practice 5): every source change then invalidates the cached
// install layer. Copying the manifest first keeps it.
type DockerfileCopyOrder struct{ RuleBase }

var _ DockerfileRule = (*DockerfileCopyOrder)(nil)

// NewDockerfileCopyOrder returns the dockerfile-copy-order rule.
func NewDockerfileCopyOrder() *DockerfileCopyOrder {
	return &DockerfileCopyOrder{RuleBase{Meta{ID: "dockerfile-copy-order", Summary: "COPY of the whole context before the dependency install",
		Severity: diag.Warning, Scope: ScopeDockerfile, Practice: 5}}}
}

// copiesContext reports whether ins copies the whole build context.
func copiesContext(ins *dockerfile.Instruction) bool {
	var srcs []string
	switch c := ins.Command.(type) {
	case *instructions.CopyCommand:
		if c.From != "" {
			return false
		}
		srcs = c.SourcePaths
	case *instructions.AddCommand:
		srcs = c.SourcePaths
	default:
		return false
	}
	for _, s := range srcs {
		switch strings.TrimSuffix(s, "/") {
		case ".", "", "*", "./*":
			return true
		}
	}
	return false
}

// VisitDockerfile checks every stage.
func (r *DockerfileCopyOrder) VisitDockerfile(p *Pass, df *Dockerfile) {
	for _, s := range df.Stages {
		var copyAll *dockerfile.Instruction
		// Tools that already installed the dependencies before the whole
		// context came: a second run after it installs the project itself
		// (uv sync --no-install-project, then uv sync).
		before := map[string]bool{}
		for _, ins := range s.Instructions {
			if copyAll == nil {
				if copiesContext(ins) {
					copyAll = ins
					continue
				}
				for _, c := range calls(ins) {
					if tool, _, ok := c.depInstall(); ok {
						before[tool] = true
					}
				}
				continue
			}
			for _, c := range calls(ins) {
				tool, manifests, ok := c.depInstall()
				if !ok || before[tool] {
					continue
				}
				r.report(p, df, copyAll, ins, c, tool, manifests)
				copyAll = nil
				break
			}
			if copyAll == nil {
				break
			}
		}
	}
}

func (r *DockerfileCopyOrder) report(p *Pass, df *Dockerfile, copyAll, install *dockerfile.Instruction, c shellCall, tool string, manifests []string) {
	dest := "."
	if cc, ok := copyAll.Command.(*instructions.CopyCommand); ok {
		dest = cc.DestPath
	} else if ac, ok := copyAll.Command.(*instructions.AddCommand); ok {
		dest = ac.DestPath
	}
	if !strings.HasSuffix(dest, "/") {
		dest += "/"
	}
	if dest == "./" {
		dest = "./"
	}
	step := tool
	if strings.HasPrefix(tool, "poetry install") && !hasWord(c.args, "--no-root") {
		step += " --no-root"
	}
	what := strings.TrimSpace(copyAll.Keyword + " " + copyAll.Args.S)
	msg := fmt.Sprintf("%q at line %d copies the whole context before %q at line %d: any source change reruns the install; copy the manifest first: COPY %s %s, RUN %s, then %s",
		what, df.Line(copyAll), tool, df.Line(install), strings.Join(manifests, " "), dest, step, what)
	p.Report(diag.Finding{Severity: p.meta.Severity, Span: df.InstrSpan(copyAll), Message: msg,
		Related: []diag.Related{df.Related(install, "the dependency install that reruns on every source change")}})
}
