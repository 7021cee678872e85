package merge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/composure-dev/composure/compose"
	"gopkg.in/yaml.v3"
)

// Describe says where the value at path of the effective config (as
// `docker compose config` prints it, normalized) was set: the origin's text
// (`compose.yaml:9:10 via *app at compose.yaml:27:5`), or "default" for a
// value no file wrote.
//
// The effective config is normalized, so a path may be absent from the
// merged tree. The nearest ancestor in the tree decides: when it is a scalar in
// the merged tree (a short-syntax port, volume or build context that
// normalization expanded), the value comes from that text; when it is a
// list (a port range expanded into several items), from the list; when it
// is a mapping, the key is one normalization added (the default network,
// `condition: service_started`, `dockerfile: Dockerfile`): a default.
func (r *Result) Describe(path string) string {
	f := r.find(path)
	if f.node == nil {
		return "default"
	}
	o := origin(f.node.at)
	if f.missing == "" || o.Default {
		return o.String()
	}
	switch f.node.kind {
	case kScalar:
		if f.node.v == nil {
			// an empty value (`data:`): what normalization puts in it,
			// a volume's name, comes from no text
			return "default"
		}
		return o.String()
	case kSeq:
		if _, err := strconv.Atoi(f.missing); err == nil {
			return o.String()
		}
	}
	// A key the files did not write. A service's environment variable
	// absent from its environment came from its env_file.
	if f.parent != nil && f.parent.kind == kMap && f.parent.m["environment"] == f.node {
		if ef := f.parent.m["env_file"]; ef != nil {
			if eo := origin(ef.at); !eo.Default {
				return eo.String()
			}
		}
	}
	return "default"
}

// annotation is a value of a printed document: its path and line.
type annotation struct {
	path string
	line int
}

// values lists the scalar values (and empty collections) of a YAML or JSON
// document with their tree.Path-style paths, in document order. With inline,
// only values a trailing comment can follow on their line.
func values(src []byte, inline bool) ([]annotation, *yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, nil, fmt.Errorf("cannot annotate the config: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, nil, nil
	}
	var out []annotation
	var lines [][]byte
	if inline {
		lines = bytes.Split(src, []byte("\n"))
	}
	var walk func(n *yaml.Node, path []string)
	walk = func(n *yaml.Node, path []string) {
		switch n.Kind {
		case yaml.MappingNode:
			if len(n.Content) == 0 {
				out = append(out, annotation{compose.JoinPath(path), n.Line})
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], append(path, n.Content[i].Value))
			}
		case yaml.SequenceNode:
			if len(n.Content) == 0 {
				out = append(out, annotation{compose.JoinPath(path), n.Line})
			}
			for i, c := range n.Content {
				walk(c, append(path, strconv.Itoa(i)))
			}
		case yaml.ScalarNode:
			if !inline || (n.Line <= len(lines) && scalarOnOneLine(lines[n.Line-1], n)) {
				out = append(out, annotation{compose.JoinPath(path), n.Line})
			}
		case yaml.AliasNode, yaml.DocumentNode:
		}
	}
	walk(doc.Content[0], nil)
	return out, doc.Content[0], nil
}

// scalarOnOneLine reports whether scalar n ends on the line it starts on, so
// that a comment after that line's end is outside the value. Block scalars
// (`|`, `>`) take a comment after their indicator.
func scalarOnOneLine(line []byte, n *yaml.Node) bool {
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return true
	}
	if strings.Contains(n.Value, "\n") {
		return false
	}
	rest := strings.TrimRight(string(line), " \t\r")
	col := n.Column - 1
	if col < 0 || col > len(rest) {
		return false
	}
	// Columns count characters; convert to a byte index.
	idx := 0
	for c := 0; c < col && idx < len(rest); c++ {
		_, size := utf8.DecodeRuneInString(rest[idx:])
		idx += size
	}
	rest = rest[idx:]
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		return strings.HasSuffix(rest, `"`) && len(rest) >= 2
	case n.Style&yaml.SingleQuotedStyle != 0:
		return strings.HasSuffix(rest, `'`) && len(rest) >= 2
	}
	// A plain scalar: in flow context more may follow on the line; in block
	// context the rest of the line is the value.
	return strings.HasPrefix(rest, n.Value)
}

// AnnotateYAML puts a trailing comment on each value line of src, the YAML
// `composure config` prints, naming where the value was set:
// `replicas: 3  # compose.prod.yaml:4:17`. describe maps a tree.Path-style
// path of the printed document to that text (Result.Describe); values it
// has no text for stay bare.
func AnnotateYAML(src []byte, describe func(path string) (string, bool)) ([]byte, error) {
	vals, _, err := values(src, true)
	if err != nil {
		return nil, err
	}
	comments := map[int][]string{}
	for _, v := range vals {
		text, ok := describe(v.path)
		if !ok || text == "" {
			continue
		}
		if !slices.Contains(comments[v.line], text) {
			comments[v.line] = append(comments[v.line], text)
		}
	}
	var out bytes.Buffer
	out.Grow(len(src) + len(vals)*32)
	lines := bytes.SplitAfter(src, []byte("\n"))
	for i, l := range lines {
		c, ok := comments[i+1]
		if !ok {
			out.Write(l)
			continue
		}
		body := bytes.TrimRight(l, "\r\n")
		out.Write(body)
		out.WriteString("  # ")
		out.WriteString(strings.Join(c, "; "))
		out.Write(l[len(body):])
	}
	return out.Bytes(), nil
}

// OriginsKey is the top-level key AnnotateJSON adds.
const OriginsKey = "x-origins"

// AnnotateJSON adds to src, the JSON object `composure config --format json`
// prints, a top-level "x-origins" object mapping the dotted path of each
// value ("." inside a key left as is) to where it was set. The rest of src
// is kept byte for byte, so its key order survives.
func AnnotateJSON(src []byte, describe func(path string) (string, bool)) ([]byte, error) {
	vals, root, err := values(src, false)
	if err != nil {
		return nil, err
	}
	if root == nil || root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("cannot annotate the config: not a JSON object")
	}
	type entry struct{ path, text string }
	var entries []entry
	for _, v := range vals {
		if text, ok := describe(v.path); ok && text != "" {
			entries = append(entries, entry{strings.ReplaceAll(v.path, "👻", "."), text})
		}
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].path < entries[j].path })
	var obj bytes.Buffer
	obj.WriteString("{")
	for i, e := range entries {
		if i > 0 {
			obj.WriteString(",")
		}
		k, _ := json.Marshal(e.path)
		v, _ := json.Marshal(e.text)
		obj.WriteString("\n    ")
		obj.Write(k)
		obj.WriteString(": ")
		obj.Write(v)
	}
	if len(entries) > 0 {
		obj.WriteString("\n  ")
	}
	obj.WriteString("}")
	end := bytes.LastIndexByte(src, '}')
	if end < 0 {
		return nil, fmt.Errorf("cannot annotate the config: not a JSON object")
	}
	head := bytes.TrimRight(src[:end], " \t\r\n")
	var out bytes.Buffer
	out.Write(head)
	if len(root.Content) > 0 {
		out.WriteString(",")
	}
	out.WriteString("\n  ")
	out.WriteString(strconv.Quote(OriginsKey))
	out.WriteString(": ")
	out.Write(obj.Bytes())
	out.WriteString("\n")
	out.Write(src[end:])
	return out.Bytes(), nil
}
