package reliability

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
)

// fuzzTimeBound is how long one input may take in a fuzz target. It is
// looser than the hostile-input bound because the fuzzer's inputs run while
// the machine is busy mutating and minimising; a hang shows up far above it.
const fuzzTimeBound = 3 * time.Second

// maxPaths bounds the paths checked per input: a small file whose aliases
// expand to a million nodes would otherwise take minutes to look up.
const maxPaths = 2000

// FuzzParse checks compose.Parse, Document.Decode and Document.Lookup on any
// bytes: no panic, bounded time, errors as one `file:line:col: message`
// line, positions that point at what they claim, and Lookup agreeing with
// Entries and Decode on every path.
func FuzzParse(f *testing.F) {
	for _, p := range seedFiles(f) {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte("x: &a [*a]\n"))
	f.Add([]byte("a: &a {b: 1}\nc:\n  <<: [*a, *a]\n  d: 2\n"))
	f.Add([]byte("services:\r\n  web:\r\n    image: \"caf\u00e9\"\r\n"))
	f.Add([]byte("\ufeffservices: {}\n"))
	// Line breaks other than \n, which yaml.v3 counts as new lines.
	f.Add([]byte("a: 1\rb: 2\n"))
	f.Add([]byte("a: \"x\u2028y\"\nb: 2\n"))
	f.Add([]byte("a: \"x\u0085y\"\nb: 2\n"))
	f.Add([]byte("a: \"x\u2029y\"\nb: 2\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		defer watchdog()()
		start := time.Now()
		checkParse(t, "f.yaml", src)
		if d := time.Since(start); d > fuzzTimeBound {
			t.Fatalf("took %v on %d bytes", d, len(src))
		}
	})
}

// watchdog crashes the process when an input runs past hangBound: Go's
// fuzzing engine has no time limit of its own and would wait forever, while
// a crash makes it save the input as a failure. Use as defer watchdog()().
func watchdog() (stop func()) {
	timer := time.AfterFunc(hangBound, func() {
		panic(fmt.Sprintf("input still running after %v: a hang", hangBound))
	})
	return func() { timer.Stop() }
}

func checkParse(t *testing.T, name string, src []byte) {
	d, err := compose.Parse(name, src)
	if err != nil {
		checkParseError(t, name, err)
		return
	}
	if d.Root == nil {
		if len(d.Extra) != 0 {
			t.Fatalf("Root nil but %d extra documents", len(d.Extra))
		}
		if _, _, ok := d.Lookup("services"); ok {
			t.Fatal("Lookup found a path in an empty document")
		}
		return
	}
	for _, top := range d.Roots() {
		checkPositions(t, d, top)
	}
	b := d.ExpansionBudget()
	v, err := d.Decode(d.Root, b)
	if err != nil {
		checkParseError(t, name, err)
		return
	}
	for _, x := range d.Extra {
		if _, err := d.Decode(x, d.ExpansionBudget()); err != nil {
			checkParseError(t, name, err)
		}
	}
	checkLookups(t, d, v)
}

func checkParseError(t *testing.T, name string, err error) {
	t.Helper()
	var ce *compose.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %T is not a *compose.Error: %v", err, err)
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\n\r") {
		t.Fatalf("error spans several lines: %q", msg)
	}
	if ce.File != name || !ce.IsValid() {
		t.Fatalf("error has no position in %s: %q", name, msg)
	}
}

