package envdiff

import (
	"io"
	"strings"

	"github.com/composure-dev/composure/internal/termsafe"
	"github.com/composure-dev/composure/merge"
)

// TextReport prints reports for a terminal: a headline per report, then
// the changes grouped by service, each with its path and kind, the value
// on each side (- from, + to) and where that side was set. Names, paths,
// values and origins come from the user's files: they are printed through
// termsafe.Line, so none can drive the terminal.
type TextReport struct {
	Reports []Report
	// Color adds ANSI colours; the caller decides (a terminal, NO_COLOR
	// unset).
	Color bool
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

func (t TextReport) paint(code, s string) string {
	if !t.Color || s == "" {
		return s
	}
	return code + s + ansiReset
}

// WriteReport implements ReportWriter.
func (t TextReport) WriteReport(w io.Writer) error {
	ew := &errWriter{w: w}
	for i, r := range t.Reports {
		if i > 0 {
			ew.print("\n")
		}
		t.write(ew, r)
	}
	return ew.err
}

func (t TextReport) write(ew *errWriter, r Report) {
	ew.print(t.paint(ansiBold, termsafe.Line(r.From)+" → "+termsafe.Line(r.To)), ": ", countsText(r), "\n")
	for _, g := range groups(r) {
		ew.print("\n", t.paint(ansiCyan, termsafe.Line(g.title())), "\n")
		for _, c := range g.changes {
			kind := c.Kind
			code := ansiYellow
			switch kind {
			case Added:
				code = ansiGreen
			case Removed:
				code = ansiRed
			}
			ew.print("  ", t.paint(code, padRight(string(kind), 8)), termsafe.Line(c.Path.String()), "\n")
			if kind != Added {
				t.side(ew, "-", ansiRed, c.From, c.FromOrigin)
			}
			if kind != Removed {
				t.side(ew, "+", ansiGreen, c.To, c.ToOrigin)
			}
		}
	}
}

// side prints one side of a change: a scalar on the marker line followed
// by its origin, a mapping or list as YAML lines under it.
func (t TextReport) side(ew *errWriter, mark, code string, v any, origin *merge.Origin) {
	at := ""
	if o := originText(origin); o != "" {
		at = t.paint(ansiDim, "("+termsafe.Line(o)+")")
	}
	if s, ok := scalarText(v); ok {
		if at != "" {
			at = "  " + at
		}
		ew.print(t.paint(code, "    "+mark+" "+termsafe.Line(s)), at, "\n")
		return
	}
	if at != "" {
		at = " " + at
	}
	ew.print(t.paint(code, "    "+mark), at, "\n")
	for _, l := range yamlLines(v) {
		ew.print(t.paint(code, "    "+mark+" "+termsafe.Line(l)), "\n")
	}
}

func padRight(s string, n int) string {
	if len(s) >= n {
		return s + " "
	}
	return s + strings.Repeat(" ", n-len(s))
}
