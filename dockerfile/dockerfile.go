// Package dockerfile turns a Dockerfile into a model with positions: stages,
// instructions (continuation lines joined, heredoc bodies attached), the
// escape directive, and the base image of each stage with global ARG
// defaults substituted. It parses with BuildKit's own parser
// (github.com/moby/buildkit/frontend/dockerfile/parser and .../instructions),
// so it accepts exactly what `docker build` accepts, and adds what that
// parser drops: the column of every argument, through Text.
package dockerfile

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/composure-dev/composure/diag"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// File is one parsed Dockerfile.
type File struct {
	// Name is the file name shown to users.
	Name string
	// Src is the text, as read.
	Src []byte
	// Escape is the escape and line-continuation character (`\` or a
	// backtick set by `# escape=`).
	Escape rune
	// Args are the ARG instructions before the first FROM (global ARGs,
	// usable in FROM lines).
	Args []*Instruction
	// Stages in order.
	Stages []*Stage
	// Instructions is every instruction in order, global ARGs included.
	Instructions []*Instruction

	lines *diag.Lines
}

// Stage is one FROM and the instructions after it.
type Stage struct {
	Index int
	// Name is the `AS name` (lower case), "" when unnamed.
	Name string
	From *Instruction
	// Base is the image or stage reference as written (`python:${V}-slim`).
	Base string
	// Image is Base with the global ARG defaults substituted; Resolved is
	// false when a variable has no default.
	Image    string
	Resolved bool
	// Parent is the earlier stage Image names, nil for an image.
	Parent *Stage
	// Instructions after FROM, in order.
	Instructions []*Instruction
}

// Instruction is one instruction: its physical lines joined as BuildKit
// joins them.
type Instruction struct {
	// Keyword is the instruction as written (`RUN`, `run`); Cmd is its lower
	// case form.
	Keyword string
	Cmd     string
	// Flags are the `--flag=value` words after the keyword.
	Flags []string
	// Start is the keyword's position; End is past the last character of
	// the last physical line (heredoc bodies excluded).
	Start, End diag.Pos
	// LastLine is the last line of the instruction, heredoc bodies and
	// terminators included.
	LastLine int
	// Args is the text after the keyword and flags, continuation lines
	// joined, with a map back to the source.
	Args Text
	// JSON is true for the exec form (`["cmd", "arg"]`).
	JSON bool
	// Heredocs are the here-documents of RUN, COPY and ADD.
	Heredocs []Heredoc
	// Stage is the stage the instruction belongs to; nil for global ARGs
	// (and for FROM, which starts its stage: see Stage.From).
	Stage *Stage
	// Command is BuildKit's typed form (*instructions.RunCommand, ...).
	Command any
	// StartOff and EndOff are the byte range of the instruction's lines in
	// Src (from the keyword to the end of its last physical line).
	StartOff, EndOff int

	scripts []Script // Scripts, parsed once
}

// Heredoc is one here-document body.
type Heredoc struct {
	Name   string
	Expand bool
	Body   Text
}

// Error is a Dockerfile the builder would reject.
type Error struct {
	File string
	Pos  diag.Pos
	Msg  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Pos.Line, e.Pos.Col, e.Msg)
}

// Parse parses src, named name in messages. A Dockerfile BuildKit rejects
// returns an *Error with the line it names.
func Parse(name string, src []byte) (*File, error) {
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return nil, toError(name, err)
	}
	f := &File{Name: name, Src: src, Escape: res.EscapeToken, lines: diag.NewLines(src, diag.LF)}
	var cur *Stage
	var lex *shell.Lex
	for _, n := range res.AST.Children {
		ins := f.instruction(n)
		cmd, err := instructions.ParseInstruction(n)
		if err != nil {
			return nil, &Error{File: name, Pos: ins.Start, Msg: strings.TrimSpace(unwrapMsg(err))}
		}
		ins.Command = cmd
		f.Instructions = append(f.Instructions, ins)
		if st, ok := cmd.(*instructions.Stage); ok {
			s := &Stage{Index: len(f.Stages), Name: strings.ToLower(st.Name), From: ins, Base: st.BaseName}
			if lex == nil {
				lex = shell.NewLex(f.Escape)
			}
			s.Image, s.Resolved = f.resolve(lex, st.BaseName)
			for _, prev := range f.Stages {
				if prev.Name != "" && strings.EqualFold(prev.Name, s.Image) {
					s.Parent = prev
				}
			}
			f.Stages = append(f.Stages, s)
			cur = s
			continue
		}
		if cur == nil {
			if _, ok := cmd.(*instructions.ArgCommand); ok {
				f.Args = append(f.Args, ins)
				continue
			}
			return nil, &Error{File: name, Pos: ins.Start, Msg: fmt.Sprintf("%s before the first FROM: a Dockerfile must start with FROM (only ARG may come first)", ins.Keyword)}
		}
		ins.Stage = cur
		cur.Instructions = append(cur.Instructions, ins)
	}
	if len(f.Stages) == 0 {
		return nil, &Error{File: name, Pos: diag.Pos{Line: 1, Col: 1}, Msg: "no FROM instruction: a Dockerfile must have at least one stage"}
	}
	return f, nil
}

