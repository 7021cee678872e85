// Package merge merges an environment's compose files into the effective
// model as docker compose (compose-go v2.16.2) does, and remembers for every
// value the file, line and column that set it, with the alias and merge-key
// sites it came through.
//
// compose-go merges plain maps and drops every position; it also matches
// each node's path against its rule tables by splitting strings, which
// dominates its run time on large projects. merge applies the same rules
// (the tables in rules.go, compiled once into tries) to a tree whose values
// carry their origin. Environments that share their first file (the base
// file) merge it once through a Prefix.
package merge

import (
	"github.com/composure-dev/composure/internal/pathtrie"

	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
)

// Origin is where a value of the merged tree was written.
type Origin struct {
	compose.Location
	// Via lists the alias sites (`*app`, `<<: *app`) the value was reached
	// through, outermost first; Location is then inside the anchored text.
	Via []compose.Location
	// ViaNames are the alias names of Via, index for index.
	ViaNames []string
	// Default marks a value no file wrote: a merge or canonical rule
	// generated it (depends_on's `condition: service_started` and
	// `required: true` for a service named in a list).
	Default bool
}

// String renders o as `file:line:col`, `file:line:col via *app at
// file:line:col`, or `default`.
func (o Origin) String() string {
	if o.Default {
		return "default"
	}
	var b strings.Builder
	b.WriteString(o.Location.String())
	for i, v := range o.Via {
		b.WriteString(" via *")
		if i < len(o.ViaNames) {
			b.WriteString(o.ViaNames[i])
		}
		b.WriteString(" at ")
		b.WriteString(v.String())
	}
	return b.String()
}

// Result is a merged environment. Its tree and origin index are built on
// first use: config --origin, lint and diff ask for a few paths (Origin,
// Describe), which a walk of the merged values answers; building the plain
// tree and indexing every path cost more than the merge itself.
type Result struct {
	// root is the merged tree with the origin of every value.
	root    *val
	treeMu  sync.Mutex
	tree    map[string]any
	once    sync.Once
	origins map[string]Origin
	paths   arena
}

// Tree is the merged model in compose-go's shape (override.Merge and
// EnforceUnicity applied file after file, depends_on, networks, models and
// build converted to their mapping forms), values as written unless
// WithInterpolation. Other canonical forms (long port and volume syntax,
// ...) are left to the printer: transform.Canonical of Tree is compose-go's
// merged model (TestDifferential). Built on first use; callers must not
// modify it.
func (r *Result) Tree() map[string]any {
	r.treeMu.Lock()
	defer r.treeMu.Unlock()
	if r.tree == nil {
		r.tree = r.root.plain().(map[string]any)
	}
	return r.tree
}

// ForgetTree lets the tree Tree built be collected once its callers are
// done with it (the normalizer copies it): a 10,000-service environment's
// tree is about 35 MB. A later Tree builds it again.
func (r *Result) ForgetTree() {
	r.treeMu.Lock()
	r.tree = nil
	r.treeMu.Unlock()
}

// SharedService reports whether the service name of Tree is the very
// mapping other merges from the same Prefix hand out: a service no later
// file wrote. Tree returns the same map for it in each of those merges, so
// work done on it (normalization) can be done once.
func (r *Result) SharedService(name string) bool {
	services := r.root.m["services"]
	if services == nil || services.kind != kMap {
		return false
	}
	s := services.m[name]
	return s != nil && s.frozen && s.kind == kMap
}

// Origins maps every path of Tree, in tree.Path syntax ("." inside a key
// written as "👻", list items by their index in the merged list), to where
// its value was written. Items of KEY=VALUE lists (environment, labels,
// build args, ...) are also found by key: "services.web.environment.DEBUG".
//
// The map is built on first use; Origin and Describe do not need it.
func (r *Result) Origins() map[string]Origin {
	r.once.Do(func() {
		r.origins = make(map[string]Origin, count(r.root))
		buf := make([]byte, 0, 256)
		u := pathtrie.Start(uniqueTrie)
		for k, e := range r.root.m {
			r.walk(e, append(buf, k...), u.Next(k))
		}
	})
	return r.origins
}

