// Package refactor folds duplicated service blocks into YAML anchors and
// merge keys (best practice 9) by editing the original text: everything it
// does not move stays byte for byte as written (comments, blank lines, key
// order, quoting, indentation, line endings). Groups come from package dupes;
// Prove checks, before anything is written, that every environment including
// the file loads to the same effective config.
package refactor

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/dupes"
)

// Style says where the shared entries go.
type Style string

const (
	// StyleExtension puts them in a new top-level `x-NAME: &NAME` mapping.
	StyleExtension Style = "extension"
	// StyleFirstService anchors the first service of the group and makes
	// the others merge it, where that means the same.
	StyleFirstService Style = "first-service"
)

// DefaultName names the anchor of services with no common name prefix, as
// the guide does.
const DefaultName = "default-app"

// Options tune a rewrite.
type Options struct {
	// MinShared is the number of entries services must share (dupes).
	MinShared int
	// Name names the new anchors (suffixed -2, -3... when there are several).
	Name string
	// Style is StyleExtension (default) or StyleFirstService.
	Style Style
	// Overlay says the file comes after the first file of some environment:
	// there docker compose merges only the first alias of a `<<` list
	// (docker/compose#13154; lint's yaml-anchors rule reports such lists),
	// so services that already merge an anchor are not given a second one.
	Overlay bool
}

// Change is one group folded into an anchor.
type Change struct {
	dupes.Group
	// Name is the anchor the members merge.
	Name string
	// Style is where the shared entries went: the one asked for, or
	// StyleExtension where the first service could not carry them.
	Style Style
}

// Result is the rewrite of one file.
type Result struct {
	Doc     *compose.Document
	Changes []Change
	// Before and After are the file's bytes; equal when nothing changed.
	Before, After []byte
	// Added lists the top-level keys the rewrite added or changed (the new
	// x- blocks and extended anchors): the only places the effective config
	// may differ.
	Added []string
	// Skipped are groups left alone because their rewrite failed the
	// self-check (please report them).
	Skipped []Skip
}

// LinesSaved is the number of lines the rewrite removes.
func (r *Result) LinesSaved() int {
	return bytes.Count(r.Before, []byte("\n")) - bytes.Count(r.After, []byte("\n"))
}

// Changed reports whether the rewrite changes the file.
func (r *Result) Changed() bool { return !bytes.Equal(r.Before, r.After) }

// Rewrite finds the duplicated service blocks of d and folds each group into
// an anchor. The result is checked to parse and to decode, file on its own,
// to the same services as before.
func Rewrite(d *compose.Document, opts Options) (*Result, error) {
	if opts.MinShared == 0 {
		opts.MinShared = dupes.DefaultMinShared
	}
	if opts.Style == "" {
		opts.Style = StyleExtension
	}
	if opts.Style != StyleExtension && opts.Style != StyleFirstService {
		return nil, fmt.Errorf("unknown style %q: use %q or %q", opts.Style, StyleExtension, StyleFirstService)
	}
	res := &Result{Doc: d, Before: d.Src, After: d.Src}
	var groups []dupes.Group
	for _, g := range dupes.Find(d, opts.MinShared) {
		if g.LinesSaved <= 0 {
			continue // a duplicate, but folding it would not make the file shorter
		}
		if opts.Overlay && g.Kind == dupes.New && slices.ContainsFunc(g.Members, func(m *dupes.Member) bool { return m.Merge != nil }) {
			continue
		}
		groups = append(groups, g)
	}
	if len(groups) == 0 {
		return res, nil
	}
	// Work in file order, so that names and x- blocks follow the services.
	slices.SortStableFunc(groups, func(a, b dupes.Group) int {
		return a.Members[0].Key.Line - b.Members[0].Key.Line
	})
	return rewriteAll(d, groups, opts)
}

// rewriteAll folds groups, leaving out those whose rewrite fails the
// self-check.
func rewriteAll(d *compose.Document, groups []dupes.Group, opts Options) (*Result, error) {
	res := &Result{Doc: d, Before: d.Src, After: d.Src}
	r, err := rewrite(d, groups, opts)
	if err == nil {
		return r, nil
	}
	// Some group's text did not move cleanly (a layout the line-based edits
	// do not handle): keep the groups that rewrite, halving the set to find
	// the others in a few passes even on a large file.
	var ok []dupes.Group
	var keep func(gs []dupes.Group, err error)
	keep = func(gs []dupes.Group, err error) {
		if err == nil {
			ok = append(ok, gs...)
			return
		}
		if len(gs) == 1 {
			res.Skipped = append(res.Skipped, Skip{Group: gs[0], Err: err})
			return
		}
		half := len(gs) / 2
		_, lerr := rewrite(d, gs[:half], opts)
		keep(gs[:half], lerr)
		_, rerr := rewrite(d, gs[half:], opts)
		keep(gs[half:], rerr)
	}
	keep(groups, err)
	if len(ok) == 0 {
		return res, nil
	}
	r, err = rewrite(d, ok, opts)
	if err != nil {
		return nil, err
	}
	r.Skipped = res.Skipped
	return r, nil
}

