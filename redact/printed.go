package redact

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Printed returns out, a compose config as `composure config` prints it
// (YAML, or JSON when json is set), with every secret hidden in place: the
// scalars that hold one are rewritten, every other byte is kept, keys stay
// in their order. sources, if not nil, tells which values variables with
// secret names were interpolated into (paths as printed: keys, list items
// by index).
func (p *Policy) Printed(out []byte, json bool, sources Sources) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(out, &doc); err != nil {
		return nil, fmt.Errorf("redacting the output: %w", err)
	}
	w := &nodeWalker{valueWalker: valueWalker{p: p, src: sources}}
	if sources != nil {
		w.vars = p.secretVars(sources)
	}
	for _, c := range doc.Content {
		w.node(nil, c, ctxText, "")
	}
	if len(w.edits) == 0 {
		return out, nil
	}
	res, err := splice(out, w.edits, json)
	if err != nil {
		return nil, fmt.Errorf("redacting the output: %w", err)
	}
	return res, nil
}

// edit replaces scalar n of the printed document by value.
type edit struct {
	n     *yaml.Node
	value string
}

// nodeWalker is valueWalker for a printed document: it collects edits.
type nodeWalker struct {
	valueWalker
	edits []edit
}

func (w *nodeWalker) node(path []string, n *yaml.Node, ctx context, name string) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			p := append(path[:len(path):len(path)], k)
			c, nm := ctx, ""
			switch ctx {
			case ctxText:
				c = contextOf(p)
				if c == ctxTree {
					nm = k
				}
			case ctxNamed:
				c, nm = ctxText, k
			case ctxTree:
				nm = k
			}
			w.node(p, n.Content[i+1], c, nm)
		}
	case yaml.SequenceNode:
		if ctx == ctxArgs && allStrings(n.Content) {
			args := make([]string, len(n.Content))
			for i, c := range n.Content {
				args[i] = c.Value
			}
			secrets := w.p.Args(args)
			for i, c := range n.Content {
				w.scalar(append(path[:len(path):len(path)], itoa(i)), c, secrets[i])
			}
			return
		}
		c := ctx
		if ctx == ctxNamed {
			c = ctxText
		}
		for i, e := range n.Content {
			w.node(append(path[:len(path):len(path)], itoa(i)), e, c, "")
		}
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
		case "!!str", "!!binary", "!!timestamp":
			w.scalar(path, n, w.p.secretsIn(ctx, name, n.Value))
		default:
			// numbers and booleans under a secret name, and in a secret
			if ctx == ctxHidden || name != "" && ctx != ctxArgs && w.p.SecretValue(name, n.Value) {
				w.edits = append(w.edits, edit{n, Mask})
			}
		}
	}
}

func allStrings(ns []*yaml.Node) bool {
	for _, n := range ns {
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
			return false
		}
	}
	return true
}

func (w *nodeWalker) scalar(path []string, n *yaml.Node, secrets []Secret) {
	if len(w.vars) > 0 {
		secrets = w.p.interpolated(secrets, w.vars, w.src, path, n.Value)
	}
	if len(secrets) > 0 {
		w.edits = append(w.edits, edit{n, Hide(n.Value, secrets)})
	}
}

// splice writes the edits into src, each scalar's text replaced by its new
// value quoted (or, for a literal block that stays one, a literal block).
func splice(src []byte, edits []edit, asJSON bool) ([]byte, error) {
	lines := lineOffsets(src)
	type span struct {
		start, end int
		text       string
	}
	spans := make([]span, 0, len(edits))
	for _, e := range edits {
		start, err := offsetOf(src, lines, e.n.Line, e.n.Column)
		if err != nil {
			return nil, err
		}
		end, indent, err := scalarEnd(src, lines, start, e.n)
		if err != nil {
			return nil, err
		}
		text := ""
		switch {
		case asJSON:
		case e.n.Style&yaml.LiteralStyle != 0:
			text = literalBlock(e.value, indent)
		case e.n.Style == 0 && plainSafe(e.value):
			text = e.value // plain stays plain: postgres://app:***@db/app
		}
		if text == "" {
			text = quote(e.value)
		}
		spans = append(spans, span{start, end, text})
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	var b bytes.Buffer
	b.Grow(len(src))
	at := 0
	for _, s := range spans {
		if s.start < at {
			return nil, errors.New("overlapping scalars")
		}
		b.Write(src[at:s.start])
		b.WriteString(s.text)
		at = s.end
	}
	b.Write(src[at:])
	return b.Bytes(), nil
}

// quote writes s as a double-quoted scalar: JSON's escapes, which YAML's
// double-quoted style reads the same.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// plainSafe reports whether s can be written as a plain scalar that reads
// back as the same string, in block context.
func plainSafe(s string) bool {
	if s == "" || strings.ContainsAny(s[:1], "-?:,[]{}#&*!|>'\"%@` \t") || strings.HasSuffix(s, " ") ||
		strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r == utf8.RuneError {
			return false
		}
	}
	var v any
	if err := yaml.Unmarshal([]byte(s), &v); err != nil {
		return false
	}
	str, ok := v.(string)
	return ok && str == s
}