func unwrapMsg(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}

func toError(name string, err error) error {
	e := &Error{File: name, Pos: diag.Pos{Line: 1, Col: 1}, Msg: unwrapMsg(err)}
	var le *parser.LocationError
	if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
		if l := le.Locations[0][0].Start.Line; l > 0 {
			e.Pos.Line = l
		}
	}
	return e
}

// resolve substitutes the global ARG defaults in a FROM reference, as
// BuildKit does before the build args are known.
func (f *File) resolve(lex *shell.Lex, base string) (string, bool) {
	if !strings.Contains(base, "$") {
		return base, true
	}
	// Each default is a word the builder expands with the arguments
	// before it, as it expands FROM: quotes go (ARG V="3" is 3) and
	// references resolve (ARG IMAGE=rust:${RUST_VERSION}).
	var env []string
	for _, a := range f.Args {
		c := a.Command.(*instructions.ArgCommand)
		for _, kv := range c.Args {
			if kv.Value == nil {
				continue
			}
			v, err := lex.ProcessWordWithMatches(*kv.Value, shell.EnvsFromSlice(env))
			if err != nil {
				return base, false
			}
			env = append(env, kv.Key+"="+v.Result)
		}
	}
	res, err := lex.ProcessWordWithMatches(base, shell.EnvsFromSlice(env))
	if err != nil {
		return base, false
	}
	return res.Result, len(res.Unmatched) == 0
}

// Final returns the last stage: what `docker build` produces without --target.
func (f *File) Final() *Stage { return f.Stages[len(f.Stages)-1] }

// Stage returns the stage named name (case-insensitive), or nil.
func (f *File) Stage(name string) *Stage {
	for _, s := range f.Stages {
		if s.Name != "" && strings.EqualFold(s.Name, name) {
			return s
		}
	}
	return nil
}

// Shipped reports whether s ends up in the image built for target (the
// final stage when target is ""): target itself and the stages it is built
// FROM. Layers of the other stages never reach the image.
func (f *File) Shipped(s *Stage, target string) bool {
	t := f.Final()
	if target != "" {
		if ts := f.Stage(target); ts != nil {
			t = ts
		}
	}
	for ; t != nil; t = t.Parent {
		if t == s {
			return true
		}
	}
	return false
}

// Healthcheck returns the HEALTHCHECK instruction in effect for the image
// built for target (the final stage when ""): the last one of the stage or
// of the stages it is built from, or nil. A `HEALTHCHECK NONE` is returned
// too: check Disabled.
func (f *File) Healthcheck(target string) *Instruction {
	t := f.Final()
	if target != "" {
		if ts := f.Stage(target); ts != nil {
			t = ts
		}
	}
	for ; t != nil; t = t.Parent {
		for i := len(t.Instructions) - 1; i >= 0; i-- {
			if t.Instructions[i].Cmd == "healthcheck" {
				return t.Instructions[i]
			}
		}
	}
	return nil
}

// Disabled reports whether a HEALTHCHECK instruction is `HEALTHCHECK NONE`.
func (ins *Instruction) Disabled() bool {
	hc, ok := ins.Command.(*instructions.HealthCheckCommand)
	return ok && hc.Health != nil && len(hc.Health.Test) > 0 && hc.Health.Test[0] == "NONE"
}

// LineText returns line n without its line break, and without the
// carriage returns before it: BuildKit's parser trims them all
// (parser.trimNewline), not only the one of a CRLF.
func (f *File) LineText(n int) string { return strings.TrimRight(f.lines.Text(n), "\r") }

// Lines returns the number of lines.
func (f *File) Lines() int { return f.lines.Len() }

// Offset returns the byte offset of p (Col counts characters).
func (f *File) Offset(p diag.Pos) int { return f.lines.Offset(p) }

// PosAt returns the position of byte offset off.
func (f *File) PosAt(off int) diag.Pos { return f.lines.Pos(off) }

