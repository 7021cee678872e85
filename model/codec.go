package model

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/compose-spec/compose-go/v2/types"
)

// op is how a codec decodes a value.
type op uint8

const (
	opMethod    op = iota // the type's own DecodeMapstructure, called on a pointer to the value
	opMethodPtr           // a pointer whose type has DecodeMapstructure: allocate, call it, call it again with itself
	opString
	opBool
	opInt
	opUint
	opFloat
	opAny
	opStruct
	opMap
	opPtr
	opSlice
	opStrings // []string, the commonest slice
	opArray
	opUnsupported
)

// codec is the decode plan of one Go type, computed once (codecOf).
type codec struct {
	op   op
	typ  reflect.Type
	kind reflect.Kind
	elem *codec // pointers, slices and maps: their element

	// opMethod: what the method would panic on, and what to do after it.
	guard func(any) string
	tidy  func(unsafe.Pointer)

	// opStruct
	fields []field
	index  map[string][]int // key -> fields (several when keys repeat, as "-")
	fold   map[string][]int // ASCII lower-case key -> fields, for keys written in another case
	twins  bool             // two field names equal but for case
	secret bool             // types.SecretConfig: content from x-#value

	// opMap
	maps  *mapOps
	named bool // types.Services, types.Jobs: entries take their key as name

	// opSlice
	slices *sliceOps
}

// field is one field of a struct codec, embedded structs flattened.
type field struct {
	name   string // its key: the yaml tag's name, else the Go name
	offset uintptr
	codec  *codec
}

// decoder is the interface of the types' own DecodeMapstructure methods.
type decoder interface{ DecodeMapstructure(any) error }

var decoderType = reflect.TypeFor[decoder]()

// codecs caches the codec of every type met (reflect.Type -> *codec).
var codecs sync.Map

// building serializes the construction of codecs, so that a recursive type
// finds its own codec, complete, by the time anyone decodes with it.
var building sync.Mutex

// codecOf returns the codec of t.
func codecOf(t reflect.Type) *codec {
	if c, ok := codecs.Load(t); ok {
		return c.(*codec)
	}
	building.Lock()
	defer building.Unlock()
	if c, ok := codecs.Load(t); ok {
		return c.(*codec)
	}
	pending := map[reflect.Type]*codec{}
	c := build(t, pending)
	for t, c := range pending {
		codecs.Store(t, c)
	}
	return c
}

// build makes the codec of t and of every type it needs, registering each
// in pending before filling it so that recursive types terminate.
func build(t reflect.Type, pending map[reflect.Type]*codec) *codec {
	if c, ok := codecs.Load(t); ok {
		return c.(*codec)
	}
	if c, ok := pending[t]; ok {
		return c
	}
	c := &codec{typ: t, kind: t.Kind()}
	pending[t] = c
	switch {
	case t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(decoderType):
		c.op = opMethod
		c.guard, c.tidy = guards[t], tidies[t]
		return c
	case t.Kind() == reflect.Pointer && t.Implements(decoderType):
		c.op = opMethodPtr
		c.elem = build(t.Elem(), pending) // an opMethod, with the guard and tidy of its type
		return c
	}
	switch t.Kind() {
	case reflect.String:
		c.op = opString
	case reflect.Bool:
		c.op = opBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		c.op = opInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		c.op = opUint
	case reflect.Float32, reflect.Float64:
		c.op = opFloat
	case reflect.Interface:
		c.op = opUnsupported
		if t.NumMethod() == 0 {
			c.op = opAny
		}
	case reflect.Pointer:
		c.op = opPtr
		c.elem = build(t.Elem(), pending)
	case reflect.Slice:
		c.elem = build(t.Elem(), pending)
		if t == reflect.TypeFor[[]string]() {
			c.op = opStrings
		} else {
			c.op = opSlice
			c.slices = sliceOpsOf(t)
		}
	case reflect.Array:
		c.op = opArray
		c.elem = build(t.Elem(), pending)
	case reflect.Map:
		c.op = opUnsupported
		if t.Key().Kind() == reflect.String {
			c.op = opMap
			c.elem = build(t.Elem(), pending)
			c.maps = mapOpsOf(t)
			c.named = t == reflect.TypeFor[types.Services]() || t == reflect.TypeFor[types.Jobs]()
		}
	case reflect.Struct:
		c.op = opStruct
		c.secret = t == reflect.TypeFor[types.SecretConfig]()
		buildStruct(c, pending)
	default:
		c.op = opUnsupported
	}
	return c
}

