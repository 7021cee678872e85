package render

import (
	"unicode/utf8"
)

// style is how a scalar is written.
type style uint8

const (
	plain   style = iota // as is
	single               // 'quoted', quotes doubled
	double               // "quoted", with backslash escapes
	literal              // a | block, one line per line
)

// maxSimpleKey is the longest key, in bytes with its tag, written as a
// simple key (key: value); longer ones are written after "? ".
const maxSimpleKey = 128

// scalar is one scalar as the representation chose it: the text, an
// explicit tag when the text alone would not say what it is, and the style
// asked for. The layout may still pick a safer style (see choose).
type scalar struct {
	text string
	// tag is the suffix of a !! tag ("binary", "timestamp"), or "".
	tag  string
	want style
	// safe marks texts known to be plain everywhere (numbers, booleans,
	// null): ASCII, no indicator, no space; the analysis is skipped.
	safe bool
	facts
}

// facts is what the analysis of a text finds that decides its style.
type facts struct {
	analyzed      bool
	multiline     bool // holds a line break
	ascii         bool // holds no multi-byte character
	spaced        bool // holds a space
	plainInFlow   bool // may be written plain inside [...] and {...}
	plainInBlock  bool
	singleAllowed bool
	blockAllowed  bool // may be a | block
}

// simpleKey says whether the key fits on the line of its value.
func (s *scalar) simpleKey() bool {
	if s.safe {
		return len(s.text) <= maxSimpleKey
	}
	s.analyze()
	n := len(s.text)
	if s.tag != "" {
		n += len("!!") + len(s.tag)
	}
	return !s.multiline && n <= maxSimpleKey
}

// isBreak reports the line breaks of YAML 1.1: LF, CR, NEL, LS and PS.
func isBreak(r rune) bool {
	return r == '\n' || r == '\r' || r == 0x85 || r == 0x2028 || r == 0x2029
}

// printable reports the characters the library writes as they are: tab and
// line breaks other than LF are not, nor are characters outside the Basic
// Multilingual Plane (emoji come out as \U escapes), nor the byte-order
// mark.
func printable(r rune) bool {
	switch {
	case r == '\n', r >= 0x20 && r <= 0x7e, r >= 0xa0 && r <= 0xd7ff:
		return true
	case r >= 0xe000 && r <= 0xfffd:
		return r != 0xfeff
	}
	return false
}

// startIndicator reports characters that cannot begin a plain scalar.
func startIndicator(c byte) bool {
	switch c {
	case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return true
	}
	return false
}

