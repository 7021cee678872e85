package diag

import (
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/owenrumney/go-sarif/v2/sarif"
)

func sarifLevel(s Severity) string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "note"
}

func sarifRegion(start, end Pos) *sarif.Region {
	r := sarif.NewRegion().WithStartLine(start.Line).WithStartColumn(max(start.Col, 1))
	if end.Line >= start.Line && end.Line > 0 {
		r.WithEndLine(end.Line).WithEndColumn(max(end.Col, 1))
	}
	return r
}

func sarifLocation(sp Span) *sarif.Location {
	pl := sarif.NewPhysicalLocation().WithArtifactLocation(sarif.NewSimpleArtifactLocation(sarifURI(sp.File)))
	if sp.Start.Line > 0 {
		pl.WithRegion(sarifRegion(sp.Start, endOf(sp)))
	}
	return sarif.NewLocationWithPhysicalLocation(pl)
}

// sarifURI is a file name as a URI (RFC 3986): each path segment
// percent-encoded, so that a name with spaces, '#' or control characters
// stays one valid URI that consumers decode back. A relative name (to the
// repository or the working directory) is a relative reference; an
// absolute one, a file outside both, is a file: URI, since a reference
// that starts with "/" would not combine with a base (SARIF1004).
func sarifURI(name string) string {
	if name == "" {
		return name
	}
	slashed := filepath.ToSlash(name)
	parts := strings.Split(slashed, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	ref := strings.Join(parts, "/")
	if !filepath.IsAbs(name) {
		return ref
	}
	if !strings.HasPrefix(ref, "/") {
		ref = "/" + ref // C:/dir on Windows: file:///C:/dir
	}
	return "file://" + ref
}

// PrintSARIF writes a SARIF 2.1.0 log with one run: every rule of o.Rules
// with its help text and URL, results with related locations and fixes.
// Columns count Unicode code points, as ours do.
func PrintSARIF(w io.Writer, fs []Finding, o PrintOptions) error {
	rep, err := sarif.New(sarif.Version210)
	if err != nil {
		return err
	}
	tool := o.Tool
	if tool == "" {
		tool = "composure"
	}
	run := sarif.NewRunWithInformationURI(tool, o.ToolURL)
	if o.Version != "" {
		run.Tool.Driver.WithVersion(sarifVersion(o.Version))
	}
	run.WithColumnKind("unicodeCodePoints")
	index := map[string]int{}
	rules := slices.Clone(o.Rules)
	for _, f := range fs {
		if !slices.ContainsFunc(rules, func(r RuleInfo) bool { return r.ID == f.Rule }) {
			rules = append(rules, RuleInfo{ID: f.Rule, Summary: f.Rule, Severity: f.Severity})
		}
	}
	for i, r := range rules {
		index[r.ID] = i
		d := run.AddRule(r.ID).
			WithShortDescription(sarif.NewMultiformatMessageString(r.Summary)).
			WithFullDescription(sarif.NewMultiformatMessageString(firstNonEmpty(r.Help, r.Summary))).
			WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(r.Severity)))
		if r.Title != "" && r.Title != r.ID {
			d.WithName(r.Title)
		}
		if r.Help != "" {
			d.WithTextHelp(r.Help)
		}
		if r.URL != "" {
			d.WithHelpURI(r.URL)
		}
	}
	for _, f := range fs {
		res := sarif.NewRuleResult(f.Rule).WithRuleIndex(index[f.Rule]).WithLevel(sarifLevel(f.Severity)).
			WithMessage(sarif.NewTextMessage(f.Message)).
			WithLocations([]*sarif.Location{sarifLocation(f.Span)})
		for i, rel := range f.Related {
			l := sarifLocation(rel.Span).WithId(i + 1).WithMessage(sarif.NewTextMessage(rel.Message))
			res.AddRelatedLocation(l)
		}
		// a fix is a set of changes to artifacts: a suggestion with no edit
		// has none to give
		if f.Fix != nil && len(f.Fix.Edits) > 0 {
			fix := sarif.NewFix().WithDescriptionText(f.Fix.Message)
			byFile := map[string]*sarif.ArtifactChange{}
			var order []string
			for _, e := range f.Fix.Edits {
				ch, ok := byFile[e.File]
				if !ok {
					ch = sarif.NewArtifactChange(sarif.NewSimpleArtifactLocation(sarifURI(e.File)))
					byFile[e.File] = ch
					order = append(order, e.File)
				}
				ch.WithReplacement(sarif.NewReplacement(sarifRegion(e.StartPos, e.EndPos)).
					WithInsertedContent(sarif.NewArtifactContent().WithText(e.NewText)))
			}
			for _, name := range order {
				fix.AddArtifactChanges(byFile[name])
			}
			res.Fixes = append(res.Fixes, fix)
		}
		if len(f.Envs) > 0 {
			res.Properties = sarif.Properties{"environments": f.Envs}
		}
		run.AddResult(res)
	}
	rep.AddRun(run)
	if err := rep.PrettyWrite(w); err != nil {
		return fmt.Errorf("writing SARIF: %w", err)
	}
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// sarifVersion makes a version SARIF consumers can compare: it must start
// with a number (the validator's SARIF2005). "v1.2.3 (abc)" becomes
// "1.2.3 (abc)"; a development build, "(devel) (abc)", becomes
// "0.0.0-devel (abc)"; another word, "0.0.0-word".
func sarifVersion(v string) string {
	if len(v) > 1 && v[0] == 'v' && v[1] >= '0' && v[1] <= '9' {
		return v[1:]
	}
	if v != "" && (v[0] < '0' || v[0] > '9') {
		if rest, ok := strings.CutPrefix(v, "(devel)"); ok {
			return "0.0.0-devel" + rest
		}
		return "0.0.0-" + v
	}
	return v
}
