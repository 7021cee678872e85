// Package compose turns one compose file on disk into a Document: the
// gopkg.in/yaml.v3 node tree with positions, its anchors, merge keys and
// !reset/!override tags, plus helpers to walk it the way docker compose reads
// it (aliases expanded, "<<" merge keys applied) without losing where each
// value was written.
//
// A Document is immutable once parsed: every environment that includes the
// file shares the same *Document (see Cache).
package compose

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/diag"
)

// Pos is a 1-based position in a file. Col counts characters (runes), as the
// yaml.v3 scanner does, not bytes.
type Pos struct {
	Line int `json:"line"`
	Col  int `json:"column"`
}

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// IsValid reports whether p points somewhere in a file.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Location is a position in a named file.
type Location struct {
	File string `json:"file"`
	Pos
}

func (l Location) String() string {
	if !l.IsValid() {
		return l.File
	}
	return fmt.Sprintf("%s:%d:%d", l.File, l.Line, l.Col)
}

// Error is a problem in a user's file, with the place it was found. Its
// message follows the one-line convention `file:line:col: message`.
type Error struct {
	Location
	Msg string
	Err error // wrapped cause, if any
}

func (e *Error) Error() string { return e.Location.String() + ": " + e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error at n in d.
func (d *Document) Errorf(n *yaml.Node, format string, args ...any) *Error {
	return &Error{Location: d.Loc(n), Msg: fmt.Sprintf(format, args...)}
}

// Roots returns the top-level node of every YAML document of d, in the
// order docker compose merges them: Root, then Extra (none for a file that
// holds no document).
func (d *Document) Roots() []*yaml.Node {
	if d == nil || d.Root == nil {
		return nil
	}
	return append([]*yaml.Node{d.Root}, d.Extra...)
}

// Document is one parsed compose file.
type Document struct {
	// Name is the file name as shown to users (relative to the project
	// directory where possible).
	Name string
	// Path is the absolute file name ("" for in-memory sources).
	Path string
	// Src is the file content, as read.
	Src []byte
	// Root is the top-level mapping of the first YAML document, or nil when
	// the file holds no document (empty, or comments only).
	Root *yaml.Node
	// Extra holds the top-level nodes of further documents after a `---`
	// separator; docker compose merges them in order after Root.
	Extra []*yaml.Node
	// Anchors maps anchor names to the node that defines them. When a name is
	// defined twice, the last definition wins for later aliases, as in YAML;
	// this map holds the last one.
	Anchors map[string]*yaml.Node
	// Nodes counts the nodes in the file, aliases not expanded; it bounds how
	// far alias expansion may go (see ExpansionBudget).
	Nodes int

	lines *diag.Lines
	// keyIndex caches, for large mappings, key -> Entry (see Get). The
	// Document is shared by goroutines, hence the sync.Map.
	keyIndex sync.Map
}

// Errors users meet when a file cannot be used at all.
var (
	ErrEmpty    = errors.New("empty compose file")
	ErrNotFound = errors.New("no such file")
)

// ReadFile reads and parses the compose file at path on the disk; name is
// what messages call it.
func ReadFile(path, name string) (*Document, error) { return ReadFileFS(OS{}, path, name) }

// ReadFileFS reads and parses the compose file at path in fsys; name is
// what messages call it.
func ReadFileFS(fsys FS, path, name string) (*Document, error) {
	st, err := fsys.Stat(path)
	if err != nil {
		return nil, fileError(name, err)
	}
	if st.IsDir() {
		return nil, &Error{Location: Location{File: name}, Msg: "is a directory, not a compose file: name a file such as compose.yaml"}
	}
	if !st.Mode().IsRegular() {
		return nil, &Error{Location: Location{File: name}, Msg: "is not a regular file: name a compose file"}
	}
	if st.Size() > MaxFileSize {
		return nil, tooBig(name, st.Size())
	}
	src, err := readLimited(fsys, path, st.Size())
	if err != nil {
		return nil, fileError(name, err)
	}
	if len(src) > MaxFileSize {
		// The file grew after Stat, or its size was not told (/proc).
		return nil, tooBig(name, int64(len(src)))
	}
	d, err := Parse(name, src)
	if err != nil {
		return nil, err
	}
	d.Path = path
	return d, nil
}

// MaxFileSize bounds the size of a compose file composure reads. The largest
// real file we know is 81 KiB (appwrite's 34 services), but composure must
// load generated projects of 10,000 services, whose base file is 5 to 25 MB
// (0.5 to 2.5 KB a service). Parsing costs about 27 bytes of memory per byte
// of YAML; 32 MiB keeps that under a gigabyte, and a 100 MB file is refused
// before it is read.
const MaxFileSize = 32 << 20

func tooBig(name string, size int64) error {
	return &Error{Location: Location{File: name}, Msg: fmt.Sprintf("file is %.1f MiB, larger than the %d MiB composure reads: a compose file this size is generated or not a compose file; split it or name the right file", float64(size)/(1<<20), MaxFileSize>>20)}
}

// ErrNotRegular is returned by ReadBounded for a FIFO, a device or a socket.
var ErrNotRegular = errors.New("not a regular file")

// ReadBounded reads a file composure needs beside the compose files (.env,
// composure.yaml, a Dockerfile) with the guarantees ReadFile gives: it
// refuses what is not a regular file (a FIFO would block, /dev/zero never
// end) and files larger than MaxFileSize, with errors wrapping
// ErrNotRegular, fs.ErrNotExist and the like.
func ReadBounded(path string) ([]byte, error) { return ReadBoundedFS(OS{}, path) }

// ReadBoundedFS is ReadBounded in fsys.
func ReadBoundedFS(fsys FS, path string) ([]byte, error) {
	st, err := fsys.Stat(path)
	if err != nil {
		return nil, err
	}
	return readBounded(fsys, path, st)
}

// readBounded is ReadBoundedFS once path is known to be st.
func readBounded(fsys FS, path string, st fs.FileInfo) ([]byte, error) {
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	if st.Size() > MaxFileSize {
		return nil, fmt.Errorf("%s: %.1f MiB, larger than the %d MiB composure reads", path, float64(st.Size())/(1<<20), MaxFileSize>>20)
	}
	b, err := readLimited(fsys, path, st.Size())
	if err == nil && len(b) > MaxFileSize {
		return nil, fmt.Errorf("%s: larger than the %d MiB composure reads", path, MaxFileSize>>20)
	}
	return b, err
}

// readLimited reads at most MaxFileSize+1 bytes of path in fsys, into a
// buffer of the size stat gave (plus one byte to see the end at once):
// io.ReadAll alone grows its buffer by doubling, which for a large file
// allocates about three times its size.
func readLimited(fsys FS, path string, size int64) ([]byte, error) {
	f, err := fsys.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, 0, min(size, MaxFileSize)+1)
	for {
		n, err := f.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
		if len(b) > MaxFileSize {
			return b, nil
		}
		if len(b) == cap(b) {
			// the file grew since stat: go on reading, bounded
			b = append(b, 0)[:len(b)]
		}
	}
}