// buildStruct lists the fields a struct is decoded into, the way
// mapstructure does with compose-go's settings (TagName "yaml", Squash):
// exported fields, named by their yaml tag's name or else their Go name
// (so `yaml:"-"` names the key "-", and `yaml:",inline"` the Go name);
// anonymous struct fields are flattened into their parent. The parent's
// own fields come first, then the embedded ones, as mapstructure visits
// them.
func buildStruct(c *codec, pending map[reflect.Type]*codec) {
	type level struct {
		t      reflect.Type
		offset uintptr
	}
	queue := []level{{c.typ, 0}}
	for len(queue) > 0 {
		l := queue[0]
		queue = queue[1:]
		for i := range l.t.NumField() {
			f := l.t.Field(i)
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				// Even an unexported one: reflect lets its exported
				// fields be set, and mapstructure sets them.
				queue = append(queue, level{f.Type, l.offset + f.Offset})
				continue
			}
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" {
				name = f.Name
			}
			c.fields = append(c.fields, field{name: name, offset: l.offset + f.Offset, codec: build(f.Type, pending)})
		}
	}
	c.index = map[string][]int{}
	c.fold = map[string][]int{}
	for i, f := range c.fields {
		c.index[f.name] = append(c.index[f.name], i)
		low := strings.ToLower(f.name)
		for _, j := range c.fold[low] {
			if c.fields[j].name != f.name {
				c.twins = true
			}
		}
		c.fold[low] = append(c.fold[low], i)
	}
}

// mapOps makes and fills maps of one type without reflect on the hot path.
type mapOps struct {
	make func(p unsafe.Pointer, n int)
	set  func(p unsafe.Pointer, k string, v unsafe.Pointer) // v points to an element
}

// mapsOf is mapOps for M.
func mapsOf[M ~map[K]V, K ~string, V any]() *mapOps {
	return &mapOps{
		make: func(p unsafe.Pointer, n int) { *(*M)(p) = make(M, n) },
		set:  func(p unsafe.Pointer, k string, v unsafe.Pointer) { (*(*M)(p))[K(k)] = *(*V)(v) },
	}
}

// knownMaps are the map types of compose-go's model.
var knownMaps = map[reflect.Type]*mapOps{
	reflect.TypeFor[types.Services]():                         mapsOf[types.Services](),
	reflect.TypeFor[types.Jobs]():                             mapsOf[types.Jobs](),
	reflect.TypeFor[types.Networks]():                         mapsOf[types.Networks](),
	reflect.TypeFor[types.Volumes]():                          mapsOf[types.Volumes](),
	reflect.TypeFor[types.Secrets]():                          mapsOf[types.Secrets](),
	reflect.TypeFor[types.Configs]():                          mapsOf[types.Configs](),
	reflect.TypeFor[types.Models]():                           mapsOf[types.Models](),
	reflect.TypeFor[types.Extensions]():                       mapsOf[types.Extensions](),
	reflect.TypeFor[types.DependsOnConfig]():                  mapsOf[types.DependsOnConfig](),
	reflect.TypeFor[map[string]string]():                      mapsOf[map[string]string](),
	reflect.TypeFor[map[string]*types.ServiceNetworkConfig](): mapsOf[map[string]*types.ServiceNetworkConfig](),
	reflect.TypeFor[map[string]*types.ServiceModelConfig]():   mapsOf[map[string]*types.ServiceModelConfig](),
	reflect.TypeFor[map[string]*types.UlimitsConfig]():        mapsOf[map[string]*types.UlimitsConfig](),
}

// mapOpsOf returns the mapOps of t, through reflect for a map type
// compose-go adds after this list was written.
func mapOpsOf(t reflect.Type) *mapOps {
	if ops, ok := knownMaps[t]; ok {
		return ops
	}
	kt, vt := t.Key(), t.Elem()
	return &mapOps{
		make: func(p unsafe.Pointer, n int) {
			reflect.NewAt(t, p).Elem().Set(reflect.MakeMapWithSize(t, n))
		},
		set: func(p unsafe.Pointer, k string, v unsafe.Pointer) {
			reflect.NewAt(t, p).Elem().SetMapIndex(reflect.ValueOf(k).Convert(kt), reflect.NewAt(vt, v).Elem())
		},
	}
}

