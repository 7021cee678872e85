package lint

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
)

// IgnoreComment reports `# composure-ignore` comments that silence nothing:
// ones naming no rule, and rule IDs no rule has (a typo, `imag-tag`),
// which would leave the finding they were written for in place.
type IgnoreComment struct{ RuleBase }

var (
	_ Rule           = (*IgnoreComment)(nil)
	_ DockerfileRule = (*IgnoreComment)(nil)
)

// NewIgnoreComment returns the ignore-comment rule.
func NewIgnoreComment() *IgnoreComment {
	return &IgnoreComment{RuleBase{Meta{ID: "ignore-comment", Summary: "composure-ignore comments that name no rule, or an unknown one",
		Severity: diag.Warning, Scope: ScopeFile | ScopeDockerfile}}}
}

// VisitFile checks the ignore comments of d.
func (r *IgnoreComment) VisitFile(p *Pass, d *compose.Document) {
	if !bytes.Contains(d.Src, []byte(ignoreMarker)) {
		return
	}
	for n := 1; n <= d.Lines(); n++ {
		r.line(p, d.Name, n, d.Line(n))
	}
}

// VisitDockerfile checks the ignore comments of a Dockerfile (an inline one
// is checked in its compose file).
func (r *IgnoreComment) VisitDockerfile(p *Pass, df *Dockerfile) {
	if df.Inline() || !bytes.Contains(df.Src, []byte(ignoreMarker)) {
		return
	}
	for n := 1; n <= df.Lines(); n++ {
		r.line(p, df.Name, n, df.LineText(n))
	}
}

// line reports the ignore comment of line n of file, if it names no rule
// or unknown ones.
func (r *IgnoreComment) line(p *Pass, file string, n int, text string) {
	ids, at, ok := ignoreComment(text)
	if !ok {
		return
	}
	col := func(off int) int { return utf8.RuneCountInString(text[:off]) + 1 }
	if len(ids) == 0 {
		end := at + strings.Index(text[at:], ignoreMarker) + len(ignoreMarker)
		p.Report(diag.Finding{Severity: p.meta.Severity,
			Span:    diag.Span{File: file, Start: diag.Pos{Line: n, Col: col(at)}, End: diag.Pos{Line: n, Col: col(end)}},
			Message: "composure-ignore names no rule, so it silences nothing: name the rules before the colon (# composure-ignore image-tag: reason), or all"})
		return
	}
	known := IDs()
	for _, id := range ids {
		if id.id == "all" || slices.Contains(known, id.id) {
			continue
		}
		msg := fmt.Sprintf("composure-ignore names %q, which is no rule, so it silences nothing", id.id)
		if first, rest, spaced := strings.Cut(id.id, " "); spaced && slices.Contains(known, first) {
			msg += fmt.Sprintf(": write the reason after a colon (# composure-ignore %s: %s)", first, strings.TrimSpace(rest))
		} else if s := suggest(id.id, known); s != "" {
			msg += s
		} else {
			msg += ": `composure rules` lists the rules"
		}
		p.Report(diag.Finding{Severity: p.meta.Severity,
			Span:    diag.Span{File: file, Start: diag.Pos{Line: n, Col: col(id.off)}, End: diag.Pos{Line: n, Col: col(id.off + len(id.id))}},
			Message: msg})
	}
}