func fileError(name string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &Error{Location: Location{File: name}, Msg: "file not found: check the path, or run from the project directory (-C DIR)", Err: ErrNotFound}
	case errors.Is(err, fs.ErrPermission):
		return &Error{Location: Location{File: name}, Msg: "permission denied: make the file readable", Err: err}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &Error{Location: Location{File: name}, Msg: fmt.Sprintf("cannot read file: %v", err), Err: err}
}

// yaml.v3 reports syntax errors as "yaml: line N: message" (sometimes
// "yaml: unmarshal errors:\n  line N: ...").
var yamlLineRE = regexp.MustCompile(`line (\d+): (.*)`)

// Parse parses src as a compose file called name. Syntax errors come back as
// *Error with the line (and column where yaml.v3 tells it).
func Parse(name string, src []byte) (*Document, error) {
	d := &Document{Name: name, Src: src, Anchors: map[string]*yaml.Node{}}
	d.lines = diag.NewLines(src, diag.YAML)
	if hasUTF16BOM(src) {
		// yaml.v3 would decode it, but every position, offset and edit
		// composure makes is in UTF-8 bytes of Src: refuse rather than point
		// at the wrong place or corrupt the file on --write.
		return nil, &Error{Location: Location{File: name, Pos: Pos{Line: 1, Col: 1}}, Msg: "file is UTF-16 encoded: save it as UTF-8"}
	}
	if !utf8.Valid(src) {
		off := firstInvalidUTF8(src)
		return nil, &Error{Location: d.LocAt(off), Msg: "file is not valid UTF-8: save it as UTF-8"}
	}
	text, standIns := withStandIns(src)
	split := false
	if len(text) >= splitMin {
		// one document, parsed in pieces (see parseSplit)
		var top *yaml.Node
		if top, split = parseSplit(text, splitPieces(), splitPiece); split {
			if standIns {
				restoreStandIns(top)
			}
			d.Root = top
		}
	}
	for dec := yaml.NewDecoder(bytes.NewReader(text)); !split; {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			return nil, d.syntaxError(err)
		}
		if standIns {
			restoreStandIns(&doc)
		}
		if len(doc.Content) == 0 {
			continue
		}
		top := doc.Content[0]
		if isNull(top) {
			continue
		}
		if top.Kind != yaml.MappingNode {
			return nil, &Error{Location: d.Loc(top), Msg: fmt.Sprintf("top-level value must be a mapping, not %s: start the file with keys such as `services:`", kindName(top))}
		}
		if d.Root == nil {
			d.Root = top
		} else {
			d.Extra = append(d.Extra, top)
		}
	}
	if d.Root != nil {
		if err := d.index(); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (d *Document) syntaxError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		col := 1
		if line >= 1 && line <= d.lines.Len() {
			col = firstNonSpaceCol(d.lines.Text(line))
		}
		return &Error{Location: Location{File: d.Name, Pos: Pos{Line: line, Col: col}}, Msg: "invalid YAML: " + m[2], Err: err}
	}
	if m := unknownAnchorRE.FindStringSubmatch(msg); m != nil {
		// yaml.v3 gives no line for this one: find the alias in the text.
		loc := Location{File: d.Name, Pos: Pos{Line: 1, Col: 1}}
		if re, rerr := regexp.Compile(`\*` + regexp.QuoteMeta(m[1]) + `\b`); rerr == nil {
			if at := re.FindIndex(d.Src); at != nil {
				loc = d.LocAt(at[0])
			}
		}
		return &Error{Location: loc, Msg: fmt.Sprintf("alias *%s refers to no anchor: define &%s before this line, or fix the name", m[1], m[1]), Err: err}
	}
	if msg == "control characters are not allowed" {
		// yaml.v3 gives no line: point at the first one
		for off, r := range string(d.Src) {
			if refusedByV3(r) || r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
				return &Error{Location: d.LocAt(off), Msg: fmt.Sprintf("invalid YAML: control character %U is not allowed: remove it, or write it as an escape in a double-quoted string", r), Err: err}
			}
		}
	}
	return &Error{Location: Location{File: d.Name, Pos: Pos{Line: 1, Col: 1}}, Msg: "invalid YAML: " + msg, Err: err}
}