// Skip is a group left as it was because rewriting it failed the
// self-check.
type Skip struct {
	dupes.Group
	Err error
}

// rewrite folds groups into anchors and self-checks the result.
func rewrite(d *compose.Document, groups []dupes.Group, opts Options) (*Result, error) {
	res := &Result{Doc: d, Before: d.Src, After: d.Src}
	rw := newRewriter(d)
	names := newNamer(d, opts.Name)
	for _, g := range groups {
		de, err := rw.document(g.Members[0].Root)
		if err != nil {
			return nil, err
		}
		ch := Change{Group: g, Style: opts.Style}
		switch g.Kind {
		case dupes.New:
			if opts.Style == StyleFirstService {
				if name, ok := rw.firstService(g, names); ok {
					ch.Name = name
					break
				}
				ch.Style = StyleExtension
			}
			ch.Name = names.next(g.Services)
			rw.extension(g, ch.Name, de)
			res.Added = append(res.Added, "x-"+ch.Name)
		case dupes.Extend:
			ch.Name = g.Anchor
			ch.Style = StyleExtension // the entries go to the existing x- block
			rw.extend(g)
			res.Added = append(res.Added, rw.rootKeyOf(g.AnchorNode))
		case dupes.Reuse:
			ch.Name = g.Anchor
			ch.Style = StyleExtension
			rw.reuse(g)
		default:
			continue
		}
		res.Changes = append(res.Changes, ch)
	}
	out, err := rw.apply()
	if err != nil {
		return nil, err
	}
	res.After = out
	if err := selfCheck(d, out, res.Added); err != nil {
		return nil, err
	}
	return res, nil
}

// rewriter collects text edits on d.Src.
type rewriter struct {
	d     *compose.Document
	nl    string
	docs  map[*yaml.Node]*docEdit // by the root of each YAML document edited
	edits []edit
}

// docEdit is where one YAML document of the file takes new x- blocks:
// anchors never cross documents, so each document a group is in gets the
// blocks of its groups.
type docEdit struct {
	unit     int    // indentation of one level (of service names under services:)
	insertAt int    // byte offset where new x- blocks go
	blocks   []byte // the new x- blocks, in order
}

type edit struct {
	start, end int
	text       string
	seq        int
}

func newRewriter(d *compose.Document) *rewriter {
	rw := &rewriter{d: d, nl: "\n", docs: map[*yaml.Node]*docEdit{}}
	if i := bytes.IndexByte(d.Src, '\n'); i > 0 && d.Src[i-1] == '\r' {
		rw.nl = "\r\n"
	}
	return rw
}

// document returns where the YAML document whose top-level mapping is root
// takes new blocks, found when first asked.
func (rw *rewriter) document(root *yaml.Node) (*docEdit, error) {
	if de, ok := rw.docs[root]; ok {
		return de, nil
	}
	d := rw.d
	var servicesKey, services *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "services" {
			servicesKey, services = root.Content[i], root.Content[i+1]
		}
	}
	if servicesKey == nil || services.Kind != yaml.MappingNode || len(services.Content) == 0 {
		return nil, fmt.Errorf("%s: no services mapping to refactor", d.Loc(servicesKey))
	}
	if servicesKey.Column != 1 {
		return nil, fmt.Errorf("%s: top-level keys are indented: refactor needs `services:` at the start of its line", d.Loc(servicesKey))
	}
	de := &docEdit{unit: services.Content[0].Column - 1}
	// New blocks go above `services:` and the comment lines right above it,
	// unless those comments open the document: they are its header, not a
	// note on services.
	first := rw.documentStart(root)
	line := servicesKey.Line
	for line > first && strings.HasPrefix(d.Line(line-1), "#") {
		line--
	}
	if line == first {
		line = servicesKey.Line
	}
	de.insertAt = rw.lineStart(line)
	rw.docs[root] = de
	return de, nil
}

