// Package dupes finds services that repeat the same top-level entries (best
// practice 9): the one detection engine behind the `duplicate-service` lint
// rule and `composure refactor`.
//
// Entries are compared by meaning, not text: each (key, value) pair is
// written in a canonical encoding of the value compose-go reads (aliases
// expanded, merge keys applied), so quoting, flow or block style and the key
// order of nested mappings do not matter, and entries with equal encodings
// share a class. Services are bucketed through an index from entry class to
// services; candidate groups come from each service and a few services it
// shares its rarest entries with, so the work grows with the number of
// services, not its square.
package dupes

import (
	"bytes"
	"cmp"
	"container/heap"
	"encoding/binary"
	"math"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
)

// DefaultMinShared is the default number of entries services must share to
// form a group (the --min-shared option).
const DefaultMinShared = 4

// Kind says what a group's refactor does with anchors.
type Kind int

const (
	// New introduces a new anchor holding the shared entries.
	New Kind = iota
	// Extend adds the shared entries to an anchor every member already
	// merges, and that nothing else uses.
	Extend
	// Reuse makes the members merge an existing anchor whose entries they
	// all repeat.
	Reuse
	// Across is a group of services in different files: anchors never cross
	// files, so the fix is `extends`.
	Across
)

func (k Kind) String() string {
	switch k {
	case Extend:
		return "extend"
	case Reuse:
		return "reuse"
	case Across:
		return "across-files"
	}
	return "new"
}

// Group is a set of services sharing entries.
type Group struct {
	Kind Kind
	// Services are the member names, in file order (file by file for Across).
	Services []string
	// Shared are the keys of the shared entries, in the first member's order.
	Shared []string
	// LinesSaved estimates how many lines the refactor removes.
	LinesSaved int
	// Anchor is the existing anchor extended or reused ("" for New and Across).
	Anchor string
	// AnchorNode is the mapping that anchor names (nil for New and Across).
	AnchorNode *yaml.Node
	// Members has one element per service, parallel to Services.
	Members []*Member
}

// Member is one service of a group.
type Member struct {
	Doc *compose.Document
	// Root is the top-level mapping of the YAML document of Doc the
	// service is written in (anchors never cross documents either).
	Root *yaml.Node
	Name string
	// Key and Value are the service's key and mapping nodes.
	Key, Value *yaml.Node
	// Entries are the service's shared entries, in the service's order.
	Entries []Entry
	// Merge is the value of the service's own "<<" key (an alias or a
	// sequence of aliases), or nil.
	Merge *yaml.Node
	// MergeKey is the "<<" key node, or nil.
	MergeKey *yaml.Node
	// Spans are the lines of every entry of Value, parallel to its pairs.
	Spans []Lines
}

// Loc is where the member's service key is written.
func (m *Member) Loc() compose.Location { return m.Doc.Loc(m.Key) }

// Entry is one shared entry of a member.
type Entry struct {
	Key string
	// Index is the position of the pair in the service mapping (the key is
	// Value.Content[2*Index]).
	Index         int
	KeyNode, Node *yaml.Node
	Lines         Lines
}

// Lines counts the lines of the member's shared entries.
func (m *Member) Lines() int {
	n := 0
	for _, e := range m.Entries {
		n += e.Lines.Count()
	}
	return n
}

// service is one candidate service (or an anchored x- mapping, for reuse).
type service struct {
	doc    *compose.Document
	root   *yaml.Node // the top-level mapping of the service's YAML document
	name   string
	order  int
	key    *yaml.Node
	value  *yaml.Node
	merge  *yaml.Node
	mergeK *yaml.Node
	// entries are the entries that may move, in the mapping's order.
	entries []entryInfo
	// set lists the classes of entries in increasing order, each with the
	// index in entries of its last entry.
	set    []held
	anchor bool // an x- mapping with an anchor, not a service
	// mergeOK: an existing "<<" value can take one more alias in front.
	mergeOK bool
	// taken: the service is in a group already.
	taken bool
	// spans are EntrySpans of value, computed when first needed (see
	// spanList): only services sharing entries are ever scored.
	spans []Lines
}

// entryInfo is an entry that may move: the pair at index in the service's
// mapping, and its class.
type entryInfo struct {
	index int32
	c     class
}

// held is a class a service holds, with the index in its entries of the
// entry holding it.
type held struct {
	c  class
	at int32
}