// sliceOps makes slices of one type: make stores a slice of n zero
// elements at p and returns its first element.
type sliceOps struct {
	make func(p unsafe.Pointer, n int) unsafe.Pointer
}

// slicesOf is sliceOps for S.
func slicesOf[S ~[]E, E any]() *sliceOps {
	return &sliceOps{make: func(p unsafe.Pointer, n int) unsafe.Pointer {
		s := make(S, n)
		*(*S)(p) = s
		return unsafe.Pointer(unsafe.SliceData(s))
	}}
}

// knownSlices are the slice types of compose-go's model that have no
// DecodeMapstructure of their own ([]string has its own op).
var knownSlices = map[reflect.Type]*sliceOps{
	reflect.TypeFor[[]types.ServicePortConfig]():      slicesOf[[]types.ServicePortConfig](),
	reflect.TypeFor[[]types.ServiceVolumeConfig]():    slicesOf[[]types.ServiceVolumeConfig](),
	reflect.TypeFor[[]types.ServiceSecretConfig]():    slicesOf[[]types.ServiceSecretConfig](),
	reflect.TypeFor[[]types.ServiceConfigObjConfig](): slicesOf[[]types.ServiceConfigObjConfig](),
	reflect.TypeFor[[]types.EnvFile]():                slicesOf[[]types.EnvFile](),
	reflect.TypeFor[[]types.DeviceMapping]():          slicesOf[[]types.DeviceMapping](),
	reflect.TypeFor[[]types.DeviceRequest]():          slicesOf[[]types.DeviceRequest](),
	reflect.TypeFor[[]types.ServiceHook]():            slicesOf[[]types.ServiceHook](),
	reflect.TypeFor[[]types.PreStartHook]():           slicesOf[[]types.PreStartHook](),
	reflect.TypeFor[[]*types.IPAMPool]():              slicesOf[[]*types.IPAMPool](),
}

// sliceOpsOf returns the sliceOps of t, through reflect for the rarer ones.
func sliceOpsOf(t reflect.Type) *sliceOps {
	if ops, ok := knownSlices[t]; ok {
		return ops
	}
	return &sliceOps{make: func(p unsafe.Pointer, n int) unsafe.Pointer {
		s := reflect.MakeSlice(t, n, n)
		reflect.NewAt(t, p).Elem().Set(s)
		return s.UnsafePointer()
	}}
}

// guards are checks before calling a DecodeMapstructure that panics on some
// inputs the schema refuses (it asserts types): they return what is wrong,
// or "". compose-go panics there; Decode reports the value instead.
var guards = map[reflect.Type]func(any) string{
	reflect.TypeFor[types.ShellCommand]():    stringItems,
	reflect.TypeFor[types.HealthCheckTest](): stringItems,
	reflect.TypeFor[types.UlimitsConfig]():   ulimitLimits,
}

// tidies run after a DecodeMapstructure whose result depends on map
// iteration order: compose-go's then changes from run to run, Decode's
// does not.
var tidies = map[reflect.Type]func(unsafe.Pointer){
	// SSHConfig lists a mapping's entries in map order.
	reflect.TypeFor[types.SSHConfig](): func(p unsafe.Pointer) {
		slices.SortStableFunc(*(*types.SSHConfig)(p), func(a, b types.SSHKey) int { return strings.Compare(a.ID, b.ID) })
	},
}

// stringItems checks that a list holds strings only.
func stringItems(v any) string {
	l, ok := v.([]any)
	if !ok {
		return ""
	}
	for i, e := range l {
		if _, ok := e.(string); !ok {
			return "expected a list of strings, item " + strconv.Itoa(i) + " is " + typeName(e)
		}
	}
	return ""
}

// ulimitLimits checks that a ulimit's soft and hard limits are integers.
func ulimitLimits(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	for _, k := range []string{"soft", "hard"} {
		if e, ok := m[k]; ok {
			if _, ok := e.(int); !ok {
				return "expected an integer " + k + " limit, got " + typeName(e)
			}
		}
	}
	return ""
}
