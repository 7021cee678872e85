package model

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Error is a value of the model that cannot be decoded into its field.
type Error struct {
	// Path is where the value is in the model, in tree.Path syntax: keys
	// joined by ".", a "." inside a key (but the first) written "👻", list
	// items by index ("services.web.ports.0.target"). merge.Result.Origin
	// turns it into file:line:col.
	Path string
	// Field names the value the way docker compose's message does: struct
	// fields by their key joined by ".", map entries and list items in
	// brackets ("services[web].ports[0].target").
	Field string
	// Msg says what is wrong, worded as docker compose words it
	// ("expected type 'string', got unconvertible type 'int64'").
	Msg string

	segs []seg // innermost first while the error travels up
}

// Error returns the line docker compose prints for this value:
// 'services[web].mem_limit' <message>.
func (e *Error) Error() string { return "'" + e.Field + "' " + e.Msg }

// Errors are all the values of a model that cannot be decoded, sorted by
// Path. Decode returns them as its error.
type Errors []*Error

// Error returns what docker compose prints when its decoder fails.
func (es Errors) Error() string {
	var b strings.Builder
	b.WriteString("decoding failed due to the following error(s):\n")
	for _, e := range es {
		b.WriteString("\n")
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap gives errors.As and errors.Is each *Error.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// segKind tells how a step of a path is spelt in Field.
type segKind uint8

const (
	segField segKind = iota // .name: a struct field
	segKey                  // [key]: a map entry
	segIndex                // [3]: a list item
)

// seg is one step from a value to its child.
type seg struct {
	kind  segKind
	key   string // the key as written in the model (fields and entries)
	name  string // the field's name, which Field shows (fields only)
	index int    // list items
}

// errs collects the failures of one value and its children. Decoding
// returns nil on success, so the happy path builds no paths at all.
type errs []*Error

// fail is the failure of the value being decoded, with msg.
func fail(msg string) errs { return errs{{Msg: msg}} }

// under records that es happened inside the child s.
func (es errs) under(s seg) errs {
	for _, e := range es {
		e.segs = append(e.segs, s)
	}
	return es
}

// finish spells the paths and sorts the errors.
func (es errs) finish() Errors {
	out := make(Errors, len(es))
	for i, e := range es {
		slices.Reverse(e.segs)
		e.Path, e.Field = spell(e.segs)
		e.segs = nil
		out[i] = e
	}
	slices.SortStableFunc(out, func(a, b *Error) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.Msg, b.Msg))
	})
	return out
}

// spell writes a path both ways: tree.Path syntax and docker compose's.
func spell(segs []seg) (path, field string) {
	var p, f strings.Builder
	for i, s := range segs {
		part := s.key
		if s.kind == segIndex {
			part = strconv.Itoa(s.index)
		}
		if i > 0 {
			p.WriteByte('.')
			part = strings.ReplaceAll(part, ".", "👻")
		}
		p.WriteString(part)
		switch s.kind {
		case segField:
			if f.Len() > 0 {
				f.WriteByte('.')
			}
			f.WriteString(s.name)
		case segKey:
			f.WriteString("[" + s.key + "]")
		case segIndex:
			f.WriteString("[" + strconv.Itoa(s.index) + "]")
		}
	}
	return p.String(), f.String()
}