// arena hands out strings backed by large shared buffers: the merged tree
// of a big project has hundreds of thousands of paths, and one allocation
// each dominates building Origins.
type arena struct{ buf []byte }

func (a *arena) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if cap(a.buf)-len(a.buf) < len(b) {
		size := 64 << 10
		if len(b) > size {
			size = len(b)
		}
		a.buf = make([]byte, 0, size)
	}
	start := len(a.buf)
	a.buf = append(a.buf, b...)
	// The bytes are never written again: later appends go past them, and a
	// full buffer is replaced, not reused.
	return unsafe.String(&a.buf[start], len(b))
}

// Origin returns the origin of path, or of its nearest ancestor that has
// one.
func (r *Result) Origin(path string) (Origin, bool) {
	f := r.find(path)
	if f.node == nil {
		return Origin{}, false
	}
	return origin(f.node.at), true
}

// Locate is where the value at path was written, or else its nearest
// ancestor written in a file (a default has no place); ok is false when
// none was.
func (r *Result) Locate(path string) (compose.Location, bool) {
	for path != "" {
		if o, ok := r.Origin(path); ok && !o.Default && o.Location.IsValid() {
			return o.Location, true
		}
		i := strings.LastIndexByte(path, '.')
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return compose.Location{}, false
}

// found is where a path of the tree leads: the deepest value reached, its
// parent, and the first segment not found ("" when the whole path was).
type found struct {
	node, parent *val
	missing      string
}

// find follows path (tree.Path syntax) through the merged tree. Items of a
// list of KEY=VALUE strings are also found by KEY.
func (r *Result) find(path string) found {
	var f found
	x := r.root
	for i := 0; path != ""; i++ {
		seg := path
		if j := strings.IndexByte(path, '.'); j >= 0 {
			seg, path = path[:j], path[j+1:]
		} else {
			path = ""
		}
		if i > 0 && strings.Contains(seg, "👻") {
			seg = strings.ReplaceAll(seg, "👻", ".")
		}
		next := child(x, seg)
		if next == nil {
			f.missing = seg
			break
		}
		if i > 0 {
			f.parent = x
		}
		x = next
		f.node = x
	}
	return f
}

func child(x *val, seg string) *val {
	if x == nil {
		return nil
	}
	switch x.kind {
	case kMap:
		return x.m[seg]
	case kSeq:
		if n, err := strconv.Atoi(seg); err == nil {
			if n >= 0 && n < len(x.s) {
				return x.s[n]
			}
			return nil
		}
		for _, e := range x.s {
			if s, ok := e.v.(string); ok && e.kind == kScalar {
				if k, _, _ := strings.Cut(s, "="); k == seg {
					return e
				}
			}
		}
	}
	return nil
}

// Option configures Merge.
type Option func(*options)

type options struct {
	steps    func(r *Result) error // WithSteps
	extends  bool
	include  bool
	lookup   func(name string) (string, bool) // interpolation, when set
	warn     func(at compose.Location, msg string)
	included IncludedFunc
	extended ExtendedFunc
	fs       compose.FS // where include and extends read; never nil
	// projectDir is WithProjectDir's ("" : the first file's directory)
	projectDir string
}

// WithProjectDir sets the project directory `include` and `extends.file`
// paths are read from, and the paths of an included project made relative
// to: docker compose's working directory (-C DIR, or the directory of the
// composure.yaml that declares the files). Without it, the first file's
// directory, as docker compose's default.
func WithProjectDir(dir string) Option { return func(o *options) { o.projectDir = dir } }

// IncludedFunc completes an included project's merged model before its
// resources are imported, as compose-go loads an included project on its
// own: canonical forms, defaults, relative paths resolved against dir (the
// included project's directory, relative to the including one), bare
// environment entries resolved from env (its env files). locate places an
// error about a path of model in the included files.
type IncludedFunc func(model map[string]any, dir string, env map[string]string, locate Locator) (map[string]any, error)

// ExtendedFunc completes a file named by `extends.file` before its
// services are extended: compose-go brings it to canonical form and
// resolves its relative paths against dir, its directory. locate places an
// error about a path of model in that file.
type ExtendedFunc func(model map[string]any, dir string, locate Locator) (map[string]any, error)

// Locator says where the value at a path (tree.Path syntax) was written,
// or its nearest ancestor (Result.Locate).
type Locator = func(path string) (compose.Location, bool)

// WithExtended sets how a file named by `extends.file` is completed before
// its services are extended (normalize.Extended does what docker compose
// does).
func WithExtended(f ExtendedFunc) Option { return func(o *options) { o.extended = f } }

// WithIncluded sets how included projects are completed (normalize.Included
// does what docker compose does); without it they are imported as merged.
func WithIncluded(f IncludedFunc) Option { return func(o *options) { o.included = f } }

// decode decodes root of d.
func (o *options) decode(d *compose.Document, root *yaml.Node, budget *compose.Budget) (*val, [][]string, error) {
	dc := &decoder{d: d, budget: budget}
	x, _, err := dc.decode(root, nil, nil, nil)
	if err != nil {
		return nil, nil, err
	}
	x, err = o.interpolated(x, d)
	return x, dc.resets, err
}

// WithFS reads the files include and extends name, and an included
// project's env files, in fsys (the default is the disk).
func WithFS(fsys compose.FS) Option { return func(o *options) { o.fs = compose.OrOS(fsys) } }

// WithSteps calls check with each project an environment's files make
// before the last one merges into it: the first file, then the first two,
// and so on. compose-go checks the schema of each (loadYamlModel), so that
// a value a later file replaces must be valid too. An error from check
// ends the merge. r is valid only during the call.
func WithSteps(check func(r *Result) error) Option { return func(o *options) { o.steps = check } }

// WithoutInclude leaves `include` unresolved, as compose-go's SkipInclude.
func WithoutInclude() Option { return func(o *options) { o.include = false } }

// WithoutExtends leaves `extends` unresolved, as compose-go's SkipExtends.
func WithoutExtends() Option { return func(o *options) { o.extends = false } }

// Merge merges docs in order. Errors are *compose.Error where a place in a
// file is known.
func Merge(docs []*compose.Document, opts ...Option) (*Result, error) {
	mg := newMerger(newOptions(opts), docs)
	acc, err := mg.mergeDocs(nil, docs)
	if err != nil {
		return nil, err
	}
	return result(acc, docs)
}

func newOptions(opts []Option) options {
	o := options{extends: true, include: true, fs: compose.OS{}}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// newMerger is the merger of docs: the project directory is that of the
// first file read from disk.
func newMerger(o options, docs []*compose.Document) *merger {
	mg := &merger{opts: o, extendsCache: map[string]*extendsScope{}}
	for _, d := range docs {
		if d.Path != "" {
			mg.workDir = filepath.Dir(d.Path)
			mg.included = []string{d.Path}
			break
		}
	}
	if o.projectDir != "" {
		mg.workDir = o.projectDir
	}
	return mg
}

// result is the Result of merging docs into acc, or the error for a
// project that defines nothing (`version:` aside).
func result(acc *val, docs []*compose.Document) (*Result, error) {
	// compose-go deletes `version` after each file: a project of nothing
	// else is empty too
	empty := acc == nil || len(acc.m) == 0
	if !empty && len(acc.m) == 1 {
		_, empty = acc.m["version"]
	}
	if empty {
		name := ""
		if len(docs) > 0 {
			name = docs[0].Name
		}
		return nil, &compose.Error{Location: compose.Location{File: name, Pos: compose.Pos{Line: 1, Col: 1}}, Msg: "empty compose file: define at least `services:`", Err: compose.ErrEmpty}
	}
	return build(acc), nil
}

// mergeDocs runs the per-file pipeline over docs in order, merging into
// acc (nil: nothing merged yet).
func (mg *merger) mergeDocs(acc *val, docs []*compose.Document) (*val, error) {
	return mg.mergeDecoded(acc, mg.opts.decodeAll(docs))
}

// decoded is one root of a document, decoded: the first step of the
// per-file pipeline, which needs nothing merged before.
type decoded struct {
	d      *compose.Document
	x      *val
	resets [][]string
	err    error
}

// decodeAll decodes every root of docs in order, up to the first that
// fails (its error is kept in its place).
func (o *options) decodeAll(docs []*compose.Document) []decoded {
	var out []decoded
	for _, d := range docs {
		if d.Root == nil {
			continue
		}
		budget := d.ExpansionBudget()
		for _, root := range d.Roots() {
			x, resets, err := o.decode(d, root, budget)
			out = append(out, decoded{d: d, x: x, resets: resets, err: err})
			if err != nil {
				return out
			}
		}
	}
	return out
}

// mergeDecoded runs the rest of the per-file pipeline over ds in order.
func (mg *merger) mergeDecoded(acc *val, ds []decoded) (*val, error) {
	for i, dc := range ds {
		if dc.err != nil {
			return nil, dc.err
		}
		if acc == nil {
			acc = &val{kind: kMap, m: map[string]*val{}, at: dc.x.at}
		}
		if err := mg.file(acc, dc.x, dc.d, dc.resets); err != nil {
			return nil, err
		}
		if mg.opts.steps != nil && (i < len(ds)-1 || mg.checkLast) && len(acc.m) > 0 {
			if err := mg.opts.steps(build(acc)); err != nil {
				return nil, err
			}
		}
	}
	return acc, nil
}

// merger merges one file after another into the accumulated tree.
type merger struct {
	opts options
	path []string
	d    *compose.Document // document being merged, for error positions
	// extendsCache holds the services of files named by extends.file,
	// loaded once per Merge (compose-go's withExtendsCache).
	extendsCache map[string]*extendsScope
	// workDir is the project directory: WithProjectDir's, or that of the
	// first file.
	workDir string
	// included lists the files being loaded, outermost first, to refuse
	// include cycles.
	included []string
	// root is the top project directory, names of included files are
	// relative to it ("" : workDir).
	root string
	// shared is set when the accumulated tree holds frozen values of a
	// Prefix: each file thaws what it may write before writing it.
	shared bool
	// checkLast runs the steps after the last file too: an included
	// project is checked on its own, file after file, before it is
	// completed and imported (the last file of the top project is checked
	// by the normalization that follows the merge).
	checkLast bool
}

// file merges one decoded document x into acc, as loadYamlFile's
// processRawYaml does: !reset/!override paths dropped from what earlier
// files set, extends resolved, override.Merge, EnforceUnicity, then the
// canonical conversions that change a value's shape.
func (mg *merger) file(acc, x *val, d *compose.Document, resets [][]string) error {
	mg.d = d
	for _, p := range resets {
		if mg.shared {
			thawPath(acc, p)
		}
		resetPath(acc, p)
	}
	if err := mg.include(x, d, resets); err != nil {
		return err
	}
	if mg.opts.extends {
		if err := mg.extends(x, d, resets); err != nil {
			return err
		}
	}
	mg.path = mg.path[:0]
	first := len(acc.m) == 0
	if mg.shared {
		thaw(acc, x, pathtrie.Start(mergeTrie), pathtrie.Start(shapeTrie))
	}
	if _, err := mg.mergeMappings(acc, x, pathtrie.Start(mergeTrie)); err != nil {
		return err
	}
	// The first file is checked everywhere; later ones where they wrote.
	touched := x
	if first {
		touched = nil
	}
	if err := mg.unicity(acc, touched, pathtrie.Start(uniqueTrie)); err != nil {
		return err
	}
	return mg.shape(acc, touched, pathtrie.Start(shapeTrie))
}

// resetPath deletes the value at p from x (loader/reset.go: Apply). List
// items are never matched there (Apply names them "[i]", the reset paths
// "i"), so only mapping keys are deleted.
func resetPath(x *val, p []string) {
	for i, k := range p {
		if x == nil || x.kind != kMap {
			return
		}
		if i == len(p)-1 {
			delete(x.m, k)
			return
		}
		x = x.m[k]
	}
}

func (mg *merger) errorf(at *val, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if at != nil && at.at != nil && at.at.loc.IsValid() {
		return &compose.Error{Location: at.at.loc, Msg: msg}
	}
	if mg.d == nil {
		return &compose.Error{Msg: msg} // Service: plain values, no file
	}
	return &compose.Error{Location: compose.Location{File: mg.d.Name}, Msg: msg}
}

// through reports err, met in a file read for the value at (an include
// item, an extends.file). An error with its own place in a file is
// reported there, where it is fixed, and says where the file was read from
// ("... (included at compose.yaml:2:5)"); any other error is reported at
// at, worded by format and args.
func (mg *merger) through(err error, at *val, how, format string, args ...any) error {
	from := mg.errorf(at, "").(*compose.Error).Location
	relocate := func(e *compose.Error) *compose.Error {
		return &compose.Error{Location: e.Location, Msg: fmt.Sprintf("%s (%s at %s)", e.Msg, how, from), Err: e}
	}
	var list compose.ErrorList
	if errors.As(err, &list) && len(list) > 0 && list[0].IsValid() {
		out := make(compose.ErrorList, len(list))
		for i, e := range list {
			out[i] = relocate(e)
		}
		return out
	}
	var ce *compose.Error
	if errors.As(err, &ce) && ce.IsValid() {
		return relocate(ce)
	}
	return mg.errorf(at, format, args...)
}

func (mg *merger) pathString() string { return compose.JoinPath(mg.path) }

// mergeYaml is override.MergeYaml.
func (mg *merger) mergeYaml(e, o *val, st pathtrie.State[mergeRule]) (*val, error) {
	if r, ok := st.Match(); ok {
		return mg.special(r, e, o, st)
	}
	if o.isNull() {
		return e, nil
	}
	switch e.kind {
	case kMap:
		if o.kind != kMap {
			return nil, mg.errorf(o, "cannot override %s: a %s cannot replace a mapping; use !override or !reset to replace it", mg.pathString(), kindName(o))
		}
		return mg.mergeMappings(e, o, st)
	case kSeq:
		if o.kind != kSeq {
			return nil, mg.errorf(o, "cannot override %s: a %s cannot replace a sequence; use !override or !reset to replace it", mg.pathString(), kindName(o))
		}
		e.s = appendWithoutDuplicates(e.s, o.s)
		return e, nil
	}
	return o, nil
}

func kindName(x *val) string {
	switch x.kind {
	case kMap:
		return "mapping"
	case kSeq:
		return "sequence"
	}
	return "scalar"
}

func (mg *merger) mergeMappings(m, other *val, st pathtrie.State[mergeRule]) (*val, error) {
	for k, v := range other.m {
		e, ok := m.m[k]
		if !ok {
			m.m[k] = v
			continue
		}
		mg.path = append(mg.path, k)
		merged, err := mg.mergeYaml(e, v, st.Next(k))
		mg.path = mg.path[:len(mg.path)-1]
		if err != nil {
			return nil, err
		}
		m.m[k] = merged
	}
	return m, nil
}

func (mg *merger) special(r mergeRule, e, o *val, st pathtrie.State[mergeRule]) (*val, error) {
	switch r {
	case ruleOverride:
		return o, nil
	case ruleKeyValueSequence:
		seq := append(convertIntoSequence(e), convertIntoSequence(o)...)
		u, err := mg.uniqueEntries(seq, indexKeyValue)
		if err != nil {
			return nil, err
		}
		return &val{kind: kSeq, s: u, at: e.at}, nil
	case ruleToSequence:
		return &val{kind: kSeq, s: appendWithoutDuplicates(convertIntoSequence(e), convertIntoSequence(o)), at: e.at}, nil
	case ruleBuild:
		b, ob := toBuild(e), toBuild(o)
		if b == nil {
			if ob == nil || len(ob.m) == 0 {
				return b, nil
			}
			return nil, mg.errorf(e, "cannot merge %s: build must be a string or a mapping", mg.pathString())
		}
		if ob == nil {
			return b, nil
		}
		return mg.mergeMappings(b, ob, st)
	case ruleDependsOn:
		return mg.mergeAsMapping(e, o, true, st)
	case ruleModels, ruleNetworks:
		return mg.mergeAsMapping(e, o, false, st)
	case ruleLogging:
		if e.kind != kMap {
			return nil, mg.errorf(e, "%s: cannot merge logging: expected a mapping, got %s", mg.pathString(), kindName(e))
		}
		if o.kind != kMap {
			return nil, mg.errorf(o, "%s: cannot merge logging: expected a mapping, got %s", mg.pathString(), kindName(o))
		}
		d, ok1 := o.m["driver"]
		bd, ok2 := e.m["driver"]
		if !ok1 || !ok2 || plainEqual(d, bd) {
			return mg.mergeMappings(e, o, st)
		}
		return o, nil
	case ruleUlimit:
		if e.kind == kMap && o.kind == kMap {
			return mg.mergeMappings(e, o, st)
		}
		return o, nil
	case ruleIPAMConfig:
		return mg.mergeIPAMConfig(e, o, st)
	}
	return o, nil
}

// plainEqual compares two values as compose-go compares `any`s with ==
// (scalars only; containers are never equal that way).
func plainEqual(a, b *val) bool {
	if a == nil || b == nil {
		return a.isNull() && b.isNull()
	}
	if a.kind != kScalar || b.kind != kScalar {
		return false
	}
	return a.v == b.v
}

func toBuild(x *val) *val {
	if x == nil {
		return nil
	}
	switch {
	case x.kind == kMap:
		return x
	case x.kind == kScalar:
		if s, ok := x.v.(string); ok {
			return &val{kind: kMap, m: map[string]*val{"context": scalar(s, x.at)}, at: x.at}
		}
	}
	return nil
}

func (mg *merger) mergeAsMapping(e, o *val, dependsOn bool, st pathtrie.State[mergeRule]) (*val, error) {
	right, err := mg.convertIntoMapping(nullAsEmpty(e), dependsOn)
	if err != nil {
		return nil, err
	}
	left, err := mg.convertIntoMapping(nullAsEmpty(o), dependsOn)
	if err != nil {
		return nil, err
	}
	return mg.mergeMappings(right, left, st)
}

func nullAsEmpty(x *val) *val {
	if x.isNull() {
		var at *site
		if x != nil {
			at = x.at
		}
		return &val{kind: kMap, m: map[string]*val{}, at: at}
	}
	return x
}

// dependsOnDefault is what a service named in a depends_on list means.
func dependsOnDefault(at *site) *val {
	return &val{kind: kMap, at: at, m: map[string]*val{
		"condition": scalar("service_started", defaultSite),
		"required":  scalar(true, defaultSite),
	}}
}

func (mg *merger) convertIntoMapping(x *val, dependsOn bool) (*val, error) {
	item := func(at *site) *val {
		if dependsOn {
			return dependsOnDefault(at)
		}
		return scalar(nil, at)
	}
	switch x.kind {
	case kMap:
		return x, nil
	case kScalar:
		if s, ok := x.v.(string); ok {
			return &val{kind: kMap, m: map[string]*val{s: item(x.at)}, at: x.at}, nil
		}
	case kSeq:
		m := &val{kind: kMap, m: make(map[string]*val, len(x.s)), at: x.at}
		for _, e := range x.s {
			s, ok := e.v.(string)
			if e.kind != kScalar || !ok {
				return nil, mg.errorf(e, "%s: cannot use %s as a mapping key: name a service", mg.pathString(), kindName(e))
			}
			m.m[s] = item(e.at)
		}
		return m, nil
	}
	return nil, mg.errorf(x, "%s: cannot convert %T into a mapping", mg.pathString(), x.v)
}

// convertIntoSequence is override.convertIntoSequence: a mapping becomes
// sorted KEY=VALUE strings, each keeping the origin of its entry.
func convertIntoSequence(x *val) []*val {
	if x == nil {
		return nil
	}
	switch x.kind {
	case kMap:
		seq := make([]*val, 0, len(x.m))
		for k, v := range x.m {
			switch {
			case v.isNull():
				at := x.at
				if v != nil {
					at = v.at
				}
				seq = append(seq, scalar(k, at))
			case v.kind == kSeq:
				for _, e := range v.s {
					seq = append(seq, scalar(fmt.Sprintf("%s=%v", k, e.plain()), e.at))
				}
			default:
				seq = append(seq, scalar(fmt.Sprintf("%s=%v", k, v.plain()), v.at))
			}
		}
		sortVals(seq)
		return seq
	case kSeq:
		return x.s
	case kScalar:
		if _, ok := x.v.(string); ok {
			return []*val{x}
		}
	}
	return nil
}

// appendWithoutDuplicates is override.appendWithoutDuplicates.
func appendWithoutDuplicates(base, override []*val) []*val {
	merged := base
	for _, v := range override {
		dup := false
		for _, e := range merged {
			if equal(e, v) {
				dup = true
				break
			}
		}
		if !dup {
			merged = append(merged, v)
		}
	}
	return merged
}

func (mg *merger) mergeIPAMConfig(e, o *val, st pathtrie.State[mergeRule]) (*val, error) {
	if e.kind != kSeq {
		return nil, mg.errorf(e, "%s: unexpected type %s", mg.pathString(), kindName(e))
	}
	if o.kind != kSeq {
		return nil, mg.errorf(o, "%s: unexpected type %s", mg.pathString(), kindName(o))
	}
	subnet := func(x *val) any {
		if s := x.m["subnet"]; s != nil && s.kind == kScalar {
			return s.v
		}
		return nil
	}
	var out []*val
	for _, original := range e.s {
		right, err := mg.convertIntoMapping(original, false)
		if err != nil {
			return nil, err
		}
		for _, ov := range o.s {
			left, err := mg.convertIntoMapping(ov, false)
			if err != nil {
				return nil, err
			}
			if subnet(left) != subnet(right) {
				found := false
				for _, c := range out {
					if subnet(c) == subnet(left) {
						found = true
						break
					}
				}
				if !found {
					out = append(out, left)
					continue
				}
			}
			merged, err := mg.mergeMappings(right, left, st)
			if err != nil {
				return nil, err
			}
			idx := -1
			for i, c := range out {
				if subnet(c) == subnet(merged) {
					idx = i
					break
				}
			}
			if idx >= 0 {
				out[idx] = merged
			} else {
				out = append(out, merged)
			}
		}
	}
	return &val{kind: kSeq, s: out, at: e.at}, nil
}

// unicity is override.EnforceUnicity, walking only where a pattern of the
// table can still match, and only where the file just merged wrote
// (touched; nil: everywhere): lists elsewhere were made unique before.
func (mg *merger) unicity(x, touched *val, st pathtrie.State[indexer]) error {
	if x == nil {
		return nil
	}
	switch x.kind {
	case kMap:
		if touched != nil && touched.kind != kMap {
			touched = nil
		}
		visit := func(k string, e, t *val) error {
			nst := st.Next(k)
			if nst.Empty() {
				return nil
			}
			mg.path = append(mg.path, k)
			err := mg.unicity(e, t, nst)
			mg.path = mg.path[:len(mg.path)-1]
			return err
		}
		return eachTouched(x, touched, visit)
	case kSeq:
		// A single item is unique; compose-go's later canonical step
		// reports what its indexer would have refused.
		if idx, ok := st.Match(); ok && len(x.s) > 1 {
			u, err := mg.uniqueEntries(x.s, idx)
			if err != nil {
				return err
			}
			x.s = u
		}
	}
	return nil
}

// uniqueEntries keeps one entry per key: the last entry for a key takes
// effect, at the position of the first one.
func (mg *merger) uniqueEntries(entries []*val, idx indexer) ([]*val, error) {
	seq := make([]*val, 0, len(entries))
	// Lists are short: a linear search beats a map below a few dozen.
	keys := make([]string, 0, len(entries))
	for _, e := range entries {
		key, err := indexKey(e, idx)
		if err != nil {
			return nil, mg.errorf(e, "%v", err)
		}
		if j := slices.Index(keys, key); j >= 0 {
			seq[j] = e
		} else {
			seq = append(seq, e)
			keys = append(keys, key)
		}
	}
	return seq, nil
}

// shape applies the canonical conversions of shapeTable to the merged tree
// where the file just merged wrote (touched; nil: everywhere).
func (mg *merger) shape(x, touched *val, st pathtrie.State[shapeRule]) error {
	if x == nil || x.kind != kMap {
		return nil
	}
	if touched != nil && touched.kind != kMap {
		touched = nil
	}
	visit := func(k string, e, t *val) error {
		nst := st.Next(k)
		if nst.Empty() {
			return nil
		}
		mg.path = append(mg.path, k)
		var err error
		if r, ok := nst.Match(); ok {
			x.m[k], err = mg.shapeOne(r, e)
		} else {
			err = mg.shape(e, t, nst)
		}
		mg.path = mg.path[:len(mg.path)-1]
		return err
	}
	return eachTouched(x, touched, visit)
}

// eachTouched calls visit for each entry of mapping x that touched (the
// file merged last) wrote, with touched's value; for every entry, with
// nil, when touched is nil (the first file: everything is new).
func eachTouched(x, touched *val, visit func(k string, e, t *val) error) error {
	if touched != nil {
		for k, t := range touched.m {
			if e := x.m[k]; e != nil {
				if err := visit(k, e, t); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for k, e := range x.m {
		if err := visit(k, e, nil); err != nil {
			return err
		}
	}
	return nil
}

func (mg *merger) shapeOne(r shapeRule, x *val) (*val, error) {
	if x == nil {
		return x, nil
	}
	switch r {
	case shapeDependsOn:
		switch x.kind {
		case kSeq:
			return mg.convertIntoMapping(x, true)
		case kMap:
			for name, d := range x.m {
				if d == nil || d.kind != kMap {
					return nil, mg.errorf(orVal(d, x), "%s.%s: a dependency must be a mapping such as `condition: service_started`", mg.pathString(), name)
				}
				if _, ok := d.m["condition"]; !ok {
					d.m["condition"] = scalar("service_started", defaultSite)
				}
				if _, ok := d.m["required"]; !ok {
					d.m["required"] = scalar(true, defaultSite)
				}
			}
			return x, nil
		}
		return nil, mg.errorf(x, "%s: depends_on must be a list or a mapping of services", mg.pathString())
	case shapeStringSliceToMap:
		if x.kind == kSeq {
			return mg.convertIntoMapping(x, false)
		}
	case shapeBuild:
		switch x.kind {
		case kMap:
			return x, nil
		case kScalar:
			if b := toBuild(x); b != nil {
				return b, nil
			}
		}
		return nil, mg.errorf(x, "%s: build must be a string or a mapping", mg.pathString())
	case shapeOmitEmpty:
		if x.kind == kSeq {
			kept := x.s[:0]
			for _, e := range x.s {
				if e.isNull() || (e.kind == kScalar && e.v == "") {
					continue
				}
				kept = append(kept, e)
			}
			x.s = kept
		}
	}
	return x, nil
}

func orVal(a, b *val) *val {
	if a != nil && a.at != nil {
		return a
	}
	return b
}

// build turns the merged val tree into the Result.
func build(acc *val) *Result {
	return &Result{root: acc}
}

// count is the number of values in x, to size Origins at once.
func count(x *val) int {
	n := 1
	switch x.kind {
	case kMap:
		for _, e := range x.m {
			if e != nil {
				n += count(e)
			}
		}
	case kSeq:
		for _, e := range x.s {
			if e != nil {
				n += count(e)
			}
		}
	}
	return n
}

func origin(at *site) Origin {
	if at == nil || at.def {
		return Origin{Default: true}
	}
	if at.via == nil {
		return Origin{Location: at.loc}
	}
	return Origin{Location: at.loc, Via: at.via.locs, ViaNames: at.via.names}
}

// walk records the origins of x and what it holds at path.
func (r *Result) walk(x *val, path []byte, st pathtrie.State[indexer]) {
	if x == nil {
		return
	}
	r.origins[r.paths.str(path)] = origin(x.at)
	switch x.kind {
	case kMap:
		for k, e := range x.m {
			r.walk(e, appendKey(path, k), st.Next(k))
		}
	case kSeq:
		idx, _ := st.Match()
		for i, e := range x.s {
			r.walk(e, strconv.AppendInt(append(path, '.'), int64(i), 10), pathtrie.State[indexer]{})
			if idx == indexKeyValue {
				if str, ok := e.v.(string); ok && e.kind == kScalar {
					k, _, _ := strings.Cut(str, "=")
					r.origins[r.paths.str(appendKey(path, k))] = origin(e.at)
				}
			}
		}
	}
}

func appendKey(path []byte, k string) []byte {
	path = append(path, '.')
	if strings.IndexByte(k, '.') < 0 {
		return append(path, k...)
	}
	return append(path, strings.ReplaceAll(k, ".", "👻")...)
}
