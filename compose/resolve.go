package compose

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Tags docker compose gives meaning to in override files.
const (
	TagReset    = "!reset"
	TagOverride = "!override"
)

// IsMergeKey reports whether k is a YAML merge key ("<<").
func IsMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && (k.Tag == "!!merge" || k.Tag == "" || k.Style == 0)
}

// Deref follows aliases to the node they stand for.
func Deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// Entry is one key/value pair of a mapping as docker compose reads it: after
// "<<" merge keys are applied and aliases followed.
type Entry struct {
	// Key is the key node as written; for a merged entry it sits inside the
	// merged anchor.
	Key *yaml.Node
	// Value is the value node, aliases followed (never an AliasNode). It
	// keeps its tag, so !reset and !override stay visible.
	Value *yaml.Node
	// Alias is the alias node written as the value (`environment: *env`),
	// or nil.
	Alias *yaml.Node
	// Via lists the alias nodes of "<<" merge keys crossed to reach a merged
	// entry, outermost first; empty for a key written in the mapping itself.
	Via []*yaml.Node
}

// Budget bounds alias expansion. docker compose hangs on a "billion laughs"
// file; composure allows expansion in proportion to the input and refuses
// beyond it.
type Budget struct {
	left int
	// Limit is the number of node visits the budget started with.
	Limit int
	// depth is how deep Decode is in the expanded tree: a chain of anchors
	// each nesting the previous one stays within the visit limit while its
	// expansion, and Decode's recursion, grows far deeper than any file.
	depth int
}

// maxVisits caps ExpansionBudget. The largest real file known (sentry's, 57
// services, merge keys everywhere) needs under 5,000 visits and a generated
// 10,000-service project a few million; the budget grows with the file (64
// visits a node), so only a large file that also expands explosively meets
// this cap.
const maxVisits = 64_000_000

// ExpansionBudget returns the expansion allowed for d: generous for any real
// file (every node may be reached through aliases 64 times over, and at least
// a million visits, at most maxVisits), while an alias bomb, whose expansion
// grows exponentially with its size, is refused at once.
func (d *Document) ExpansionBudget() *Budget {
	limit := d.Nodes * 64
	if limit < 1_000_000 {
		limit = 1_000_000
	}
	if limit > maxVisits {
		limit = maxVisits
	}
	if limit > math.MaxInt32 {
		limit = math.MaxInt32
	}
	return &Budget{left: limit, Limit: limit}
}

// Spend takes one node visit from b for a node at in d, failing with an
// *Error at that node once the budget is spent; for callers that expand
// aliases themselves (merge decodes sequences node by node).
func (b *Budget) Spend(d *Document, at *yaml.Node) error { return b.spend(d, at) }

// spend takes n visits from b, failing once it is spent. A nil budget is
// unlimited.
func (b *Budget) spend(d *Document, at *yaml.Node) error {
	if b == nil {
		return nil
	}
	b.left--
	if b.left < 0 {
		return d.Errorf(at, "aliases expand to more than %d nodes (an alias bomb?): reduce the nesting of anchors", b.Limit)
	}
	return nil
}

// Entries returns the entries of mapping m with merge keys applied: keys
// written in m win over merged ones, and among merged sources the first one
// that sets a key wins (YAML merge key semantics, as yaml.v3 and compose-go
// decode them). Merged entries appear where the "<<" key stands. b bounds the
// work done expanding aliases (nil: no bound).
func (d *Document) Entries(m *yaml.Node, b *Budget) ([]Entry, error) {
	m = Deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	hasMerge := false
	for i := 0; i+1 < len(m.Content); i += 2 {
		if IsMergeKey(m.Content[i]) {
			hasMerge = true
			break
		}
	}
	out := make([]Entry, 0, len(m.Content)/2)
	if !hasMerge {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if err := b.spend(d, m.Content[i+1]); err != nil {
				return nil, err
			}
			out = append(out, entry(m.Content[i], m.Content[i+1], nil))
		}
		return out, nil
	}
	// Only a mapping with merge keys needs the set of its own keys (most
	// mappings have none: no map to build for them).
	seen := make(map[string]bool, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		if !IsMergeKey(m.Content[i]) {
			seen[m.Content[i].Value] = true
		}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if err := b.spend(d, v); err != nil {
			return nil, err
		}
		if !IsMergeKey(k) {
			out = append(out, entry(k, v, nil))
			continue
		}
		var sources []*yaml.Node
		switch v.Kind {
		case yaml.SequenceNode:
			sources = v.Content
		default:
			sources = []*yaml.Node{v}
		}
		for _, src := range sources {
			target := Deref(src)
			if target == nil || target.Kind != yaml.MappingNode {
				return nil, d.Errorf(src, "merge key %q needs a mapping (or a list of mappings) to merge, got %s: point it at an anchor on a mapping", "<<", kindName(target))
			}
			var via []*yaml.Node
			if src.Kind == yaml.AliasNode {
				via = []*yaml.Node{src}
			}
			merged, err := d.Entries(target, b)
			if err != nil {
				return nil, err
			}
			for _, e := range merged {
				if seen[e.Key.Value] {
					continue
				}
				seen[e.Key.Value] = true
				e.Via = append(append([]*yaml.Node(nil), via...), e.Via...)
				out = append(out, e)
			}
		}
	}
	return out, nil
}

