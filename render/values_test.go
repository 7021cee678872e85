package render

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

type flowField struct {
	X int `yaml:"x,flow"`
}

type flowCollections struct {
	M map[string]int `yaml:"m,flow"`
	S []string       `yaml:"s,flow"`
	N []any          `yaml:"n,flow"`
}

type withInline struct {
	Name  string `yaml:"name"`
	Inner `yaml:",inline"`
	Ptr   *Inner2        `yaml:",inline"`
	Extra map[string]any `yaml:",inline"`
}

type Inner struct {
	A string `yaml:"a,omitempty"`
	B int    `yaml:"b"`
}

type Inner2 struct {
	C []int `yaml:"c,omitempty"`
}

type times struct {
	T time.Time
	P *time.Time
	N *time.Time
	L []any
	M map[time.Time]int
}

type zeroer struct{ v int }

func (z zeroer) IsZero() bool { return z.v == 0 }

type marshaled struct{ V any }

func (m marshaled) MarshalYAML() (any, error) { return m.V, nil }

type ptrMarshaled int

func (m *ptrMarshaled) MarshalYAML() (any, error) { return "p" + strings.Repeat("!", int(*m)), nil }

type text string

func (t text) MarshalText() ([]byte, error) { return []byte("<" + string(t) + ">"), nil }

type omit struct {
	S  string            `yaml:"s,omitempty"`
	I  int               `yaml:"i,omitempty"`
	F  float64           `yaml:"f,omitempty"`
	B  bool              `yaml:"b,omitempty"`
	P  *int              `yaml:"p,omitempty"`
	M  map[string]string `yaml:"m,omitempty"`
	L  []int             `yaml:"l,omitempty"`
	A  [2]int            `yaml:"a,omitempty"`
	Z  zeroer            `yaml:"z,omitempty"`
	St Inner             `yaml:"st,omitempty"`
	If any               `yaml:"if,omitempty"`
	T  time.Time         `yaml:"t,omitempty"`
}

type untagged struct {
	CamelCase int
	Tagged    int `yaml:"tagged"`
	Skipped   int `yaml:"-"`
	Dash      int `yaml:"-,"`
	hidden    int
}

// bareTag is a struct whose field tag is a bare yaml tag (`bare,omitempty`,
// no key), which the library reads as the yaml tag; built with reflect, as
// go vet refuses such a tag in source.
func bareTag() any {
	t := reflect.StructOf([]reflect.StructField{
		{Name: "Bare", Type: reflect.TypeFor[int](), Tag: `bare,omitempty`},
		{Name: "Zero", Type: reflect.TypeFor[int](), Tag: `zero,omitempty`},
		{Name: "Dash", Type: reflect.TypeFor[int](), Tag: `-`},
	})
	v := reflect.New(t).Elem()
	v.Field(0).SetInt(6)
	v.Field(2).SetInt(7)
	return v.Interface()
}