// analyze fills s.facts from the text.
func (s *scalar) analyze() {
	if s.analyzed {
		return
	}
	s.analyzed = true
	t := s.text
	if t == "" {
		// Empty: plain only as a block value, never in a flow or as a
		// key (checked when the style is chosen).
		s.facts = facts{analyzed: true, ascii: true, plainInBlock: true, singleAllowed: true}
		return
	}
	var (
		flowInd, blockInd                          bool
		breaks, special, tabs                      bool
		leadSpace, leadBreak, tailSpace, tailBreak bool
		spaceAfterBreak, breakAfterSpace           bool
		lastSpace, lastBreak                       bool
		spaced                                     bool
		blankBefore                                = true
		ascii                                      = true
	)
	if len(t) >= 3 && (t[:3] == "---" || t[:3] == "...") {
		flowInd, blockInd = true, true
	}
	for i := 0; i < len(t); {
		r, w := rune(t[i]), 1
		if r >= utf8.RuneSelf {
			r, w = utf8.DecodeRuneInString(t[i:])
			ascii = false
		}
		next := i + w
		blankAfter := next >= len(t) || t[next] == ' ' || t[next] == '\t'
		c := t[i]
		if i == 0 {
			switch {
			case startIndicator(c):
				flowInd, blockInd = true, true
			case c == '?' || c == ':':
				flowInd = true
				blockInd = blockInd || blankAfter
			case c == '-' && blankAfter:
				flowInd, blockInd = true, true
			}
		} else {
			switch c {
			case ',', '?', '[', ']', '{', '}':
				flowInd = true
			case ':':
				flowInd = true
				blockInd = blockInd || blankAfter
			case '#':
				if blankBefore {
					flowInd, blockInd = true, true
				}
			}
		}
		if c == '\t' {
			tabs = true
		} else if !printable(r) {
			special = true
		}
		switch {
		case c == ' ':
			spaced = true
			leadSpace = leadSpace || i == 0
			tailSpace = next == len(t)
			spaceAfterBreak = spaceAfterBreak || lastBreak
			lastSpace, lastBreak = true, false
		case isBreak(r):
			breaks = true
			leadBreak = leadBreak || i == 0
			tailBreak = next == len(t)
			breakAfterSpace = breakAfterSpace || lastSpace
			lastSpace, lastBreak = false, true
		default:
			lastSpace, lastBreak = false, false
		}
		blankBefore = c == ' ' || c == '\t' || c == 0 || isBreak(r)
		i = next
	}
	f := facts{analyzed: true, multiline: breaks, ascii: ascii, spaced: spaced, plainInFlow: true, plainInBlock: true, singleAllowed: true, blockAllowed: true}
	if leadSpace || leadBreak || tailSpace || tailBreak || breaks {
		f.plainInFlow, f.plainInBlock = false, false
	}
	if spaceAfterBreak || breakAfterSpace || tabs || special {
		f.plainInFlow, f.plainInBlock, f.singleAllowed = false, false, false
	}
	if special {
		f.blockAllowed = false
	}
	if flowInd {
		f.plainInFlow = false
	}
	if blockInd {
		f.plainInBlock = false
	}
	s.facts = f
}

// choose settles the style in the current context: a key on the line of
// its value cannot span lines nor be empty and plain, a flow collection
// cannot hold a | block, and a text that the chosen style cannot carry
// falls back to single, then double quotes.
func (l *layout) choose(s *scalar, simpleKey bool) style {
	if s.safe {
		return plain
	}
	s.analyze()
	st := s.want
	inFlow := l.flowDepth > 0
	if simpleKey && s.multiline {
		st = double
	}
	if st == plain {
		if inFlow && !s.plainInFlow || !inFlow && !s.plainInBlock || s.text == "" && (inFlow || simpleKey) {
			st = single
		}
	}
	if st == single && !s.singleAllowed {
		st = double
	}
	if st == literal && (!s.blockAllowed || inFlow || simpleKey) {
		st = double
	}
	return st
}

// scalar writes s where the layout stands: as a simple key, or as any
// other node (a value, a sequence item, a key after "? ").
func (l *layout) scalar(s *scalar, simpleKey bool) {
	st := l.choose(s, simpleKey)
	if s.tag != "" {
		if !l.afterSpace {
			l.buf = append(l.buf, ' ')
			l.col++
		}
		l.buf = append(l.buf, "!!"...)
		l.buf = append(l.buf, s.tag...)
		l.col += 2 + len(s.tag)
		l.afterSpace = false
		l.onlyIndent = false
	}
	l.enter(true)
	fold := !simpleKey
	switch st {
	case plain:
		l.writePlain(s, fold)
	case single:
		l.writeSingle(s.text, fold)
	case double:
		l.writeDouble(s.text, fold)
	case literal:
		l.writeLiteral(s.text)
	}
	l.leave()
}

// char appends the character at t[i:] and returns its width in bytes.
func (l *layout) char(t string, i int) int {
	if t[i] < utf8.RuneSelf {
		l.buf = append(l.buf, t[i])
		l.col++
		return 1
	}
	_, w := utf8.DecodeRuneInString(t[i:])
	l.buf = append(l.buf, t[i:i+w]...)
	l.col++
	return w
}

