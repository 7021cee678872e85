package lint

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/normalize"
	"gopkg.in/yaml.v3"
)

// UnknownKey reports keys the compose specification does not allow, with the
// nearest valid key. The allowed keys at each level come from the JSON
// schema compose-go validates with (normalize.SchemaDocument), so the rule follows the
// specification as docker compose does; `x-` keys are exempt.
type UnknownKey struct {
	RuleBase
	root *object
	doc  *schemaDoc
}

var _ Rule = (*UnknownKey)(nil)

// NewUnknownKey returns the unknown-key rule.
func NewUnknownKey() *UnknownKey {
	return &UnknownKey{RuleBase: RuleBase{Meta{ID: "unknown-key", Summary: "keys the compose specification does not allow, with the nearest valid one",
		Severity: diag.Error, Scope: ScopeFile}}}
}

// object is what the schema allows in a mapping.
type object struct {
	props    map[string]any // key -> schema
	names    []string       // sorted keys of props
	patterns []patternProp
	// matched memoizes match: the same keys (variables, labels) recur
	// in every service.
	matched map[string]int
	closed  bool
	// items is the schema of sequence items, when the value may be a list.
	items any
}

type patternProp struct {
	re     *regexp.Regexp
	schema any
}

// match returns the index of the first of o's patterns that key matches,
// -1 for none.
func (o *object) match(key string) int {
	i, ok := o.matched[key]
	if !ok {
		i = slices.IndexFunc(o.patterns, func(pp patternProp) bool { return pp.re.MatchString(key) })
		if o.matched == nil {
			o.matched = map[string]int{}
		}
		o.matched[key] = i
	}
	return i
}

// schemaDoc resolves $ref in the compose-spec schema.
type schemaDoc struct {
	root map[string]any
	memo map[uintptr]*object
}

func (s *schemaDoc) deref(v any) map[string]any {
	m, _ := v.(map[string]any)
	for i := 0; m != nil && i < 10; i++ {
		ref, ok := m["$ref"].(string)
		if !ok {
			break
		}
		var cur any = s.root
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			cm, _ := cur.(map[string]any)
			cur = cm[part]
		}
		m, _ = cur.(map[string]any)
	}
	return m
}

// object collects the properties a mapping may have under schema v: its own
// properties plus those of allOf members and of oneOf/anyOf object
// alternatives.
func (s *schemaDoc) object(v any) *object {
	var key uintptr
	if m, ok := v.(map[string]any); ok {
		key = reflect.ValueOf(m).Pointer()
		if o, ok := s.memo[key]; ok {
			return o
		}
	}
	o := &object{props: map[string]any{}}
	defer func() {
		if key != 0 {
			s.memo[key] = o
		}
	}()
	s.collect(v, o, 0)
	for k := range o.props {
		o.names = append(o.names, k)
	}
	slices.Sort(o.names)
	return o
}

func (s *schemaDoc) collect(v any, o *object, depth int) {
	m := s.deref(v)
	if m == nil || depth > 8 {
		return
	}
	if props, ok := m["properties"].(map[string]any); ok {
		for k, p := range props {
			o.props[k] = p
		}
	}
	if pp, ok := m["patternProperties"].(map[string]any); ok {
		for _, k := range sortedKeys(pp) {
			if re, err := regexp.Compile(k); err == nil {
				o.patterns = append(o.patterns, patternProp{re, pp[k]})
			}
		}
	}
	if m["additionalProperties"] == false || m["unevaluatedProperties"] == false {
		o.closed = true
	}
	if it, ok := m["items"]; ok && o.items == nil {
		o.items = it
	}
	for _, k := range []string{"allOf", "oneOf", "anyOf"} {
		alts, _ := m[k].([]any)
		for _, a := range alts {
			s.collect(a, o, depth+1)
		}
	}
}

func (r *UnknownKey) schema() *object {
	if r.root != nil {
		return r.root
	}
	root, err := normalize.SchemaDocument()
	if err != nil {
		r.root = &object{props: map[string]any{}}
		return r.root
	}
	sd := &schemaDoc{root: root, memo: map[uintptr]*object{}}
	r.root = sd.object(root)
	r.doc = sd
	return r.root
}

// VisitFile walks d against the schema.
func (r *UnknownKey) VisitFile(p *Pass, d *compose.Document) {
	obj := r.schema()
	seen := map[*yaml.Node]bool{}
	for _, root := range d.Roots() {
		r.v1Layout(p, d, root, obj, seen)
		r.mapping(p, d, root, obj, make(keyPath, 0, 16), seen)
	}
}

// v1Layout reports a Compose file format v1 file (services at the top
// level, no "services:" key) once per document, instead of one unknown key
// per service.
func (r *UnknownKey) v1Layout(p *Pass, d *compose.Document, root *yaml.Node, top *object, seen map[*yaml.Node]bool) {
	if _, ok := d.Get(root, "services"); ok {
		return
	}
	var keys []*yaml.Node
	var names []string
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], compose.Deref(root.Content[i+1])
		if _, known := top.props[k.Value]; known || strings.HasPrefix(k.Value, "x-") || !looksLikeService(d, v) {
			continue
		}
		keys = append(keys, k)
		names = append(names, fmt.Sprintf("%q", k.Value))
	}
	if len(keys) == 0 {
		return
	}
	for _, k := range keys {
		seen[k] = true
	}
	subject := "services " + strings.Join(names, ", ") + " are"
	if len(names) == 1 {
		subject = "service " + names[0] + " is"
	}
	f := diag.Finding{Severity: diag.Error, Span: NodeSpan(d, keys[0]),
		Message: fmt.Sprintf("%s at the top level (Compose file format v1), which docker compose no longer reads: move them under \"services:\"", subject)}
	for _, k := range keys[1:] {
		f.Related = append(f.Related, diag.Related{Span: NodeSpan(d, k), Message: fmt.Sprintf("service %q, also at the top level", k.Value)})
	}
	p.Report(f)
}