// has returns the index in s.entries of the entry of class c. (A binary
// search written out: slices.BinarySearchFunc's comparison call was a tenth
// of Find's time on large files.)
func (s *service) has(c class) (int, bool) {
	lo, hi := 0, len(s.set)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.set[m].c < c {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(s.set) && s.set[lo].c == c {
		return int(s.set[lo].at), true
	}
	return 0, false
}

func (s *service) spanList() []Lines {
	if s.spans == nil {
		s.spans = EntrySpans(s.doc, s.value)
	}
	return s.spans
}

// lines returns the lines of entry i of s.entries.
func (s *service) lines(i int) Lines { return s.spanList()[s.entries[i].index] }

// keyNode returns the key node of entry e of s.
func (s *service) keyNode(e entryInfo) *yaml.Node { return s.value.Content[2*e.index] }

// Find returns the groups of services in d sharing at least minShared
// top-level entries, best groups first (most lines saved; a small group may
// save none, and is still a duplicate), document by document: anchors never
// cross YAML documents, so neither does a group. A service is in at most
// one group.
func Find(d *compose.Document, minShared int) []Group {
	if minShared < 1 {
		minShared = 1
	}
	var groups []Group
	for _, root := range d.Roots() {
		if !mayGroup(root, minShared) {
			continue
		}
		cs := newClasses()
		svcs, anchors := collect(d, root, 0, cs)
		groups = append(groups, assign(svcs, anchors, cs, minShared, false)...)
	}
	return groups
}

// mayGroup reports whether the document root has what a group needs: two services with at
// least minShared keys besides "<<", or one and an anchored x- mapping with
// as many. Reading every entry of a file that has not (an override file
// setting a key or two a service) would be wasted.
func mayGroup(root *yaml.Node, minShared int) bool {
	svcs, anchors := 0, 0
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch {
		case k.Value == "services" && v.Kind == yaml.MappingNode:
			for j := 1; j < len(v.Content); j += 2 {
				m, keys := v.Content[j], 0
				for e := 0; e+1 < len(m.Content) && keys < minShared; e += 2 {
					if !compose.IsMergeKey(m.Content[e]) {
						keys++
					}
				}
				if m.Kind == yaml.MappingNode && keys >= minShared {
					svcs++
				}
			}
		case isAnchored(k, v) && len(v.Content)/2 >= minShared:
			anchors++
		}
	}
	return svcs >= 2 || svcs == 1 && anchors > 0
}

// FindAcross returns groups of services in different files of docs sharing
// at least minShared entries; the fix for these is `extends`, since anchors
// never cross files. Services defined in several files (overrides of one
// another) are left out.
func FindAcross(docs []*compose.Document, minShared int) []Group {
	if minShared < 1 {
		minShared = 1
	}
	cs := newClasses()
	var all []*service
	count := map[string]int{}
	for _, d := range docs {
		// a later document of a file overrides the earlier ones, as a later
		// file does
		for _, root := range d.Roots() {
			svcs, _ := collect(d, root, len(all), cs)
			seen := map[string]bool{}
			for _, s := range svcs {
				if !seen[s.name] {
					count[s.name]++
					seen[s.name] = true
				}
			}
			all = append(all, svcs...)
		}
	}
	var kept []*service
	for _, s := range all {
		if count[s.name] == 1 {
			kept = append(kept, s)
		}
	}
	return assign(kept, nil, cs, minShared, true)
}

// collect reads the services of the YAML document root of d (and its
// anchored top-level x- mappings), numbering their entries in cs.
func collect(d *compose.Document, root *yaml.Node, order int, cs *classes) (svcs, anchors []*service) {
	r := newReader(d, root, cs)
	servicesAt := -1
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch {
		case k.Value == "services" && v.Kind == yaml.MappingNode:
			servicesAt = d.Offset(compose.Pos{Line: k.Line, Col: k.Column})
			for j := 0; j+1 < len(v.Content); j += 2 {
				if s := r.service(v.Content[j], v.Content[j+1], servicesAt); s != nil {
					s.order = order
					order++
					svcs = append(svcs, s)
				}
			}
		case isAnchored(k, v):
			if s := r.service(k, v, -1); s != nil && len(s.entries)*2 == len(v.Content) {
				s.anchor = true
				anchors = append(anchors, s)
			}
		}
	}
	if servicesAt < 0 {
		return nil, nil
	}
	// An anchor is reusable only if defined before services:.
	kept := anchors[:0]
	for _, a := range anchors {
		if d.Offset(compose.Pos{Line: a.key.Line, Col: a.key.Column}) < servicesAt {
			kept = append(kept, a)
		}
	}
	return svcs, kept
}

