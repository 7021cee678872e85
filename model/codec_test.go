package model

import (
	"reflect"
	"sync"
	"testing"
	"unsafe"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"gopkg.in/yaml.v3"
)

// TestCodecsCoverProject checks every type reachable from types.Project has
// a plan, and that its maps and the common slices have typed makers (the
// others go through reflect, which works but costs more).
func TestCodecsCoverProject(t *testing.T) {
	seen := map[*codec]bool{}
	var walk func(c *codec)
	walk = func(c *codec) {
		if seen[c] {
			return
		}
		seen[c] = true
		switch c.op {
		case opUnsupported:
			t.Errorf("%s: no decode plan", c.typ)
		case opMap:
			if knownMaps[c.typ] == nil {
				t.Errorf("%s: map made through reflect; add it to knownMaps", c.typ)
			}
		}
		if c.elem != nil {
			walk(c.elem)
		}
		for _, f := range c.fields {
			walk(f.codec)
		}
	}
	walk(projectCodec())
	if len(seen) < 100 {
		t.Errorf("only %d types reached", len(seen))
	}
}

// unlisted has field types no compose type has: their codecs take the
// reflect paths (map and slice makers, named keys) and the rare kinds.
type unlisted struct {
	Named  map[label]int8  `yaml:"named"`
	Small  []int16         `yaml:"small"`
	Array  [2]int          `yaml:"array"`
	Bytes  []uint8         `yaml:"bytes"`
	Deep   [][]string      `yaml:"deep"`
	Ratio  float64         `yaml:"ratio"`
	Switch *bool           `yaml:"switch"`
	Inner  struct{ A int } `yaml:"inner"`
	Ptr    *unlisted       `yaml:"ptr"`
	Any    any             `yaml:"any"`
	Mode   string          `yaml:"mode"`
	MODE   string          // a twin of Mode: same key but for case
	hidden                 // unexported, squashed all the same
}

type hidden struct{ Secret string }

type label string

// TestUnlistedTypes decodes into types outside compose-go's model with
// Decode's codecs and with compose-go's Transform.
func TestUnlistedTypes(t *testing.T) {
	for _, src := range []string{
		`{named: {a: 1, b: -2}, small: [1, 2, 300], bytes: [1, 255], deep: [[a], [b, c]], ratio: "0.5", switch: "off"}`,
		`{inner: {a: 3}, ptr: {named: {c: 4}, ptr: {ratio: 2}}, any: {x-a: [1]}}`,
		`{array: [1, 2]}`,
		`{mode: a, secret: s}`,
		`{MODE: a}`,
		`{Mode: a}`,
		`{array: [1, 2, 3]}`,
		`{array: 1}`,
		`{named: [a]}`,
		`{small: a}`,
		`{ratio: x}`,
		`{inner: 3}`,
	} {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(src), &m); err != nil {
			t.Fatal(err)
		}
		var got, want unlisted
		// Transform alone moves no x- keys: decode as within one.
		es := value(codecOf(reflect.TypeFor[unlisted]()), deepCopy(m), unsafe.Pointer(&got), inRaw)
		werr := loader.Transform(deepCopy(m), &want)
		switch {
		case (es != nil) != (werr != nil):
			t.Errorf("%s: Decode %v, compose-go %v", src, es.finish(), werr)
		case es == nil && !reflect.DeepEqual(got, want):
			t.Errorf("%s: %s", src, deepDiff("v", reflect.ValueOf(want), reflect.ValueOf(got)))
		case es != nil:
			if msg := sameMessages(es.finish(), werr); msg != "" {
				t.Errorf("%s: %s", src, msg)
			}
		}
	}
}

// TestDecodeConcurrently decodes one model from several goroutines, the
// codecs being built by the first (run it with -race).
func TestDecodeConcurrently(t *testing.T) {
	var m map[string]any
	src := `{services: {web: {image: nginx, x-a: 1, labels: [a=1], deploy: {replicas: 2}}}, x-top: {b: 2}}`
	if err := yaml.Unmarshal([]byte(src), &m); err != nil {
		t.Fatal(err)
	}
	const n = 8
	out := make([]*types.Project, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			p, err := Decode(m, "p", "/p", nil)
			if err != nil {
				t.Error(err)
			}
			out[i] = p
		})
	}
	wg.Wait()
	for i := 1; i < n; i++ {
		if !reflect.DeepEqual(out[0], out[i]) {
			t.Fatalf("decoder %d differs: %s", i, deepDiff("p", reflect.ValueOf(out[0]), reflect.ValueOf(out[i])))
		}
	}
}
