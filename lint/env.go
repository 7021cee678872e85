package lint

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/template"
	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/internal/subst"
	"github.com/composure-dev/composure/merge"
	"gopkg.in/yaml.v3"
)

// Env is what environment rules see of one environment: its files, its
// effective services and where each value came from. Adapters build it from
// a loaded environment (see envs) or from a single file (FileEnv).
type Env struct {
	// Name is the environment's name ("default", "prod", ...).
	Name string
	// Dir is the project directory (absolute); relative paths in the
	// effective config resolve against it.
	Dir string
	// Docs are the environment's files in load order.
	Docs []*compose.Document
	// Reached are the files Docs include or extend, in the order met.
	Reached []*Reached
	// Refused is what docker compose refuses in the environment, as the
	// engine (envs.Project.Load) found it: load-error findings, each at its
	// place, reported by the load-error rule.
	Refused []diag.Finding
	// Model is the whole effective config before profiles are applied, in
	// compose-go's shape (map[string]any), not interpolated; may be nil.
	Model map[string]any
	// Services is Model's `services` mapping: name -> map[string]any.
	Services map[string]any
	// Disabled lists services defined but left out by the active profiles.
	Disabled map[string]bool
	// Origin returns where the value at a dotted path (services.web.restart)
	// was set: the exact path or its nearest ancestor. A value no file
	// wrote (merge.Origin.Default) has no origin.
	Origin func(path string) (merge.Origin, bool)
	// Lookup returns the value of a variable from the environment's .env and
	// env files and the process environment.
	Lookup func(name string) (string, bool)
	// VarsUnknown is set when the environment's variables could not be
	// read (it did not load): values with variables are not checked, and
	// undefined-variable stays silent.
	VarsUnknown bool
	// VarsKey is equal for environments whose Lookup answers the same
	// (same env files, same process environment), so rules may share work
	// between them; "" means unknown.
	VarsKey string

	run *runner
	// During a run (run set) the environment no longer changes: the
	// service names, sorted and in written order, are computed once for
	// all rules.
	namesOnce, orderOnce sync.Once
	names, order         []string
	// interpolated memoizes Interpolate during a run (string -> interp):
	// the same templates (`${TAG:-latest}`) recur in every service, and
	// the same strings in every environment: environments with the same
	// VarsKey share one memo (see memos).
	interpolated *sync.Map
	// builds are the services that build from a Dockerfile, once found
	// (buildsFound): LoadProject finds them while other environments load.
	builds      []build
	buildsFound bool
}

type interp struct {
	out string
	ok  bool
}

// Tree returns the whole effective config (never nil).
func (e *Env) Tree() map[string]any {
	if e.Model == nil {
		return map[string]any{}
	}
	return e.Model
}

// ServiceNames returns the names of the services, sorted.
func (e *Env) ServiceNames() []string {
	if e.run == nil {
		return sortedKeys(e.Services)
	}
	e.namesOnce.Do(func() { e.names = sortedKeys(e.Services) })
	return slices.Clone(e.names)
}

// ServicesInOrder returns the service names in the order they are written:
// by the file and position of their definition (unknown origins last, by
// name). Findings about the second of two services then point at the one
// written later.
func (e *Env) ServicesInOrder() []string {
	if e.run == nil {
		return e.servicesInOrder()
	}
	e.orderOnce.Do(func() { e.order = e.servicesInOrder() })
	return slices.Clone(e.order)
}

func (e *Env) servicesInOrder() []string {
	names := e.ServiceNames()
	if e.Origin == nil {
		return names
	}
	fileIdx := map[string]int{}
	for i, d := range e.Docs {
		fileIdx[d.Name] = i
	}
	for i, r := range e.Reached {
		if _, ok := fileIdx[r.Name]; !ok {
			fileIdx[r.Name] = len(e.Docs) + i
		}
	}
	type key struct{ f, line, col int }
	keys := make(map[string]key, len(names))
	for _, n := range names {
		k := key{len(e.Docs) + len(e.Reached), 0, 0}
		if o, ok := e.Origin(svcPath(n)); ok {
			if i, ok := fileIdx[o.File]; ok {
				k = key{i, o.Line, o.Col}
			}
		}
		keys[n] = k
	}
	slices.SortStableFunc(names, func(a, b string) int {
		ka, kb := keys[a], keys[b]
		if ka.f != kb.f {
			return ka.f - kb.f
		}
		if ka.line != kb.line {
			return ka.line - kb.line
		}
		return ka.col - kb.col
	})
	return names
}