// isAnchored reports whether the top-level entry k: v is an x- mapping
// with an anchor, one that services may reuse.
func isAnchored(k, v *yaml.Node) bool {
	return strings.HasPrefix(k.Value, "x-") && v.Kind == yaml.MappingNode && v.Anchor != ""
}

// reader reads the services of one file. Services, entries and class sets
// are carved from slabs sized from the file: one allocation each, not three
// a service.
type reader struct {
	enc     encoder
	root    *yaml.Node
	cs      *classes
	svcs    []service
	entries []entryInfo
	set     []held
}

func newReader(d *compose.Document, root *yaml.Node, cs *classes) *reader {
	nsvc, npairs := 0, 0
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch {
		case k.Value == "services" && v.Kind == yaml.MappingNode:
			nsvc += len(v.Content) / 2
			for j := 1; j < len(v.Content); j += 2 {
				npairs += len(v.Content[j].Content) / 2
			}
		case isAnchored(k, v):
			nsvc++
			npairs += len(v.Content) / 2
		}
	}
	cs.reserve(npairs)
	return &reader{
		enc:     encoder{d: d, b: d.ExpansionBudget()},
		root:    root,
		cs:      cs,
		svcs:    make([]service, 0, nsvc),
		entries: make([]entryInfo, 0, npairs),
		set:     make([]held, 0, npairs),
	}
}

// service numbers the entries of a block mapping that may move: not "<<",
// not tagged !reset/!override, defining no anchor, and using only anchors
// defined before limit (a byte offset; -1: no limit).
func (r *reader) service(k, v *yaml.Node, limit int) *service {
	if v.Kind != yaml.MappingNode || v.Style&yaml.FlowStyle != 0 || len(v.Content) == 0 || v.Content[0].Line <= k.Line {
		return nil
	}
	d := r.enc.d
	s := service{doc: d, root: r.root, name: k.Value, key: k, value: v}
	start := len(r.entries)
	for i := 0; i+1 < len(v.Content); i += 2 {
		ek, ev := v.Content[i], v.Content[i+1]
		if compose.IsMergeKey(ek) {
			s.merge, s.mergeK = ev, ek
			s.mergeOK = mergeExtensible(ev)
			continue
		}
		if ek.Kind != yaml.ScalarNode || !movable(d, ev, limit) {
			continue
		}
		b, err := r.enc.entry(ek, ev)
		if err != nil {
			r.entries = r.entries[:start]
			return nil
		}
		r.entries = append(r.entries, entryInfo{index: int32(i / 2), c: r.cs.id(b, d, ek, ev)})
	}
	s.entries = r.entries[start:len(r.entries):len(r.entries)]
	start = len(r.set)
	for i, e := range s.entries {
		r.set = append(r.set, held{c: e.c, at: int32(i)})
	}
	// Of entries of one class (keys decoding alike), the last one is kept.
	s.set = lastOfEach(r.set[start:len(r.set):len(r.set)], func(a, b held) int { return cmp.Compare(a.c, b.c) })
	r.svcs = append(r.svcs, s)
	return &r.svcs[len(r.svcs)-1]
}

// mergeExtensible reports whether a "<<" value is written so that one more
// alias can be put in front of it: a single alias, or a flow sequence of
// aliases.
func mergeExtensible(v *yaml.Node) bool {
	if v.Kind == yaml.AliasNode {
		return true
	}
	if v.Kind != yaml.SequenceNode || v.Style&yaml.FlowStyle == 0 || len(v.Content) == 0 {
		return false
	}
	for _, c := range v.Content {
		if c.Kind != yaml.AliasNode || c.Line != v.Line {
			return false
		}
	}
	return true
}

func movable(d *compose.Document, n *yaml.Node, limit int) bool {
	if n.Tag == compose.TagReset || n.Tag == compose.TagOverride {
		return false
	}
	return written(d, n, limit)
}

