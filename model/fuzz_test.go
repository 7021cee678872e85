package model

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

// FuzzDecode decodes models built from the fuzz input with Decode and with
// compose-go: both fail, or both succeed with equal projects and JSON.
//
//	go test ./model -run '^$' -fuzz FuzzDecode -fuzztime 10m -parallel 1
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		"",
		"\x01\x02\x03\x04\x05\x06\x07\x08",
		strings.Repeat("\x80\x10", 64),
		strings.Repeat("\xff\x00\x7f\x33", 80),
		"services web image nginx ports 80 environment A=1 x-foo labels",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g := &modelGen{data: data}
		m := g.model()
		compare(t, fmt.Sprintf("model %#v", m), m)
	})
}

// modelGen builds a canonical-ish model from bytes: the shape of
// types.Project, its keys (sometimes in another case, sometimes unknown),
// x- keys at every level, the special keys the loader's hooks look at, and
// values of the right type most of the time, of a wrong one sometimes.
// Every choice reads a byte; zeros follow the input's end.
type modelGen struct {
	data  []byte
	pos   int
	depth int
}

func (g *modelGen) byte() byte {
	if g.pos >= len(g.data) {
		return 0
	}
	b := g.data[g.pos]
	g.pos++
	return b
}

// intn is a choice among n.
func (g *modelGen) intn(n int) int { return int(g.byte()) % n }

// chance is true for about k in 256 bytes, false after the input's end.
func (g *modelGen) chance(k int) bool { return int(g.byte()) >= 256-k }

func (g *modelGen) model() map[string]any {
	m := g.structOf(reflect.TypeFor[types.Project]())
	if g.chance(40) {
		m["name"] = g.scalar()
	}
	return m
}

var (
	fuzzStrings = []string{
		"", "a", "web", "db", "1", "-1", "0", "8080", "true", "yes", "off", "N", "maybe",
		"1.5", "-2.5", "1e40", "NaN", "10s", "1m30s", "-5s", "1h", "100ms", "1.5us",
		"512m", "1g", "64k", "abc", "0644", "0o755", "08", "all", "ALL",
		"KEY=value", "KEY", "KEY =v", "=v", "host=1.2.3.4", "host:[::1]", "host", "a:b:c",
		"echo hello", "'unterminated", `"q"`, "$$HOME", "x-foo", "#extensions", "Content",
		"service_healthy", "é", "ſ", "K",
	}
	fuzzKeys = []string{
		"web", "db", "default", "a.b", "", "x-foo", "x-#value", "#extensions", "-", "name",
		"Content", "content", "depends_on", "services", "K", "ſecrets",
	}
)

// scalar is a plain YAML scalar, or one of the typed values compose-go's
// canonical transform leaves in the model.
func (g *modelGen) scalar() any {
	switch g.intn(16) {
	case 0, 1, 2, 3, 4, 5:
		return fuzzStrings[g.intn(len(fuzzStrings))]
	case 6, 7, 8:
		return []int{0, 1, -1, 2, 80, 420, 1 << 33, math.MaxInt64, math.MinInt64, 65536}[g.intn(10)]
	case 9:
		return []float64{0, 1.5, -1.5, 0.25, 1e300, -1e-7, 3}[g.intn(7)]
	case 10, 11:
		return g.chance(128)
	case 12:
		return nil
	case 13:
		return []any{int64(-3), int64(1 << 40), uint32(8080), uint64(1 << 63), float32(0.5)}[g.intn(5)]
	case 14:
		return []any{types.OptOut(true), types.OptOut(false), int8(-1), uint16(7)}[g.intn(4)]
	}
	return fmt.Sprint(g.intn(100))
}

// wild is any value at all: a scalar, or a small list or mapping of them.
func (g *modelGen) wild() any {
	if g.depth > 4 {
		return g.scalar()
	}
	g.depth++
	defer func() { g.depth-- }()
	switch g.intn(6) {
	case 0:
		l := make([]any, g.intn(4))
		for i := range l {
			l[i] = g.wild()
		}
		return l
	case 1:
		m := map[string]any{}
		for range g.intn(4) {
			m[fuzzKeys[g.intn(len(fuzzKeys))]] = g.wild()
		}
		return m
	}
	return g.scalar()
}