// Service returns the effective config of service name.
func (e *Env) Service(name string) map[string]any {
	m, _ := e.Services[name].(map[string]any)
	return m
}

// Doc returns the environment's document called name: one of its files,
// or a file they include or extend (by the name origins give it, or its
// own).
func (e *Env) Doc(name string) *compose.Document {
	for _, d := range e.Docs {
		if d.Name == name {
			return d
		}
	}
	for _, r := range e.Reached {
		if r.Name == name || r.Doc.Name == name {
			return r.Doc
		}
	}
	return nil
}

// DocsByName maps every name a finding may give a file of files and envs
// to its document: the files' own names, and the names the environments'
// origins give the files they reach.
func DocsByName(files []*compose.Document, envs []*Env) map[string]*compose.Document {
	docs := make(map[string]*compose.Document, len(files))
	for _, d := range files {
		docs[d.Name] = d
	}
	for _, e := range envs {
		for _, d := range e.Docs {
			docs[d.Name] = d
		}
		for _, r := range e.Reached {
			if _, ok := docs[r.Name]; !ok {
				docs[r.Name] = r.Doc
			}
			if _, ok := docs[r.Doc.Name]; !ok {
				docs[r.Doc.Name] = r.Doc
			}
		}
	}
	return docs
}

// Interpolate substitutes variables in s with the environment's values and
// defaults, as docker compose does. ok is false when a variable has no value
// and no default, or the template is invalid.
func (e *Env) Interpolate(s string) (string, bool) {
	if !strings.Contains(s, "$") {
		return s, true
	}
	if e.interpolated == nil {
		return e.interpolate(s)
	}
	if v, ok := e.interpolated.Load(s); ok {
		r := v.(interp)
		return r.out, r.ok
	}
	out, ok := e.interpolate(s)
	e.interpolated.Store(s, interp{out, ok})
	return out, ok
}

func (e *Env) interpolate(s string) (string, bool) {
	ok := true
	lookup := e.lookup()
	if out, ok := subst.Fast(s, lookup); ok {
		return out, true
	}
	out, err := template.SubstituteWithOptions(s, lookup, template.WithoutLogging, template.WithReplacementFunction(func(sub string, m template.Mapping, cfg *template.Config) (string, error) {
		v, applied, err := template.DefaultReplacementAppliedFunc(sub, quiet(m), cfg)
		if err == nil && !applied && !strings.HasPrefix(sub, "$$") {
			ok = false
		}
		return v, err
	}))
	if err != nil {
		return "", false
	}
	return out, ok
}

// quiet wraps a mapping for one substitution: the first lookup (the
// variable itself) is answered truthfully; later ones come from compose-go
// interpolating a nested default (`${A:-$B}`) with logging on, so a missing
// variable there answers "set, empty" instead of printing a logrus warning.
func quiet(m template.Mapping) template.Mapping {
	first := true
	return func(name string) (string, bool) {
		v, ok := m(name)
		if first {
			first = false
			return v, ok
		}
		return v, true
	}
}

// Str returns v as an interpolated string: scalars are formatted as docker
// compose reads them. ok is false for non-scalars and unresolved variables.
func (e *Env) Str(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return e.Interpolate(x)
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case uint64:
		return strconv.FormatUint(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// Abs resolves a path of the effective config against the project directory.
func (e *Env) Abs(p string) string {
	if strings.HasPrefix(p, "~") || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(e.Dir, p)
}

// configPath builds the dotted path of the effective config that Origin,
// Span and KeySpan read, from its keys: a dot inside a key (a service
// called wazuh1.indexer) is written "👻", as merge.Result and compose-go's
// tree.Path write it.
func configPath(keys ...string) string {
	n := len(keys)
	for _, k := range keys {
		n += len(k) + 3*strings.Count(k, ".") // "👻" is 4 bytes
	}
	var b strings.Builder
	b.Grow(n)
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('.')
		}
		if strings.Contains(k, ".") {
			k = strings.ReplaceAll(k, ".", "👻")
		}
		b.WriteString(k)
	}
	return b.String()
}

