package merge

import (
	"github.com/composure-dev/composure/internal/parallel"
	"github.com/composure-dev/composure/internal/pathtrie"

	"maps"
	"runtime"
	"slices"
	"sync"

	"github.com/composure-dev/composure/compose"
)

// Prefix is the merge of a first document that several merges share, as
// the environments of a project share their base file (default = base +
// override, prod = base + prod, ...): the first document, usually the
// largest, is decoded, merged (extends, include, unicity, canonical shapes)
// and converted to compose-go's plain form once, instead of once per
// environment.
//
// Merge(rest) gives what Merge gives for the first document followed by
// rest: the same Tree, Origins, and errors. It is safe for concurrent use:
// each call decodes its rest, the first to get there merges the first
// document while the others wait for it, then each merges its rest on its
// own.
//
// The merged first document is frozen, never written again. Each Merge
// starts from a copy of its root and, before a file is merged, copies the
// values that file may write (see thaw); the rest stays shared between the
// results, and so do the plain forms Tree returns for it. Callers must not
// modify a Tree (Result.Tree says so already).
type Prefix struct {
	first *compose.Document
	opts  []Option
	once  sync.Once
	// After once: the merger that merged first (its project directory,
	// include chain and extends cache are where every Merge starts), the
	// frozen tree, or the error every Merge returns.
	mg  *merger
	acc *val
	err error
	// the WithSteps check of the first document alone, done once for
	// every Merge that has a rest
	stepOnce sync.Once
	stepErr  error
}

// NewPrefix returns the Prefix of first, merged with opts on first use.
func NewPrefix(first *compose.Document, opts ...Option) *Prefix {
	return &Prefix{first: first, opts: opts}
}

// Merge merges the first document of p followed by rest, as
// Merge(append([]*compose.Document{first}, rest...), opts...) does.
func (p *Prefix) Merge(rest []*compose.Document) (*Result, error) {
	docs := append([]*compose.Document{p.first}, rest...)
	// Without a tree there is nothing to share; without a path, the
	// project directory would be that of a later file.
	if p.first.Root == nil || (p.first.Path == "" && slices.ContainsFunc(rest, func(d *compose.Document) bool { return d.Path != "" })) {
		return Merge(docs, p.opts...)
	}
	// The later documents are decoded while another caller may still be
	// merging the first one.
	o := newOptions(p.opts)
	ds := o.decodeAll(rest)
	p.once.Do(p.init)
	if p.err != nil {
		return nil, p.err
	}
	if o.steps != nil && len(rest) > 0 && len(p.acc.m) > 0 {
		p.stepOnce.Do(func() { p.stepErr = o.steps(build(p.acc)) })
		if p.stepErr != nil {
			return nil, p.stepErr
		}
	}
	mg := &merger{
		opts:         o,
		extendsCache: maps.Clone(p.mg.extendsCache),
		workDir:      p.mg.workDir,
		included:     p.mg.included,
		shared:       true,
	}
	acc, err := mg.mergeDecoded(thawMap(p.acc), ds)
	if err != nil {
		return nil, err
	}
	return result(acc, docs)
}

// First is the merge of the first document alone, the project docker
// compose checks first when later files follow. It shares the frozen tree
// every Merge starts from: callers must not modify its Tree.
func (p *Prefix) First() (*Result, error) {
	if p.first.Root == nil {
		return Merge([]*compose.Document{p.first}, p.opts...) // as Merge does for it
	}
	p.once.Do(p.init)
	if p.err != nil {
		return nil, p.err
	}
	return build(p.acc), nil
}

func (p *Prefix) init() {
	docs := []*compose.Document{p.first}
	p.mg = newMerger(newOptions(p.opts), docs)
	p.acc, p.err = p.mg.mergeDocs(nil, docs)
	if p.err == nil {
		freezeTree(p.acc)
	}
}

// parallelFreeze is the number of services from which freezeTree freezes
// them on every CPU: the other merges wait for the first one, and this is
// their wait's largest part but the decoding (a third of the merge at
// 10,000 services).
const parallelFreeze = 256

// freezeTree freezes root, a merged tree. Each service is a tree of its
// own, no value shared with another (decoding copies what an alias
// reaches, extends clones what it copies: TestPrefixCorpus checks it), so
// the services of a large tree freeze on every CPU at once.
func freezeTree(root *val) {
	if root != nil && root.kind == kMap {
		if s := root.m["services"]; s != nil && s.kind == kMap && len(s.m) >= parallelFreeze {
			svcs := slices.Collect(maps.Values(s.m))
			n := runtime.GOMAXPROCS(0)
			tasks := make([]func(), n)
			for i := range tasks {
				tasks[i] = func() {
					for j := i; j < len(svcs); j += n {
						freeze(svcs[j])
					}
				}
			}
			parallel.Run(n, tasks)
		}
	}
	freeze(root)
}

// freeze marks x and every value below it frozen, storing the plain form
// of each mapping and sequence in it (see val.v), and returns x's.
func freeze(x *val) any {
	v := x.form(freeze)
	if x != nil {
		x.v, x.frozen = v, true
	}
	return v
}

// thaw copies the frozen values of mapping a that merging x into it may
// write. Along the mappings x writes into mappings, a value is copied with
// its map, whose entries x does not name stay shared: mergeMappings,
// unicity and shape only visit the keys of x there. Anything else x names
// is copied whole (thawAll): there merge rules convert and rewrite values
// (depends_on, build, environment, ...), sequences are appended to and made
// unique in place, and unicity and shape walk every value below a path
// where x does not write a mapping.
func thaw(a, x *val, mst pathtrie.State[mergeRule], sst pathtrie.State[shapeRule]) {
	for k, o := range x.m {
		e := a.m[k]
		if e == nil {
			continue
		}
		ms, ss := mst.Next(k), sst.Next(k)
		_, special := ms.Match()
		_, shaped := ss.Match()
		if special || shaped || e.kind != kMap || o == nil || o.kind != kMap {
			a.m[k] = thawAll(e)
			continue
		}
		if e.frozen {
			e = thawMap(e)
			a.m[k] = e
		}
		thaw(e, o, ms, ss)
	}
}

// thawPath copies the frozen mappings that resetPath(x, p) deletes from or
// passes through.
func thawPath(x *val, p []string) {
	for i := 0; i+1 < len(p); i++ {
		e := x.m[p[i]]
		if e == nil || e.kind != kMap {
			return
		}
		if e.frozen {
			e = thawMap(e)
			x.m[p[i]] = e
		}
		x = e
	}
}

// thawMap copies frozen mapping x with its map; the values in it stay
// shared.
func thawMap(x *val) *val {
	c := *x
	c.frozen = false
	c.v = nil
	c.m = maps.Clone(x.m)
	return &c
}

// thawAll returns x with no frozen value below it: a frozen x is cloned, an
// unfrozen one (this merge's own) has its frozen values replaced by clones.
// Sequences are never shared: appendWithoutDuplicates may append into a
// slice's spare capacity, unicity and omitEmpty rewrite them in place.
func thawAll(x *val) *val {
	if x == nil {
		return nil
	}
	if x.frozen {
		return x.clone()
	}
	switch x.kind {
	case kMap:
		for k, e := range x.m {
			x.m[k] = thawAll(e)
		}
	case kSeq:
		for i, e := range x.s {
			x.s[i] = thawAll(e)
		}
	}
	return x
}
