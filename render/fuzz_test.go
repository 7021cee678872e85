package render

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

// flowAny holds values under a ,flow field, beside block ones, so that the
// library's pending flow request reaches whatever follows.
type flowAny struct {
	A any `yaml:"a,flow"`
	B any `yaml:"b"`
	C any `yaml:"c,omitempty,flow"`
}

// scalarPlaces puts s everywhere a scalar can land: map value and key,
// sequence item, nested at several depths, in flow collections, after
// text that brings it past the fold column, and repeated into a long line.
func scalarPlaces(s string) any {
	prefix := strings.Repeat("lorem ipsum ", 6)
	return map[string]any{
		"value":    s,
		s:          "key",
		"seq":      []any{s, []any{s, map[string]any{s: s}}},
		"deep":     map[string]any{"a": map[string]any{"b": map[string]any{"c": s, "d": []any{s}}}},
		"flow":     flowAny{A: []any{s, map[string]any{s: s}}, B: s, C: map[string]any{"k": s}},
		"after":    prefix + s,
		"long":     strings.Repeat(s+" ", 4),
		prefix + s: []any{prefix + s},
	}
}

// FuzzScalar compares Encode with the library on any string, in every place
// a scalar can be written.
func FuzzScalar(f *testing.F) {
	for _, s := range []string{"", "a", "true", "a b", "a\nb", " x", "x ", "#", "a: b", "\ufeff", "é😀", "\t", "0x1F",
		"2001-12-14", "1:20", "a\u2028b", strings.Repeat("word ", 30), "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sameAsLibrary(t, "scalarPlaces", scalarPlaces(s))
	})
}

// valueReader builds Go values from fuzz input, one byte choosing each
// value's kind.
type valueReader struct {
	data []byte
}

func (r *valueReader) byte() byte {
	if len(r.data) == 0 {
		return 0
	}
	b := r.data[0]
	r.data = r.data[1:]
	return b
}

func (r *valueReader) uint64() uint64 {
	var buf [8]byte
	n := copy(buf[:], r.data)
	r.data = r.data[n:]
	return binary.LittleEndian.Uint64(buf[:])
}

// string takes a length byte, then that many bytes (fewer at the end).
func (r *valueReader) string() string {
	n := min(int(r.byte()), len(r.data))
	s := string(r.data[:n])
	r.data = r.data[n:]
	return s
}

// key is a string key, sometimes long enough to need "? ".
func (r *valueReader) key() string {
	s := r.string()
	if len(s) > 0 && s[0]%8 == 0 {
		s = strings.Repeat(s, 130/len(s)+1)
	}
	return s
}

func (r *valueReader) value(depth int) any {
	kind := r.byte()
	if depth > 6 {
		kind %= 9
	}
	switch kind % 16 {
	case 0:
		return nil
	case 1, 2, 3:
		return r.string()
	case 4:
		return int64(r.uint64())
	case 5:
		return r.uint64()
	case 6:
		return math.Float64frombits(r.uint64())
	case 7:
		return math.Float32frombits(uint32(r.uint64()))
	case 8:
		return r.byte()%2 == 0
	case 9, 10:
		n := int(r.byte() % 8)
		m := make(map[string]any, n)
		for range n {
			m[r.key()] = r.value(depth + 1)
		}
		return m
	case 11, 12:
		n := int(r.byte() % 8)
		l := make([]any, n)
		for i := range l {
			l[i] = r.value(depth + 1)
		}
		return l
	case 13:
		return flowAny{A: r.value(depth + 1), B: r.value(depth + 1), C: r.value(depth + 1)}
	case 14:
		n := int(r.byte() % 6)
		m := make(map[any]any, n)
		for range n {
			var k any
			switch r.byte() % 4 {
			case 0:
				k = int(int8(r.byte()))
			case 1:
				k = r.byte()%2 == 0
			case 2:
				k = float64(int8(r.byte())) / 4
			default:
				k = r.key()
			}
			m[k] = r.value(depth + 1)
		}
		return m
	default:
		return marshaled{r.value(depth + 1)}
	}
}

// FuzzValue compares Encode with the library on nested maps, sequences and
// scalars built from the input.
func FuzzValue(f *testing.F) {
	for _, seed := range [][]byte{
		{9, 2, 1, 'a', 1, 1, 'b'},
		{11, 3, 1, 1, 'x', 9, 0, 12, 0},
		{13, 1, 3, 'a', 'b', 'c', 9, 1, 1, 'k', 4, 1, 2, 3, 4, 5, 6, 7, 8, 11, 1, 2, 10, 'a', '\n', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'},
		{14, 4, 0, 5, 1, 0, 1, 2, 3, 2, 1, 'q', 0},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &valueReader{data: data}
		sameAsLibrary(t, "value", r.value(0))
	})
}
