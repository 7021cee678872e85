package envs

import (
	"errors"
	"regexp"
	"strings"

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
	additionalRE  = regexp.MustCompile(`[Aa]dditional propert(?:y|ies) '?([^'\s]+)'? (?:is|are) not allowed`)
	validatingRE  = regexp.MustCompile(`^validating [^:]+: `)
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
	msg := err.Error()
	msg = strings.ReplaceAll(msg, "\n", " ")
	for _, d := range docs {
		if d.Path != "" {
			msg = strings.ReplaceAll(msg, d.Path, d.Name)
		}
	}
	msg = strings.ReplaceAll(msg, p.Dir+"/", "")
	msg = validatingRE.ReplaceAllString(msg, "")
	loc, ok := p.locate(docs, msg)
	if !ok && len(docs) > 0 {
		loc = compose.Location{File: docs[0].Name, Pos: compose.Pos{Line: 1, Col: 1}}
	}
	if strings.Contains(msg, "empty compose file") {
		msg = "empty compose file: add at least `services:`"
	}
	return &compose.Error{Location: loc, Msg: msg, Err: err}
}

func (p *Project) locate(docs []*compose.Document, msg string) (compose.Location, bool) {
	if m := requiredVarRE.FindStringSubmatch(msg); m != nil {
		re := regexp.MustCompile(`\$\{` + regexp.QuoteMeta(m[1]) + `:?\?`)
		for _, d := range docs {
			if at := re.FindIndex(d.Src); at != nil {
				return d.LocAt(at[0]), true
			}
		}
	}
	var paths []string
	for _, m := range dottedPathRE.FindAllStringSubmatch(msg, -1) {
		path := strings.TrimRight(m[1], ".")
		if a := additionalRE.FindStringSubmatch(msg); a != nil {
			paths = append(paths, path+"."+a[1])
		}
		paths = append(paths, path)
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
