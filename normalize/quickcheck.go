package normalize

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strings"
)

// A quickCheck is a part of the compose specification's JSON schema
// compiled for the values composure's trees hold, to tell a valid value
// without the general validator, which allocates its way through every
// keyword and keeps the evaluation state a complete error report needs.
// It understands the keywords the specification uses (type, enum,
// properties, patternProperties, additionalProperties, required, items,
// uniqueItems, pattern, minimum, maximum, oneOf, anyOf, allOf, $ref) with
// the 2020-12 meaning; any other keyword, and any value it cannot judge
// with certainty (a Go type no tree holds, a number that is not finite),
// makes it answer unsure. Its "valid" and "invalid" are both exact (a oneOf
// counts on both): TestQuickCheck holds each to the validator on every
// attribute of every corpus service and hundreds of thousands of variants.
// The validator still decides every value the check is unsure about or
// finds invalid, and words the error.
type quickCheck struct {
	types   uint8 // the t* bits of the types allowed; 0: any
	enum    []any
	props   map[string]*quickCheck
	pattern []patternCheck // patternProperties
	// additional applies to properties neither props nor pattern name;
	// closed forbids them
	additional *quickCheck
	closed     bool
	required   []string
	items      *quickCheck
	unique     bool
	re         *regexp.Regexp // pattern
	min, max   *big.Rat
	oneOf      []*quickCheck
	anyOf      []*quickCheck
	allOf      []*quickCheck
	ref        **quickCheck // resolved after compiling (definitions may recurse)
	unsure     bool         // a keyword it does not understand
}

type patternCheck struct {
	match func(string) bool
	c     *quickCheck
}

// matcher is re's MatchString, written out for the patterns the compose
// specification uses on keys of mappings that hold a value per key (x-
// extensions, names, environment entries): a regexp match per key was
// half of the schema check of a service.
func matcher(re *regexp.Regexp) func(string) bool {
	switch re.String() {
	case "^x-":
		return func(k string) bool { return strings.HasPrefix(k, "x-") }
	case "^.+$":
		// `.` is any character but a newline, and `$` the end of the text
		return func(k string) bool { return k != "" && !strings.Contains(k, "\n") }
	case ".+":
		return func(k string) bool { return strings.ContainsFunc(k, func(r rune) bool { return r != '\n' }) }
	case "^[a-zA-Z0-9._-]+$":
		return func(k string) bool { return k != "" && allBytes(k, nameByte) }
	case "^[a-z]+$":
		return func(k string) bool { return k != "" && allBytes(k, func(b byte) bool { return 'a' <= b && b <= 'z' }) }
	}
	return re.MatchString
}

func nameByte(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '.' || b == '_' || b == '-'
}

func allBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

// verdict is a quickCheck's answer.
type verdict uint8

const (
	valid verdict = iota
	invalid
	unsure
)

// and combines the verdicts of two keywords of one schema.
func (v verdict) and(w verdict) verdict { return max(v, w) }

const (
	tNull uint8 = 1 << iota
	tBool
	tNumber
	tInteger
	tString
	tArray
	tObject
)

var typeBits = map[string]uint8{"null": tNull, "boolean": tBool, "number": tNumber, "integer": tInteger,
	"string": tString, "array": tArray, "object": tObject}

// annotations are keywords that do not constrain.
var annotations = map[string]bool{"description": true, "deprecated": true, "default": true, "title": true,
	"$schema": true, "$id": true, "$defs": true, "$comment": true, "examples": true}

// quickCompiler compiles the parts of one schema document, each once.
type quickCompiler struct {
	doc  map[string]any
	refs map[string]**quickCheck
	err  error
}

// compile compiles the schema at JSON pointer ptr ("#/$defs/service").
func (qc *quickCompiler) compile(ptr string) *quickCheck {
	slot := qc.slot(ptr)
	if *slot == nil {
		*slot = &quickCheck{unsure: true} // while compiling, a reference to it is unsure
		node, err := qc.resolve(ptr)
		if err != nil {
			qc.err = err
			return *slot
		}
		*slot = qc.schema(node)
	}
	return *slot
}

func (qc *quickCompiler) slot(ptr string) **quickCheck {
	if qc.refs == nil {
		qc.refs = map[string]**quickCheck{}
	}
	s, ok := qc.refs[ptr]
	if !ok {
		s = new(*quickCheck)
		qc.refs[ptr] = s
	}
	return s
}

func (qc *quickCompiler) resolve(ptr string) (any, error) {
	rest, ok := strings.CutPrefix(ptr, "#")
	if !ok {
		return nil, fmt.Errorf("%s: only references inside the document are understood", ptr)
	}
	var node any = qc.doc
	for _, tok := range strings.Split(strings.TrimPrefix(rest, "/"), "/") {
		if tok == "" {
			continue
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := node.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: no such schema", ptr)
		}
		if node, ok = m[tok]; !ok {
			return nil, fmt.Errorf("%s: no such schema", ptr)
		}
	}
	return node, nil
}