// written reports whether n and the nodes written inside it define no
// anchor and use only anchors defined before limit (-1: no limit).
func written(d *compose.Document, n *yaml.Node, limit int) bool {
	if n.Anchor != "" {
		return false
	}
	if n.Kind == yaml.AliasNode {
		return limit < 0 || n.Alias == nil || d.Offset(compose.Pos{Line: n.Alias.Line, Col: n.Alias.Column}) < limit
	}
	for _, c := range n.Content {
		if !written(d, c, limit) {
			return false
		}
	}
	return true
}

// candidate is a set of entries (by class) and the services holding them
// all.
type candidate struct {
	kind    Kind
	classes []class // sorted
	members []*service
	anchor  *service
	saved   int
	seq     int
}

type pq []*candidate

func (q pq) Len() int { return len(q) }
func (q pq) Less(i, j int) bool {
	if q[i].saved != q[j].saved {
		return q[i].saved > q[j].saved
	}
	if len(q[i].members) != len(q[j].members) {
		return len(q[i].members) > len(q[j].members)
	}
	return q[i].seq < q[j].seq
}
func (q pq) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *pq) Push(x any)   { *q = append(*q, x.(*candidate)) }
func (q *pq) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// neighbours bounds how many other services each service is paired with
// when generating candidate groups.
const neighbours = 8

// workBudget bounds the index lookups spent on candidates (a few tenths of a
// second). Real files stay far below it; on adversarial ones (thousands of
// services sharing random subsets of the same entries) later services get
// fewer candidates instead of the search growing quadratically.
const workBudget = 20_000_000

// postings lists, for each class, the services holding it, in the order of
// the services: one array for all classes, not one slice each.
type postings struct {
	starts []int32 // class c's services are flat[starts[c]:starts[c+1]]
	flat   []*service
}

func newPostings(svcs []*service, n int) postings {
	p := postings{starts: make([]int32, n+1)}
	for _, s := range svcs {
		for _, e := range s.entries {
			p.starts[e.c+1]++
		}
	}
	for c := 1; c <= n; c++ {
		p.starts[c] += p.starts[c-1]
	}
	p.flat = make([]*service, p.starts[n])
	next := slices.Clone(p.starts[:n])
	for _, s := range svcs {
		for _, e := range s.entries {
			p.flat[next[e.c]] = s
			next[e.c]++
		}
	}
	return p
}

func (p postings) of(c class) []*service { return p.flat[p.starts[c]:p.starts[c+1]] }

