package lint

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/compose-spec/compose-go/v2/template"
	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/internal/subst"
	"gopkg.in/yaml.v3"
)

// UndefinedVariable reports `${VAR}` uses with no default whose variable is
// set neither in the environment's .env / env files nor in the process
// environment: docker compose substitutes an empty string and warns once.
// Variables are found with compose-go's own template package, so escapes
// (`$$`), defaults (`${VAR:-x}`, `${VAR-x}`) and nesting behave as in docker
// compose.
type UndefinedVariable struct {
	RuleBase
	// seen holds the findings of each file checked with a set of variables
	// (Env.VarsKey): another environment with both finds the same.
	seen map[string][]diag.Finding
	// missing memoizes missingVars for the variables being checked: the
	// same templates (`${POSTGRES_USER:-app}`) recur in every service.
	missing map[string][]missingVar
}

var _ Rule = (*UndefinedVariable)(nil)

// NewUndefinedVariable returns the undefined-variable rule.
func NewUndefinedVariable() *UndefinedVariable {
	return &UndefinedVariable{RuleBase: RuleBase{Meta{ID: "undefined-variable", Summary: "variables used without a default and set nowhere",
		Severity: diag.Warning, Scope: ScopeEnv}}, seen: map[string][]diag.Finding{}}
}

// varNameRE extracts the name from `$NAME` or `${NAME...`.
var varNameRE = regexp.MustCompile(`^\$\{?([_a-zA-Z][_a-zA-Z0-9]*)`)

// missingVar is one variable use that resolves to nothing.
type missingVar struct {
	text     string // the template text, "${VAR}" or "${VAR:?msg}"
	name     string
	required bool // ${VAR:?msg} / ${VAR?msg}: docker compose fails
}

// missingVars interpolates s as docker compose does and returns the
// variables it could not resolve.
func missingVars(s string, lookup func(string) (string, bool)) []missingVar {
	if _, ok := subst.Fast(s, lookup); ok {
		return nil // every variable has a value (or a default)
	}
	var out []missingVar
	_, _ = template.SubstituteWithOptions(s, lookup, template.WithoutLogging,
		template.WithReplacementFunction(func(sub string, m template.Mapping, cfg *template.Config) (string, error) {
			v, applied, err := template.DefaultReplacementAppliedFunc(sub, quiet(m), cfg)
			name := ""
			if mm := varNameRE.FindStringSubmatch(sub); mm != nil {
				name = mm[1]
			}
			switch {
			case err != nil:
				var req *template.MissingRequiredError
				if ok := asMissing(err, &req); ok && name != "" {
					// the match may hold several uses (${A:?}:${B:?} is
					// one); the error names the one that failed
					text := sub
					if req.Variable != "" && req.Variable != name {
						name, text = req.Variable, useOf(sub, req.Variable)
					}
					out = append(out, missingVar{text: text, name: name, required: true})
				}
				return "", nil
			case !applied && name != "" && !strings.HasPrefix(sub, "$$"):
				out = append(out, missingVar{text: sub, name: name})
			case name != "":
				// compose-go interpolates a default (or an alternative)
				// on its own when it is taken, warning about what it uses
				if text, taken := takenDefault(sub, name, lookup); taken && strings.Contains(text, "$") {
					out = append(out, missingVars(text, lookup)...)
				}
			}
			return v, nil
		}))
	return out
}

// useOf returns the text of the use `${name...}` in s, up to the brace that
// closes it; s itself when there is none.
func useOf(s, name string) string {
	for from := 0; ; {
		i := strings.Index(s[from:], "${"+name)
		if i < 0 {
			return s
		}
		i += from
		rest := s[i+2+len(name):]
		if rest != "" && !subst.IsNameByte(rest[0]) {
			if end := closingBrace(s, i+1); end >= 0 {
				return s[i : end+1]
			}
			return s
		}
		from = i + 2
	}
}