// lineBreak writes the break at t[i:]: LF ends the line, the other breaks
// are copied and the column restarts after them.
func (l *layout) lineBreak(t string, i int) int {
	if t[i] == '\n' {
		l.newline()
		return 1
	}
	w := l.char(t, i)
	l.col = 0
	l.onlyIndent = true
	return w
}

// breakAt reports the line break starting at t[i], if any, and its width.
func breakAt(t string, i int) (bool, int) {
	switch c := t[i]; {
	case c == '\n' || c == '\r':
		return true, 1
	case c < utf8.RuneSelf:
		return false, 1
	}
	r, w := utf8.DecodeRuneInString(t[i:])
	return isBreak(r), w
}

// canFold says whether the space at t[i] may become a line break: the line
// is past the width, the space is not part of a run and, for quoted styles
// (inner), is neither the first nor the last character.
func (l *layout) canFold(t string, i int, prevSpace, inner bool) bool {
	if prevSpace || l.col <= lineWidth {
		return false
	}
	if inner && (i == 0 || i >= len(t)-1) {
		return false
	}
	return i+1 < len(t) && t[i+1] != ' '
}

// space writes the space at t[i], or a line break there when folding.
func (l *layout) space(t string, i int, folding bool) {
	if folding {
		l.toIndent()
		return
	}
	l.buf = append(l.buf, ' ')
	l.col++
}

// writePlain writes a plain scalar, folding it at a single space once the
// line is past the width (fold is false for simple keys).
func (l *layout) writePlain(s *scalar, fold bool) {
	t := s.text
	if t != "" && !l.afterSpace {
		l.buf = append(l.buf, ' ')
		l.col++
	}
	if s.safe || !s.spaced {
		l.appendRun(t, s.safe || s.ascii)
	} else {
		prevSpace := false
		for i := 0; i < len(t); {
			if t[i] == ' ' {
				l.space(t, i, fold && l.canFold(t, i, prevSpace, false))
				prevSpace = true
				i++
				continue
			}
			// Up to the next space: a plain scalar holds no line
			// break (analyze rules them out).
			j := i + 1
			for j < len(t) && t[j] != ' ' {
				j++
			}
			l.appendRun(t[i:j], s.ascii)
			prevSpace = false
			i = j
		}
	}
	if t != "" {
		l.afterSpace = false
	}
	l.onlyIndent = false
}

// appendRun appends text that holds no line break.
func (l *layout) appendRun(t string, ascii bool) {
	l.buf = append(l.buf, t...)
	if ascii {
		l.col += len(t)
	} else {
		l.col += utf8.RuneCountInString(t)
	}
	if t != "" {
		l.onlyIndent = false
	}
}

// writeSingle writes a single-quoted scalar. Only LS and PS can be line
// breaks here (any other break forces double quotes or a block): they are
// copied, and the next character goes to the indentation.
func (l *layout) writeSingle(t string, fold bool) {
	l.indicator("'", true, false, false)
	prevSpace, prevBreak := false, false
	for i := 0; i < len(t); {
		if t[i] == ' ' {
			l.space(t, i, fold && l.canFold(t, i, prevSpace, true))
			prevSpace = true
			i++
			continue
		}
		if brk, _ := breakAt(t, i); brk {
			if !prevBreak && t[i] == '\n' {
				l.newline()
			}
			i += l.lineBreak(t, i)
			prevBreak = true
			continue
		}
		if prevBreak {
			l.toIndent()
		}
		if t[i] == '\'' {
			l.buf = append(l.buf, '\'')
			l.col++
		}
		i += l.char(t, i)
		l.onlyIndent = false
		prevSpace, prevBreak = false, false
	}
	l.indicator("'", false, false, false)
	l.afterSpace = false
	l.onlyIndent = false
}