// TestValues compares Encode with the library on values that exercise each
// part of the encoder.
func TestValues(t *testing.T) {
	one := 1
	pm := ptrMarshaled(2)
	cases := map[string]any{
		"nil":            nil,
		"root string":    "root",
		"root multiline": "a\nb\n",
		"root empty map": map[string]any{},
		"root empty seq": []any{},
		"root binary":    string([]byte{0xff, 0xfe}),
		"long binary":    strings.Repeat("\xff", 200),
		"binary map":     map[string]any{"bin": strings.Repeat("\xfe", 60), "k": []any{"\xff"}},
		"scalars": map[string]any{
			"int": -12, "uint": uint64(math.MaxUint64), "f32": float32(1.1), "f64": 1e21, "small": 1e-7,
			"inf": math.Inf(1), "-inf": math.Inf(-1), "nan": math.NaN(), "-0": math.Copysign(0, -1),
			"t": true, "f": false, "null": nil,
		},
		"strings": []string{"10", "1e3", "0x1F", ".inf", "2001-12-14", "1_000", "08", "+1", "-", "~", "Null", "<<",
			"0o17", "-0", ".5", "1.", "1:2:3", "12:60", "yes", "on", "No", "y", "true", "", " ", "a ", " a",
			"- a", "-a", "? a", "?a", ":a", "a:", "a: b", "a:b", "#a", "a #b", "a#b", "---", "---a", "...",
			"a\tb", "\ta", "é", "😀", "\ufeffab c", "a\u2028b", "a\u0085b", "a\rb", "\x00", "\x7f", "'", `"`,
			"a'b", `a\b`, "[a]", "{a}", "a,b", "a]", "@a", "`a", "%a", "!a", "&a", "*a", "|", ">", "a|b"},
		"multiline": map[string]any{"a": "a\n", "b": "a\n\n", "c": "\nabc", "d": "  x\ny", "e": "a \nb",
			"f": "a\n b", "g": " \n ", "h": "a\r\nb", "i": "\n", "j": "a\nb\u2028", "k": "\t\nx", "l": "x\n\t",
			"m": "😀\nx", "n": "a\u2028\nb"},
		"folding": map[string]any{
			"plain":   strings.Repeat("word ", 30) + "end",
			"single":  strings.Repeat("word ", 30),
			"double":  strings.Repeat("w\té ", 30),
			"spaces":  strings.Repeat("ab  ", 40),
			"nospace": strings.Repeat("x", 200),
			"seq":     []any{strings.Repeat("abc ", 30) + "z", map[string]any{"deep": strings.Repeat("de ", 40) + "x"}},
			"dq2":     strings.Repeat("é\t", 50) + "  " + strings.Repeat("x ", 30),
		},
		"keys": map[string]any{
			strings.Repeat("k", 129): "long", strings.Repeat("k", 128): "limit",
			"multi\nkey": map[string]any{"x": 1}, "multi\nseq": []any{1, 2}, "": "empty", "yes": 1,
			"a b": 1, "- a": 1, "binary\xff": 1, "\xff\xfe\xfd": []any{},
			strings.Repeat("long ", 40): "folded key",
		},
		"natural order": map[string]int{"svc10": 1, "svc2": 2, "svc1": 3, "a": 4, "B": 5, "_x": 6, "1a": 7, "1-": 8,
			"a01": 9, "a1": 10, "a001": 11, "x0": 12, "x00": 13, "10": 14, "9": 15, "é": 16, "e": 17, "a-b": 18, "a_b": 19, "ab": 20},
		"any keys":      map[any]any{1: "a", "b": 2, true: 3, 2.5: 4, nil: 5, int8(1): 6, uint(7): 7, false: 8},
		"nested":        map[string]any{"s": []any{"a", []any{"b", "c"}, map[string]any{"q": 1, "r": []any{1}}, []any{}, map[string]any{}}},
		"flow sticky":   []flowField{{1}, {2}},
		"flow map":      map[string]flowField{"a": {1}, "b": {2}},
		"flow colls":    flowCollections{M: map[string]int{"a": 1, "b": 2}, S: []string{strings.Repeat("abcdefghij", 5), strings.Repeat("xyz", 20), "", "a b", "x: y", "multi\nline"}, N: []any{map[string]any{"k": []any{1, 2}}, "multi\nline", nil}},
		"flow empty":    flowCollections{},
		"inline":        withInline{Name: "n", Inner: Inner{B: 2}, Ptr: &Inner2{C: []int{1}}, Extra: map[string]any{"x-a": 1, "z": []any{}}},
		"inline nilptr": withInline{Name: "n", Extra: map[string]any{}},
		"inline clash":  withInline{Extra: map[string]any{"name": 1}},
		"omitempty":     omit{},
		"omitempty set": omit{S: "s", I: 1, F: 0.5, B: true, P: &one, M: map[string]string{"a": ""}, L: []int{0}, Z: zeroer{1}, St: Inner{B: 1}, If: 0, T: time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)},
		"untagged":      untagged{CamelCase: 1, Tagged: 2, Skipped: 3, Dash: 4, hidden: 5},
		"bare tag":      bareTag(),
		"marshalers":    map[string]any{"m": marshaled{map[string]any{"x": 1}}, "nil": marshaled{nil}, "ptr": &pm, "val": pm, "text": text("t"), "dur": 90 * time.Second},
		"times": times{T: time.Date(2001, 12, 14, 21, 59, 43, 100000000, time.UTC), P: &time.Time{},
			L: []any{time.Date(10001, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.FixedZone("", 3600))},
			M: map[time.Time]int{time.Date(999, 1, 1, 0, 0, 0, 0, time.UTC): 1}},
		"pointers":    map[string]any{"nil": (*int)(nil), "int": &one, "ptrptr": func() **int { p := &one; return &p }()},
		"arrays":      map[string]any{"a": [3]string{"x", "", "z"}, "b": []byte("hi"), "e": [0]int{}},
		"unsupported": map[string]any{"c": make(chan int)},
	}
	for name, v := range cases {
		sameAsLibrary(t, name, v)
	}
}

// TestTimePointerInInterface: the library panics on a *time.Time held in
// an interface (it takes the pointer for the time); Encode writes the time.
func TestTimePointerInInterface(t *testing.T) {
	tm := time.Date(2001, 12, 14, 21, 59, 43, 0, time.UTC)
	v := []any{&tm}
	if _, err := reference(v); err == nil {
		t.Log("the library no longer panics on a *time.Time in an interface")
	}
	got, err := Encode(v)
	if want := "- 2001-12-14T21:59:43Z\n"; err != nil || string(got) != want {
		t.Errorf("Encode = %q, %v; want %q", got, err, want)
	}
}

// TestTiedKeysStable: keys that differ only in invalid UTF-8 bytes tie in
// the library's order (its output varies between runs); Encode orders them
// by their bytes.
func TestTiedKeysStable(t *testing.T) {
	v := map[string]any{"\xfe": 1, "\xff": 2, "\xe1": 3, "a": 4}
	want := "!!binary 4Q==: 3\n!!binary /g==: 1\n!!binary /w==: 2\na: 4\n"
	for range 20 {
		got, err := Encode(v)
		if err != nil || string(got) != want {
			t.Fatalf("Encode = %q, %v; want %q", got, err, want)
		}
	}
}

// TestCyclicKeysStable: the library reads a run of digits into an int64
// that wraps, so keys with runs longer than 18 digits can compare in a
// cycle (a < b < c < a) and its output depends on Go's map order; Encode's
// is the same on every run.
func TestCyclicKeysStable(t *testing.T) {
	a := strings.Repeat("0", 131)
	b := strings.Repeat("8A100170112180271012700200811912897101071019X091", 3)
	c := strings.Repeat("881812882", 16)
	if !(compareNatural(a, b) < 0 && compareNatural(b, c) < 0 && compareNatural(c, a) < 0) {
		t.Fatalf("the keys do not compare in a cycle: %d %d %d", compareNatural(a, b), compareNatural(b, c), compareNatural(c, a))
	}
	first, err := Encode(map[string]int{a: 1, b: 2, c: 3})
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		got, err := Encode(map[string]int{c: 3, b: 2, a: 1})
		if err != nil || string(got) != string(first) {
			t.Fatalf("Encode gives\n%s\nthen\n%s", first, got)
		}
	}
}