var unknownAnchorRE = regexp.MustCompile(`unknown anchor '([^']*)' referenced`)

// index records anchors, counts nodes and checks for what yaml.v3 accepts but
// docker compose rejects: duplicate keys and merge keys that merge no mapping.
func (d *Document) index() error {
	// open holds the anchored nodes being walked: an alias to one of them
	// is an alias inside its own anchor, which would expand forever
	// (yaml.v3's decoder, hence docker compose, rejects it: "anchor 'x'
	// value contains itself"). Aliases point only at anchored nodes, so
	// only those are kept: a short stack instead of a map of every node.
	var open []*yaml.Node
	var walk func(n *yaml.Node, depth int) error
	walk = func(n *yaml.Node, depth int) error {
		if depth > MaxDepth {
			return d.Errorf(n, "nesting deeper than %d levels: compose files are never this deep", MaxDepth)
		}
		d.Nodes++
		if n.Anchor != "" {
			d.Anchors[n.Anchor] = n
		}
		if n.Kind == yaml.ScalarNode {
			if depth := InterpolationDepth(n.Value); depth > MaxInterpolationDepth {
				return d.Errorf(n, "variable defaults nest %d deep (${A:-${B:-...}}), more than %d: interpolation this deep takes docker compose minutes; simplify the value", depth, MaxInterpolationDepth)
			}
		}
		if n.Kind == yaml.AliasNode && slices.Contains(open, n.Alias) {
			return d.Errorf(n, "alias *%s is inside the value of &%s itself, so it would expand forever: point it at another anchor", n.Value, n.Value)
		}
		if n.Anchor != "" {
			open = append(open, n)
			defer func() { open = open[:len(open)-1] }()
		}
		switch n.Kind {
		case yaml.MappingNode:
			// Duplicate keys: a map only for large mappings; most have a
			// handful of keys, compared pairwise without allocating.
			var seen map[string]*yaml.Node
			if len(n.Content) > 2*smallMapping {
				seen = make(map[string]*yaml.Node, len(n.Content)/2)
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				if k.Kind == yaml.ScalarNode {
					// two merge keys too: docker compose's parser refuses
					// them as it refuses any key written twice
					if prev := earlierKey(n, i, seen); prev != nil {
						if IsMergeKey(k) {
							return d.Errorf(k, "mapping key %q already defined at line %d: merge both in one key, `<<: [*a, *b]`", k.Value, prev.Line)
						}
						return d.Errorf(k, "mapping key %q already defined at line %d: remove one of them", k.Value, prev.Line)
					}
					if seen != nil {
						seen[k.Value] = k
					}
				}
				if err := walk(k, depth+1); err != nil {
					return err
				}
				if err := walk(n.Content[i+1], depth+1); err != nil {
					return err
				}
			}
		case yaml.SequenceNode, yaml.DocumentNode:
			for _, c := range n.Content {
				if err := walk(c, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(d.Root, 0); err != nil {
		return err
	}
	for _, x := range d.Extra {
		if err := walk(x, 0); err != nil {
			return err
		}
	}
	return nil
}

// smallMapping is the number of entries up to which index compares the
// keys of a mapping pairwise instead of building a map.
const smallMapping = 16

// earlierKey returns the scalar key before position i of mapping n that is
// spelled like the key at i (a merge key like a merge key), or nil. seen holds the keys
// before i when the mapping is large; nil means scan them.
func earlierKey(n *yaml.Node, i int, seen map[string]*yaml.Node) *yaml.Node {
	k := n.Content[i]
	if seen != nil {
		if p := seen[k.Value]; p != nil && IsMergeKey(p) == IsMergeKey(k) {
			return p
		}
		return nil
	}
	for j := 0; j < i; j += 2 {
		if p := n.Content[j]; p.Kind == yaml.ScalarNode && p.Value == k.Value && IsMergeKey(p) == IsMergeKey(k) {
			return p
		}
	}
	return nil
}

// MaxDepth bounds the nesting of a file; yaml.v3 itself stops at 10,000.
const MaxDepth = 1000

// MaxInterpolationDepth bounds how deep `${VAR:-${VAR2:-...}}` defaults may
// nest in one value. compose-go's substitution costs grow with the cube of
// the depth (64 levels take 1 ms per value, 1,000 levels 0.3 s, 10,000
// levels 90 s); real files nest two or three.
const MaxInterpolationDepth = 16

// InterpolationDepth returns how deeply `${` nests in s, `$$` escapes
// skipped.
func InterpolationDepth(s string) int {
	depth, deepest := 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '$':
			i++
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			depth++
			if depth > deepest {
				deepest = depth
			}
			i++
		case s[i] == '}' && depth > 0:
			depth--
		}
	}
	return deepest
}

// Loc returns the location of n in d.
func (d *Document) Loc(n *yaml.Node) Location {
	if n == nil {
		return Location{File: d.Name}
	}
	return Location{File: d.Name, Pos: Pos{Line: n.Line, Col: n.Column}}
}

// Find returns the location of the first occurrence of text in d at or
// after loc (a place in d), within limit bytes; ok is false when there is
// none. It narrows a value's place to a part of it, such as the variable
// of a string that failed to interpolate.
func (d *Document) Find(loc Location, text string, limit int) (Location, bool) {
	if loc.File != d.Name || !loc.IsValid() || text == "" {
		return loc, false
	}
	off := d.Offset(loc.Pos)
	end := min(len(d.Src), off+limit)
	i := bytes.Index(d.Src[off:end], []byte(text))
	if i < 0 {
		return loc, false
	}
	return d.LocAt(off + i), true
}

// LocAt returns the location of byte offset off in d.
func (d *Document) LocAt(off int) Location {
	return Location{File: d.Name, Pos: Pos(d.lines.Pos(off))}
}

// Offset converts a position to a byte offset into Src, counting columns as
// characters (yaml.v3 does), so non-ASCII text before a value is handled.
func (d *Document) Offset(p Pos) int { return d.lines.Offset(diag.Pos(p)) }

// Line returns the text of line n (1-based) without its line ending.
func (d *Document) Line(n int) string { return d.lines.Text(n) }

// Lines is the number of lines in the file.
func (d *Document) Lines() int { return d.lines.Len() }

func firstNonSpaceCol(s string) int {
	col := 1
	for _, r := range s {
		if r != ' ' && r != '\t' {
			return col
		}
		col++
	}
	return 1
}

// standInBase maps the characters yaml.v3 refuses but YAML 1.2 and docker
// compose's parser (go.yaml.in/yaml/v4) accept, DEL and the C1 controls
// but NEL (U+007F to U+009F), to characters of the supplementary private
// use area, which yaml.v3 reads like any other.
const standInBase = 0xF0000

func refusedByV3(r rune) bool { return r >= 0x7F && r <= 0x9F && r != 0x85 }

func isStandIn(r rune) bool { return refusedByV3(r - standInBase) }

// withStandIns returns src with each character yaml.v3 refuses replaced by
// its stand-in: one character for one, so every line and column yaml.v3
// reports is the same as in src. ok is false when src needs none, or when
// it holds a stand-in of its own (then yaml.v3 refuses it, as it would).
func withStandIns(src []byte) (text []byte, ok bool) {
	// DEL is 0x7F, the C1 controls 0xC2 0x80-0x9F in UTF-8
	if bytes.IndexByte(src, 0x7F) < 0 && bytes.IndexByte(src, 0xC2) < 0 {
		return src, false
	}
	need := false
	for _, r := range string(src) {
		if isStandIn(r) {
			return src, false
		}
		need = need || refusedByV3(r)
	}
	if !need {
		return src, false
	}
	var b bytes.Buffer
	b.Grow(len(src) + 64)
	for _, r := range string(src) {
		if refusedByV3(r) {
			r += standInBase
		}
		b.WriteRune(r)
	}
	return b.Bytes(), true
}

// restoreStandIns puts back the characters withStandIns replaced, in the
// text of every node below n (aliases are not followed: their anchors are
// below n too).
func restoreStandIns(n *yaml.Node) {
	back := func(s string) string {
		if !strings.ContainsFunc(s, isStandIn) {
			return s
		}
		return strings.Map(func(r rune) rune {
			if isStandIn(r) {
				return r - standInBase
			}
			return r
		}, s)
	}
	n.Value, n.Anchor, n.Tag = back(n.Value), back(n.Anchor), back(n.Tag)
	n.HeadComment, n.LineComment, n.FootComment = back(n.HeadComment), back(n.LineComment), back(n.FootComment)
	for _, c := range n.Content {
		restoreStandIns(c)
	}
}

func hasUTF16BOM(b []byte) bool {
	return len(b) >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF))
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null" && n.Alias == nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a sequence"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		return "a scalar"
	}
	return "a document"
}

// ErrorList is several problems found at once (every variable that fails
// to interpolate), each with its place, in the order to show them.
type ErrorList []*Error

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap returns the problems, so errors.As finds the first *Error.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}