// svcPath is configPath under services.name.
func svcPath(name string, keys ...string) string {
	all := make([]string, 0, 4)
	all = append(all, "services", name)
	return configPath(append(all, keys...)...)
}

// Span returns where the value at path was set, with its end, and the alias
// sites that brought it there as related locations. ok is false when the
// origin is unknown.
func (e *Env) Span(path string) (diag.Span, []diag.Related, bool) {
	return e.span(path, (*docIndex).at)
}

// KeySpan is Span for the entry of a mapping: where its key is written,
// whatever its value (an empty value, `data:`, has an origin of its own,
// after the colon).
func (e *Env) KeySpan(path string) (diag.Span, []diag.Related, bool) {
	return e.span(path, (*docIndex).keyAt)
}

// span is Span, underlining the node pick finds at the origin.
func (e *Env) span(path string, pick func(*docIndex, compose.Pos) *yaml.Node) (diag.Span, []diag.Related, bool) {
	o, ok := e.Origin(path)
	if !ok || !o.IsValid() {
		return diag.Span{}, nil, false
	}
	sp := diag.Span{File: o.File, Start: diag.Pos(o.Pos)}
	if d := e.Doc(o.File); d != nil && e.run != nil {
		ix := e.run.index(d)
		if n := pick(ix, o.Pos); n != nil {
			sp = NodeSpan(d, n)
		}
	}
	var rel []diag.Related
	for _, v := range o.Via {
		rel = append(rel, diag.Related{Span: diag.Span{File: v.File, Start: diag.Pos(v.Pos)}, Message: "used through this alias"})
	}
	return sp, rel, true
}

// docIndex finds nodes by position, for origins that carry only a start:
// every node of the document in one slice sorted by position (document
// order), with the key of each mapping value and the value of each key. One
// slice and a binary search cost far less than maps over every node, and
// keep the nodes written at one position in document order.
type docIndex struct {
	nodes []posNode
	// aliased are the byte ranges of the anchored nodes aliases of the
	// document refer to
	aliased [][2]int
}

// nodeRange is the byte range of n with everything below it.
func nodeRange(d *compose.Document, n *yaml.Node) [2]int {
	start, end := NodeRange(d, n)
	for len(n.Content) > 0 && n.Kind != yaml.AliasNode {
		n = n.Content[len(n.Content)-1]
		_, e := NodeRange(d, n)
		end = max(end, e)
	}
	return [2]int{start, end}
}

// merged reports whether the value at sp, found without an alias, is inside
// an anchor that aliases bring elsewhere: its service defines a block
// others merge.
func (e *Env) merged(sp diag.Span) bool {
	d := e.Doc(sp.File)
	if d == nil || e.run == nil {
		return false
	}
	off := d.Offset(compose.Pos(sp.Start))
	return slices.ContainsFunc(e.run.index(d).aliased, func(r [2]int) bool { return r[0] <= off && off < r[1] })
}

// subject is who a finding at sp (with rel, its alias sites) is about:
// service name, or, for a value inside an anchor several services merge,
// the services merging the block, one finding for all of them; and the
// -s of its verb.
func (e *Env) subject(name string, sp diag.Span, rel []diag.Related) (who, sfx string) {
	if len(rel) > 0 || e.merged(sp) {
		return blockSubject, ""
	}
	return fmt.Sprintf("service %q", name), "s"
}

type posNode struct {
	pos compose.Pos
	n   *yaml.Node
	key *yaml.Node // the key n is the value of, if any
	val *yaml.Node // the value of n when n is a key
}

// lazyDoc is what the rules of a run read of one document, each part built
// once, for whichever rule asks first: its index and its services.
type lazyDoc struct {
	indexOnce, servicesOnce sync.Once
	ix                      *docIndex
	services                []service
}

func (r *runner) doc(d *compose.Document) *lazyDoc {
	r.mu.Lock()
	defer r.mu.Unlock()
	l, ok := r.docs[d.Name]
	if !ok {
		l = &lazyDoc{}
		r.docs[d.Name] = l
	}
	return l
}