func assign(svcs, anchors []*service, cs *classes, minShared int, across bool) []Group {
	posting := newPostings(svcs, cs.len())
	seen := map[string]bool{}
	uses := &aliasUses{counts: map[*compose.Document]map[*yaml.Node]int{}}
	var q pq
	add := func(c *candidate) {
		c.seq = len(seen)
		q = append(q, c)
	}
	// Candidates' class lists are slices of one arena: a list is never
	// changed once stored (a later append that moves the arena leaves it
	// where it is).
	var arena []class
	store := func(ids []class) []class {
		start := len(arena)
		arena = append(arena, ids...)
		return arena[start:len(arena):len(arena)]
	}
	work := 0
	var key []byte
	// consider adds the candidate of services holding all of ids (sorted),
	// unless seen before.
	consider := func(ids []class) {
		key = key[:0]
		for _, c := range ids {
			key = binary.LittleEndian.AppendUint32(key, uint32(c))
		}
		if seen[string(key)] {
			return
		}
		seen[string(key)] = true
		c := &candidate{kind: New, classes: ids}
		c.members = holders(posting, ids, nil, &work)
		score(c, across, uses)
		if c.saved > math.MinInt {
			c.classes = store(ids)
			add(c)
		}
	}
	// Of entries shared by equally many services, rarer-first takes them
	// in the order of their keys.
	rarer := func(a, b class) int {
		if c := cmp.Compare(len(posting.of(a)), len(posting.of(b))); c != 0 {
			return c
		}
		if c := bytes.Compare(cs.key(a)[:], cs.key(b)[:]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	}
	var shared, byRarity, common []class
	var picked []*service
	for _, s := range svcs {
		if work > workBudget {
			break
		}
		shared = shared[:0]
		for _, h := range s.set {
			if len(posting.of(h.c)) > 1 {
				shared = append(shared, h.c)
			}
		}
		if len(shared) < minShared {
			continue
		}
		consider(shared)
		byRarity = append(byRarity[:0], shared...)
		slices.SortFunc(byRarity, rarer)
		picked = append(picked[:0], s)
	pick:
		for _, h := range byRarity {
			for _, t := range posting.of(h) {
				if len(picked) > neighbours {
					break pick
				}
				if slices.Contains(picked, t) {
					continue
				}
				picked = append(picked, t)
				common = common[:0]
				// both sorted: walk them together
				j := 0
				for _, x := range shared {
					for j < len(t.set) && t.set[j].c < x {
						j++
					}
					if j < len(t.set) && t.set[j].c == x {
						common = append(common, x)
					}
				}
				if len(common) >= minShared {
					consider(common)
				}
			}
		}
	}
	for _, a := range anchors {
		if len(a.entries) < minShared {
			continue
		}
		ids := make([]class, 0, len(a.set))
		for _, h := range a.set {
			ids = append(ids, h.c)
		}
		c := &candidate{kind: Reuse, classes: ids, anchor: a}
		c.members = holders(posting, ids, func(s *service) bool { return s.merge == nil }, &work)
		score(c, across, uses)
		if c.saved > math.MinInt {
			add(c)
		}
	}
	heap.Init(&q)
	var groups []Group
	var free []*service
	for q.Len() > 0 {
		c := heap.Pop(&q).(*candidate)
		free = free[:0]
		for _, m := range c.members {
			if !m.taken {
				free = append(free, m)
			}
		}
		work += len(c.members) * len(c.classes)
		if len(free) != len(c.members) {
			c.members = append(c.members[:0], free...)
			if c.kind != Reuse && len(c.members) > 1 {
				c.classes = intersect(c.members)
			}
			old := c.saved
			score(c, across, uses)
			if c.saved == math.MinInt || len(c.classes) < minShared {
				continue
			}
			// Re-queue a candidate that lost members, unless the budget is
			// spent: then take it as it is now.
			if c.saved < old && q.Len() > 0 && c.saved < q[0].saved && work < 2*workBudget {
				heap.Push(&q, c)
				continue
			}
		}
		for _, m := range c.members {
			m.taken = true
		}
		groups = appendDoubling(groups, build(c, across))
	}
	return groups
}

// holders returns the services holding every class of ids, in order,
// adding the lookups it may make to *work.
func holders(posting postings, ids []class, ok func(*service) bool, work *int) []*service {
	if len(ids) == 0 {
		return nil
	}
	rarest := ids[0]
	for _, c := range ids[1:] {
		if len(posting.of(c)) < len(posting.of(rarest)) {
			rarest = c
		}
	}
	*work += len(posting.of(rarest)) * len(ids)
	var out []*service
	for _, s := range posting.of(rarest) {
		if ok != nil && !ok(s) {
			continue
		}
		all := true
		for _, c := range ids {
			if _, in := s.has(c); !in {
				all = false
				break
			}
		}
		if all {
			out = append(out, s)
		}
	}
	return out
}

// intersect returns the classes every service of ss holds, sorted.
func intersect(ss []*service) []class {
	var out []class
	for _, h := range ss[0].set {
		all := true
		for _, s := range ss[1:] {
			if _, ok := s.has(h.c); !ok {
				all = false
				break
			}
		}
		if all {
			out = append(out, h.c)
		}
	}
	return out
}

// score sets c.saved: the lines the refactor would remove (math.MinInt when
// c is no group at all), and for New
// groups whether an anchor every member merges can be extended instead.
func score(c *candidate, across bool, uses *aliasUses) {
	c.saved = math.MinInt
	if c.kind == Reuse {
		if len(c.members) == 0 {
			return
		}
		saved := 0
		for _, m := range c.members {
			saved += linesOf(m, c.classes) - 1
		}
		c.saved = saved
		return
	}
	if len(c.members) < 2 {
		return
	}
	if across {
		files := map[*compose.Document]bool{}
		for _, m := range c.members {
			files[m.doc] = true
		}
		if len(files) < 2 {
			return
		}
	} else {
		for _, m := range c.members {
			if m.merge != nil && !m.mergeOK {
				return
			}
		}
	}
	total := 0
	for _, m := range c.members {
		total += linesOf(m, c.classes)
	}
	first := linesOf(c.members[0], c.classes)
	if across {
		// each other member gets `extends: {file: ..., service: ...}`
		c.saved = total - first - 3*(len(c.members)-1)
		return
	}
	c.kind = New
	c.anchor = nil
	if a := extensible(c, uses); a != nil {
		c.kind, c.anchor = Extend, a
		c.saved = total - first
		return
	}
	added := 2 // x-NAME: &NAME, and a blank line after the block
	for _, m := range c.members {
		if m.merge == nil {
			added++ // <<: *NAME
		}
	}
	c.saved = total - first - added
}

// extensible returns the anchor to extend when every member merges the same
// single top-level x- anchor, the members are all its users, and it has none
// of the shared keys.
func extensible(c *candidate, uses *aliasUses) *service {
	var target *yaml.Node
	for _, m := range c.members {
		if m.merge == nil || m.merge.Kind != yaml.AliasNode {
			return nil
		}
		if target == nil {
			target = m.merge.Alias
		} else if m.merge.Alias != target {
			return nil
		}
	}
	d, root := c.members[0].doc, c.members[0].root
	var anchorKey *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i+1] == target && strings.HasPrefix(root.Content[i].Value, "x-") {
			anchorKey = root.Content[i]
		}
	}
	if anchorKey == nil || target.Kind != yaml.MappingNode || target.Style&yaml.FlowStyle != 0 || len(target.Content) == 0 {
		return nil
	}
	if uses.count(d, target) != len(c.members) {
		return nil
	}
	keys := map[string]bool{}
	for i := 0; i+1 < len(target.Content); i += 2 {
		keys[target.Content[i].Value] = true
	}
	m := c.members[0]
	for _, e := range m.entries {
		if _, ok := slices.BinarySearch(c.classes, e.c); ok && keys[m.keyNode(e).Value] {
			return nil
		}
	}
	return &service{doc: d, root: root, name: anchorKey.Value, key: anchorKey, value: target, anchor: true}
}

