package lint

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/dockerfile"
)

// DockerfileMultiStage reports build tooling installed or run in the image
// a Dockerfile produces (best practice 8): compilers and -dev headers,
// poetry, go build, npm run build, cargo build, mvn package. In a
// single-stage Dockerfile it suggests a build stage and COPY --from; in a
// multi-stage one, moving the step out of the final stage.
type DockerfileMultiStage struct{ RuleBase }

var _ DockerfileRule = (*DockerfileMultiStage)(nil)

// NewDockerfileMultiStage returns the dockerfile-multi-stage rule.
func NewDockerfileMultiStage() *DockerfileMultiStage {
	return &DockerfileMultiStage{RuleBase{Meta{ID: "dockerfile-multi-stage", Summary: "build tooling left in the final image",
		Severity: diag.Warning, Scope: ScopeDockerfile, Practice: 8}}}
}

// VisitDockerfile checks the stages that reach the image.
func (r *DockerfileMultiStage) VisitDockerfile(p *Pass, df *Dockerfile) {
	if devImage(df.Name) {
		return
	}
	t := targetStage(df)
	var tools []string
	var rel []diag.Related
	var chain []*dockerfile.Stage
	for s := t; s != nil; s = s.Parent {
		chain = append([]*dockerfile.Stage{s}, chain...)
	}
	for _, s := range chain {
		for _, ins := range s.Instructions {
			var here []string
			for _, c := range calls(ins) {
				if tool := c.tooling(); tool != "" && !slices.Contains(tools, tool) {
					tools = append(tools, tool)
					here = append(here, tool)
				}
			}
			if len(here) > 0 {
				rel = append(rel, df.Related(ins, "build tooling: "+strings.Join(here, ", ")))
			}
		}
	}
	if len(tools) == 0 {
		return
	}
	shown := tools
	if len(shown) > 4 {
		shown = append(slices.Clone(shown[:4]), "...")
	}
	msg := fmt.Sprintf("single-stage image keeps its build tooling (%s) at run time: build in a stage of its own (FROM ... AS build) and COPY --from=build only the result into a slim final stage", strings.Join(shown, ", "))
	if len(df.Stages) > 1 {
		msg = fmt.Sprintf("the final image installs or runs build tooling (%s): move those steps to a build stage and COPY --from it only the result", strings.Join(shown, ", "))
	}
	p.Report(diag.Finding{Severity: p.meta.Severity, Span: df.InstrSpan(t.From), Related: rel, Message: msg})
}

// devImage reports whether a Dockerfile's name says it builds a
// development image (Dockerfile.dev, server.Dockerfile.dev, dev.Dockerfile,
// Dockerfile.development, debug.Dockerfile): such an image runs a
// watch-mode server over the mounted source and needs its tooling at run
// time, so a build stage of its own has nothing to leave behind.
func devImage(name string) bool {
	for _, w := range strings.FieldsFunc(strings.ToLower(filepath.Base(name)), func(r rune) bool { return r == '.' || r == '-' || r == '_' }) {
		switch w {
		case "dev", "development", "devcontainer", "debug":
			return true
		}
	}
	return false
}