func (r *runner) index(d *compose.Document) *docIndex {
	l := r.doc(d)
	l.indexOnce.Do(func() { l.ix = buildIndex(d) })
	return l.ix
}

// services is fileServices(d), listed once for all the rules of the run:
// they read it, and never change it.
func (r *runner) services(d *compose.Document) []service {
	l := r.doc(d)
	l.servicesOnce.Do(func() { l.services = fileServices(d) })
	return l.services
}

func buildIndex(d *compose.Document) *docIndex {
	ix := &docIndex{}
	if d.Nodes > 0 {
		ix.nodes = make([]posNode, 0, d.Nodes)
	}
	targets := map[*yaml.Node]bool{}
	var walk func(n, key, val *yaml.Node)
	walk = func(n, key, val *yaml.Node) {
		ix.nodes = append(ix.nodes, posNode{pos: compose.Pos{Line: n.Line, Col: n.Column}, n: n, key: key, val: val})
		if n.Kind == yaml.AliasNode {
			if a := n.Alias; a != nil && !targets[a] {
				targets[a] = true
				ix.aliased = append(ix.aliased, nodeRange(d, a))
			}
			return
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i < len(n.Content); i++ {
				c := n.Content[i]
				if i%2 == 0 && i+1 < len(n.Content) {
					walk(c, nil, n.Content[i+1])
				} else if i%2 == 1 {
					walk(c, n.Content[i-1], nil)
				} else {
					walk(c, nil, nil)
				}
			}
			return
		}
		for _, c := range n.Content {
			walk(c, nil, nil)
		}
	}
	for _, root := range d.Roots() {
		if root != nil {
			walk(root, nil, nil)
		}
	}
	// Nodes come in document order but for a few (an empty value without
	// position, several documents): sort, keeping the order at one position.
	cmp := func(a, b posNode) int {
		if a.pos.Line != b.pos.Line {
			return a.pos.Line - b.pos.Line
		}
		return a.pos.Col - b.pos.Col
	}
	if !slices.IsSortedFunc(ix.nodes, cmp) {
		slices.SortStableFunc(ix.nodes, cmp)
	}
	return ix
}

// atPos returns the nodes written at p, in document order.
func (ix *docIndex) atPos(p compose.Pos) []posNode {
	i := sort.Search(len(ix.nodes), func(i int) bool {
		q := ix.nodes[i].pos
		return q.Line > p.Line || (q.Line == p.Line && q.Col >= p.Col)
	})
	j := i
	for j < len(ix.nodes) && ix.nodes[j].pos == p {
		j++
	}
	return ix.nodes[i:j]
}

// at returns the node to underline for an origin at p: the scalar there
// (merge.Origin points at a scalar value, or at the key of a collection),
// else the key holding a collection that starts there (a block mapping
// starts where its first key does), else the collection itself.
func (ix *docIndex) at(p compose.Pos) *yaml.Node {
	ns := ix.atPos(p)
	for _, n := range ns {
		if n.n.Kind == yaml.ScalarNode || n.n.Kind == yaml.AliasNode {
			return n.n
		}
	}
	for _, n := range ns {
		if n.key != nil {
			return n.key
		}
	}
	if len(ns) > 0 {
		return ns[0].n
	}
	return nil
}

// keyAt returns the key of the mapping entry an origin at p stands for:
// the key written there (the origin of a collection), or the key of the
// scalar value written there; else at(p). (A block mapping starts at its
// first key too: only scalars count.)
func (ix *docIndex) keyAt(p compose.Pos) *yaml.Node {
	for _, n := range ix.atPos(p) {
		if n.n.Kind != yaml.ScalarNode {
			continue
		}
		if n.val != nil {
			return n.n
		}
		if n.key != nil {
			return n.key
		}
	}
	return ix.at(p)
}

// collectionAt returns the collection an origin at p stands for: the value
// of the key written there, or a collection starting there.
func (ix *docIndex) collectionAt(p compose.Pos) *yaml.Node {
	ns := ix.atPos(p)
	for _, n := range ns {
		if v := compose.Deref(n.val); v != nil && (v.Kind == yaml.SequenceNode || v.Kind == yaml.MappingNode) {
			return v
		}
	}
	for _, n := range ns {
		if n.n.Kind == yaml.SequenceNode || n.n.Kind == yaml.MappingNode {
			return n.n
		}
	}
	return nil
}

