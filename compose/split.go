package compose

import (
	"bytes"
	"runtime"
	"slices"
	"sync"

	"gopkg.in/yaml.v3"
)

// A large compose file is nearly all one block mapping, `services:`, and
// yaml.v3 parses a document on one goroutine: the base file of a large
// project was a quarter of lint's wall time with a core idle. parseSplit
// parses such a file in pieces, each on its own goroutine, and joins their
// trees into the tree yaml.v3 makes of the whole text.
//
// The text is cut only before a line that starts a service (a key at the
// services' indentation, right after a line of content: no comment may sit
// between, where yaml.v3 would attach it to the nodes on either side).
// Such a line ends any block or plain scalar and any block collection
// above it; a flow collection or quoted scalar left open makes a piece
// fail. Each later piece is parsed as its own document: a stand-in
// `services:` key, preceded by stand-in anchors for the aliases it uses
// that earlier pieces define, then its lines as written (the last piece
// keeps the top-level keys after the services). The nodes' lines are then
// moved to the file's, the aliases to stand-ins pointed at the anchors they
// name (the latest before them, as yaml.v3 resolves them), and the
// services and the keys after them appended to the first piece's tree.
//
// Anything else, or any piece that does not parse as expected, and the
// file is parsed whole: errors are always yaml.v3's own, about the whole
// text. TestParseSplit and FuzzParseSplit hold the joined tree to the
// whole parse, node for node.

// splitMin is the size from which a file is parsed in pieces: below it the
// goroutines and the joining cost more than they save.
const splitMin = 256 << 10

// splitPiece is the smallest piece worth a goroutine.
const splitPiece = 64 << 10

// stubKey is the stand-in key holding a piece's stand-in anchors.
const stubKey = "__composure_split_anchors__"

// piece is one part of the text being parsed.
type piece struct {
	start, end int // byte offsets in the text
	line       int // the line the piece starts at (1-based)
	prefix     []byte
	prefixLn   int // lines of prefix
	stubs      map[*yaml.Node]bool
	root       *yaml.Node // the piece's top-level mapping
	services   *yaml.Node // its services mapping
	tail       []*yaml.Node
	anchors    map[string]*yaml.Node // defined in the piece, the latest of each name
	err        bool
}

// parseSplit parses text, a file of one YAML document, in up to n pieces of
// at least minPiece bytes; ok is false when it does not split (the caller
// parses it whole).
func parseSplit(text []byte, n, minPiece int) (_ *yaml.Node, ok bool) {
	cuts := splitPoints(text, n, minPiece)
	if cuts == nil {
		return nil, false
	}
	pieces := make([]*piece, len(cuts)+1)
	bounds := append(append([]int{0}, cuts...), len(text))
	for i := range pieces {
		pieces[i] = &piece{start: bounds[i], end: bounds[i+1], line: 1 + bytes.Count(text[:bounds[i]], []byte{'\n'})}
	}
	defs := anchorDefs(text)
	for _, p := range pieces[1:] {
		p.prefix, p.prefixLn = stubsFor(text[p.start:p.end], defs, p.start)
	}
	// Each piece is parsed, and its anchors listed, on a goroutine of its
	// own; then each piece's aliases to earlier pieces are pointed at
	// their anchors, again one goroutine per piece.
	var wg sync.WaitGroup
	for i, p := range pieces {
		wg.Go(func() {
			if p.parse(text, i == 0, i == len(pieces)-1); !p.err {
				p.listAnchors(i == 0)
			}
		})
	}
	wg.Wait()
	for _, p := range pieces {
		if p.err {
			return nil, false
		}
	}
	for i, p := range pieces[1:] {
		wg.Go(func() { p.resolve(pieces[:i+1]) })
	}
	wg.Wait()
	head := pieces[0]
	for _, p := range pieces[1:] {
		if p.err {
			return nil, false
		}
		head.services.Content = append(head.services.Content, p.services.Content...)
		head.root.Content = append(head.root.Content, p.tail...)
	}
	return head.root, true
}

// listAnchors records the anchors p defines, the latest of each name.
func (p *piece) listAnchors(first bool) {
	p.anchors = map[string]*yaml.Node{}
	nodes := []*yaml.Node{p.root}
	if !first {
		nodes = append([]*yaml.Node{p.services}, p.tail...)
	}
	for _, nd := range nodes {
		walkNodes(nd, func(x *yaml.Node) {
			if x.Anchor != "" {
				p.anchors[x.Anchor] = x
			}
		})
	}
}

