// Package dupes finds services that repeat the same top-level entries (best
// practice 9): the one detection engine behind the `duplicate-service` lint
// rule and `composure refactor`.
//
// Entries are compared by meaning, not text: each (key, value) pair is
// decoded the way compose-go reads it (aliases expanded, merge keys applied)
// and hashed in a canonical encoding, so quoting, flow or block style and the
// key order of nested mappings do not matter. Services are bucketed through
// an index from entry hash to services; candidate groups come from each
// service and a few services it shares its rarest entries with, so the work
// grows with the number of services, not its square.
package dupes

import (
	"bytes"
	"cmp"
	"container/heap"
	"crypto/sha256"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
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
	Doc  *compose.Document
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

type hash [16]byte

// service is one candidate service (or an anchored x- mapping, for reuse).
type service struct {
	doc     *compose.Document
	name    string
	order   int
	key     *yaml.Node
	value   *yaml.Node
	spans   []Lines
	merge   *yaml.Node
	mergeK  *yaml.Node
	entries []entryInfo
	set     map[hash]int // hash -> index in entries
	anchor  bool         // an x- mapping with an anchor, not a service
	// mergeOK: an existing "<<" value can take one more alias in front.
	mergeOK bool
}

type entryInfo struct {
	key   string
	index int
	h     hash
	lines Lines
}

// Find returns the groups of services in d sharing at least minShared
// top-level entries, best groups first (most lines saved; a small group may
// save none, and is still a duplicate). A service is in at most one group.
func Find(d *compose.Document, minShared int) []Group {
	if minShared < 1 {
		minShared = 1
	}
	svcs, anchors := collect(d, 0)
	return assign(svcs, anchors, minShared, false)
}

// FindAcross returns groups of services in different files of docs sharing
// at least minShared entries; the fix for these is `extends`, since anchors
// never cross files. Services defined in several files (overrides of one
// another) are left out.
func FindAcross(docs []*compose.Document, minShared int) []Group {
	if minShared < 1 {
		minShared = 1
	}
	var all []*service
	count := map[string]int{}
	for _, d := range docs {
		svcs, _ := collect(d, len(all))
		seen := map[string]bool{}
		for _, s := range svcs {
			if !seen[s.name] {
				count[s.name]++
				seen[s.name] = true
			}
		}
		all = append(all, svcs...)
	}
	var kept []*service
	for _, s := range all {
		if count[s.name] == 1 {
			kept = append(kept, s)
		}
	}
	return assign(kept, nil, minShared, true)
}

// collect reads the services of d (and its anchored top-level x- mappings).
func collect(d *compose.Document, order int) (svcs, anchors []*service) {
	if d == nil || d.Root == nil {
		return nil, nil
	}
	b := d.ExpansionBudget()
	servicesAt := -1
	root := d.Root
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch {
		case k.Value == "services" && v.Kind == yaml.MappingNode:
			servicesAt = d.Offset(compose.Pos{Line: k.Line, Col: k.Column})
			for j := 0; j+1 < len(v.Content); j += 2 {
				if s := newService(d, v.Content[j], v.Content[j+1], b, servicesAt); s != nil {
					s.order = order
					order++
					svcs = append(svcs, s)
				}
			}
		case strings.HasPrefix(k.Value, "x-") && v.Kind == yaml.MappingNode && v.Anchor != "":
			if s := newService(d, k, v, b, -1); s != nil && len(s.entries)*2 == len(v.Content) {
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

// newService hashes the entries of a block mapping that may move: not "<<",
// not tagged !reset/!override, defining no anchor, and using only anchors
// defined before limit (a byte offset; -1: no limit).
func newService(d *compose.Document, k, v *yaml.Node, b *compose.Budget, limit int) *service {
	if v.Kind != yaml.MappingNode || v.Style&yaml.FlowStyle != 0 || len(v.Content) == 0 || v.Content[0].Line <= k.Line {
		return nil
	}
	s := &service{doc: d, name: k.Value, key: k, value: v, set: map[hash]int{}}
	s.spans = EntrySpans(d, v)
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
		val, err := d.Decode(ev, b)
		if err != nil {
			return nil
		}
		var buf bytes.Buffer
		writeString(&buf, ek.Value)
		encode(&buf, val)
		sum := sha256.Sum256(buf.Bytes())
		h := hash(sum[:16])
		s.set[h] = len(s.entries)
		s.entries = append(s.entries, entryInfo{key: ek.Value, index: i / 2, h: h, lines: s.spans[i/2]})
	}
	return s
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
	ok := true
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if !ok {
			return
		}
		if n.Anchor != "" {
			ok = false
			return
		}
		if n.Kind == yaml.AliasNode {
			if limit >= 0 && n.Alias != nil && d.Offset(compose.Pos{Line: n.Alias.Line, Col: n.Alias.Column}) >= limit {
				ok = false
			}
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return ok
}

// encode writes a canonical, type-tagged encoding of a decoded value:
// mappings with sorted keys, so that equal meanings encode equally.
func encode(b *bytes.Buffer, v any) {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('m')
		b.WriteString(strconv.Itoa(len(keys)))
		for _, k := range keys {
			writeString(b, k)
			encode(b, v[k])
		}
	case []any:
		b.WriteByte('l')
		b.WriteString(strconv.Itoa(len(v)))
		for _, x := range v {
			encode(b, x)
		}
	case string:
		b.WriteByte('s')
		writeString(b, v)
	case nil:
		b.WriteByte('n')
	case compose.Reset:
		b.WriteByte('R')
	case compose.Override:
		b.WriteByte('O')
		encode(b, v.Value)
	default:
		fmt.Fprintf(b, "%T:%v;", v, v)
	}
}

func writeString(b *bytes.Buffer, s string) {
	b.WriteString(strconv.Itoa(len(s)))
	b.WriteByte(':')
	b.WriteString(s)
}

// candidate is a set of entries (by hash) and the services holding them all.
type candidate struct {
	kind    Kind
	hashes  []hash // sorted
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

func assign(svcs, anchors []*service, minShared int, across bool) []Group {
	posting := map[hash][]*service{}
	for _, s := range svcs {
		for _, e := range s.entries {
			posting[e.h] = append(posting[e.h], s)
		}
	}
	seen := map[string]bool{}
	uses := &aliasUses{counts: map[*compose.Document]map[*yaml.Node]int{}}
	var q pq
	add := func(c *candidate) {
		c.seq = len(seen)
		q = append(q, c)
	}
	key := func(hs []hash) string {
		var sb strings.Builder
		for _, h := range hs {
			sb.Write(h[:])
		}
		return sb.String()
	}
	work := 0
	for _, s := range svcs {
		if work > workBudget {
			break
		}
		var shared []hash
		for _, e := range s.entries {
			if len(posting[e.h]) > 1 {
				shared = append(shared, e.h)
			}
		}
		if len(shared) < minShared {
			continue
		}
		slices.SortFunc(shared, func(a, b hash) int { return bytes.Compare(a[:], b[:]) })
		sets := [][]hash{shared}
		byRarity := slices.Clone(shared)
		slices.SortStableFunc(byRarity, func(a, b hash) int { return cmp.Compare(len(posting[a]), len(posting[b])) })
		picked := map[*service]bool{s: true}
		for _, h := range byRarity {
			for _, t := range posting[h] {
				if len(picked) > neighbours {
					break
				}
				if picked[t] {
					continue
				}
				picked[t] = true
				var common []hash
				for _, x := range shared {
					if _, ok := t.set[x]; ok {
						common = append(common, x)
					}
				}
				if len(common) >= minShared {
					sets = append(sets, common)
				}
			}
			if len(picked) > neighbours {
				break
			}
		}
		for _, hs := range sets {
			k := key(hs)
			if seen[k] {
				continue
			}
			seen[k] = true
			c := &candidate{kind: New, hashes: hs}
			c.members = holders(posting, hs, nil, &work)
			score(c, across, uses)
			if c.saved > math.MinInt {
				add(c)
			}
		}
	}
	for _, a := range anchors {
		hs := make([]hash, 0, len(a.entries))
		for _, e := range a.entries {
			hs = append(hs, e.h)
		}
		if len(hs) < minShared {
			continue
		}
		slices.SortFunc(hs, func(x, y hash) int { return bytes.Compare(x[:], y[:]) })
		c := &candidate{kind: Reuse, hashes: hs, anchor: a}
		c.members = holders(posting, hs, func(s *service) bool { return s.merge == nil }, &work)
		score(c, across, uses)
		if c.saved > math.MinInt {
			add(c)
		}
	}
	heap.Init(&q)
	taken := map[*service]bool{}
	var groups []Group
	for q.Len() > 0 {
		c := heap.Pop(&q).(*candidate)
		var free []*service
		for _, m := range c.members {
			if !taken[m] {
				free = append(free, m)
			}
		}
		work += len(c.members) * len(c.hashes)
		if len(free) != len(c.members) {
			c.members = free
			if c.kind != Reuse && len(free) > 1 {
				c.hashes = intersect(free)
			}
			old := c.saved
			score(c, across, uses)
			if c.saved == math.MinInt || len(c.hashes) < minShared {
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
			taken[m] = true
		}
		groups = append(groups, build(c, across))
	}
	return groups
}

// holders returns the services holding every entry of hs, in order,
// adding the lookups it may make to *work.
func holders(posting map[hash][]*service, hs []hash, ok func(*service) bool, work *int) []*service {
	if len(hs) == 0 {
		return nil
	}
	rarest := hs[0]
	for _, h := range hs[1:] {
		if len(posting[h]) < len(posting[rarest]) {
			rarest = h
		}
	}
	*work += len(posting[rarest]) * len(hs)
	var out []*service
	for _, s := range posting[rarest] {
		if ok != nil && !ok(s) {
			continue
		}
		all := true
		for _, h := range hs {
			if _, in := s.set[h]; !in {
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

// intersect returns the entries every service of ss holds, sorted.
func intersect(ss []*service) []hash {
	var out []hash
	for _, e := range ss[0].entries {
		all := true
		for _, s := range ss[1:] {
			if _, ok := s.set[e.h]; !ok {
				all = false
				break
			}
		}
		if all {
			out = append(out, e.h)
		}
	}
	slices.SortFunc(out, func(a, b hash) int { return bytes.Compare(a[:], b[:]) })
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
			saved += linesOf(m, c.hashes) - 1
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
		total += linesOf(m, c.hashes)
	}
	first := linesOf(c.members[0], c.hashes)
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
	d := c.members[0].doc
	var anchorKey *yaml.Node
	for i := 0; i+1 < len(d.Root.Content); i += 2 {
		if d.Root.Content[i+1] == target && strings.HasPrefix(d.Root.Content[i].Value, "x-") {
			anchorKey = d.Root.Content[i]
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
	for _, e := range c.members[0].entries {
		if _, ok := slices.BinarySearchFunc(c.hashes, e.h, func(a, b hash) int { return bytes.Compare(a[:], b[:]) }); ok && keys[e.key] {
			return nil
		}
	}
	return &service{doc: d, name: anchorKey.Value, key: anchorKey, value: target, anchor: true}
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

func linesOf(s *service, hs []hash) int {
	n := 0
	for _, h := range hs {
		if i, ok := s.set[h]; ok {
			n += s.entries[i].lines.Count()
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
	in := make(map[hash]bool, len(c.hashes))
	for _, h := range c.hashes {
		in[h] = true
	}
	for i, s := range members {
		m := &Member{Doc: s.doc, Name: s.name, Key: s.key, Value: s.value, Merge: s.merge, MergeKey: s.mergeK, Spans: s.spans}
		for _, e := range s.entries {
			if in[e.h] {
				m.Entries = append(m.Entries, Entry{Key: e.key, Index: e.index, KeyNode: s.value.Content[2*e.index], Node: s.value.Content[2*e.index+1], Lines: e.lines})
				if i == 0 {
					g.Shared = append(g.Shared, e.key)
				}
			}
		}
		g.Services = append(g.Services, s.name)
		g.Members = append(g.Members, m)
	}
	return g
}
