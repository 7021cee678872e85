package envdiff

import (
	"io"
	"strings"

	"github.com/composure-dev/composure/internal/termsafe"
)

// MarkdownReport prints reports as a pull-request comment (GitHub
// flavoured Markdown): a heading and counts per report, then one table per
// service with the value and origin of each side.
type MarkdownReport struct {
	Reports []Report
}

// WriteReport implements ReportWriter.
func (m MarkdownReport) WriteReport(w io.Writer) error {
	ew := &errWriter{w: w}
	for i, r := range m.Reports {
		if i > 0 {
			ew.print("\n")
		}
		ew.print("### composure diff ", mdCode(r.From), " → ", mdCode(r.To), "\n\n")
		ew.print(capitalize(countsText(r)), ".\n")
		for _, g := range groups(r) {
			title := g.section
			if g.service != "" {
				title = "service " + mdCode(g.service)
			} else {
				title = mdCode(title)
			}
			ew.print("\n#### ", title, "\n\n")
			changeTable(ew, r, g.changes)
		}
	}
	return ew.err
}

// GitHubReport prints reports as a GitHub Actions job summary (append it to
// $GITHUB_STEP_SUMMARY): an overview table of all reports, then each
// report's changes in a collapsible section.
type GitHubReport struct {
	Reports []Report
}

// WriteReport implements ReportWriter.
func (g GitHubReport) WriteReport(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.print("## composure diff\n\n")
	ew.print("| from | to | added | removed | changed |\n|---|---|--:|--:|--:|\n")
	for _, r := range g.Reports {
		a, rm, ch := r.Counts()
		ew.print("| ", mdCode(r.From), " | ", mdCode(r.To), " | ", itoa(a), " | ", itoa(rm), " | ", itoa(ch), " |\n")
	}
	for _, r := range g.Reports {
		if r.Empty() {
			continue
		}
		ew.print("\n<details><summary>", htmlEscape(r.From+" → "+r.To+": "+countsText(r)), "</summary>\n")
		for _, gr := range groups(r) {
			ew.print("\n**", htmlEscape(gr.title()), "**\n\n")
			changeTable(ew, r, gr.changes)
		}
		ew.print("\n</details>\n")
	}
	return ew.err
}

// changeTable prints one Markdown table row per change.
func changeTable(ew *errWriter, r Report, changes []Change) {
	ew.print("| change | path | ", mdCell(mdCode(r.From)), " | ", mdCell(mdCode(r.To)), " |\n|---|---|---|---|\n")
	for _, c := range changes {
		ew.print("| ", string(c.Kind), " | ", mdCell(mdCode(c.Path.String())), " | ",
			mdValue(c.Kind != Added, c.From, originText(c.FromOrigin)), " | ",
			mdValue(c.Kind != Removed, c.To, originText(c.ToOrigin)), " |\n")
	}
}

// mdValue is a table cell: the value as inline code and, under it, where it
// was set.
func mdValue(present bool, v any, origin string) string {
	if !present {
		return ""
	}
	s := mdCode(compactJSON(v))
	if origin != "" {
		s += "<br><sub>" + htmlEscape(origin) + "</sub>"
	}
	return mdCell(s)
}

// mdCode wraps s in a code span long enough not to be closed by the
// backticks s holds (CommonMark), padding with spaces when s starts or
// ends with a backtick. Control characters are escaped (termsafe.Line):
// the comment may be read in a terminal, and a line break would end the
// table row.
func mdCode(s string) string {
	s = termsafe.Line(s)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// mdCell escapes what would end a table cell: pipes (GitHub honours \| even
// inside code spans) and line breaks.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\r", "")
	return strings.ReplaceAll(s, "\n", "<br>")
}

// htmlEscape escapes text for HTML, control characters as termsafe.Line does.
func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(termsafe.Line(s))
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
