package envs

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
)

type yaml3Node = yaml.Node

// compose-go's errors carry a dotted path at best ("services.web.ports"),
// never a line. These find what the message points at.
var (
	requiredVarRE = regexp.MustCompile(`required variable (\S+) is missing a value`)
	dottedPathRE  = regexp.MustCompile(`(?:^|[\s:'"(\[])((?:services|networks|volumes|secrets|configs|models|include|x-[\w-]+)(?:\.[^\s:'",()\[\]]+)*)`)
	serviceRE     = regexp.MustCompile(`service "([^"]+)"`)
	additionalRE  = regexp.MustCompile(`[Aa]dditional propert(?:y|ies) ((?:'[^']+'(?:, )?)+)(?: is| are)? not allowed`)
	hostPortRE    = regexp.MustCompile(`Invalid hostPort: (\S+)`)
	cycleRE       = regexp.MustCompile(`cycle detected: ([^\s]+) ->`)
	validatingRE  = regexp.MustCompile(`^validating [^:]+: `)
	quotedRE      = regexp.MustCompile(`'([^']+)'`)
	envFileRE     = regexp.MustCompile(`env file (\S+) not found`)
	openRE        = regexp.MustCompile(`open (\S+): `)
	invalidSpecRE = regexp.MustCompile(`invalid spec: (\S+): `)
)

// loadError turns an error from compose-go into one line `file:line:col:
// message`: file names relative to the project, the position found by
// looking the message's dotted path up in the environment's files (the last
// file that defines it wins, as in the merge).
func (p *Project) loadError(docs []*compose.Document, err error) error {
	var ce *compose.Error
	if errors.As(err, &ce) {
		return err
	}
	msg := strings.TrimSpace(err.Error())
	// compose-go joins several errors with newlines: show the first, count
	// the rest, keep one line.
	if lines := strings.Split(msg, "\n"); len(lines) > 1 {
		msg = strings.TrimSpace(lines[0])
		if more := len(lines) - 1; more == 1 {
			msg += " (and 1 more error)"
		} else {
			msg += fmt.Sprintf(" (and %d more errors)", more)
		}
	}
	for _, d := range docs {
		if d.Path != "" {
			msg = strings.ReplaceAll(msg, d.Path, d.Name)
		}
	}
	msg = strings.ReplaceAll(msg, p.Dir+"/", "")
	msg = strings.TrimSpace(validatingRE.ReplaceAllString(msg, ""))
	// compose-go lists extra properties in map order: sort them so the
	// message is the same every run
	msg = additionalRE.ReplaceAllStringFunc(msg, func(m string) string {
		names := quotedRE.FindAllString(m, -1)
		sorted := slices.Clone(names)
		slices.Sort(sorted)
		return strings.Replace(m, strings.Join(names, ", "), strings.Join(sorted, ", "), 1)
	})
	topLevel := strings.HasPrefix(msg, "additional properties")
	loc, ok := p.locate(docs, msg, topLevel)
	if topLevel {
		// schema error on the top level: compose-go prints an empty path
		msg = "top-level " + msg + ": services go under `services:` (version 1 files are not supported)"
	}
	if !ok && len(docs) > 0 {
		loc = compose.Location{File: docs[0].Name, Pos: compose.Pos{Line: 1, Col: 1}}
	}
	msg = lowerFirst(strings.TrimSpace(msg))
	if strings.Contains(msg, "empty compose file") {
		msg = "empty compose file: add at least `services:`"
	}
	return &compose.Error{Location: loc, Msg: msg, Err: err}
}