// literalBlock writes s as a literal block (|) with its lines at indent, or
// "" when s cannot be one (no line break, a leading space, characters a
// block cannot hold).
func literalBlock(s string, indent int) string {
	if !strings.Contains(s, "\n") || strings.HasPrefix(s, " ") || strings.HasPrefix(s, "\t") || indent <= 0 {
		return ""
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r == utf8.RuneError {
			return ""
		}
	}
	body := strings.TrimRight(s, "\n")
	chomp := "-"
	switch trailing := len(s) - len(body); {
	case trailing == 1:
		chomp = ""
	case trailing > 1:
		chomp = "+"
	}
	pad := strings.Repeat(" ", indent)
	var b strings.Builder
	b.WriteString("|" + chomp)
	for _, l := range strings.Split(s[:len(body)+max(len(s)-len(body)-1, 0)], "\n") {
		b.WriteByte('\n')
		if l != "" {
			b.WriteString(pad)
			b.WriteString(l)
		}
	}
	return b.String()
}

// lineOffsets returns the offset of the start of each line of src.
func lineOffsets(src []byte) []int {
	out := []int{0}
	for i, c := range src {
		if c == '\n' {
			out = append(out, i+1)
		}
	}
	return out
}

// offsetOf converts a 1-based line and column (counted in characters, as
// yaml.v3 counts them) to a byte offset.
func offsetOf(src []byte, lines []int, line, col int) (int, error) {
	if line < 1 || line > len(lines) || col < 1 {
		return 0, fmt.Errorf("position %d:%d out of the document", line, col)
	}
	off := lines[line-1]
	for c := 1; c < col; c++ {
		if off >= len(src) || src[off] == '\n' {
			return 0, fmt.Errorf("position %d:%d out of the line", line, col)
		}
		_, size := utf8.DecodeRune(src[off:])
		off += size
	}
	return off, nil
}

// scalarEnd returns the offset just past the text of scalar n written at
// start, and for a block scalar the indentation of its lines.
func scalarEnd(src []byte, lines []int, start int, n *yaml.Node) (end, indent int, err error) {
	bad := fmt.Errorf("cannot find the end of the value at %d:%d", n.Line, n.Column)
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		if src[start] != '"' {
			return 0, 0, bad
		}
		for i := start + 1; i < len(src); i++ {
			switch src[i] {
			case '\\':
				i++
			case '"':
				return i + 1, 0, nil
			}
		}
	case n.Style&yaml.SingleQuotedStyle != 0:
		if src[start] != '\'' {
			return 0, 0, bad
		}
		for i := start + 1; i < len(src); i++ {
			if src[i] == '\'' {
				if i+1 < len(src) && src[i+1] == '\'' {
					i++
					continue
				}
				return i + 1, 0, nil
			}
		}
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return blockEnd(src, lines, start, n, bad)
	default:
		if e, ok := plainEnd(src, start, n.Value); ok {
			return e, 0, nil
		}
	}
	return 0, 0, bad
}

// blockEnd finds the end of a block scalar whose indicator (| or >) is at
// start: its lines are the following ones indented at least as much as its
// first non-empty line, and empty lines among them.
func blockEnd(src []byte, lines []int, start int, n *yaml.Node, bad error) (end, indent int, err error) {
	if src[start] != '|' && src[start] != '>' {
		return 0, 0, bad
	}
	// the parent's indentation: the block's lines are indented more
	parent := 0
	for lines[n.Line-1]+parent < len(src) && src[lines[n.Line-1]+parent] == ' ' {
		parent++
	}
	end = bytes.IndexByte(src[start:], '\n')
	if end < 0 {
		return len(src), 0, nil
	}
	end += start
	indent = -1
	for l := n.Line; l < len(lines); l++ {
		ls := lines[l]
		le := len(src)
		if l+1 < len(lines) {
			le = lines[l+1] - 1
		}
		text := src[ls:le]
		sp := 0
		for sp < len(text) && text[sp] == ' ' {
			sp++
		}
		if len(bytes.TrimRight(text, " \r")) == 0 {
			continue // an empty line belongs to the block if more follows
		}
		if indent < 0 {
			if sp <= parent {
				break
			}
			indent = sp
		}
		if sp < indent {
			break
		}
		end = le
	}
	if indent < 0 {
		indent = parent + 2
	}
	return end, indent, nil
}

// plainEnd finds the end of a plain scalar whose value is v, written at
// start: on one line, or folded over several (a line break and the next
// line's indentation read as one space, an empty line as a line break).
func plainEnd(src []byte, start int, v string) (int, bool) {
	i, j := start, 0
	for j < len(v) {
		if i < len(src) && src[i] == v[j] {
			i++
			j++
			continue
		}
		k := i
		for k < len(src) && (src[k] == ' ' || src[k] == '\t') {
			k++
		}
		if k >= len(src) || src[k] != '\n' && src[k] != '\r' {
			return 0, false
		}
		breaks := 0
		for k < len(src) && strings.IndexByte(" \t\r\n", src[k]) >= 0 {
			if src[k] == '\n' {
				breaks++
			}
			k++
		}
		switch {
		case breaks == 1 && v[j] == ' ':
			j++
		case breaks > 1 && strings.HasPrefix(v[j:], strings.Repeat("\n", breaks-1)):
			j += breaks - 1
		default:
			return 0, false
		}
		i = k
	}
	return i, true
}