// schema compiles one schema object.
func (qc *quickCompiler) schema(node any) *quickCheck {
	switch n := node.(type) {
	case bool:
		if n {
			return &quickCheck{}
		}
		return &quickCheck{unsure: true} // `false` is never used by the specification
	case map[string]any:
		c := &quickCheck{}
		for k, v := range n {
			if annotations[k] {
				continue
			}
			if !qc.keyword(c, k, v) {
				c.unsure = true
			}
		}
		return c
	}
	return &quickCheck{unsure: true}
}

// keyword compiles keyword k of c; false: not understood.
func (qc *quickCompiler) keyword(c *quickCheck, k string, v any) bool {
	switch k {
	case "type":
		switch t := v.(type) {
		case string:
			c.types = typeBits[t]
			return c.types != 0
		case []any:
			for _, e := range t {
				s, _ := e.(string)
				if typeBits[s] == 0 {
					return false
				}
				c.types |= typeBits[s]
			}
			return true
		}
	case "enum":
		list, ok := v.([]any)
		c.enum = list
		return ok
	case "properties":
		m, ok := v.(map[string]any)
		c.props = map[string]*quickCheck{}
		for name, s := range m {
			c.props[name] = qc.schema(s)
		}
		return ok
	case "patternProperties":
		m, ok := v.(map[string]any)
		for p, s := range m {
			re, err := regexp.Compile(p)
			if err != nil {
				return false
			}
			c.pattern = append(c.pattern, patternCheck{matcher(re), qc.schema(s)})
		}
		return ok
	case "additionalProperties":
		if b, ok := v.(bool); ok {
			c.closed = !b
			return true
		}
		c.additional = qc.schema(v)
		return true
	case "required":
		list, ok := v.([]any)
		for _, e := range list {
			s, isString := e.(string)
			if !isString {
				return false
			}
			c.required = append(c.required, s)
		}
		return ok
	case "items":
		if _, isList := v.([]any); isList {
			return false
		}
		c.items = qc.schema(v)
		return true
	case "uniqueItems":
		b, ok := v.(bool)
		c.unique = b
		return ok
	case "pattern":
		s, _ := v.(string)
		re, err := regexp.Compile(s)
		c.re = re
		return err == nil
	case "minimum", "maximum":
		r, ok := ratOf(v)
		if k == "minimum" {
			c.min = r
		} else {
			c.max = r
		}
		return ok
	case "oneOf", "anyOf", "allOf":
		list, ok := v.([]any)
		var out []*quickCheck
		for _, s := range list {
			out = append(out, qc.schema(s))
		}
		switch k {
		case "oneOf":
			c.oneOf = out
		case "anyOf":
			c.anyOf = out
		default:
			c.allOf = out
		}
		return ok && len(out) > 0
	case "$ref":
		s, ok := v.(string)
		if !ok || !strings.HasPrefix(s, "#") {
			return false
		}
		qc.compile(s)
		c.ref = qc.slot(s)
		return true
	}
	return false
}

// test judges v.
func (c *quickCheck) test(v any) verdict {
	if c.unsure {
		return unsure
	}
	t, ok := typeOfValue(v)
	if !ok {
		return unsure
	}
	r := valid
	if c.types != 0 && c.types&t == 0 {
		if t != tNumber || c.types&tInteger == 0 {
			return invalid
		}
		integer, sure := isWhole(v)
		if !sure {
			return unsure
		}
		if !integer {
			return invalid
		}
	}
	if c.enum != nil {
		r = r.and(inEnum(v, c.enum))
	}
	if c.ref != nil {
		r = r.and((*c.ref).test(v))
	}
	switch t {
	case tObject:
		r = r.and(c.object(v.(map[string]any)))
	case tArray:
		r = r.and(c.array(v.([]any)))
	case tString:
		if c.re != nil && !c.re.MatchString(v.(string)) {
			return invalid
		}
	case tNumber:
		if c.min != nil || c.max != nil {
			n, sure := ratOf(v)
			if !sure {
				return unsure
			}
			if (c.min != nil && n.Cmp(c.min) < 0) || (c.max != nil && n.Cmp(c.max) > 0) {
				return invalid
			}
		}
	}
	if r == invalid {
		return invalid
	}
	for _, s := range c.allOf {
		r = r.and(s.test(v))
	}
	if c.anyOf != nil {
		r = r.and(anyOf(c.anyOf, v))
	}
	if c.oneOf != nil {
		r = r.and(oneOf(c.oneOf, v))
	}
	return r
}