// escapes are the short escapes of double-quoted YAML.
var escapes = map[rune]byte{
	0x00: '0', 0x07: 'a', 0x08: 'b', 0x09: 't', 0x0a: 'n', 0x0b: 'v', 0x0c: 'f', 0x0d: 'r',
	0x1b: 'e', '"': '"', '\\': '\\', 0x85: 'N', 0xa0: '_', 0x2028: 'L', 0x2029: 'P',
}

const hexDigits = "0123456789ABCDEF"

// escape appends the escape sequence of r.
func (l *layout) escape(r rune) {
	start := len(l.buf)
	if c, ok := escapes[r]; ok {
		l.buf = append(l.buf, '\\', c)
	} else {
		digits := 8
		switch {
		case r <= 0xff:
			l.buf = append(l.buf, '\\', 'x')
			digits = 2
		case r <= 0xffff:
			l.buf = append(l.buf, '\\', 'u')
			digits = 4
		default:
			l.buf = append(l.buf, '\\', 'U')
		}
		for shift := (digits - 1) * 4; shift >= 0; shift -= 4 {
			l.buf = append(l.buf, hexDigits[(r>>shift)&0xf])
		}
	}
	l.col += len(l.buf) - start
}

// writeDouble writes a double-quoted scalar. A text that starts with a
// byte-order mark has every character escaped, as the library does.
func (l *layout) writeDouble(t string, fold bool) {
	l.indicator(`"`, true, false, false)
	escapeAll := len(t) >= 3 && t[:3] == "\uFEFF"
	prevSpace := false
	for i := 0; i < len(t); {
		r, w := rune(t[i]), 1
		if r >= utf8.RuneSelf {
			r, w = utf8.DecodeRuneInString(t[i:])
		}
		switch {
		case escapeAll || !printable(r) || isBreak(r) || r == '"' || r == '\\':
			l.escape(r)
			prevSpace = false
		case r == ' ':
			if fold && !prevSpace && l.col > lineWidth && i > 0 && i < len(t)-1 {
				l.toIndent()
				if t[i+1] == ' ' {
					// The continuation line would lose a
					// leading space: escape it.
					l.buf = append(l.buf, '\\')
					l.col++
				}
			} else {
				l.buf = append(l.buf, ' ')
				l.col++
			}
			prevSpace = true
		default:
			l.buf = append(l.buf, t[i:i+w]...)
			l.col++
			prevSpace = false
		}
		i += w
	}
	l.indicator(`"`, false, false, false)
	l.afterSpace = false
	l.onlyIndent = false
}

// blockHeader writes the indentation and chomping indicators of a block
// scalar: an explicit indentation when the first line with content starts
// with a space or tab, "-" when the text has no final break, "+" when it has
// more than one.
func (l *layout) blockHeader(t string) {
	i := 0
	for i < len(t) {
		brk, w := breakAt(t, i)
		if !brk {
			break
		}
		i += w
	}
	if i < len(t) && (t[i] == ' ' || t[i] == '\t') {
		parent := l.parentIndent()
		n := min(max(l.indent-parent, 1), 9)
		l.indent = parent + n
		l.indicator(string(rune('0'+n)), false, false, false)
	}
	last, lw := utf8.DecodeLastRuneInString(t)
	switch {
	case !isBreak(last):
		l.indicator("-", false, false, false)
	case lw == len(t):
		l.indicator("+", false, false, false)
	default:
		if before, _ := utf8.DecodeLastRuneInString(t[:len(t)-lw]); isBreak(before) {
			l.indicator("+", false, false, false)
		}
	}
}

// writeLiteral writes a | block scalar, one output line per line of text.
func (l *layout) writeLiteral(t string) {
	l.indicator("|", true, false, false)
	l.blockHeader(t)
	l.newline()
	l.afterSpace = true
	lineStart := true
	for i := 0; i < len(t); {
		if brk, _ := breakAt(t, i); brk {
			i += l.lineBreak(t, i)
			lineStart = true
			continue
		}
		if lineStart {
			l.toIndent()
		}
		i += l.char(t, i)
		l.onlyIndent = false
		lineStart = false
	}
}
