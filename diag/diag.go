// Package diag holds the findings composure reports about user files and
// renders them: text with a source snippet, JSON, SARIF 2.1.0, GitHub
// workflow commands and GitLab Code Quality. It imports nothing else from
// composure, so any checker (compose files, Dockerfiles) can produce findings.
package diag

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Severity orders findings; the zero value is Info.
type Severity int

// Severities, least severe first.
const (
	Info Severity = iota
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "info"
}

// MarshalText makes severities print as words in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ParseSeverity reads "error", "warning" or "info".
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(s) {
	case "error":
		return Error, nil
	case "warning", "warn":
		return Warning, nil
	case "info", "note":
		return Info, nil
	}
	return Info, fmt.Errorf("unknown severity %q: use one of \"error\", \"warning\", \"info\"", s)
}

// Pos is a 1-based position; Col counts characters, as yaml.v3 does. It has
// the same shape as compose.Pos, so the two convert.
type Pos struct {
	Line int `json:"line"`
	Col  int `json:"column"`
}

// Span is a range in a file. End is exclusive (the character after the last
// one), as SARIF counts it; a zero End means "only the start is known".
type Span struct {
	File  string
	Start Pos
	End   Pos
}

func (s Span) String() string {
	if s.Start.Line == 0 {
		return s.File
	}
	return fmt.Sprintf("%s:%d:%d", s.File, s.Start.Line, s.Start.Col)
}

// Related points at another place that matters for a finding: an alias that
// brings an anchor's value into a service, the other service publishing the
// same port.
type Related struct {
	Span    Span   `json:"-"`
	Message string `json:"message"`
}

// TextEdit replaces bytes [Start, End) of File with NewText. StartPos/EndPos
// are the same range as positions, for formats that count lines.
type TextEdit struct {
	File     string
	Start    int
	End      int
	StartPos Pos
	EndPos   Pos
	NewText  string
}

// Fix is one change that resolves a finding: all its edits apply together
// to the files as they were read.
type Fix struct {
	Message string
	Edits   []TextEdit
	// Manual marks a change that alters how the project runs (when a
	// container starts): it is shown, and offered to editors, but never
	// applied by lint --fix, which applies only safe fixes.
	Manual bool
}

// Finding is one problem found in a user's files. Findings are not errors:
// the tool went on.
type Finding struct {
	Rule     string
	Severity Severity
	Message  string
	Span     Span
	Related  []Related
	Fix      *Fix
	// Envs lists the environments in which the finding holds; empty for a
	// finding about a file on its own.
	Envs []string
}

// String is the one-line form used in golden files and logs:
// `file:line:col: severity: message [rule]`.
func (f Finding) String() string {
	return fmt.Sprintf("%s: %s: %s [%s]", f.Span, f.Severity, f.Message, f.Rule)
}

// Compare orders findings by file, position, rule and message.
func Compare(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(a.Span.File, b.Span.File),
		cmp.Compare(a.Span.Start.Line, b.Span.Start.Line),
		cmp.Compare(a.Span.Start.Col, b.Span.Start.Col),
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Message, b.Message),
	)
}

// Sort sorts findings in place (see Compare).
func Sort(fs []Finding) { slices.SortStableFunc(fs, Compare) }

// Summary counts findings by severity.
type Summary struct {
	Error   int `json:"error"`
	Warning int `json:"warning"`
	Info    int `json:"info"`
}

// Summarize counts fs by severity.
func Summarize(fs []Finding) Summary {
	var s Summary
	for _, f := range fs {
		switch f.Severity {
		case Error:
			s.Error++
		case Warning:
			s.Warning++
		default:
			s.Info++
		}
	}
	return s
}

// RuleInfo describes a rule to formats that list rules (SARIF).
type RuleInfo struct {
	ID       string
	Title    string
	Summary  string
	Help     string // plain-text help, a few lines
	URL      string
	Severity Severity
}

// Sources gives the text of a file named in a finding, for snippets; nil
// when it is not known.
type Sources func(file string) []byte