// closingBrace returns the index of the brace that closes the one at
// s[open], counting the braces between; -1 when none does.
func closingBrace(s string, open int) int {
	depth := 0
	for j := open; j < len(s); j++ {
		switch s[j] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// takenDefault returns the default of `${name:-default}` (`-`, or the
// alternative of `:+` and `+`) written in sub, and whether docker compose
// takes it with the variables of lookup.
func takenDefault(sub, name string, lookup func(string) (string, bool)) (string, bool) {
	body, ok := strings.CutPrefix(sub, "${"+name)
	if !ok {
		return "", false
	}
	// the text up to the brace that closes ${
	if end := closingBrace(sub, 1); end >= 0 {
		body = sub[len("${"+name):end]
	}
	v, set := lookup(name)
	for _, op := range []struct {
		sep   string
		taken bool
	}{{":-", !set || v == ""}, {"-", !set}, {":+", set && v != ""}, {"+", set}} {
		if text, ok := strings.CutPrefix(body, op.sep); ok {
			return text, op.taken
		}
	}
	return "", false
}

func asMissing(err error, target **template.MissingRequiredError) bool {
	if e, ok := err.(*template.MissingRequiredError); ok {
		*target = e
		return true
	}
	return false
}

// VisitEnv checks every scalar of every file of e: its own files with its
// variables, the files they include with the included project's, and the
// files they extend.
func (r *UndefinedVariable) VisitEnv(p *Pass, e *Env) {
	if e.VarsUnknown {
		return
	}
	lookup := e.lookup()
	r.missing = map[string][]missingVar{} // for this environment's lookup
	for _, d := range e.Docs {
		r.doc(p, e, d, lookup)
	}
	for _, rf := range e.Reached {
		r.missing = map[string][]missingVar{} // an include may add variables
		r.doc(p, e, rf.Doc, rf.Lookup)
	}
}

// doc checks the scalars of d with lookup.
func (r *UndefinedVariable) doc(p *Pass, e *Env, d *compose.Document, lookup func(string) (string, bool)) {
	if d.Root == nil || !bytes.Contains(d.Src, []byte("$")) {
		return
	}
	key := ""
	if e.VarsKey != "" {
		key = d.Name + "\x00" + e.VarsKey
		if fs, ok := r.seen[key]; ok {
			for _, f := range fs {
				p.Report(f)
			}
			return
		}
	}
	var found []diag.Finding
	report := func(f diag.Finding) {
		found = append(found, f)
		p.Report(f)
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		switch n.Kind {
		case yaml.AliasNode:
			return
		case yaml.ScalarNode:
			if strings.Contains(n.Value, "$") {
				r.scalar(p, d, n, lookup, report)
			}
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	for _, root := range d.Roots() {
		walk(root)
	}
	if key != "" {
		r.seen[key] = found
	}
}

func (r *UndefinedVariable) scalar(p *Pass, d *compose.Document, n *yaml.Node, lookup func(string) (string, bool), report func(diag.Finding)) {
	start, end := NodeRange(d, n)
	from := start
	mvs, ok := r.missing[n.Value]
	if !ok {
		mvs = missingVars(n.Value, lookup)
		r.missing[n.Value] = mvs
	}
	for _, mv := range mvs {
		// Point at the use in the source when it is written verbatim there
		// (plain and most quoted scalars); else at the scalar.
		sp := NodeSpan(d, n)
		if i := bytes.Index(d.Src[from:max(end, from)], []byte(mv.text)); i >= 0 {
			sp = OffsetSpan(d, from+i, from+i+len(mv.text))
			from += i + len(mv.text)
		}
		if mv.required {
			state := "not set"
			if _, set := lookup(mv.name); set {
				state = "empty" // ${VAR:?msg} refuses an empty value too
			}
			report(diag.Finding{Severity: diag.Error, Span: sp,
				Message: fmt.Sprintf("variable %q is required (%s) but %s: docker compose refuses to load; give it a value in .env or the environment", mv.name, mv.text, state)})
			continue
		}
		report(diag.Finding{Severity: p.meta.Severity, Span: sp,
			Message: fmt.Sprintf("variable %q is not set and has no default: docker compose uses an empty string; set it in .env or write ${%s:-default}", mv.name, mv.name)})
	}
}
