package diag

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/composure-dev/composure/internal/jsonindent"
	"github.com/composure-dev/composure/internal/termsafe"
)

type jsonReport struct {
	Findings []jsonFinding `json:"findings"`
	Summary  Summary       `json:"summary"`
}

type jsonFinding struct {
	Rule         string        `json:"rule"`
	Severity     Severity      `json:"severity"`
	Message      string        `json:"message"`
	File         string        `json:"file"`
	Line         int           `json:"line"`
	Column       int           `json:"column"`
	EndLine      int           `json:"end_line"`
	EndColumn    int           `json:"end_column"`
	Environments []string      `json:"environments"`
	Related      []jsonRelated `json:"related"`
	Fix          *jsonFix      `json:"fix"`
}

type jsonRelated struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

type jsonFix struct {
	Message string     `json:"message"`
	Edits   []jsonEdit `json:"edits"`
	// Manual: a suggestion lint --fix does not apply.
	Manual bool `json:"manual"`
}

type jsonEdit struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"end_line"`
	EndColumn int    `json:"end_column"`
	NewText   string `json:"new_text"`
}

// endOf returns the end of sp, or its start when the end is unknown.
func endOf(sp Span) Pos {
	if sp.End.Line == 0 {
		return sp.Start
	}
	return sp.End
}

// PrintJSON writes `{"findings": [...], "summary": {...}}`; lists are never
// null, so consumers can iterate without checks.
func PrintJSON(w io.Writer, fs []Finding) error {
	r := jsonReport{Findings: make([]jsonFinding, 0, len(fs)), Summary: Summarize(fs)}
	for _, f := range fs {
		end := endOf(f.Span)
		jf := jsonFinding{
			Rule: f.Rule, Severity: f.Severity, Message: f.Message,
			File: f.Span.File, Line: f.Span.Start.Line, Column: f.Span.Start.Col,
			EndLine: end.Line, EndColumn: end.Col,
			Environments: append([]string{}, f.Envs...),
			Related:      []jsonRelated{},
		}
		for _, rel := range f.Related {
			jf.Related = append(jf.Related, jsonRelated{File: rel.Span.File, Line: rel.Span.Start.Line, Column: rel.Span.Start.Col, Message: rel.Message})
		}
		if f.Fix != nil {
			jx := &jsonFix{Message: f.Fix.Message, Edits: []jsonEdit{}, Manual: f.Fix.Manual}
			for _, e := range f.Fix.Edits {
				jx.Edits = append(jx.Edits, jsonEdit{File: e.File, Line: e.StartPos.Line, Column: e.StartPos.Col,
					EndLine: e.EndPos.Line, EndColumn: e.EndPos.Col, NewText: e.NewText})
			}
			jf.Fix = jx
		}
		r.Findings = append(r.Findings, jf)
	}
	return jsonindent.Write(w, r)
}

// PrintGitHub writes GitHub Actions workflow commands, which annotate the
// pull request diff: `::error file=F,line=L,col=C,endLine=..,endColumn=..,title=RULE::MESSAGE`.
func PrintGitHub(w io.Writer, fs []Finding) error {
	for _, f := range fs {
		kind := map[Severity]string{Error: "error", Warning: "warning", Info: "notice"}[f.Severity]
		end := endOf(f.Span)
		msg := f.Message
		if len(f.Envs) > 0 {
			msg += " (environments: " + strings.Join(f.Envs, ", ") + ")"
		}
		// The runner prints these lines in the job log, which a terminal
		// or the log viewer renders: control characters are escaped first
		// (line breaks stay, as %0A).
		if _, err := fmt.Fprintf(w, "::%s file=%s,line=%d,col=%d,endLine=%d,endColumn=%d,title=%s::%s\n", kind,
			ghProp(termsafe.Line(f.Span.File)), f.Span.Start.Line, f.Span.Start.Col, end.Line, end.Col, ghProp(termsafe.Line(f.Rule)), ghData(termsafe.Text(msg))); err != nil {
			return err
		}
	}
	return nil
}

// ghData and ghProp escape as the actions toolkit does (command.ts).
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProp(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

type cqIssue struct {
	Description string     `json:"description"`
	CheckName   string     `json:"check_name"`
	Fingerprint string     `json:"fingerprint"`
	Severity    string     `json:"severity"`
	Location    cqLocation `json:"location"`
}

type cqLocation struct {
	Path  string  `json:"path"`
	Lines cqLines `json:"lines"`
}

type cqLines struct {
	Begin int `json:"begin"`
	End   int `json:"end"`
}

// PrintCodeQuality writes a GitLab Code Quality report (a JSON array of
// issues), which GitLab shows in merge requests.
func PrintCodeQuality(w io.Writer, fs []Finding) error {
	out := make([]cqIssue, 0, len(fs))
	for _, f := range fs {
		sev := map[Severity]string{Error: "major", Warning: "minor", Info: "info"}[f.Severity]
		h := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%d\x00%d\x00%s", f.Rule, f.Span.File, f.Span.Start.Line, f.Span.Start.Col, f.Message)))
		desc := f.Message
		if len(f.Envs) > 0 {
			desc += " (environments: " + strings.Join(f.Envs, ", ") + ")"
		}
		out = append(out, cqIssue{Description: desc, CheckName: f.Rule, Fingerprint: hex.EncodeToString(h[:16]), Severity: sev,
			Location: cqLocation{Path: f.Span.File, Lines: cqLines{Begin: f.Span.Start.Line, End: endOf(f.Span).Line}}})
	}
	return jsonindent.Write(w, out)
}
