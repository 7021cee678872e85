package lint

import (
	"fmt"
	"strings"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/dupes"
)

// DuplicateService reports services of one file that repeat the same
// top-level entries (best practice 9): they belong in an anchor that each
// service merges with `<<:`. Detection is dupes.Find, the engine `composure
// refactor` rewrites the file with, so every group reported here is one the
// refactor folds.
type DuplicateService struct{ RuleBase }

var _ Rule = (*DuplicateService)(nil)

// NewDuplicateService returns the duplicate-service rule.
func NewDuplicateService() *DuplicateService {
	return &DuplicateService{RuleBase{Meta{ID: "duplicate-service", Summary: "services repeating the same block of keys instead of sharing an anchor",
		Severity: diag.Warning, Scope: ScopeFile, Practice: 9}}}
}

// VisitFile reports each group of duplicated services of d at its first
// member, the others as related locations.
func (r *DuplicateService) VisitFile(p *Pass, d *compose.Document) {
	min := p.IntOption("min-shared", dupes.DefaultMinShared)
	for _, g := range dupes.Find(d, min) {
		if len(g.Members) < 2 {
			continue
		}
		var rel []diag.Related
		for _, m := range g.Members[1:] {
			rel = append(rel, diag.Related{Span: NodeSpan(m.Doc, m.Key), Message: fmt.Sprintf("service %q repeats them", m.Name)})
		}
		how := "move them into an anchor merged with `<<:`"
		switch g.Kind {
		case dupes.Reuse:
			how = fmt.Sprintf("merge the anchor &%s they repeat", g.Anchor)
		case dupes.Extend:
			how = fmt.Sprintf("move them into the anchor &%s they already merge", g.Anchor)
		}
		// refactor folds only what makes the file shorter (refactor.Rewrite).
		tool := "`composure refactor` does it"
		if g.LinesSaved <= 0 {
			tool = "an anchor would not shorten the file, so `composure refactor` leaves them"
		}
		first := g.Members[0]
		p.Report(diag.Finding{Severity: p.meta.Severity, Span: NodeSpan(first.Doc, first.Key), Related: rel,
			Message: fmt.Sprintf("services %s share %d identical keys (%s): %s; %s",
				quoteList(g.Services), len(g.Shared), strings.Join(g.Shared, ", "), how, tool)})
	}
}

func quoteList(ss []string) string {
	q := quoted(ss)
	if len(q) == 2 {
		return q[0] + " and " + q[1]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}
