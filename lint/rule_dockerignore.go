package lint

import (
	"fmt"
	"path/filepath"

	"github.com/composure-dev/composure/diag"
)

// Dockerignore reports local build contexts without a .dockerignore: the
// whole directory (.git, caches, local databases, keys) is sent to the
// builder and can end up in the image with `COPY . .`.
type Dockerignore struct{ RuleBase }

var _ Rule = (*Dockerignore)(nil)

// NewDockerignore returns the dockerignore rule.
func NewDockerignore() *Dockerignore {
	return &Dockerignore{RuleBase{Meta{ID: "dockerignore", Summary: "local build contexts without a .dockerignore",
		Severity: diag.Warning, Scope: ScopeEnv, Practice: 10}}}
}

// VisitEnv checks the build context of every service of e.
func (r *Dockerignore) VisitEnv(p *Pass, e *Env) {
	for _, name := range e.ServiceNames() {
		svc := e.Service(name)
		ctx, df, ok := buildPaths(e, svc)
		if !ok || !exists(ctx) {
			continue
		}
		if exists(filepath.Join(ctx, ".dockerignore")) {
			continue
		}
		// BuildKit also reads <Dockerfile>.dockerignore next to the Dockerfile.
		if df != "" {
			dfp := df
			if !filepath.IsAbs(dfp) {
				dfp = filepath.Join(ctx, df)
			}
			if exists(dfp + ".dockerignore") {
				continue
			}
		}
		path := svcPath(name, "build")
		if _, isMap := svc["build"].(map[string]any); isMap {
			if _, has := svc["build"].(map[string]any)["context"]; has {
				path = svcPath(name, "build", "context")
			}
		}
		sp, rel, ok := e.Span(path)
		if !ok {
			continue
		}
		rctx, err := filepath.Rel(e.Dir, ctx)
		if err != nil {
			rctx = ctx
		}
		// Inside an anchor merged by several services, one finding at the
		// anchor stands for all of them: its message names none.
		who, _ := e.subject(name, sp, rel)
		p.ReportServices(diag.Finding{Severity: p.meta.Severity, Span: sp, Related: rel,
			Message: fmt.Sprintf("build context %q of %s has no .dockerignore: everything in it (.git, caches, secrets) is sent to the builder; add one", rctx, who)}, name)
	}
}
