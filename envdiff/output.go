package envdiff

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/composure-dev/composure/merge"
	"gopkg.in/yaml.v3"
)

// ReportWriter prints reports in one format. Every renderer takes one or
// more reports: `composure diff --all` prints one section per environment.
type ReportWriter interface {
	WriteReport(w io.Writer) error
}

var (
	_ ReportWriter = TextReport{}
	_ ReportWriter = JSONReport{}
	_ ReportWriter = MarkdownReport{}
	_ ReportWriter = GitHubReport{}
)

// group is the changes of one service, or of one project-level section
// (networks, volumes, ...).
type group struct {
	service string // "" for project-level groups
	section string // top-level key for project-level groups
	changes []Change
}

func (g group) title() string {
	if g.service != "" {
		return "service " + g.service
	}
	return g.section
}

// groups splits the (sorted) changes of r into services first, by name,
// then the project-level sections, by key.
func groups(r Report) []group {
	var svc, rest []group
	for _, c := range r.Changes {
		s := c.Path.Service()
		sec := ""
		if len(c.Path) > 0 {
			sec = c.Path[0].Key
		}
		list := &rest
		if s != "" {
			list = &svc
		}
		if n := len(*list); n > 0 && (*list)[n-1].service == s && (*list)[n-1].section == sec {
			(*list)[n-1].changes = append((*list)[n-1].changes, c)
			continue
		}
		*list = append(*list, group{service: s, section: sec, changes: []Change{c}})
	}
	return append(svc, rest...)
}

// scalarText renders a value that fits on one line as JSON (strings
// quoted, so "true" and true stay apart); ok is false for mappings and
// lists with content.
func scalarText(v any) (string, bool) {
	switch v := v.(type) {
	case map[string]any:
		if len(v) > 0 {
			return "", false
		}
	case []any:
		if len(v) > 0 {
			return "", false
		}
	}
	return compactJSON(v), true
}

// compactJSON is v as one line of JSON, keys sorted, without HTML escapes.
func compactJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "?"
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// yamlLines is v as YAML (keys sorted), one string per line.
func yamlLines(v any) []string {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return []string{compactJSON(v)}
	}
	return strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
}

func originText(o *merge.Origin) string {
	if o == nil {
		return ""
	}
	return o.Location.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return itoa(n) + " " + many
}

func itoa(n int) string { return strconv.Itoa(n) }

// countsText is "3 changes (1 added, 1 removed, 1 changed)" or
// "no differences".
func countsText(r Report) string {
	if r.Empty() {
		return "no differences"
	}
	a, rm, ch := r.Counts()
	var parts []string
	if a > 0 {
		parts = append(parts, itoa(a)+" added")
	}
	if rm > 0 {
		parts = append(parts, itoa(rm)+" removed")
	}
	if ch > 0 {
		parts = append(parts, itoa(ch)+" changed")
	}
	return plural(len(r.Changes), "change", "changes") + " (" + strings.Join(parts, ", ") + ")"
}

// JSONReport prints reports as JSON: one object for one report, an array
// of them when List is set (composure diff --all).
type JSONReport struct {
	Reports []Report
	List    bool
}

type jsonReport struct {
	From    string       `json:"from"`
	To      string       `json:"to"`
	Changes []jsonChange `json:"changes"`
}

type jsonChange struct {
	Path       string  `json:"path"`
	Kind       Kind    `json:"kind"`
	From       any     `json:"from"`
	To         any     `json:"to"`
	FromOrigin *string `json:"from_origin"`
	ToOrigin   *string `json:"to_origin"`
}

func toJSON(r Report) jsonReport {
	out := jsonReport{From: r.From, To: r.To, Changes: make([]jsonChange, 0, len(r.Changes))}
	for _, c := range r.Changes {
		jc := jsonChange{Path: c.Path.String(), Kind: c.Kind, From: c.From, To: c.To}
		if c.FromOrigin != nil {
			s := originText(c.FromOrigin)
			jc.FromOrigin = &s
		}
		if c.ToOrigin != nil {
			s := originText(c.ToOrigin)
			jc.ToOrigin = &s
		}
		out.Changes = append(out.Changes, jc)
	}
	return out
}

// WriteReport implements ReportWriter.
func (j JSONReport) WriteReport(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if !j.List && len(j.Reports) == 1 {
		return enc.Encode(toJSON(j.Reports[0]))
	}
	all := make([]jsonReport, 0, len(j.Reports))
	for _, r := range j.Reports {
		all = append(all, toJSON(r))
	}
	return enc.Encode(all)
}

// errWriter remembers the first write error so renderers can print freely
// and report it once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) print(parts ...string) {
	for _, p := range parts {
		if e.err != nil {
			return
		}
		_, e.err = io.WriteString(e.w, p)
	}
}
