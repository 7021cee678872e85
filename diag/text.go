package diag

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/fatih/color"

	"github.com/composure-dev/composure/internal/termsafe"
)

// PrintText writes each finding as `file:line:col: severity: message [rule]`,
// then the source line with a caret under the span (`^~~~`), related
// locations and the environments it holds in, like actionlint's PrettyPrint.
// Everything that comes from the user's files (file and environment names,
// messages quoting values, the source line) is printed through termsafe.Line:
// a compose file cannot drive the reader's terminal, nor start a line of its
// own that would pass for a finding.
func PrintText(w io.Writer, fs []Finding, o PrintOptions) error {
	bw := bufio.NewWriter(w)
	st := newStyles(o.Color)
	lines := &lineCache{src: o.Sources, files: map[string]*Lines{}}
	for _, f := range fs {
		fmt.Fprintf(bw, "%s: %s: %s %s\n", st.pos.Sprint(termsafe.Line(f.Span.String())), st.sev(f.Severity).Sprint(f.Severity.String()),
			st.msg.Sprint(termsafe.Line(f.Message)), st.rule.Sprint("["+termsafe.Line(f.Rule)+"]"))
		writeSnippet(bw, f.Span, lines, st)
		for _, r := range f.Related {
			fmt.Fprintf(bw, "  %s: note: %s\n", st.pos.Sprint(termsafe.Line(r.Span.String())), termsafe.Line(r.Message))
		}
		if len(f.Envs) > 0 {
			fmt.Fprintf(bw, "  environments: %s\n", termsafe.Line(strings.Join(f.Envs, ", ")))
		}
		if f.Fix != nil {
			fmt.Fprintf(bw, "  fix: %s\n", termsafe.Line(f.Fix.Message))
		}
	}
	if len(fs) > 0 {
		s := Summarize(fs)
		fmt.Fprintf(bw, "%d %s (%d %s, %d %s, %d info)\n", len(fs), plural(len(fs), "finding"),
			s.Error, plural(s.Error, "error"), s.Warning, plural(s.Warning, "warning"), s.Info)
	}
	return bw.Flush()
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// writeSnippet prints the line of sp.Start and marks the span on it: a caret
// at the start column, tildes to the end column (or to the end of the line
// when the span continues on later lines). Columns count characters, and a
// tab in the prefix is copied so the caret lines up. The line is printed
// through termsafe.Line, and the marks measure it as printed: a character
// shown as an escape (\x1b) is as wide as its escape.
func writeSnippet(w io.Writer, sp Span, lc *lineCache, st styles) {
	if sp.Start.Line < 1 {
		return
	}
	line, ok := lc.line(sp.File, sp.Start.Line)
	if !ok {
		return
	}
	n := utf8.RuneCountInString(line)
	startCol := min(max(sp.Start.Col, 1), n+1)
	endCol := startCol + 1
	switch {
	case sp.End.Line == sp.Start.Line && sp.End.Col > startCol:
		endCol = min(sp.End.Col, n+1)
	case sp.End.Line > sp.Start.Line:
		endCol = n + 1
	}
	if endCol <= startCol {
		endCol = startCol + 1
	}
	// pad reaches the start column; width counts the printed columns from
	// there to the end column (one past the end of the line counts one).
	var pad strings.Builder
	width := 0
	col := 1
	for i := 0; i < len(line) && col < endCol; col++ {
		r, size := utf8.DecodeRuneInString(line[i:])
		wd := termsafe.Width(r, r == utf8.RuneError && size <= 1)
		i += size
		if col >= startCol {
			width += wd
			continue
		}
		if r == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteString(strings.Repeat(" ", wd))
		}
	}
	width += endCol - col // the columns past the end of the line
	gutter := fmt.Sprintf("%5d | ", sp.Start.Line)
	fmt.Fprintf(w, "%s%s\n", st.gutter.Sprint(gutter), termsafe.Line(line))
	mark := "^" + strings.Repeat("~", max(width-1, 0))
	fmt.Fprintf(w, "%s%s%s\n", st.gutter.Sprint(strings.Repeat(" ", len(gutter)-2)+"| "), pad.String(), st.caret.Sprint(mark))
}

// lineCache builds the line table of each file once, so snippets of many
// findings in a large file cost no rescans. Sources does not say what kind
// of file a name holds, so lines end at \n (a Dockerfile's breaks, and a
// compose file's but for the rare lone CR, NEL, LS and PS, after which a
// snippet would show a line other than the finding's).
type lineCache struct {
	src   Sources
	files map[string]*Lines
}

// line returns line n (1-based) of file without its line ending.
func (c *lineCache) line(file string, n int) (string, bool) {
	if c.src == nil {
		return "", false
	}
	ls, ok := c.files[file]
	if !ok {
		if text := c.src(file); text != nil {
			ls = NewLines(text, LF)
		}
		c.files[file] = ls
	}
	if ls == nil || n < 1 || n > ls.Len() {
		return "", false
	}
	return ls.Text(n), true
}

type styles struct {
	pos, msg, rule, gutter, caret, err, warn, info *color.Color
}

func (s styles) sev(v Severity) *color.Color {
	switch v {
	case Error:
		return s.err
	case Warning:
		return s.warn
	}
	return s.info
}

// newStyles builds colours enabled or disabled explicitly, never through
// fatih/color's package-level NoColor switch, so parallel runs don't interfere.
func newStyles(on bool) styles {
	mk := func(attrs ...color.Attribute) *color.Color {
		c := color.New(attrs...)
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	return styles{
		pos:    mk(color.Bold),
		msg:    mk(),
		rule:   mk(color.Faint),
		gutter: mk(color.FgBlue),
		caret:  mk(color.FgGreen, color.Bold),
		err:    mk(color.FgRed, color.Bold),
		warn:   mk(color.FgYellow, color.Bold),
		info:   mk(color.FgCyan, color.Bold),
	}
}