func entry(k, v *yaml.Node, via []*yaml.Node) Entry {
	e := Entry{Key: k, Value: v, Via: via}
	if v.Kind == yaml.AliasNode {
		e.Alias = v
		e.Value = Deref(v)
	}
	return e
}

// Get returns the entry for key in mapping m (merge keys applied). Keys
// written differently may decode to the same key (`0` and `00`, `true` and
// `True`): as in Decode, and in compose-go, the last of them wins.
//
// Small mappings without merge keys are scanned; a large one (a `services:`
// of thousands) or one with merge keys is indexed on first use and the index
// kept with the Document, so looking up every service by name stays linear
// in the file, not quadratic, and keys merged from anchors are not listed
// again for every lookup.
func (d *Document) Get(m *yaml.Node, key string) (Entry, bool) {
	m = Deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return Entry{}, false
	}
	if len(m.Content) < 2*indexFrom {
		// Without merge keys the entries are the pairs as written: scan
		// them without listing them (Get is called for every key of every
		// service by lint's rules).
		hasMerge := false
		for i := 0; i+1 < len(m.Content); i += 2 {
			if IsMergeKey(m.Content[i]) {
				hasMerge = true
				break
			}
		}
		if !hasMerge {
			found := -1
			for i := 0; i+1 < len(m.Content); i += 2 {
				if k := m.Content[i]; k.Value == key || KeyString(k) == key {
					found = i
				}
			}
			if found < 0 {
				return Entry{}, false
			}
			return entry(m.Content[found], m.Content[found+1], nil), true
		}
		// With merge keys whose keys are all plain strings, follow the
		// merges without listing or indexing anything (a service merging
		// an anchor is the common case); else index the mapping.
		var visits int
		switch e, found, st := mergedGet(m, key, &visits); st {
		case decided:
			return e, found
		case broken:
			return Entry{}, false
		}
	}
	return d.indexed(m, key)
}

// indexed looks key up in mapping m through the index Get keeps for it,
// built on first use from Entries.
func (d *Document) indexed(m *yaml.Node, key string) (Entry, bool) {
	idx, ok := d.keyIndex.Load(m)
	if !ok {
		es, err := d.Entries(m, nil)
		if err != nil {
			return Entry{}, false
		}
		byKey := make(map[string]Entry, len(es))
		// A key is found by its spelling too ("00" for a key decoding to
		// "0"), unless another key decodes to that text: decoded keys are
		// stored last, and the last of keys that decode alike wins.
		for _, e := range es {
			byKey[e.Key.Value] = e
		}
		for _, e := range es {
			byKey[KeyString(e.Key)] = e
		}
		idx, _ = d.keyIndex.LoadOrStore(m, byKey)
	}
	e, ok := idx.(map[string]Entry)[key]
	return e, ok
}

// mergedGet looks key up in mapping m with merge keys applied as Entries
// does, without building anything: keys written in m win, then the first
// merged source (in order) that has the key, each source looked up the
// same way. It decides only when it can tell exactly what the index of Get
// would: every key involved is a plain string (spelled as it decodes, so
// no two spellings meet), and the merges are few (visits bounds the nodes
// walked). A merge key on something that is not a mapping, anywhere, makes
// Entries fail and Get find nothing: mergedGet says broken.
func mergedGet(m *yaml.Node, key string, visits *int) (e Entry, found bool, st lookupState) {
	*visits += len(m.Content)
	if *visits > 4*indexFrom {
		return Entry{}, false, undecided
	}
	local := -1
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if IsMergeKey(k) {
			continue
		}
		if k.Kind != yaml.ScalarNode || k.Tag != "!!str" {
			return Entry{}, false, undecided
		}
		if k.Value == key {
			local = i
		}
	}
	// Every source is walked, even once the key is found: one that is not
	// a mapping, or has a key that is not a plain string, decides.
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if !IsMergeKey(k) {
			continue
		}
		n := 1
		if v.Kind == yaml.SequenceNode {
			n = len(v.Content)
		}
		for j := range n {
			src := v
			if v.Kind == yaml.SequenceNode {
				src = v.Content[j]
			}
			target := Deref(src)
			if target == nil || target.Kind != yaml.MappingNode {
				return Entry{}, false, broken
			}
			se, sfound, sst := mergedGet(target, key, visits)
			if sst != decided {
				return Entry{}, false, sst
			}
			if sfound && !found && local < 0 {
				e, found = se, true
				if src.Kind == yaml.AliasNode {
					e.Via = append([]*yaml.Node{src}, se.Via...)
				}
			}
		}
	}
	if local >= 0 {
		return entry(m.Content[local], m.Content[local+1], nil), true, decided
	}
	return e, found, decided
}

