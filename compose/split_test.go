package compose

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/internal/gen"
	"github.com/composure-dev/composure/internal/testenv"
)

// splitCases are texts shaped to meet each rule of the cut: anchors and
// aliases across pieces, comments beside a cut, the keys after the
// services, and constructs a cut must not go through.
var splitCases = map[string]string{
	"anchors across pieces": `x-common: &common
  restart: always
x-env: &env
  A: "1"
services:
  a:
    <<: *common
    image: a
  b:
    <<: *common
    environment: *env
  c:
    <<: *common
    image: c
    labels: &labels
      x: y
  d:
    labels: *labels
    environment:
      <<: *env
`,
	"an anchor defined again": `services:
  a: &s
    image: a
  b:
    x: *s
  c: &s
    image: c
  d:
    x: *s
`,
	"comments beside the cuts": `services:
  a:
    image: a
  # about b
  b:
    image: b

  c:
    image: c
    # trailing c

  d:
    image: d # d's image
  e:
    image: e
# the end of services
volumes:
  data: {}
# last words
`,
	"keys after the services": `name: demo
services:
  a:
    image: a
  b:
    image: b
  c:
    image: c
networks:
  front: {}
volumes:
  v:
    driver: local
`,
	"multi-line values": `services:
  a:
    command: >
      sh -c
      'echo a'
  b:
    entrypoint: |
      #!/bin/sh
      b:
    image: "multi
  c: not a key"
  d:
    image: plain
      continued
  e:
    command: [sh,
  f: x]
  g:
    image: g
`,
	"explicit keys": `services:
  a:
    image: a
  ? b
  : image: b
  c:
    image: c
`,
	"alias to the services": `services: &all
  a:
    image: a
  b:
    image: b
  c:
    all: *all
`,
	"an alias to no anchor": `services:
  a:
    image: a
  b:
    x: *nothing
  c:
    image: c
`,
	"an anchor inside a string": `x-url: "http://h/?a=1 &s b"
services:
  a:
    image: a
  b:
    x: *s
  c:
    image: c
`,
	"the services at another indentation": `services:
    a:
        image: a
    b:
        image: b
    c:
        image: c
`,
	"services written twice": `services:
  a:
    image: a
  b:
    image: b
services:
  c:
    image: c
`,
	"flow services": `services: {a: {image: a}, b: {image: b}}
`,
	"tags and styles": `services:
  a: !!map
    image: 'a'
  "b":
    image: "b"
  c:
    image: !!str 3
  d:
    labels: {x: y}
`,
}

// TestParseSplit holds the tree parseSplit joins to the one yaml.v3 makes
// of the whole text, node for node (kind, style, tag, value, anchor,
// comments, line, column, and where each alias points), on the cases above,
// the generated projects and every corpus file, cut into 2 to 8 pieces.
func TestParseSplit(t *testing.T) {
	texts := map[string][]byte{}
	for name, s := range splitCases {
		texts[name] = []byte(s)
	}
	for _, n := range []int{100, 1000} {
		dir := t.TempDir()
		if err := gen.Write(dir, n); err != nil {
			t.Fatal(err)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.yml"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			texts[fmt.Sprintf("gen %d %s", n, filepath.Base(f))] = b
		}
	}
	if shared, ok := testenv.Shared(); ok {
		_ = filepath.WalkDir(filepath.Join(shared, "corpus"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
				if b, err := os.ReadFile(p); err == nil {
					texts[p] = b
				}
			}
			return nil
		})
	} else {
		t.Log("../shared not found: the corpus's files are not cut")
	}
	split := 0
	for name, text := range texts {
		for _, n := range []int{2, 3, 5, 8} {
			if checkSplit(t, fmt.Sprintf("%s, %d pieces", name, n), text, n) {
				split++
			}
		}
	}
	for _, name := range []string{"anchors across pieces", "an anchor defined again", "comments beside the cuts", "keys after the services", "tags and styles"} {
		if !checkSplit(t, name, []byte(splitCases[name]), 3) {
			t.Errorf("%s: not cut", name)
		}
	}
	for _, name := range []string{"an alias to no anchor", "an anchor inside a string", "services written twice", "flow services", "alias to the services"} {
		if checkSplit(t, name, []byte(splitCases[name]), 3) {
			t.Errorf("%s: cut, but must be parsed whole", name)
		}
	}
	t.Logf("%d texts, %d cuts joined", len(texts), split)
}

// checkSplit parses text in n pieces and, when it splits, compares the
// joined tree with the whole parse; it reports whether it split.
func checkSplit(t *testing.T, name string, text []byte, n int) bool {
	t.Helper()
	got, ok := parseSplit(text, n, 1)
	if !ok {
		return false
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		t.Errorf("%s: joined from pieces, but the whole text does not parse: %v", name, err)
		return true
	}
	if len(doc.Content) != 1 {
		t.Errorf("%s: joined from pieces, but the whole text has %d documents", name, len(doc.Content))
		return true
	}
	if diff := sameTree(doc.Content[0], got, "$"); diff != "" {
		t.Errorf("%s: the joined tree differs from the whole parse: %s", name, diff)
	}
	return true
}

// sameTree compares two yaml.v3 trees node for node; aliases by where
// their anchors are.
func sameTree(a, b *yaml.Node, path string) string {
	if a == nil || b == nil {
		if a != b {
			return path + ": one node is missing"
		}
		return ""
	}
	type fields struct {
		Kind                                  yaml.Kind
		Style                                 yaml.Style
		Tag, Value, Anchor                    string
		HeadComment, LineComment, FootComment string
		Line, Column, Len                     int
	}
	fa := fields{a.Kind, a.Style, a.Tag, a.Value, a.Anchor, a.HeadComment, a.LineComment, a.FootComment, a.Line, a.Column, len(a.Content)}
	fb := fields{b.Kind, b.Style, b.Tag, b.Value, b.Anchor, b.HeadComment, b.LineComment, b.FootComment, b.Line, b.Column, len(b.Content)}
	if fa != fb {
		return fmt.Sprintf("%s: whole %+v, joined %+v", path, fa, fb)
	}
	if a.Kind == yaml.AliasNode {
		if (a.Alias == nil) != (b.Alias == nil) || a.Alias != nil && (a.Alias.Line != b.Alias.Line || a.Alias.Column != b.Alias.Column) {
			return fmt.Sprintf("%s: alias *%s points elsewhere", path, a.Value)
		}
	}
	for i := range a.Content {
		if d := sameTree(a.Content[i], b.Content[i], fmt.Sprintf("%s[%d]", path, i)); d != "" {
			return d
		}
	}
	return ""
}

// FuzzParseSplit: whatever the text, a tree joined from pieces is the
// whole parse's.
func FuzzParseSplit(f *testing.F) {
	for _, s := range splitCases {
		f.Add([]byte(s), uint8(2))
	}
	f.Fuzz(func(t *testing.T, text []byte, n uint8) {
		if len(text) > 1<<16 {
			return
		}
		var buf bytes.Buffer
		buf.Write(text)
		checkSplit(t, "fuzz", buf.Bytes(), 2+int(n%6))
	})
}
