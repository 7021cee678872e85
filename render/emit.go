package render

// The layout rules of the block and flow styles, as go.yaml.in/yaml/v4's
// emitter applies them with SetIndent(2), sequences indented under their key
// and lines folded at 80 columns. Output depends on a little state carried
// from one write to the next (the column, whether the last thing written was
// a space, whether the line holds only indentation), so the writer keeps the
// same state and decides line breaks from it, not from the structure alone:
// that is what makes values after a line separator inside a quoted scalar, or
// a sequence under a "? " key, come out where the library puts them.

const (
	// lineWidth is the column after which a scalar's next space may become
	// a line break (the library's default preferred width).
	lineWidth = 80
	// indentStep is the indentation of a nested collection.
	indentStep = 2
)

// layout is the output buffer and the state the layout rules read.
type layout struct {
	buf []byte
	// col is the current column, counted in characters (runes), as the
	// library counts it when it decides to fold.
	col int
	// afterSpace: the last character written separates tokens (a space,
	// an opening bracket, the start of the document or of a line's
	// content). A token that needs a space before it writes one otherwise.
	afterSpace bool
	// onlyIndent: the current line holds nothing but indentation and
	// the indicators "-", "?" and ":" of block collections.
	onlyIndent bool
	// indent is the indentation of the node being written, -1 before the
	// root; outer holds the enclosing ones.
	indent int
	outer  []int
	// flowDepth counts the flow collections ({...}, [...]) open around the
	// current position.
	flowDepth int
}

func (l *layout) reset() {
	l.buf = l.buf[:0]
	l.col = 0
	l.afterSpace = true
	l.onlyIndent = true
	l.indent = -1
	l.outer = l.outer[:0]
	l.flowDepth = 0
}

// enter opens the indentation level of a node: a block collection at the
// root starts at column 0, anything else two columns right of its parent.
func (l *layout) enter(flowLike bool) {
	l.outer = append(l.outer, l.indent)
	switch {
	case l.indent >= 0:
		l.indent += indentStep
	case flowLike:
		l.indent = indentStep
	default:
		l.indent = 0
	}
}

func (l *layout) leave() {
	n := len(l.outer) - 1
	l.indent = l.outer[n]
	l.outer = l.outer[:n]
}

// parentIndent is the indentation of the level enclosing the current one,
// 0 at the root.
func (l *layout) parentIndent() int {
	if n := len(l.outer); n > 0 && l.outer[n-1] > 0 {
		return l.outer[n-1]
	}
	return 0
}

func (l *layout) newline() {
	l.buf = append(l.buf, '\n')
	l.col = 0
	l.onlyIndent = true
}

const spaces = "                                                                "

// toIndent moves to the current indentation: on a new line unless the
// current one still holds only indentation short of it, then padded with
// spaces.
func (l *layout) toIndent() {
	want := max(l.indent, 0)
	if !l.onlyIndent || l.col > want || l.col == want && !l.afterSpace {
		l.newline()
	}
	for l.col < want {
		n := min(want-l.col, len(spaces))
		l.buf = append(l.buf, spaces[:n]...)
		l.col += n
	}
	l.afterSpace = true
}

// indicator writes punctuation: spaced says a space must separate it from
// the previous token, separates whether it counts as one for the next, and
// structural whether the line may still count as indentation after it.
func (l *layout) indicator(s string, spaced, separates, structural bool) {
	if spaced && !l.afterSpace {
		l.buf = append(l.buf, ' ')
		l.col++
	}
	l.buf = append(l.buf, s...)
	l.col += len(s)
	l.afterSpace = separates
	l.onlyIndent = l.onlyIndent && structural
}

// collection is an open mapping or sequence. Nothing is written when it
// starts: an empty one prints as {} or [], which is only known at its end,
// and a struct only knows whether it is empty once its omitempty fields are
// checked.
type collection struct {
	flow    bool // asked for flow style; set when opened inside a flow
	opened  bool
	entries int
}

func (l *layout) open(c *collection, opener string) {
	c.opened = true
	if c.flow || l.flowDepth > 0 {
		c.flow = true
		l.indicator(opener, true, true, false)
		l.enter(true)
		l.flowDepth++
		return
	}
	l.enter(false)
}

// flowEntry starts an entry of an open flow collection: a comma after the
// first, and a line break once the line is past the width.
func (l *layout) flowEntry(c *collection) {
	if c.entries > 0 {
		l.indicator(",", false, false, false)
	}
	if l.col == 0 || l.col > lineWidth {
		l.toIndent()
	}
}

// item starts an entry of a sequence.
func (l *layout) item(c *collection) {
	if !c.opened {
		l.open(c, "[")
	}
	if c.flow {
		l.flowEntry(c)
	} else {
		l.toIndent()
		l.indicator("-", true, false, true)
	}
	c.entries++
}

// endSequence closes a sequence opened with item, or prints [] for an empty
// one.
func (l *layout) endSequence(c *collection) {
	switch {
	case !c.opened:
		l.indicator("[", true, true, false)
		l.indicator("]", false, false, false)
	case c.flow:
		l.flowDepth--
		l.leave()
		if l.col == 0 {
			l.toIndent()
		}
		l.indicator("]", false, false, false)
	default:
		l.leave()
	}
}

// key writes a mapping key and what separates it from its value. A key that
// spans lines or is longer than 128 bytes cannot be a simple key: it is
// written after "? " and its value after ": " on the next line.
func (l *layout) key(c *collection, k *scalar) {
	if !c.opened {
		l.open(c, "{")
	}
	simple := k.simpleKey()
	if c.flow {
		l.flowEntry(c)
	} else {
		l.toIndent()
	}
	c.entries++
	if simple {
		l.scalar(k, true)
		l.indicator(":", false, false, false)
		return
	}
	l.indicator("?", true, false, !c.flow)
	l.scalar(k, false)
	if c.flow {
		if l.col > lineWidth {
			l.toIndent()
		}
	} else {
		l.toIndent()
	}
	l.indicator(":", true, false, !c.flow)
}

// endMapping closes a mapping opened with key, or prints {} for an empty
// one.
func (l *layout) endMapping(c *collection) {
	switch {
	case !c.opened:
		l.indicator("{", true, true, false)
		l.indicator("}", false, false, false)
	case c.flow:
		l.flowDepth--
		l.leave()
		l.indicator("}", false, false, false)
	default:
		l.leave()
	}
}

// endDocument ends the line of the last value.
func (l *layout) endDocument() {
	l.toIndent()
}
