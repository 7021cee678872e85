package lint

import (
	"fmt"
	"strings"

	"github.com/composure-dev/composure/diag"
)

// DockerfileSlimBase suggests a slim or alpine variant when the image a
// Dockerfile produces runs on a full language image (best practice 7): the
// full python, node and ruby images carry compilers and headers a running
// application does not need; golang is a build image.
type DockerfileSlimBase struct{ RuleBase }

var _ DockerfileRule = (*DockerfileSlimBase)(nil)

// NewDockerfileSlimBase returns the dockerfile-slim-base rule.
func NewDockerfileSlimBase() *DockerfileSlimBase {
	return &DockerfileSlimBase{RuleBase{Meta{ID: "dockerfile-slim-base", Summary: "full language image where a slim or alpine variant exists",
		Severity: diag.Info, Scope: ScopeDockerfile, Practice: 7}}}
}

// slimVariants are the run images with smaller variants of every version,
// and the variant to suggest.
var slimVariants = map[string]string{"python": "slim", "node": "slim", "ruby": "slim", "golang": "alpine", "openjdk": "slim", "perl": "slim"}

// VisitDockerfile checks the image the build produces.
func (r *DockerfileSlimBase) VisitDockerfile(p *Pass, df *Dockerfile) {
	s := df.Final()
	if df.Target != "" {
		if t := df.Stage(df.Target); t != nil {
			s = t
		}
	}
	for s.Parent != nil {
		s = s.Parent
	}
	if !s.Resolved {
		return
	}
	ref := parseImageRef(s.Image)
	variant, ok := slimVariants[ref.repo]
	if !ok {
		return
	}
	for _, small := range []string{"slim", "alpine", "windowsservercore", "nanoserver"} {
		if strings.Contains(ref.tag, small) {
			return
		}
	}
	want := ref.repo + ":" + variant
	if ref.tag != "" && ref.tag != "latest" {
		version, _, _ := strings.Cut(ref.tag, "-")
		want = ref.repo + ":" + version + "-" + variant
	}
	msg := fmt.Sprintf("the image runs on the full %q image: %q has the same %s with a smaller OS and no compilers; use it unless the application needs them at run time", s.Image, want, ref.repo)
	if ref.repo == "golang" {
		msg = fmt.Sprintf("the image runs on %q, a build image with the whole Go toolchain: build in it and copy the binary into %q, distroless or scratch", s.Image, want)
	}
	p.Report(diag.Finding{Severity: p.meta.Severity, Span: fromSpan(df, s), Message: msg})
}