// resolve moves the nodes of p, a later piece, to the file's lines and
// points its aliases to stand-ins at the anchors they name in the pieces
// before it; p.err is set when one names none.
func (p *piece) resolve(before []*piece) {
	delta := p.line - 1 - p.prefixLn
	fix := func(x *yaml.Node) {
		x.Line += delta
		if x.Kind == yaml.AliasNode && p.stubs[x.Alias] {
			x.Alias = nil
			for j := len(before) - 1; j >= 0 && x.Alias == nil; j-- {
				x.Alias = before[j].anchors[x.Value]
			}
			p.err = p.err || x.Alias == nil
		}
	}
	walkNodes(p.services, func(x *yaml.Node) {
		if x != p.services {
			fix(x)
		}
	})
	for _, t := range p.tail {
		walkNodes(t, fix)
	}
}

// parse parses p, the first piece or a later one, and checks it has the
// shape its place gives it.
func (p *piece) parse(text []byte, first, last bool) {
	src := text[p.start:p.end]
	if !first {
		src = append(append(make([]byte, 0, len(p.prefix)+len(src)), p.prefix...), src...)
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil || len(doc.Content) != 1 {
		p.err = true
		return
	}
	var more yaml.Node
	if dec.Decode(&more) == nil {
		p.err = true // a second document
		return
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode || root.Style != 0 || len(root.Content) < 2 {
		p.err = true
		return
	}
	c := root.Content
	if first {
		// the services block is the last key of the first piece
		k, v := c[len(c)-2], c[len(c)-1]
		if k.Value != "services" || k.Kind != yaml.ScalarNode || v.Kind != yaml.MappingNode || v.Style != 0 {
			p.err = true
			return
		}
		p.root, p.services = root, v
		return
	}
	if p.prefixLn > 1 {
		if c[0].Value != stubKey || c[1].Kind != yaml.SequenceNode || len(c) < 4 {
			p.err = true
			return
		}
		p.stubs = map[*yaml.Node]bool{}
		for _, s := range c[1].Content {
			p.stubs[s] = true
		}
		c = c[2:]
	}
	if c[0].Value != "services" || c[0].Line != p.prefixLn || c[1].Kind != yaml.MappingNode || c[1].Style != 0 ||
		c[1].Anchor != "" || c[1].Tag != "!!map" || (!last && len(c) > 2) || hasComment(c[0]) || hasComment(c[1]) {
		// (a comment yaml.v3 gave the stand-in key or mapping, such as
		// one ending the file, belongs to a node of another piece)
		p.err = true
		return
	}
	p.root, p.services, p.tail = root, c[1], c[2:]
}

func hasComment(n *yaml.Node) bool {
	return n.HeadComment != "" || n.LineComment != "" || n.FootComment != ""
}

// walkNodes calls f on n and every node below it, in document order; not
// through aliases.
func walkNodes(n *yaml.Node, f func(*yaml.Node)) {
	f(n)
	for _, c := range n.Content {
		walkNodes(c, f)
	}
}

// splitPoints returns where to cut text into at most n pieces of similar
// size, each of minPiece bytes or more, or nil when it cannot be cut (see
// parseSplit).
func splitPoints(text []byte, n, minPiece int) []int {
	if n < 2 || bytes.IndexByte(text, '\r') >= 0 || bytes.HasPrefix(text, []byte("\xef\xbb\xbf")) {
		return nil
	}
	var (
		servicesAt = -1 // offset of the line after `services:`
		indent     = -1 // the services' indentation
		blockEnd   = len(text)
		cands      []int
		lastIsText bool // the last non-blank line is content, with no comment
	)
	for off := 0; off < len(text); {
		end := bytes.IndexByte(text[off:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += off
		}
		line := text[off:end]
		next := end + 1
		sp := 0
		for sp < len(line) && line[sp] == ' ' {
			sp++
		}
		body := line[sp:]
		switch {
		case len(body) == 0:
			// blank
		case sp == 0 && (body[0] == '%' || bytes.HasPrefix(body, []byte("---")) || bytes.HasPrefix(body, []byte("..."))):
			return nil // directives or several documents
		case body[0] == '#':
			lastIsText = false
		case body[0] == '\t':
			return nil
		case body[0] == '?' && (len(body) == 1 || body[1] == ' '):
			// an explicit key with no value is null at the next token,
			// which may be in the next piece
			return nil
		default:
			switch {
			case servicesAt < 0:
				if sp == 0 && isServicesLine(body) {
					servicesAt = next
				}
			case indent < 0:
				if sp == 0 || !keyStart(body[0]) {
					return nil
				}
				indent = sp
			case blockEnd == len(text) && sp == 0:
				blockEnd = off // the keys after the services
				if isServicesLine(body) {
					return nil
				}
			case blockEnd == len(text) && sp == indent && keyStart(body[0]) && lastIsText:
				cands = append(cands, off)
			case blockEnd < len(text) && sp == 0 && isServicesLine(body):
				return nil
			}
			// a comment ending the line before a cut may go to a node of
			// the next piece
			lastIsText = !bytes.Contains(body, []byte(" #")) && !bytes.Contains(body, []byte("\t#"))
		}
		off = next
	}
	if len(cands) == 0 {
		return nil
	}
	n = min(n, len(text)/max(minPiece, 1))
	var cuts []int
	for i := 1; i < n; i++ {
		target := len(text) * i / n
		j, _ := slices.BinarySearch(cands, target)
		if j == len(cands) {
			j--
		}
		if c := cands[j]; (len(cuts) == 0 || c > cuts[len(cuts)-1]) && c < blockEnd {
			cuts = append(cuts, c)
		}
	}
	return cuts
}

// isServicesLine reports whether a top-level line is the `services:` key
// with its value on the lines below.
func isServicesLine(body []byte) bool {
	rest, ok := bytes.CutPrefix(body, []byte("services:"))
	if !ok {
		return false
	}
	rest = bytes.TrimLeft(rest, " ")
	return len(rest) == 0 || rest[0] == '#'
}

// keyStart reports whether a line starting with b starts a plain key the
// cut may go before (not an explicit key, a value indicator, an item, a
// quoted or flow node).
func keyStart(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '_'
}

// anchorDef is an `&name` in the text: maybe an anchor, maybe inside a
// string (a stand-in for one of those is never pointed at).
type anchorDef struct {
	off  int
	name string
}

// anchorDefs lists the `&name` tokens of text.
func anchorDefs(text []byte) []anchorDef {
	var out []anchorDef
	for i := 0; ; {
		j := bytes.IndexByte(text[i:], '&')
		if j < 0 {
			return out
		}
		i += j + 1
		if name := anchorName(text[i:]); name != "" && (i == 1 || isSpaceOrFlow(text[i-2])) {
			out = append(out, anchorDef{i - 1, name})
		}
	}
}

// stubsFor returns the prefix a later piece is parsed with: stand-in
// anchors for the aliases in src that text before start defines, then the
// stand-in `services:` key; and its number of lines.
func stubsFor(src []byte, defs []anchorDef, start int) ([]byte, int) {
	defined := map[string]bool{}
	for _, d := range defs {
		if d.off >= start {
			break
		}
		defined[d.name] = true
	}
	var names []string
	seen := map[string]bool{}
	for i := 0; ; {
		j := bytes.IndexByte(src[i:], '*')
		if j < 0 {
			break
		}
		i += j + 1
		name := anchorName(src[i:])
		if name != "" && (i == 1 || isSpaceOrFlow(src[i-2])) && defined[name] && !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return []byte("services:\n"), 1
	}
	var b bytes.Buffer
	b.WriteString(stubKey + ":\n")
	for _, name := range names {
		b.WriteString("- &" + name + " 0\n")
	}
	b.WriteString("services:\n")
	return b.Bytes(), len(names) + 2
}

// anchorName is the anchor or alias name text starts with, when it is one
// a stand-in can be written for (letters, digits, `_`, `-`, `.`).
func anchorName(text []byte) string {
	n := 0
	for n < len(text) {
		b := text[n]
		if 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '_' || b == '-' || b == '.' {
			n++
			continue
		}
		if b != ' ' && b != '\n' && b != ',' && b != ']' && b != '}' {
			return "" // a name a stand-in is not written for: the piece fails if it needs one
		}
		break
	}
	return string(text[:n])
}

func isSpaceOrFlow(b byte) bool {
	return b == ' ' || b == '\n' || b == '[' || b == '{' || b == ','
}

// splitPieces is how many pieces Parse cuts a large file into.
func splitPieces() int { return 8 * runtime.GOMAXPROCS(0) }