// valueOf is a value meant for Go type t, wrong now and then.
func (g *modelGen) valueOf(t reflect.Type) any {
	if g.depth > 6 || g.chance(4) {
		return g.wild()
	}
	g.depth++
	defer func() { g.depth-- }()
	if f, ok := fuzzShapes[t]; ok {
		return f(g)
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.valueOf(t.Elem())
	case reflect.Struct:
		return g.structOf(t)
	case reflect.Map:
		m := map[string]any{}
		for range g.intn(4) {
			m[fuzzKeys[g.intn(len(fuzzKeys))]] = g.valueOf(t.Elem())
		}
		return m
	case reflect.Slice:
		l := make([]any, g.intn(4))
		for i := range l {
			l[i] = g.valueOf(t.Elem())
		}
		return l
	case reflect.Interface:
		return g.wild()
	case reflect.String:
		if g.chance(16) {
			return g.scalar()
		}
		return fuzzStrings[g.intn(len(fuzzStrings))]
	case reflect.Bool:
		if g.chance(32) {
			return g.pick("true", "yes", "off", "no", "N", "maybe", 1)
		}
		return g.chance(128)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if g.chance(32) {
			return g.scalar()
		}
		return g.pick(0, 1, 2, 3, 80, 1000, 65537, "3", "-2", "abc", -1, 1.9, int64(7), uint32(9))
	case reflect.Float32, reflect.Float64:
		return g.pick(0.5, 1.5, 2, -1, "0.25", "1e40", "x", float32(1.25), uint64(3))
	}
	return g.scalar()
}

// pick is one of vs.
func (g *modelGen) pick(vs ...any) any { return vs[g.intn(len(vs))] }

// mapping is a mapping of keys to scalars, with x- keys now and then.
func (g *modelGen) mapping(item func() any) map[string]any {
	m := map[string]any{}
	for range g.intn(4) {
		m[g.pick("A", "B", "x-e", "host", "h.example", "", "K E", "#extensions").(string)] = item()
	}
	return m
}

// list is a list of n items.
func (g *modelGen) list(item func() any) []any {
	l := make([]any, g.intn(4))
	for i := range l {
		l[i] = item()
	}
	return l
}

// fuzzShapes give the types that decode themselves (DecodeMapstructure)
// the shapes they read, most of the time.
var fuzzShapes = shapes()