// FileEnv makes an environment of a single file, as `docker compose -f FILE`
// would see it before interpolation: its services decoded with anchors and
// merge keys applied, origins found by walking the file. dir is the project
// directory; lookup the variables (may be nil).
func FileEnv(name, dir string, d *compose.Document, lookup func(string) (string, bool)) *Env {
	e := &Env{Name: name, Dir: dir, Docs: []*compose.Document{d}, Services: map[string]any{}, Disabled: map[string]bool{}, Lookup: lookup}
	if d.Root != nil {
		if v, err := d.Decode(d.Root, d.ExpansionBudget()); err == nil {
			if m, ok := v.(map[string]any); ok {
				e.Model = m
				if s, ok := m["services"].(map[string]any); ok {
					e.Services = s
				}
				applyProfiles(e, activeProfiles(nil, lookup))
			}
		}
	}
	ix := &entryIndex{m: map[*yaml.Node]map[string]compose.Entry{}}
	e.Origin = func(path string) (merge.Origin, bool) { return docOrigin(d, path, ix) }
	return e
}

// entryIndex memoizes the entries of each mapping by key, so that looking
// up the origins of every service of a large file stays linear.
type entryIndex struct {
	mu sync.Mutex
	m  map[*yaml.Node]map[string]compose.Entry
}

func (ix *entryIndex) get(d *compose.Document, m *yaml.Node, key string) (compose.Entry, bool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	byKey, ok := ix.m[m]
	if !ok {
		es, err := d.Entries(m, d.ExpansionBudget())
		if err != nil {
			return compose.Entry{}, false
		}
		byKey = make(map[string]compose.Entry, len(es))
		for _, e := range es {
			byKey[e.Key.Value] = e
		}
		ix.m[m] = byKey
	}
	e, ok := byKey[key]
	return e, ok
}

// docOrigin finds path in d (or its nearest ancestor) and the alias sites
// crossed on the way.
func docOrigin(d *compose.Document, path string, ix *entryIndex) (merge.Origin, bool) {
	parts := strings.Split(path, ".")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(p, "👻", ".")
	}
	for len(parts) > 0 {
		n, key, via, ok := lookupVia(d, parts, ix)
		if ok {
			// as merge.Origin: a scalar where its value is written, a
			// collection where its key is
			at := n
			if key != nil && (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) {
				at = key
			}
			o := merge.Origin{Location: d.Loc(at)}
			for _, v := range via {
				o.Via = append(o.Via, d.Loc(v))
				o.ViaNames = append(o.ViaNames, v.Value)
			}
			return o, true
		}
		parts = parts[:len(parts)-1]
	}
	return merge.Origin{}, false
}

// lookupVia is compose.Document.Lookup that also collects the alias nodes
// crossed (values written as `*alias` and `<<: *alias` merge keys).
func lookupVia(d *compose.Document, parts []string, ix *entryIndex) (*yaml.Node, *yaml.Node, []*yaml.Node, bool) {
	if d.Root == nil {
		return nil, nil, nil, false
	}
	n := d.Root
	var key *yaml.Node
	var via []*yaml.Node
	for _, part := range parts {
		switch n.Kind {
		case yaml.MappingNode:
			e, ok := ix.get(d, n, part)
			if !ok {
				return nil, nil, nil, false
			}
			via = append(via, e.Via...)
			if e.Alias != nil {
				via = append(via, e.Alias)
			}
			n, key = e.Value, e.Key
		case yaml.SequenceNode:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil, nil, nil, false
			}
			c := n.Content[i]
			if c.Kind == yaml.AliasNode {
				via = append(via, c)
			}
			n, key = compose.Deref(c), nil
		default:
			return nil, nil, nil, false
		}
	}
	return n, key, slices.Clip(via), true
}

// lookup returns e's interpolation mapping: Lookup, or one that sets no
// variable when there is none.
func (e *Env) lookup() func(string) (string, bool) {
	if e.Lookup == nil {
		return noVariables
	}
	return e.Lookup
}

func noVariables(string) (string, bool) { return "", false }
