package lint

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
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

// copiedDirs returns the directories of the build context ctx that ins
// copies into the working directory whole (`COPY frontend .`); nil when it
// copies anything else, or ctx is unknown.
func copiedDirs(ins *dockerfile.Instruction, ctx string) []string {
	c, ok := ins.Command.(*instructions.CopyCommand)
	if !ok || c.From != "" || ctx == "" {
		return nil
	}
	if d := strings.TrimSuffix(c.DestPath, "/"); d != "." && d != "" {
		return nil
	}
	var dirs []string
	for _, src := range c.SourcePaths {
		src = path.Clean(src)
		if strings.ContainsAny(src, "*?[$") || strings.HasPrefix(src, "..") || path.IsAbs(src) || src == "." {
			return nil
		}
		if st, err := os.Stat(filepath.Join(ctx, filepath.FromSlash(src))); err != nil || !st.IsDir() {
			return nil
		}
		dirs = append(dirs, src)
	}
	return dirs
}

// VisitDockerfile checks every stage.
func (r *DockerfileCopyOrder) VisitDockerfile(p *Pass, df *Dockerfile) {
	ctx := df.Context()
	for _, s := range df.Stages {
		if !df.Built(s) {
			continue // never built: nothing is cached, nothing reruns
		}
		var copyAll *dockerfile.Instruction
		// Tools that already installed the dependencies before the whole
		// context came: a second run after it installs the project itself
		// (uv sync --no-install-project, then uv sync).
		before := map[string]bool{}
		// copies of a directory of the context before any install
		// (mealie: COPY frontend . then yarn install)
		type dirCopy struct {
			ins  *dockerfile.Instruction
			dirs []string
		}
		var dirCopies []dirCopy
		for _, ins := range s.Instructions {
			if copyAll == nil {
				if copiesContext(ins) {
					copyAll = ins
					continue
				}
				if dirs := copiedDirs(ins, ctx); dirs != nil {
					dirCopies = append(dirCopies, dirCopy{ins, dirs})
					continue
				}
				reported := false
				for _, c := range calls(ins) {
					tool, manifests, ok := c.depInstall()
					if !ok {
						continue
					}
					if !before[tool] && !reported {
						for _, dc := range dirCopies {
							if dir, ok := holdsManifest(ctx, dc.dirs, manifests); ok {
								r.reportDir(p, df, dc.ins, ins, tool, dir, manifests)
								reported = true
								break
							}
						}
					}
					before[tool] = true
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

// holdsManifest returns the first of dirs (of the context ctx) that holds
// one of manifests.
func holdsManifest(ctx string, dirs, manifests []string) (string, bool) {
	for _, d := range dirs {
		for _, m := range manifests {
			if exists(filepath.Join(ctx, filepath.FromSlash(d), m)) {
				return d, true
			}
		}
	}
	return "", false
}

// reportDir reports a copy of dir, a directory of the context holding the
// dependency manifest, before the install that reads it.
func (r *DockerfileCopyOrder) reportDir(p *Pass, df *Dockerfile, cp, install *dockerfile.Instruction, tool, dir string, manifests []string) {
	var first []string
	for _, m := range manifests {
		first = append(first, dir+"/"+m)
	}
	what := strings.TrimSpace(cp.Keyword + " " + cp.Args.S)
	msg := fmt.Sprintf("%q at line %d copies all of %s/ before %q at line %d: any change in it reruns the install; copy the manifest first: COPY %s ./, RUN %s, then %s",
		what, df.Line(cp), dir, tool, df.Line(install), strings.Join(first, " "), tool, what)
	p.Report(diag.Finding{Severity: p.meta.Severity, Span: df.InstrSpan(cp), Message: msg,
		Related: []diag.Related{df.Related(install, "the dependency install that reruns on every change of "+dir+"/")}})
}