// trimContinuation is BuildKit's line-continuation test without its
// regular expression (parser.setEscapeToken: `([^\\])\\[ \t]*$|^\\[ \t]*$`): a
// line ending in the escape character (then blanks) continues, unless the
// escape character is itself escaped. It returns the line without it.
func trimContinuation(line string, esc rune) (string, bool) {
	t := strings.TrimRight(line, " \t")
	e := string(esc)
	if !strings.HasSuffix(t, e) {
		return line, false
	}
	rest := t[:len(t)-len(e)]
	if rest == "" {
		return "", true
	}
	if strings.HasSuffix(rest, e) {
		return line, false
	}
	return rest, true
}

// instruction rebuilds the logical line of node n from the source, as
// BuildKit's parser.Parse joins it, keeping a map from each character back
// to its line and column.
func (f *File) instruction(n *parser.Node) *Instruction {
	ins := &Instruction{Keyword: n.Value, Cmd: strings.ToLower(n.Value), Flags: n.Flags, LastLine: n.EndLine, JSON: n.Attributes["json"]}
	var tb textBuilder
	line := n.StartLine
	first := true
	last := line
	for ; line <= f.lines.Len(); line++ {
		raw := f.LineText(line)
		if !first {
			trimmed := strings.TrimLeftFunc(raw, unicode.IsSpace)
			if strings.HasPrefix(trimmed, "#") || trimmed == "" {
				continue
			}
		}
		col := 1
		text := raw
		if first {
			if line == 1 {
				// BuildKit drops a byte-order mark; it still counts as
				// a character of the line.
				if t, ok := strings.CutPrefix(raw, "\ufeff"); ok {
					raw, col = t, 2
				}
			}
			text = strings.TrimLeftFunc(raw, unicode.IsSpace)
			col += utf8.RuneCountInString(raw[:len(raw)-len(text)])
			ins.Start = diag.Pos{Line: line, Col: col}
			ins.StartOff = f.lines.Start(line) + len(f.LineText(line)) - len(text)
		}
		last = line
		text, joined := trimContinuation(text, f.Escape)
		tb.add(text, diag.Pos{Line: line, Col: col})
		first = false
		if !joined {
			break
		}
	}
	lastText := f.LineText(last)
	ins.End = diag.Pos{Line: last, Col: utf8.RuneCountInString(lastText) + 1}
	ins.EndOff = f.lines.Start(last) + len(lastText)
	t := tb.text()
	// Cut the keyword and the flags.
	off := len(n.Value)
	s := t.S
	skipSpace := func() {
		for off < len(s) && (s[off] == ' ' || s[off] == '\t') {
			off++
		}
	}
	skipSpace()
	for range n.Flags {
		for off < len(s) && s[off] != ' ' && s[off] != '\t' {
			if s[off] == '"' || s[off] == '\'' {
				if j := strings.IndexByte(s[off+1:], s[off]); j >= 0 {
					off += j + 1
				}
			}
			off++
		}
		skipSpace()
	}
	ins.Args = t.Slice(off, len(strings.TrimRight(s, " \t")))
	// Heredoc bodies follow the last physical line, each ended by its
	// terminator line.
	hl := last + 1
	for _, h := range n.Heredocs {
		var b textBuilder
		for ; hl <= f.lines.Len(); hl++ {
			raw := f.LineText(hl)
			term := raw
			if h.Chomp {
				term = strings.TrimLeft(term, "\t")
			}
			if term == h.Name {
				hl++
				break
			}
			b.add(raw+"\n", diag.Pos{Line: hl, Col: 1})
		}
		ins.Heredocs = append(ins.Heredocs, Heredoc{Name: h.Name, Expand: h.Expand, Body: b.text()})
	}
	return ins
}

// Text is a string assembled from pieces of a file, with the position each
// piece started at, so an offset in the string maps back to a line and
// column.
type Text struct {
	S     string
	marks []mark
}

type mark struct {
	off int
	pos diag.Pos
}

// textBuilder assembles a Text piece by piece in linear time.
type textBuilder struct {
	b     strings.Builder
	marks []mark
}

func (tb *textBuilder) add(s string, at diag.Pos) {
	tb.marks = append(tb.marks, mark{off: tb.b.Len(), pos: at})
	tb.b.WriteString(s)
}

func (tb *textBuilder) text() Text { return Text{S: tb.b.String(), marks: tb.marks} }

// Pos returns the source position of byte offset off of t.S.
func (t Text) Pos(off int) diag.Pos {
	if len(t.marks) == 0 {
		return diag.Pos{}
	}
	// the last mark at or before off
	i := sort.Search(len(t.marks), func(i int) bool { return t.marks[i].off > off }) - 1
	m := t.marks[max(i, 0)]
	if off > len(t.S) {
		off = len(t.S)
	}
	if off < m.off {
		return m.pos
	}
	return diag.Pos{Line: m.pos.Line, Col: m.pos.Col + utf8.RuneCountInString(t.S[m.off:off])}
}