// lookupState says whether mergedGet could tell.
type lookupState int

const (
	decided   lookupState = iota
	undecided             // ask the index
	broken                // the merges fail: nothing is found
)

// indexFrom is the number of entries from which Get indexes a mapping.
const indexFrom = 32

// Lookup follows a dotted path (as compose-go's tree.Path spells it,
// "services.web.ports.0") from the root, through aliases and merge keys.
// Sequence items are addressed by index. It returns the value node and the
// entry that holds it (zero Entry for sequence items).
func (d *Document) Lookup(path string) (*yaml.Node, Entry, bool) {
	if d.Root == nil {
		return nil, Entry{}, false
	}
	n := d.Root
	var last Entry
	for _, part := range strings.Split(path, ".") {
		n = Deref(n)
		switch n.Kind {
		case yaml.MappingNode:
			e, ok := d.Get(n, part)
			if !ok {
				return nil, Entry{}, false
			}
			last, n = e, e.Value
		case yaml.SequenceNode:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil, Entry{}, false
			}
			last = Entry{Value: Deref(n.Content[i])}
			if n.Content[i].Kind == yaml.AliasNode {
				last.Alias = n.Content[i]
			}
			n = last.Value
		default:
			return nil, Entry{}, false
		}
	}
	return n, last, true
}

// Decode converts n into plain Go values (map[string]any, []any, string,
// int, float64, bool, nil) the way compose-go decodes a file: aliases
// expanded, merge keys applied, keys as strings. Values tagged !reset decode
// to Reset{} and !override to Override{Value}, so a merge can act on them.
func (d *Document) Decode(n *yaml.Node, b *Budget) (any, error) {
	if err := b.spend(d, n); err != nil {
		return nil, err
	}
	if b != nil {
		if b.depth >= MaxDepth {
			return nil, d.Errorf(n, "aliases nest deeper than %d levels once expanded: reduce the nesting of anchors", MaxDepth)
		}
		b.depth++
		defer func() { b.depth-- }()
	}
	n = Deref(n)
	if n == nil {
		return nil, nil
	}
	switch n.Tag {
	case TagReset:
		return Reset{}, nil
	case TagOverride:
		c := *n
		c.Tag = ""
		v, err := d.Decode(&c, b)
		return Override{Value: v}, err
	}
	switch n.Kind {
	case yaml.MappingNode:
		es, err := d.Entries(n, b)
		if err != nil {
			return nil, err
		}
		m := make(map[string]any, len(es))
		for _, e := range es {
			v, err := d.Decode(e.Value, b)
			if err != nil {
				return nil, err
			}
			m[KeyString(e.Key)] = v
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := d.Decode(c, b)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	case yaml.ScalarNode:
		return ScalarValue(n), nil
	}
	return nil, fmt.Errorf("%s: unexpected YAML node", d.Loc(n))
}

// Reset is the decoded form of a value tagged !reset.
type Reset struct{}

// Override is the decoded form of a value tagged !override.
type Override struct{ Value any }

// KeyString renders a mapping key the way compose-go's
// convertToStringKeysRecursive does (fmt %v of the decoded key).
func KeyString(k *yaml.Node) string {
	if k.Kind == yaml.ScalarNode && k.Tag == "!!str" {
		// most keys: no detour through an interface (an allocation)
		return k.Value
	}
	if k.Kind == yaml.ScalarNode {
		switch v := ScalarValue(k).(type) {
		case string:
			return v
		case nil:
			return "<nil>"
		default:
			return fmt.Sprint(v)
		}
	}
	return k.Value
}

// ScalarValue decodes a scalar node as yaml.v3 decodes it into an interface:
// by its resolved tag (!!int, !!float, !!bool, !!null, else string). The
// common tags are decoded here directly: yaml.v3's reflection-based decoder
// is the slow part of decoding a large file.
func ScalarValue(n *yaml.Node) any {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		// yaml.v3's parser resolves the tag of every scalar it reads, and
		// most are strings: the fastest path first.
		return n.Value
	}
	switch n.ShortTag() {
	case "!!str":
		return n.Value
	case "!!null":
		return nil
	case "!!bool":
		switch n.Value {
		case "true":
			return true
		case "false":
			return false
		}
	case "!!int":
		if i, err := strconv.Atoi(n.Value); err == nil && (len(n.Value) < 2 || n.Value[0] != '0') && n.Value[0] != '+' {
			return i
		}
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return n.Value
	}
	return v
}