// aliasUses counts the aliases to each node of a document, computed once
// per document when first asked (scoring many candidates must not walk the
// file each time).
type aliasUses struct {
	counts map[*compose.Document]map[*yaml.Node]int
}

func (u *aliasUses) count(d *compose.Document, target *yaml.Node) int {
	m, ok := u.counts[d]
	if !ok {
		m = map[*yaml.Node]int{}
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			if n.Kind == yaml.AliasNode {
				m[n.Alias]++
				return
			}
			for _, c := range n.Content {
				walk(c)
			}
		}
		walk(d.Root)
		for _, x := range d.Extra {
			walk(x)
		}
		u.counts[d] = m
	}
	return m[target]
}

func linesOf(s *service, ids []class) int {
	n := 0
	for _, c := range ids {
		if i, ok := s.has(c); ok {
			n += s.lines(i).Count()
		}
	}
	return n
}

func build(c *candidate, across bool) Group {
	members := slices.Clone(c.members)
	slices.SortStableFunc(members, func(a, b *service) int { return cmp.Compare(a.order, b.order) })
	g := Group{Kind: c.kind, LinesSaved: c.saved}
	if across {
		g.Kind = Across
	}
	if c.anchor != nil {
		g.Anchor = c.anchor.value.Anchor
		g.AnchorNode = c.anchor.value
	}
	// One allocation for the members and one for their entries (each
	// member holds every shared class once).
	ms := make([]Member, len(members))
	entries := make([]Entry, 0, len(members)*len(c.classes))
	g.Services = make([]string, 0, len(members))
	g.Members = make([]*Member, 0, len(members))
	for i, s := range members {
		m := &ms[i]
		*m = Member{Doc: s.doc, Root: s.root, Name: s.name, Key: s.key, Value: s.value, Merge: s.merge, MergeKey: s.mergeK, Spans: s.spanList()}
		start := len(entries)
		for j, e := range s.entries {
			if _, in := slices.BinarySearch(c.classes, e.c); in {
				k := s.keyNode(e)
				entries = append(entries, Entry{Key: k.Value, Index: int(e.index), KeyNode: k, Node: s.value.Content[2*e.index+1], Lines: s.lines(j)})
				if i == 0 {
					g.Shared = append(g.Shared, k.Value)
				}
			}
		}
		m.Entries = entries[start:len(entries):len(entries)]
		g.Services = append(g.Services, s.name)
		g.Members = append(g.Members, m)
	}
	return g
}