// checkPositions walks the nodes as written (aliases not followed) and
// checks that Offset and LocAt agree with the positions yaml.v3 gives: a
// position maps to a byte offset and back, and a plain scalar's value is
// found in the source at its offset.
func checkPositions(t *testing.T, d *compose.Document, n *yaml.Node) {
	t.Helper()
	seen := 0
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if seen > maxPaths || n == nil {
			return
		}
		seen++
		if n.Line > 0 {
			p := compose.Pos{Line: n.Line, Col: n.Column}
			off := d.Offset(p)
			if off < 0 || off > len(d.Src) {
				t.Fatalf("Offset(%v) = %d outside [0, %d]", p, off, len(d.Src))
			}
			// yaml.v3 may place an implicit null at the start of a line
			// after the last one (input "?"): such positions all mean the
			// end of the file.
			if got := d.LocAt(off).Pos; got != p && off != len(d.Src) {
				t.Fatalf("LocAt(Offset(%v)) = %v (offset %d)", p, got, off)
			}
			plain := n.Kind == yaml.ScalarNode && n.Style == 0 && n.Value != "" && !strings.ContainsAny(n.Value, " \t\r\n")
			// A node starting with an anchor or a tag is placed there
			// (&0:: is anchor "0:" and value ":"): check the others.
			props := bytes.HasPrefix(d.Src[off:], []byte("&")) || bytes.HasPrefix(d.Src[off:], []byte("!"))
			if rest := skipProperties(d.Src[off:]); plain && !props && !bytes.HasPrefix(rest, []byte(n.Value)) {
				t.Fatalf("plain scalar %q at %v, but the source there reads %q", n.Value, p, head(d.Src[off:]))
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
}

// skipProperties skips the tag (!x) and anchor (&x) a node starts with:
// yaml.v3 places the node there, before its value.
func skipProperties(b []byte) []byte {
	for len(b) > 0 && (b[0] == '!' || b[0] == '&') {
		i := bytes.IndexAny(b, " \t\r\n")
		if i < 0 {
			return nil
		}
		b = bytes.TrimLeft(b[i:], " \t\r\n")
	}
	return b
}

func head(b []byte) string {
	if len(b) > 20 {
		b = b[:20]
	}
	return string(b)
}

// checkLookups collects the dotted paths of the document through Entries
// (merge keys applied) and checks that Lookup finds the same node for each,
// and that decoding it gives the value found at that path in the decoded
// document.
func checkLookups(t *testing.T, d *compose.Document, decoded any) {
	t.Helper()
	budget := d.ExpansionBudget()
	// One budget for all the value comparisons: a fresh one per path would
	// make an alias-heavy input quadratic.
	cmpBudget := d.ExpansionBudget()
	type item struct {
		path string
		node *yaml.Node
		val  any
		ok   bool // val is known: every key on the path decoded to itself
	}
	queue := []item{{node: d.Root, val: decoded, ok: true}}
	checked := 0
	for len(queue) > 0 && checked < maxPaths {
		it := queue[0]
		queue = queue[1:]
		if it.path != "" {
			checked++
			n, _, found := d.Lookup(it.path)
			if !found {
				t.Fatalf("Lookup(%q) found nothing", it.path)
			}
			if n != compose.Deref(it.node) {
				t.Fatalf("Lookup(%q) = node at %d:%d, Entries say %d:%d", it.path, n.Line, n.Column, it.node.Line, it.node.Column)
			}
			if it.ok && cmpBudget != nil {
				got, err := d.Decode(n, cmpBudget)
				switch {
				case err != nil:
					cmpBudget = nil // spent: compare no more
				case fmt.Sprint(got) != fmt.Sprint(it.val):
					t.Fatalf("Decode(Lookup(%q)) = %v, decoded document has %v", it.path, got, it.val)
				}
			}
		}
		n := compose.Deref(it.node)
		switch n.Kind {
		case yaml.MappingNode:
			es, err := d.Entries(n, budget)
			if err != nil {
				return // budget spent: Decode succeeded with its own budget, fine
			}
			m, _ := it.val.(map[string]any)
			if m != nil && len(m) != len(es) {
				// Keys written differently decode to the same key (0 and
				// 00): Get returns the last, as Decode keeps it; paths by
				// written key are ambiguous here, so stop descending.
				continue
			}
			seen := map[string]bool{}
			for _, e := range es {
				k := e.Key
				if k.Kind != yaml.ScalarNode || k.Value == "" || strings.Contains(k.Value, ".") || seen[k.Value] {
					continue
				}
				seen[k.Value] = true
				v, ok := m[k.Value]
				queue = append(queue, item{path: join(it.path, k.Value), node: e.Value, val: v, ok: ok && it.ok})
			}
		case yaml.SequenceNode:
			s, _ := it.val.([]any)
			for i, c := range n.Content {
				var v any
				ok := it.ok && i < len(s)
				if ok {
					v = s[i]
				}
				queue = append(queue, item{path: join(it.path, strconv.Itoa(i)), node: c, val: v, ok: ok})
			}
		}
	}
}

func join(path, part string) string {
	if path == "" {
		return part
	}
	return path + "." + part
}
