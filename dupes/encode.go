package dupes

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
)

// encoder writes the canonical encoding of an entry: its key, then its value
// as compose.Document.Decode reads it (aliases expanded, merge keys applied,
// the last of keys decoding alike wins), type-tagged, mappings with sorted
// keys, so that equal meanings encode equally. It walks the nodes in the
// order Decode visits them and spends the same budget, so an alias bomb
// fails the same entries, but it builds no decoded values: decoding every
// entry of every service (maps, boxed scalars) was most of Find's cost.
// Its buffers are reused from entry to entry. TestEncoderMatchesDecode
// holds it to Decode on every compose file at hand: a change to Decode's
// reading must be made here too.
type encoder struct {
	d     *compose.Document
	b     *compose.Budget
	depth int
	buf   []byte
	// pairs is a stack of the entries of the mappings being encoded.
	pairs []pair
}

// pair is one entry of a mapping being encoded: its decoded key and where
// its value's encoding was first written in buf.
type pair struct {
	key        string
	start, end int
}

// entry returns the encoding of the service entry k: v, valid until the
// next call.
func (e *encoder) entry(k, v *yaml.Node) ([]byte, error) {
	e.buf = appendString(e.buf[:0], k.Value)
	err := e.value(v)
	return e.buf, err
}

// value appends the encoding of n, as Decode would return it.
func (e *encoder) value(n *yaml.Node) error {
	if err := e.b.Spend(e.d, n); err != nil {
		return err
	}
	if e.depth >= compose.MaxDepth {
		return e.d.Errorf(n, "aliases nest deeper than %d levels once expanded", compose.MaxDepth)
	}
	e.depth++
	err := e.node(compose.Deref(n))
	e.depth--
	return err
}

func (e *encoder) node(n *yaml.Node) error {
	if n == nil {
		e.buf = append(e.buf, 'n')
		return nil
	}
	switch n.Tag {
	case compose.TagReset:
		e.buf = append(e.buf, 'R')
		return nil
	case compose.TagOverride:
		c := *n
		c.Tag = ""
		e.buf = append(e.buf, 'O')
		return e.value(&c)
	}
	switch n.Kind {
	case yaml.MappingNode:
		return e.mapping(n)
	case yaml.SequenceNode:
		e.buf = append(e.buf, 'l')
		e.buf = strconv.AppendInt(e.buf, int64(len(n.Content)), 10)
		for _, c := range n.Content {
			if err := e.value(c); err != nil {
				return err
			}
		}
		return nil
	case yaml.ScalarNode:
		if n.Tag == "!!str" {
			// compose.ScalarValue's fast path, without boxing the string
			e.buf = append(e.buf, 's')
			e.buf = appendString(e.buf, n.Value)
			return nil
		}
		e.buf = appendScalar(e.buf, compose.ScalarValue(n))
		return nil
	}
	return fmt.Errorf("%s: unexpected YAML node", e.d.Loc(n))
}

// mapping encodes the values in Decode's order (the order of
// compose.Document.Entries) after the buffer's end, then writes the
// distinct keys sorted, each with its last value, in their place.
func (e *encoder) mapping(n *yaml.Node) error {
	base, from := len(e.buf), len(e.pairs)
	defer func() { e.pairs = e.pairs[:from] }()
	if hasMergeKey(n) {
		es, err := e.d.Entries(n, e.b)
		if err != nil {
			return err
		}
		for _, x := range es {
			if err := e.pairValue(x.Key, x.Value); err != nil {
				return err
			}
		}
	} else {
		// Entries without merge keys: it spends a visit on every value,
		// then Decode decodes each.
		for i := 1; i < len(n.Content); i += 2 {
			if err := e.b.Spend(e.d, n.Content[i]); err != nil {
				return err
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := e.pairValue(n.Content[i], compose.Deref(n.Content[i+1])); err != nil {
				return err
			}
		}
	}
	// Of keys decoding alike, the last one written wins, as in Decode's
	// map.
	kept := lastOfEach(e.pairs[from:], func(a, b pair) int { return strings.Compare(a.key, b.key) })
	out := len(e.buf)
	e.buf = append(e.buf, 'm')
	e.buf = strconv.AppendInt(e.buf, int64(len(kept)), 10)
	for _, p := range kept {
		e.buf = appendString(e.buf, p.key)
		e.buf = append(e.buf, e.buf[p.start:p.end]...)
	}
	e.buf = e.buf[:base+copy(e.buf[base:], e.buf[out:])]
	return nil
}

func (e *encoder) pairValue(k, v *yaml.Node) error {
	start := len(e.buf)
	if err := e.value(v); err != nil {
		return err
	}
	e.pairs = append(e.pairs, pair{key: keyString(k), start: start, end: len(e.buf)})
	return nil
}

func hasMergeKey(m *yaml.Node) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if compose.IsMergeKey(m.Content[i]) {
			return true
		}
	}
	return false
}