// documentStart is the first line of the YAML document whose top-level
// mapping is root: the line after its `---` marker, or the file's first.
func (rw *rewriter) documentStart(root *yaml.Node) int {
	top := root.Line
	if len(root.Content) > 0 {
		top = root.Content[0].Line
	}
	for n := top - 1; n >= 1; n-- {
		if documentMarker(rw.d.Line(n)) {
			return n + 1
		}
	}
	return 1
}

// documentMarker reports whether line is a `---` document marker line.
func documentMarker(line string) bool {
	return strings.HasPrefix(line, "---") && (len(line) == 3 || line[3] == ' ' || line[3] == '\t')
}

func (rw *rewriter) lineStart(n int) int {
	if n > rw.d.Lines() {
		return len(rw.d.Src)
	}
	return rw.d.Offset(compose.Pos{Line: n, Col: 1})
}

// lines returns lines [l.Start, l.End] of the file without line endings.
func (rw *rewriter) lines(l dupes.Lines) []string {
	out := make([]string, 0, l.Count())
	for n := l.Start; n <= l.End; n++ {
		out = append(out, rw.d.Line(n))
	}
	return out
}

func (rw *rewriter) add(start, end int, text string) {
	rw.edits = append(rw.edits, edit{start: start, end: end, text: text, seq: len(rw.edits)})
}

// reindent moves lines from indentation from to indentation to.
func (rw *rewriter) reindent(lines []string, from, to int) string {
	var b strings.Builder
	pad := strings.Repeat(" ", to)
	for _, l := range lines {
		n := 0
		for n < len(l) && l[n] == ' ' {
			n++
		}
		switch {
		case n == len(l) && n <= from:
			// blank line
		case n >= from:
			b.WriteString(pad)
			b.WriteString(l[from:])
		default:
			b.WriteString(pad)
			b.WriteString(l[n:])
		}
		b.WriteString(rw.nl)
	}
	return b.String()
}

// entriesText is the text of m's shared entries at indentation to.
func (rw *rewriter) entriesText(m *dupes.Member, to int) string {
	var b strings.Builder
	for _, e := range m.Entries {
		b.WriteString(rw.reindent(rw.lines(e.Lines), e.KeyNode.Column-1, to))
	}
	return b.String()
}

// extension adds `x-NAME: &NAME` with the shared entries and makes every
// member merge it.
func (rw *rewriter) extension(g dupes.Group, name string, de *docEdit) {
	first := g.Members[0]
	var b strings.Builder
	fmt.Fprintf(&b, "x-%s: &%s%s", name, name, rw.nl)
	b.WriteString(rw.entriesText(first, de.unit))
	b.WriteString(rw.nl)
	de.blocks = append(de.blocks, b.String()...)
	moved := commentSet(rw.entriesText(first, 0))
	for i, m := range g.Members {
		rw.fold(m, name, i > 0, moved)
	}
}

// fold removes m's shared entries and makes m merge anchor name: a `<<`
// line where the first entry was, or name put in front of the aliases its
// existing "<<" merges.
func (rw *rewriter) fold(m *dupes.Member, name string, keepComments bool, moved map[string]bool) {
	line := ""
	if m.Merge == nil {
		line = fmt.Sprintf("%s<<: *%s%s", strings.Repeat(" ", m.Entries[0].KeyNode.Column-1), name, rw.nl)
	} else {
		rw.prependMerge(m.Merge, name)
	}
	rw.remove(m, line, keepComments, moved)
}

// remove deletes m's shared entries, writing first where the first one was.
// With keepComments, comment lines of the removed entries that the anchor
// does not carry (moved) stay there too.
func (rw *rewriter) remove(m *dupes.Member, first string, keepComments bool, moved map[string]bool) {
	var kept strings.Builder
	if keepComments {
		for _, e := range m.Entries {
			for _, l := range rw.lines(e.Lines) {
				if t := strings.TrimSpace(l); strings.HasPrefix(t, "#") && !moved[t] {
					kept.WriteString(l)
					kept.WriteString(rw.nl)
				}
			}
		}
	}
	for i, e := range m.Entries {
		text := ""
		if i == 0 {
			text = first + kept.String()
		}
		rw.add(rw.lineStart(e.Lines.Start), rw.lineStart(e.Lines.End+1), text)
	}
}