func anyOf(list []*quickCheck, v any) verdict {
	r := invalid
	for _, s := range list {
		switch s.test(v) {
		case valid:
			return valid
		case unsure:
			r = unsure
		}
	}
	return r
}

func oneOf(list []*quickCheck, v any) verdict {
	n := 0
	for _, s := range list {
		switch s.test(v) {
		case valid:
			n++
		case unsure:
			return unsure
		}
	}
	if n == 1 {
		return valid
	}
	return invalid
}

func (c *quickCheck) object(m map[string]any) verdict {
	r := valid
	for _, k := range c.required {
		if _, ok := m[k]; !ok {
			return invalid
		}
	}
	for k, e := range m {
		named := false
		if s, ok := c.props[k]; ok {
			named = true
			r = r.and(s.test(e))
		}
		for _, p := range c.pattern {
			if p.match(k) {
				named = true
				r = r.and(p.c.test(e))
			}
		}
		if !named {
			if c.closed {
				return invalid
			}
			if c.additional != nil {
				r = r.and(c.additional.test(e))
			}
		}
		if r == invalid {
			return invalid
		}
	}
	return r
}

func (c *quickCheck) array(list []any) verdict {
	r := valid
	if c.items != nil {
		for _, e := range list {
			if r = r.and(c.items.test(e)); r == invalid {
				return invalid
			}
		}
	}
	if c.unique && len(list) > 1 {
		for i := 1; i < len(list); i++ {
			for j := 0; j < i; j++ {
				switch sameValue(list[i], list[j]) {
				case valid:
					return invalid
				case unsure:
					r = unsure
				}
			}
		}
	}
	return r
}

// typeOfValue is the JSON type of a value of a plain tree; false for a Go
// type no tree holds.
func typeOfValue(v any) (uint8, bool) {
	switch v.(type) {
	case nil:
		return tNull, true
	case bool:
		return tBool, true
	case string:
		return tString, true
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float64, json.Number:
		return tNumber, true
	case []any:
		return tArray, true
	case map[string]any:
		return tObject, true
	}
	return 0, false
}

// isWhole reports whether number v is an integer; sure is false for a
// value it cannot tell (not finite, not a number).
func isWhole(v any) (whole, sure bool) {
	switch n := v.(type) {
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return true, true
	case float64:
		if math.IsInf(n, 0) || math.IsNaN(n) {
			return false, false
		}
		return n == math.Trunc(n), true
	case json.Number:
		r, ok := new(big.Rat).SetString(string(n))
		return ok && r.IsInt(), ok
	}
	return false, false
}

// ratOf is number v as a rational, as the validator compares numbers.
func ratOf(v any) (*big.Rat, bool) {
	switch n := v.(type) {
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, json.Number:
		return new(big.Rat).SetString(fmt.Sprint(n))
	case float64:
		if math.IsInf(n, 0) || math.IsNaN(n) {
			return nil, false
		}
		// as the validator reads it: the shortest decimal that is n
		return new(big.Rat).SetString(fmt.Sprint(n))
	}
	return nil, false
}

// inEnum reports whether v is one of list, by JSON equality.
func inEnum(v any, list []any) verdict {
	r := invalid
	for _, e := range list {
		switch sameValue(v, e) {
		case valid:
			return valid
		case unsure:
			r = unsure
		}
	}
	return r
}

// sameValue tells whether two values are equal as JSON values (valid:
// equal, invalid: not); numbers are compared exactly.
func sameValue(a, b any) verdict {
	ta, ok1 := typeOfValue(a)
	tb, ok2 := typeOfValue(b)
	if !ok1 || !ok2 {
		return unsure
	}
	if ta != tb {
		return invalid
	}
	switch x := a.(type) {
	case nil:
		return valid
	case bool:
		return same(x == b.(bool))
	case string:
		return same(x == b.(string))
	case []any:
		y := b.([]any)
		if len(x) != len(y) {
			return invalid
		}
		r := valid
		for i := range x {
			if r = r.and(sameValue(x[i], y[i])); r == invalid {
				return invalid
			}
		}
		return r
	case map[string]any:
		y := b.(map[string]any)
		if len(x) != len(y) {
			return invalid
		}
		r := valid
		for k, e := range x {
			f, ok := y[k]
			if !ok {
				return invalid
			}
			if r = r.and(sameValue(e, f)); r == invalid {
				return invalid
			}
		}
		return r
	}
	ra, ok1 := ratOf(a)
	rb, ok2 := ratOf(b)
	if !ok1 || !ok2 {
		return unsure
	}
	return same(ra.Cmp(rb) == 0)
}

func same(b bool) verdict {
	if b {
		return valid
	}
	return invalid
}