func shapes() map[reflect.Type]func(*modelGen) any {
	fuzzShapes := map[reflect.Type]func(*modelGen) any{}
	str := func(g *modelGen) func() any { return func() any { return fuzzStrings[g.intn(len(fuzzStrings))] } }
	kv := func(g *modelGen) func() any {
		return func() any { return g.pick("A=1", "B", "C=", "=x", "K =v", "x-a=b", 3, nil) }
	}
	scalarItem := func(g *modelGen) func() any { return g.scalar }
	dict := func(g *modelGen) any {
		if g.chance(128) {
			return g.list(kv(g))
		}
		return g.mapping(scalarItem(g))
	}
	for _, t := range []reflect.Type{
		reflect.TypeFor[types.Labels](), reflect.TypeFor[types.Mapping](),
		reflect.TypeFor[types.MappingWithEquals](), reflect.TypeFor[types.Options](),
	} {
		fuzzShapes[t] = dict
	}
	fuzzShapes[reflect.TypeFor[types.MultiOptions]()] = func(g *modelGen) any {
		return g.mapping(func() any {
			if g.chance(80) {
				return g.list(str(g))
			}
			return g.scalar()
		})
	}
	fuzzShapes[reflect.TypeFor[types.HostsList]()] = func(g *modelGen) any {
		if g.chance(128) {
			return g.list(func() any { return g.pick("h=1.2.3.4", "h:[::1]", "g=1.1.1.1,2.2.2.2", "bad", "=1", 5) })
		}
		return g.mapping(func() any {
			if g.chance(60) {
				return g.list(func() any { return g.pick("1.2.3.4", "[::1]", 3) })
			}
			return g.pick("1.2.3.4", "[fe80::1]", nil, 7)
		})
	}
	words := func(g *modelGen) any {
		if g.chance(100) {
			return g.pick("echo hi", "sh -c 'a b'", "'open", "", "CMD-SHELL")
		}
		return g.list(func() any {
			if g.chance(10) {
				return g.scalar()
			}
			return g.pick("CMD", "curl", "-f", "http://x", "NONE", "")
		})
	}
	for _, t := range []reflect.Type{
		reflect.TypeFor[types.ShellCommand](), reflect.TypeFor[types.StringList](),
		reflect.TypeFor[types.StringOrNumberList](), reflect.TypeFor[types.HealthCheckTest](),
	} {
		fuzzShapes[t] = words
	}
	fuzzShapes[reflect.TypeFor[types.SSHConfig]()] = func(g *modelGen) any {
		return g.mapping(func() any { return g.pick("/key", nil, "", 1) })
	}
	fuzzShapes[reflect.TypeFor[types.Duration]()] = func(g *modelGen) any {
		return g.pick("10s", "1m30s", "100ms", "1h", "-5s", "1.5us", "2µs", "abc", 0, 30, "0")
	}
	fuzzShapes[reflect.TypeFor[types.UnitBytes]()] = func(g *modelGen) any {
		return g.pick(0, 1024, -1, "512m", "1g", "64k", "1.5m", "abc", "", 2.5)
	}
	fuzzShapes[reflect.TypeFor[types.NanoCPUs]()] = func(g *modelGen) any {
		return g.pick(0.5, 1, 2.5, "1.5", "x", float32(0.25), int64(2))
	}
	fuzzShapes[reflect.TypeFor[types.DeviceCount]()] = func(g *modelGen) any {
		return g.pick(1, -1, "all", "ALL", "3", "x", 1.5)
	}
	fuzzShapes[reflect.TypeFor[types.FileMode]()] = func(g *modelGen) any {
		return g.pick(0o644, 420, "0644", "0o755", "9", "abc", -1)
	}
	fuzzShapes[reflect.TypeFor[types.UlimitsConfig]()] = func(g *modelGen) any {
		if g.chance(100) {
			return g.pick(1024, 0, -1, "1", 1.5)
		}
		m := map[string]any{}
		for _, k := range []string{"soft", "hard", "x-u", "single"} {
			if g.chance(160) {
				m[k] = g.pick(1, 2, 65535, int64(3), "4", nil)
			}
		}
		return m
	}
	return fuzzShapes
}

// fieldsOf lists the keys and types of a struct's fields, embedded structs
// flattened, as a compose file names them. It does not reuse the codecs'
// own list (buildStruct) on purpose: a field the codecs missed would then
// never be generated.
func fieldsOf(t reflect.Type) (keys []string, types []reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			k, ts := fieldsOf(f.Type)
			keys, types = append(keys, k...), append(types, ts...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" {
			name = f.Name
		}
		keys, types = append(keys, name), append(types, f.Type)
	}
	return keys, types
}

// structOf is a mapping for struct t: some of its fields, an x- key or two,
// and now and then a key in another case or one the loader's hooks read.
func (g *modelGen) structOf(t reflect.Type) map[string]any {
	keys, types := fieldsOf(t)
	m := map[string]any{}
	lower := map[string]bool{} // mapstructure picks at random between two spellings of a key
	for range g.intn(8) + 1 {
		i := g.intn(len(keys))
		k := keys[i]
		if k == "-" && !g.chance(8) {
			continue // Project's six `yaml:"-"` fields would take the key over
		}
		if g.chance(16) && k != "content" {
			k = respell(k, g.byte())
		}
		if lower[strings.ToLower(k)] && k != keys[i] {
			continue
		}
		lower[strings.ToLower(k)] = true
		m[k] = g.valueOf(types[i])
	}
	for g.chance(24) {
		m[[]string{"x-a", "x-b", "x-#value", "#extensions", "-", "Content", "unknown", "x-"}[g.intn(8)]] = g.wild()
	}
	return m
}

// respell changes the case of some letters of k.
func respell(k string, b byte) string {
	r := []rune(k)
	for i := range r {
		if b&(1<<(i%8)) != 0 {
			r[i] = []rune(strings.ToUpper(string(r[i])))[0]
		}
	}
	return string(r)
}