// prependMerge puts *name in front of the aliases an existing "<<" merges:
// earlier sources win, as the entries it replaces (written in the service)
// won over the merged ones.
func (rw *rewriter) prependMerge(v *yaml.Node, name string) {
	off := rw.d.Offset(compose.Pos{Line: v.Line, Col: v.Column})
	if v.Kind == yaml.AliasNode {
		end := off + 1 + len(v.Value)
		rw.add(off, end, fmt.Sprintf("[*%s, %s]", name, rw.d.Src[off:end]))
		return
	}
	rw.add(off+1, off+1, fmt.Sprintf("*%s, ", name))
}

// reuse makes the members merge an existing anchor whose entries they repeat.
func (rw *rewriter) reuse(g dupes.Group) {
	for _, m := range g.Members {
		rw.fold(m, g.Anchor, true, map[string]bool{})
	}
}

// extend appends the shared entries to the anchor every member merges.
func (rw *rewriter) extend(g dupes.Group) {
	a := g.AnchorNode
	spans := dupes.EntrySpans(rw.d, a)
	last := spans[len(spans)-1]
	first := g.Members[0]
	rw.add(rw.lineStart(last.End+1), rw.lineStart(last.End+1), rw.entriesText(first, a.Content[0].Column-1))
	moved := commentSet(rw.entriesText(first, 0))
	for i, m := range g.Members {
		rw.remove(m, "", i > 0, moved)
	}
}

// firstService anchors the first member and makes the others merge it,
// when that means the same: the first has no "<<" of its own, and every
// other member sets each key the first has beyond the shared ones.
func (rw *rewriter) firstService(g dupes.Group, names *namer) (string, bool) {
	first := g.Members[0]
	if first.Merge != nil {
		return "", false
	}
	shared := map[string]bool{}
	for _, k := range g.Shared {
		shared[k] = true
	}
	for _, m := range g.Members[1:] {
		own := map[string]bool{}
		for i := 0; i+1 < len(m.Value.Content); i += 2 {
			own[m.Value.Content[i].Value] = true
		}
		for i := 0; i+1 < len(first.Value.Content); i += 2 {
			k := first.Value.Content[i].Value
			if !shared[k] && !own[k] {
				return "", false
			}
		}
	}
	name := first.Value.Anchor
	if name == "" {
		at, ok := rw.afterColon(first.Key)
		if !ok {
			return "", false
		}
		name = names.next(g.Services)
		rw.add(at, at, " &"+name)
	}
	moved := commentSet(rw.entriesText(first, 0))
	for _, m := range g.Members[1:] {
		rw.fold(m, name, true, moved)
	}
	return name, true
}

// afterColon returns the offset just after the ':' that ends mapping key k,
// on k's line.
func (rw *rewriter) afterColon(k *yaml.Node) (int, bool) {
	src := rw.d.Src
	off := rw.d.Offset(compose.Pos{Line: k.Line, Col: k.Column})
	switch k.Style {
	case yaml.DoubleQuotedStyle:
		off++
		for off < len(src) && src[off] != '"' {
			if src[off] == '\\' {
				off++
			}
			off++
		}
		off++
	case yaml.SingleQuotedStyle:
		off++
		for off < len(src) {
			if src[off] == '\'' {
				if off+1 < len(src) && src[off+1] == '\'' {
					off += 2
					continue
				}
				break
			}
			off++
		}
		off++
	case 0:
		off += len(k.Value)
	default:
		return 0, false
	}
	for off < len(src) && src[off] == ' ' {
		off++
	}
	if off >= len(src) || src[off] != ':' {
		return 0, false
	}
	return off + 1, true
}

// rootKeyOf returns the top-level key whose value is n, in any document.
func (rw *rewriter) rootKeyOf(n *yaml.Node) string {
	for _, root := range rw.d.Roots() {
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i+1] == n {
				return root.Content[i].Value
			}
		}
	}
	return ""
}

// apply returns d.Src with the edits made; overlapping edits are a bug.
func (rw *rewriter) apply() ([]byte, error) {
	for _, root := range rw.d.Roots() {
		de := rw.docs[root]
		if de == nil || len(de.blocks) == 0 {
			continue
		}
		text := string(de.blocks)
		// Keep the new blocks apart from what precedes them (a document
		// marker aside).
		if prev := rw.d.LocAt(de.insertAt).Line - 1; prev >= 1 && strings.TrimSpace(rw.d.Line(prev)) != "" && !documentMarker(rw.d.Line(prev)) {
			text = rw.nl + text
		}
		rw.add(de.insertAt, de.insertAt, text)
	}
	edits := slices.Clone(rw.edits)
	slices.SortStableFunc(edits, func(a, b edit) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return a.seq - b.seq
	})
	var out bytes.Buffer
	out.Grow(len(rw.d.Src))
	pos := 0
	for _, e := range edits {
		if e.start < pos {
			return nil, fmt.Errorf("%s: overlapping edits while refactoring (please report this file)", rw.d.LocAt(e.start))
		}
		out.Write(rw.d.Src[pos:e.start])
		out.WriteString(e.text)
		pos = e.end
	}
	out.Write(rw.d.Src[pos:])
	return out.Bytes(), nil
}