func (p *Project) locate(docs []*compose.Document, msg string, topLevel bool) (compose.Location, bool) {
	if m := requiredVarRE.FindStringSubmatch(msg); m != nil {
		re := regexp.MustCompile(`\$\{` + regexp.QuoteMeta(m[1]) + `:?\?`)
		for _, d := range docs {
			if at := re.FindIndex(d.Src); at != nil {
				return d.LocAt(at[0]), true
			}
		}
	}
	if m := envFileRE.FindStringSubmatch(msg); m != nil {
		if loc, ok := findEnvFile(docs, m[1]); ok {
			return loc, true
		}
	}
	if m := openRE.FindStringSubmatch(msg); m != nil {
		if loc, ok := findText(docs, m[1], filepath.Base(m[1])); ok {
			return loc, true
		}
	}
	if m := hostPortRE.FindStringSubmatch(msg); m != nil {
		if loc, ok := findText(docs, m[1]); ok {
			return loc, true
		}
	}
	if m := invalidSpecRE.FindStringSubmatch(msg); m != nil {
		// an interpolated part came out empty: `${VAR}:/data` gave ":/data"
		if loc, ok := findText(docs, "}"+m[1]); ok {
			return backToVariable(docs, loc), true
		}
		if loc, ok := findText(docs, m[1]); ok {
			return loc, true
		}
	}
	var paths []string
	var extra []string // properties named by "additional properties 'a', 'b'"
	if a := additionalRE.FindString(msg); a != "" {
		for _, q := range quotedRE.FindAllStringSubmatch(a, -1) {
			extra = append(extra, q[1])
		}
	}
	for _, m := range dottedPathRE.FindAllStringSubmatch(msg, -1) {
		path := strings.TrimRight(m[1], ".")
		for _, x := range extra {
			paths = append(paths, path+"."+x)
		}
		paths = append(paths, path)
	}
	if topLevel {
		paths = append(paths, extra...)
	}
	if m := cycleRE.FindStringSubmatch(msg); m != nil {
		paths = append(paths, "services."+m[1]+".depends_on")
	}
	for _, m := range serviceRE.FindAllStringSubmatch(msg, -1) {
		paths = append(paths, "services."+m[1])
	}
	for _, path := range paths {
		for parts := strings.Split(path, "."); len(parts) > 0; parts = parts[:len(parts)-1] {
			if loc, ok := lookupLast(docs, strings.Join(parts, ".")); ok {
				return loc, true
			}
		}
	}
	return compose.Location{}, false
}

// findText finds the first of texts in the documents' sources, the last
// document first (it is the one that wins the merge).
func findText(docs []*compose.Document, texts ...string) (compose.Location, bool) {
	for _, t := range texts {
		if t == "" {
			continue
		}
		for j := len(docs) - 1; j >= 0; j-- {
			d := docs[j]
			if i := bytes.Index(d.Src, []byte(t)); i >= 0 {
				return d.LocAt(i), true
			}
		}
	}
	return compose.Location{}, false
}

// backToVariable moves loc, on the "}" closing a variable, back to the "${"
// that opens it.
func backToVariable(docs []*compose.Document, loc compose.Location) compose.Location {
	for _, d := range docs {
		if d.Name != loc.File {
			continue
		}
		line := []rune(d.Line(loc.Line))
		for c := loc.Col - 1; c >= 1; c-- {
			if c < len(line) && line[c-1] == '$' && line[c] == '{' {
				loc.Col = c
				return loc
			}
		}
	}
	return loc
}

// findEnvFile finds the env_file entry naming path (as the message shows it,
// relative to the project) in any service.
func findEnvFile(docs []*compose.Document, path string) (compose.Location, bool) {
	matches := func(v string) bool {
		v = strings.TrimPrefix(v, "./")
		return v == path || filepath.Clean(v) == filepath.Clean(path) || strings.HasSuffix(path, "/"+v)
	}
	for i := len(docs) - 1; i >= 0; i-- {
		d := docs[i]
		services, _, ok := d.Lookup("services")
		if !ok {
			continue
		}
		ss, _ := d.Entries(services, nil)
		for _, svc := range ss {
			e, ok := d.Get(svc.Value, "env_file")
			if !ok {
				continue
			}
			var items []*yaml.Node
			switch e.Value.Kind {
			case yaml.ScalarNode:
				items = []*yaml.Node{e.Value}
			case yaml.SequenceNode:
				items = e.Value.Content
			}
			for _, it := range items {
				it = compose.Deref(it)
				if it.Kind == yaml.MappingNode {
					if pe, ok := d.Get(it, "path"); ok {
						it = pe.Value
					}
				}
				if it.Kind == yaml.ScalarNode && matches(it.Value) {
					return d.Loc(it), true
				}
			}
		}
	}
	return compose.Location{}, false
}

// lookupLast finds path in the last document that defines it.
func lookupLast(docs []*compose.Document, path string) (compose.Location, bool) {
	for i := len(docs) - 1; i >= 0; i-- {
		d := docs[i]
		n, e, ok := d.Lookup(path)
		if !ok {
			continue
		}
		if e.Key != nil {
			return d.Loc(e.Key), true
		}
		return d.Loc(n), true
	}
	return compose.Location{}, false
}

// lowerFirst lowercases a message's first word when it is capitalised
// ("Circular reference: ..." from compose-go), not an acronym or a name.
func lowerFirst(msg string) string {
	r, size := utf8.DecodeRuneInString(msg)
	next, _ := utf8.DecodeRuneInString(msg[size:])
	if unicode.IsUpper(r) && unicode.IsLower(next) {
		return string(unicode.ToLower(r)) + msg[size:]
	}
	return msg
}