// Slice returns t.S[i:j] with its positions.
func (t Text) Slice(i, j int) Text {
	if i > j {
		i = j
	}
	out := Text{S: t.S[i:j]}
	for k, m := range t.marks {
		next := len(t.S)
		if k+1 < len(t.marks) {
			next = t.marks[k+1].off
		}
		if next <= i || m.off >= j {
			if !(m.off == i && i == j) {
				continue
			}
		}
		start := max(m.off, i)
		p := m.pos
		p.Col += utf8.RuneCountInString(t.S[m.off:start])
		out.marks = append(out.marks, mark{off: start - i, pos: p})
	}
	if len(out.marks) == 0 && len(t.marks) > 0 {
		out.marks = []mark{{off: 0, pos: t.Pos(i)}}
	}
	return out
}

// ReadsContext reports whether building f reads files of its build
// context: a COPY without --from, an ADD of a local source, or a RUN with
// a bind mount of the context (type=bind, the default, without from=).
// A Dockerfile that does none of these (a devcontainer's single FROM)
// sends nothing to the builder: BuildKit transfers only what instructions
// name.
func (f *File) ReadsContext() bool {
	for _, ins := range f.Instructions {
		switch c := ins.Command.(type) {
		case *instructions.CopyCommand:
			if c.From == "" {
				return true
			}
		case *instructions.AddCommand:
			for _, s := range c.SourcePaths {
				if !strings.Contains(s, "://") && !strings.HasPrefix(s, "git@") {
					return true
				}
			}
		case *instructions.RunCommand:
			for _, m := range ins.Mounts() {
				if m.Type == "bind" && m.From == "" {
					return true
				}
			}
		}
	}
	return false
}

// Expand expands word as the builder expands the words of ENV, WORKDIR,
// COPY and ADD: quotes removed, $VAR and ${VAR} replaced from env (NAME
// value pairs). A word that does not expand is returned as written.
func (f *File) Expand(word string, env map[string]string) string {
	if !strings.ContainsAny(word, "$\"'\\`") {
		return word
	}
	kv := make([]string, 0, len(env))
	for k, v := range env {
		kv = append(kv, k+"="+v)
	}
	res, err := shell.NewLex(f.Escape).ProcessWordWithMatches(word, shell.EnvsFromSlice(kv))
	if err != nil {
		return word
	}
	return res.Result
}

// SetEnv records in env the variables ins sets when it is an ENV, each
// value expanded with the variables before it, as the builder expands
// them; other instructions change nothing.
func (f *File) SetEnv(env map[string]string, ins *Instruction) {
	if c, ok := ins.Command.(*instructions.EnvCommand); ok {
		for _, kv := range c.Env {
			env[kv.Key] = f.Expand(kv.Value, env)
		}
	}
}

// Built reports whether building target (the final stage when "") builds
// stage s: BuildKit builds the target, the stages it is built FROM, and
// the stages their COPY --from and RUN --mount from= name, no other.
func (f *File) Built(s *Stage, target string) bool {
	t := f.Final()
	if target != "" {
		if ts := f.Stage(target); ts != nil {
			t = ts
		}
	}
	seen := map[*Stage]bool{}
	// a reference made of build arguments (lemmy's FROM
	// runner-${TARGETOS}-${TARGETARCH}) may name any stage
	dynamic := false
	var visit func(st *Stage) bool
	visit = func(st *Stage) bool {
		if st == nil || seen[st] {
			return false
		}
		seen[st] = true
		if st == s {
			return true
		}
		if st.Parent == nil && !st.Resolved {
			dynamic = true
		}
		if visit(st.Parent) {
			return true
		}
		for _, ins := range st.Instructions {
			for _, ref := range stageRefs(ins) {
				dynamic = dynamic || strings.Contains(ref, "$")
				if visit(f.stageRef(ref)) {
					return true
				}
			}
		}
		return false
	}
	return visit(t) || dynamic
}

// stageRefs returns the stages or images an instruction reads from: COPY
// --from's, and the from= of RUN mounts.
func stageRefs(ins *Instruction) []string {
	var out []string
	if c, ok := ins.Command.(*instructions.CopyCommand); ok && c.From != "" {
		out = append(out, c.From)
	}
	for _, m := range ins.Mounts() {
		if m.From != "" {
			out = append(out, m.From)
		}
	}
	return out
}

// stageRef returns the stage ref names (`AS` name, case-insensitive, or
// index), nil for an image.
func (f *File) stageRef(ref string) *Stage {
	if st := f.Stage(ref); st != nil {
		return st
	}
	if i, err := strconv.Atoi(ref); err == nil && i >= 0 && i < len(f.Stages) {
		return f.Stages[i]
	}
	return nil
}