// commentSet is the set of trimmed comment lines in text.
func commentSet(text string) map[string]bool {
	set := map[string]bool{}
	for _, l := range strings.Split(text, "\n") {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "#") {
			set[t] = true
		}
	}
	return set
}

// namer picks anchor names no other anchor or top-level key uses.
type namer struct {
	d      *compose.Document
	given  string
	used   map[string]bool
	suffix map[string]int
}

func newNamer(d *compose.Document, given string) *namer {
	used := map[string]bool{}
	for a := range d.Anchors {
		used[a] = true
	}
	for _, root := range d.Roots() {
		for i := 0; i+1 < len(root.Content); i += 2 {
			if k := root.Content[i].Value; strings.HasPrefix(k, "x-") {
				used[k[2:]] = true
			}
		}
	}
	return &namer{d: d, given: given, used: used, suffix: map[string]int{}}
}

func (n *namer) next(services []string) string {
	base := n.given
	if base == "" {
		base = commonPrefix(services)
	}
	if base == "" {
		base = DefaultName
	}
	name := base
	i := max(n.suffix[base], 2)
	for ; n.used[name]; i++ {
		name = base + "-" + strconv.Itoa(i)
	}
	n.suffix[base] = i // the next one to try: names are not re-checked from -2
	n.used[name] = true
	return name
}

// commonPrefix is the longest prefix of every name ending at a word
// boundary ("-", "_" or "." follows it in each name, or the name ends
// there), without the separator: worker-email, worker-invoices -> worker;
// superset, superset-worker -> superset; web, web2 -> "".
func commonPrefix(names []string) string {
	p := names[0]
	for _, s := range names[1:] {
		n := 0
		for n < len(p) && n < len(s) && p[n] == s[n] {
			n++
		}
		p = p[:n]
	}
	for len(p) > 0 {
		ok := true
		for _, s := range names {
			if len(s) > len(p) && !isSep(s[len(p)]) {
				ok = false
				break
			}
		}
		if ok {
			break
		}
		p = p[:len(p)-1]
	}
	p = strings.TrimRight(p, "-_.")
	if !validAnchor(p) {
		return ""
	}
	return p
}

func isSep(c byte) bool { return c == '-' || c == '_' || c == '.' }

// validAnchor reports whether s can name an anchor: yaml.v3 (and the
// go.yaml.in parsers compose-go uses) scan anchor names as ASCII letters,
// digits, '_' and '-' only.
func validAnchor(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// selfCheck parses the rewritten file and checks that, on its own, each of
// its YAML documents decodes to the same top-level values as before but for
// the keys added.
func selfCheck(d *compose.Document, out []byte, added []string) error {
	// Decoding the original and parsing the result are independent: on a
	// large file, do them side by side.
	var before []map[string]any
	var berr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		before, berr = decodeDocuments(d)
	}()
	nd, err := compose.Parse(d.Name, out)
	<-done
	if err != nil {
		return fmt.Errorf("the result would not parse: %w", err)
	}
	if berr != nil {
		return berr
	}
	after, err := decodeDocuments(nd)
	if err != nil {
		return fmt.Errorf("the result would not decode: %w", err)
	}
	if len(after) != len(before) {
		return fmt.Errorf("the result would have %d YAML documents instead of %d", len(after), len(before))
	}
	for i, bm := range before {
		am := after[i]
		for _, k := range added {
			delete(bm, k)
			delete(am, k)
		}
		if !compose.PlainEqual(bm, am) {
			return fmt.Errorf("the result would change what the file means: %s", strings.Join(Differences(bm, am), "; "))
		}
	}
	return nil
}

// decodeDocuments decodes every YAML document of d, within its expansion
// budget.
func decodeDocuments(d *compose.Document) ([]map[string]any, error) {
	budget := d.ExpansionBudget()
	var out []map[string]any
	for _, root := range d.Roots() {
		v, err := d.Decode(root, budget)
		if err != nil {
			return nil, err
		}
		m, _ := v.(map[string]any)
		out = append(out, m)
	}
	return out, nil
}
