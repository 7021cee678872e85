package lint

import (
	"fmt"
	"path/filepath"
	"slices"

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
	// One finding per build context: one .dockerignore fixes every service
	// that builds from it (hoppscotch builds seven from ".").
	type use struct {
		name string
		sp   diag.Span
		rel  []diag.Related
	}
	byCtx := map[string][]use{}
	var order []string
	for _, name := range e.ServiceNames() {
		svc := e.Service(name)
		ctx, df, ok := buildPaths(e, svc)
		if !ok || !exists(ctx) {
			continue
		}
		if exists(filepath.Join(ctx, ".dockerignore")) {
			continue
		}
		// a Dockerfile that copies nothing from the context (a
		// devcontainer's single FROM) sends nothing to the builder
		if f, _, _ := localDockerfile(e, svc); f != nil && !f.ReadsContext() {
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
		if _, seen := byCtx[ctx]; !seen {
			order = append(order, ctx)
		}
		byCtx[ctx] = append(byCtx[ctx], use{name, sp, rel})
	}
	for _, ctx := range order {
		uses := byCtx[ctx]
		// the finding at the first place in the files
		slices.SortStableFunc(uses, func(a, b use) int {
			return diag.Compare(diag.Finding{Span: a.sp}, diag.Finding{Span: b.sp})
		})
		first := uses[0]
		rctx, err := filepath.Rel(e.Dir, ctx)
		if err != nil {
			rctx = ctx
		}
		// Inside an anchor merged by several services, one finding at the
		// anchor stands for all of them: its message names none.
		who, _ := e.subject(first.name, first.sp, first.rel)
		rel := slices.Clone(first.rel) // sorted below; the span's own stays as it is
		names := []string{first.name}
		for _, u := range uses[1:] {
			if u.sp == first.sp {
				// the same anchor: its alias sites join the first's
				for _, r := range u.rel {
					if !slices.Contains(rel, r) {
						rel = append(rel, r)
					}
				}
				continue
			}
			names = append(names, u.name)
			rel = append(rel, diag.Related{Span: u.sp, Message: fmt.Sprintf("also the build context of service %q", u.name)})
		}
		slices.SortStableFunc(rel, func(a, b diag.Related) int {
			return diag.Compare(diag.Finding{Span: a.Span}, diag.Finding{Span: b.Span})
		})
		msg := fmt.Sprintf("build context %q of %s has no .dockerignore: everything in it (.git, caches, secrets) is sent to the builder; add one", rctx, who)
		if n := len(names) - 1; n > 0 {
			more := "1 more service"
			if n > 1 {
				more = fmt.Sprintf("%d more services", n)
			}
			msg = fmt.Sprintf("build context %q of %s and %s has no .dockerignore: everything in it (.git, caches, secrets) is sent to the builder; add one", rctx, who, more)
		}
		p.ReportAnyService(diag.Finding{Severity: p.meta.Severity, Span: first.sp, Related: rel, Message: msg}, names...)
	}
}