// keyString is compose.KeyString, without boxing the common string key.
func keyString(k *yaml.Node) string {
	if k.Kind == yaml.ScalarNode && k.Tag == "!!str" {
		return k.Value
	}
	return compose.KeyString(k)
}

// appendScalar encodes a decoded scalar: a string, nil, or its type and
// value.
func appendScalar(b []byte, v any) []byte {
	switch v := v.(type) {
	case string:
		return appendString(append(b, 's'), v)
	case nil:
		return append(b, 'n')
	case int:
		return append(strconv.AppendInt(append(b, "int:"...), int64(v), 10), ';')
	case bool:
		return append(strconv.AppendBool(append(b, "bool:"...), v), ';')
	}
	return fmt.Appendf(b, "%T:%v;", v, v)
}

func appendString(b []byte, s string) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, ':')
	return append(b, s...)
}

// class numbers an entry: two entries get the same class exactly when their
// encodings are equal.
type class = int32

// classes numbers encodings. A 64-bit hash finds the classes an encoding may
// belong to and the bytes decide, so a hash collision costs a comparison,
// never a merge of different entries. Most entries of a file are unique:
// a class keeps only the nodes of its first entry, and its encoding only
// once a second entry hashes alike (encoded again then, without budget: the
// first reading succeeded).
type classes struct {
	hash  func([]byte) uint64
	first map[uint64]class
	info  []classInfo
	kept  []keptClass
	arena []byte
	again encoder
}

type classInfo struct {
	next class // next class with the same hash, -1 ends the chain
	kept int32 // index in kept, -1 until the encoding is needed
	d    *compose.Document
	k, v *yaml.Node
}

// keptClass is an encoding kept in the arena, with its order key.
type keptClass struct {
	start, end int
	sum        hash
	summed     bool
}

// hash is a class's order key: the first 16 bytes of the SHA-256 of its
// encoding. Among entries shared by equally many services, rarer-first
// candidate generation takes them in this order.
type hash [16]byte

func newClasses() *classes {
	seed := maphash.MakeSeed()
	return &classes{hash: func(b []byte) uint64 { return maphash.Bytes(seed, b) }}
}

// reserve makes room for n more classes.
func (cs *classes) reserve(n int) {
	if cs.first == nil {
		cs.first = make(map[uint64]class, n)
	}
	cs.info = slices.Grow(cs.info, n)
}

// id returns the class of the entry k: v of d, whose encoding is enc,
// adding a class if it is new.
func (cs *classes) id(enc []byte, d *compose.Document, k, v *yaml.Node) class {
	if cs.first == nil {
		cs.reserve(0)
	}
	h := cs.hash(enc)
	head, ok := cs.first[h]
	if ok {
		for c := head; c >= 0; c = cs.info[c].next {
			if bytes.Equal(cs.encoding(c), enc) {
				return c
			}
		}
	} else {
		head = -1
	}
	n := class(len(cs.info))
	cs.info = append(cs.info, classInfo{next: head, kept: -1, d: d, k: k, v: v})
	cs.first[h] = n
	return n
}

// encoding returns the encoding of class c, keeping it from now on.
func (cs *classes) encoding(c class) []byte {
	in := &cs.info[c]
	if in.kept < 0 {
		cs.again.d = in.d
		enc, err := cs.again.entry(in.k, in.v)
		if err != nil {
			// cannot happen: the entry was encoded once with a budget
			panic(err)
		}
		start := len(cs.arena)
		cs.arena = appendDoubling(cs.arena, enc...)
		in.kept = int32(len(cs.kept))
		cs.kept = appendDoubling(cs.kept, keptClass{start: start, end: len(cs.arena)})
	}
	k := &cs.kept[in.kept]
	return cs.arena[k.start:k.end]
}

// key returns the order key of class c.
func (cs *classes) key(c class) *hash {
	enc := cs.encoding(c)
	k := &cs.kept[cs.info[c].kept]
	if !k.summed {
		sum := sha256.Sum256(enc)
		k.sum = hash(sum[:16])
		k.summed = true
	}
	return &k.sum
}

// appendDoubling appends xs to s, doubling its capacity when full: append
// grows a large slice by a quarter, which allocates about five times its
// final size when it is built a little at a time.
func appendDoubling[T any](s []T, xs ...T) []T {
	if len(s)+len(xs) > cap(s) {
		s = slices.Grow(s, max(len(s), len(xs)))
	}
	return append(s, xs...)
}

// len is the number of classes.
func (cs *classes) len() int { return len(cs.info) }

// lastOfEach sorts s in place by cmp, stably, and keeps of each run of
// equal elements the last one in s's order.
func lastOfEach[T any](s []T, cmp func(a, b T) int) []T {
	slices.SortStableFunc(s, cmp)
	kept := s[:0]
	for i := range s {
		if i+1 < len(s) && cmp(s[i+1], s[i]) == 0 {
			continue
		}
		kept = append(kept, s[i])
	}
	return kept
}