func (r *UnknownKey) mapping(p *Pass, d *compose.Document, n *yaml.Node, o *object, path keyPath, seen map[*yaml.Node]bool) {
	n = compose.Deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return
	}
	if hasMergeKey(n) {
		es, err := d.Entries(n, d.ExpansionBudget())
		if err != nil {
			return
		}
		for _, e := range es {
			r.entry(p, d, e, o, path, seen)
		}
		return
	}
	// Without merge keys the entries are the pairs as written: no need to
	// list them (and spend a budget) for every mapping of every service.
	for i := 0; i+1 < len(n.Content); i += 2 {
		e := compose.Entry{Key: n.Content[i], Value: n.Content[i+1]}
		if e.Value.Kind == yaml.AliasNode {
			e.Alias, e.Value = e.Value, compose.Deref(e.Value)
		}
		r.entry(p, d, e, o, path, seen)
	}
}

// hasMergeKey reports whether mapping m has a `<<` key.
func hasMergeKey(m *yaml.Node) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if compose.IsMergeKey(m.Content[i]) {
			return true
		}
	}
	return false
}

// entry checks one entry of a mapping whose schema is o.
func (r *UnknownKey) entry(p *Pass, d *compose.Document, e compose.Entry, o *object, path keyPath, seen map[*yaml.Node]bool) {
	k := e.Key
	name := k.Value
	if strings.HasPrefix(name, "x-") {
		return
	}
	var sub any
	matched := false
	if s, ok := o.props[name]; ok {
		sub, matched = s, true
	} else if i := o.match(name); i >= 0 {
		sub, matched = o.patterns[i].schema, true
	}
	if !matched {
		if o.closed && len(o.names) > 0 && !seen[k] {
			seen[k] = true
			p.Report(withVia(d, r.unknown(d, k, e.Value, o, path.String()), e))
		}
		return
	}
	r.value(p, d, e.Value, sub, append(path, name), seen)
}

func (r *UnknownKey) value(p *Pass, d *compose.Document, n *yaml.Node, sch any, path keyPath, seen map[*yaml.Node]bool) {
	n = compose.Deref(n)
	if n == nil || n.Tag == compose.TagReset {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		o := r.doc.object(sch)
		if len(o.names) == 0 && len(o.patterns) == 0 {
			return
		}
		r.mapping(p, d, n, o, path, seen)
	case yaml.SequenceNode:
		o := r.doc.object(sch)
		if o.items == nil {
			return
		}
		for _, it := range n.Content {
			r.value(p, d, it, o.items, append(path, "[]"), seen)
		}
	}
}

func (r *UnknownKey) unknown(d *compose.Document, k, v *yaml.Node, o *object, path string) diag.Finding {
	where := "at the top level"
	parts := strings.Split(path, ".")
	switch {
	case path == "":
	case len(parts) == 2 && parts[0] == "services":
		where = fmt.Sprintf("in service %q", parts[1])
	default:
		where = fmt.Sprintf("in %q", path)
	}
	f := diag.Finding{Severity: diag.Error, Span: NodeSpan(d, k)}
	if sug, ok := nearest(k.Value, o.names, maxKeyDistance(k.Value)); ok {
		f.Message = fmt.Sprintf("unknown key %q %s: did you mean %q?", k.Value, where, sug)
		return f
	}
	if path == "" {
		switch {
		case looksLikeService(d, v):
			f.Message = fmt.Sprintf("unknown key %q at the top level: it looks like a service, and services belong under \"services:\" (a Compose file format v1 layout is not supported)", k.Value)
		case len(k.Value) > 2 && (k.Value[1] == '-' || k.Value[1] == '_') && k.Value[0] != 'x':
			// y-logging, X_common: an extension meant
			f.Message = fmt.Sprintf("unknown key %q at the top level: did you mean %q? Custom top-level keys must start with \"x-\"", k.Value, "x-"+k.Value[2:])
		default:
			f.Message = fmt.Sprintf("unknown key %q at the top level: the compose specification does not allow it (use an \"x-\" prefix for custom keys)", k.Value)
		}
		return f
	}
	f.Message = fmt.Sprintf("unknown key %q %s: the compose specification does not allow it (use an \"x-\" prefix for custom keys)", k.Value, where)
	return f
}

// looksLikeService reports whether v is a mapping with a key only a service
// has (image, build, extends, command), as a v1 layout's services are.
func looksLikeService(d *compose.Document, v *yaml.Node) bool {
	v = compose.Deref(v)
	if v == nil || v.Kind != yaml.MappingNode {
		return false
	}
	for _, svcKey := range serviceOnlyKeys {
		if _, ok := d.Get(v, svcKey); ok {
			return true
		}
	}
	return false
}

// serviceOnlyKeys tell a service's mapping.
var serviceOnlyKeys = []string{"image", "build", "extends", "command"}

// keyPath is where the walk is: keys, and "[]" for the items of a list.
// It is spelled out (services.web.ports[]) only for a finding: building the
// string for every entry of every service cost more than the check.
type keyPath []string

func (kp keyPath) String() string {
	var b strings.Builder
	for i, k := range kp {
		if i > 0 && k != "[]" {
			b.WriteByte('.')
		}
		b.WriteString(k)
	}
	return b.String()
}

// maxKeyDistance allows more typos in longer keys.
func maxKeyDistance(s string) int {
	switch {
	case len(s) <= 4:
		return 1
	case len(s) <= 8:
		return 2
	}
	return 3
}
