package dupes

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/internal/gen"
	"github.com/composure-dev/composure/internal/testenv"
)

// decodedEncoding is the oracle for encoder: the entry's key, then the
// canonical encoding of the value compose.Document.Decode returns (what Find
// hashed before it read the nodes directly).
func decodedEncoding(d *compose.Document, b *compose.Budget, k, v *yaml.Node) ([]byte, error) {
	val, err := d.Decode(v, b)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	writeDecodedString(&buf, k.Value)
	encodeDecoded(&buf, val)
	return buf.Bytes(), nil
}

func encodeDecoded(b *bytes.Buffer, v any) {
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
			writeDecodedString(b, k)
			encodeDecoded(b, v[k])
		}
	case []any:
		b.WriteByte('l')
		b.WriteString(strconv.Itoa(len(v)))
		for _, x := range v {
			encodeDecoded(b, x)
		}
	case string:
		b.WriteByte('s')
		writeDecodedString(b, v)
	case nil:
		b.WriteByte('n')
	case compose.Reset:
		b.WriteByte('R')
	case compose.Override:
		b.WriteByte('O')
		encodeDecoded(b, v.Value)
	default:
		fmt.Fprintf(b, "%T:%v;", v, v)
	}
}

func writeDecodedString(b *bytes.Buffer, s string) {
	b.WriteString(strconv.Itoa(len(s)))
	b.WriteByte(':')
	b.WriteString(s)
}

// serviceEntries lists the entries of the services and top-level mappings
// of d, the entries newService reads.
func serviceEntries(d *compose.Document) (keys, values []*yaml.Node) {
	if d.Root == nil {
		return nil, nil
	}
	add := func(m *yaml.Node) {
		if m.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			if k := m.Content[i]; k.Kind == yaml.ScalarNode && !compose.IsMergeKey(k) {
				keys, values = append(keys, k), append(values, m.Content[i+1])
			}
		}
	}
	for i := 0; i+1 < len(d.Root.Content); i += 2 {
		k, v := d.Root.Content[i], d.Root.Content[i+1]
		if k.Value == "services" && v.Kind == yaml.MappingNode {
			for j := 1; j < len(v.Content); j += 2 {
				add(v.Content[j])
			}
		} else {
			add(v)
		}
	}
	return keys, values
}

// checkEncoder compares encoder with the oracle on every service entry of d,
// each side with its own budget for the file, as collect has: both must
// fail on the same entries (an alias bomb spends the budget alike) and
// write the same bytes otherwise. It returns the number of entries and of
// failures.
func checkEncoder(t *testing.T, d *compose.Document) (entries, failed int) {
	t.Helper()
	keys, values := serviceEntries(d)
	enc := &encoder{d: d, b: d.ExpansionBudget()}
	ob := d.ExpansionBudget()
	for i, k := range keys {
		want, werr := decodedEncoding(d, ob, k, values[i])
		got, gerr := enc.entry(k, values[i])
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("%s: %s: oracle error %v, encoder error %v", d.Name, k.Value, werr, gerr)
		}
		if werr != nil {
			failed++
		} else if !bytes.Equal(got, want) {
			t.Fatalf("%s: %s: encoded\n%q, want\n%q", d.Name, k.Value, got, want)
		}
	}
	return len(keys), failed
}

func TestEncoderMatchesDecode(t *testing.T) {
	tests := []struct {
		name, src string
		failed    int
	}{
		{"styles", `services:
  a:
    image: "app:1"
    environment: {B: "2", A: 1, C: 1.50, D: 0x1F, E: true, F: True, G: ~, H: "", I: null, J: -0.0, K: .nan, L: 2001-12-14}
    ports: ["80:80", 8080, '9090']
    command: >
      run it
    entrypoint: |
      sh
`, 0},
		{"anchors, merge keys and tags", `x-env: &env
  A: "1"
  B: 2
x-hc: &hc
  interval: 10s
services:
  a:
    environment: *env
    healthcheck:
      <<: [*hc, {timeout: 5s}]
      interval: 20s
    labels: !override
      x: "1"
    ports: !reset []
    deploy:
      resources: !override {limits: {cpus: "0.5"}}
      labels: !reset null
    volumes: [*env, [*env]]
`, 0},
		{"keys decoding alike: the last wins", `services:
  a:
    environment:
      1: a
      01: b
      true: c
      True: d
      ~: e
      null: f
`, 0},
		{"alias bomb", `x-a: &a [x, x, x, x, x, x, x, x, x, x]
x-b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
x-c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
x-d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
x-e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
x-f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
services:
  a:
    image: app
    command: *f
    user: app
  b:
    image: app
    command: *e
`, 4}, // the bomb, and the entries after it: the budget is spent
		{"expanded too deep", `x-0: &a0 1
x-1: &a1 ` + strings.Repeat("[", 600) + "*a0" + strings.Repeat("]", 600) + `
x-2: &a2 ` + strings.Repeat("[", 600) + "*a1" + strings.Repeat("]", 600) + `
services:
  a:
    command: *a2
    image: app
`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, failed := checkEncoder(t, parse(t, "compose.yaml", tt.src)); failed != tt.failed {
				t.Errorf("%d entries failed, want %d", failed, tt.failed)
			}
		})
	}
}

// TestEncoderMatchesDecodeOnFiles runs the comparison on every compose file
// of the repository, the generated project and the shared corpus.
func TestEncoderMatchesDecodeOnFiles(t *testing.T) {
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dirs := []string{root}
	if !testing.Short() {
		dirs = append(dirs, filepath.Join(testenv.SharedDir(t), "corpus"))
	}
	n, files := 0, 0
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() || (!strings.HasSuffix(path, ".yml") && !strings.HasSuffix(path, ".yaml")) {
				return err
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if d, err := compose.Parse(path, src); err == nil {
				entries, _ := checkEncoder(t, d)
				n += entries
				files++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for name, src := range gen.Files(200) {
		if strings.HasSuffix(name, ".yml") {
			entries, _ := checkEncoder(t, parse(t, name, string(src)))
			n += entries
			files++
		}
	}
	if n < 1000 {
		t.Errorf("only %d entries in %d files compared", n, files)
	}
}

// TestClassesCollision: with a hash that always collides, entries still get
// the same class exactly when their encodings are equal.
func TestClassesCollision(t *testing.T) {
	d := parse(t, "compose.yaml", `x-env: &env {A: "1"}
services:
  a:
    image: app
    environment: *env
    user: "1"
  b:
    image: "app"
    environment: {A: "1"}
    user: 1
  c:
    image: other
    environment: {A: 1}
    user: "1"
`)
	cs := newClasses()
	cs.hash = func([]byte) uint64 { return 42 }
	enc := &encoder{d: d, b: d.ExpansionBudget()}
	keys, values := serviceEntries(d)
	var ids []class
	var encs []string
	for i, k := range keys {
		b, err := enc.entry(k, values[i])
		if err != nil {
			t.Fatal(err)
		}
		encs = append(encs, string(b))
		ids = append(ids, cs.id(b, d, k, values[i]))
	}
	for i := range ids {
		for j := range ids {
			if (ids[i] == ids[j]) != (encs[i] == encs[j]) {
				t.Errorf("%s and %s: classes %d and %d, encodings %q and %q", keys[i].Value, keys[j].Value, ids[i], ids[j], encs[i], encs[j])
			}
		}
	}
	// A: "1" (of x-env), image: app, environment: {A: "1"}, user: "1",
	// user: 1, image: other, environment: {A: 1}
	if cs.len() != 7 {
		t.Errorf("%d classes, want 7", cs.len())
	}
}
