// Package envdiff compares two effective compose configurations (two
// environments, or one environment at two revisions) and describes what
// differs in terms a reviewer can act on: which service, which setting, old
// and new value, and the file:line:col where each side was set.
//
// The shape follows homeport/dyff: Compare builds a Report (the model) and
// renderers (TextReport, JSONReport, MarkdownReport, GitHubReport) print it;
// filters such as Redact return a new Report.
//
// Identity is Compose-aware, never positional: services, networks, volumes,
// secrets and configs by name; ports by host IP, published port, target and
// protocol; service volumes, secrets and configs by target; environment,
// labels, extra_hosts, sysctls and build args by key (list and map spellings
// compare equal); command, entrypoint and healthcheck.test as whole ordered
// sequences; every other list as a set. See docs/diff.md for the path syntax.
package envdiff

import (
	"strconv"
	"strings"

	"github.com/composure-dev/composure/merge"
	"github.com/composure-dev/composure/redact"
)

// Side is one of the two configurations Compare looks at.
type Side struct {
	// Name labels the side in reports ("default", "prod", "prod@HEAD~1").
	Name string
	// Model is the effective configuration as `docker compose config
	// --format json` prints it, decoded into plain Go values.
	Model map[string]any
	// Origin, if not nil, tells where the value at a path of Model was set.
	// The path is built by OriginPath: keys joined by dots, list items by
	// their index in Model (services.web.ports.0).
	Origin func(path string) (merge.Origin, bool)
	// Sources, if not nil, tells which values of Model variables were
	// interpolated into (paths as Origin's, split at the dots), for
	// Report.Redact.
	Sources redact.Sources
}

// Kind says how one setting changed.
type Kind string

// The kinds of change.
const (
	Added   Kind = "added"
	Removed Kind = "removed"
	Changed Kind = "changed"
)

// Elem is one step of a Path: a mapping key, or a list item named by its
// identity (Item true).
type Elem struct {
	Key  string
	Item bool
}

// Path names a setting in an effective configuration independently of list
// positions, e.g. services.web.ports[127.0.0.1:8080:80/tcp].
type Path []Elem

// String renders p in the syntax documented in docs/diff.md: keys joined by
// dots, a key that is empty or holds one of . [ ] " or white space in double
// quotes (Go/JSON escapes), list items by identity in brackets with \ and ]
// escaped by a backslash.
func (p Path) String() string {
	var b strings.Builder
	for i, e := range p {
		if e.Item {
			b.WriteByte('[')
			for _, r := range e.Key {
				if r == ']' || r == '\\' {
					b.WriteByte('\\')
				}
				b.WriteRune(r)
			}
			b.WriteByte(']')
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(quoteKey(e.Key))
	}
	return b.String()
}

// Compare orders paths element by element, so that everything below
// services.web sorts together and before services.web-2.
func (p Path) Compare(q Path) int {
	for i := 0; i < len(p) && i < len(q); i++ {
		if c := strings.Compare(p[i].Key, q[i].Key); c != 0 {
			return c
		}
		if p[i].Item != q[i].Item {
			if !p[i].Item {
				return -1
			}
			return 1
		}
	}
	return len(p) - len(q)
}

// Service is the service the path belongs to, or "" for project-level
// settings (networks, volumes, ...).
func (p Path) Service() string {
	if len(p) >= 2 && p[0].Key == "services" && !p[0].Item {
		return p[1].Key
	}
	return ""
}

// Change is one difference between the two sides.
type Change struct {
	Path Path
	Kind Kind
	// From and To are the values on each side (nil when the setting is
	// absent there), in the shape of the effective configuration.
	From, To any
	// FromOrigin and ToOrigin say where each side was set, when known.
	// Reports name the place itself (Location), not the aliases.
	FromOrigin, ToOrigin *merge.Origin
	// fromAt and toAt are the paths of From and To in their side's model
	// (list items by index), for Redact.
	fromAt, toAt []string
}

// Report is the result of Compare: the changes that turn From into To,
// sorted by path.
type Report struct {
	From, To string
	Changes  []Change
	// fromSrc and toSrc are the sides' Sources, for Redact.
	fromSrc, toSrc redact.Sources
}

// Empty reports whether the two sides are the same.
func (r Report) Empty() bool { return len(r.Changes) == 0 }

// Counts returns how many changes of each kind the report holds.
func (r Report) Counts() (added, removed, changed int) {
	for _, c := range r.Changes {
		switch c.Kind {
		case Added:
			added++
		case Removed:
			removed++
		case Changed:
			changed++
		}
	}
	return
}

func quoteKey(k string) string {
	if k == "" || strings.ContainsAny(k, ".[]\" \t\n\r") {
		return strconv.Quote(k)
	}
	return k
}
