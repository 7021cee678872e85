package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/composure-dev/composure/lint"
)

// commandLine is a command line as composure reads it before urfave/cli
// parses the flags' values. urfave/cli v2 (Go's flag package underneath)
// stops at the first argument, knows no `-j1` or `-Cdir`, names an unknown
// `--bogus` as `-bogus` and prints the whole help for it; readCommandLine
// does what docker compose users expect instead, and hands urfave/cli a line
// it reads the same way: the flags before the command, the command, its
// flags, then "--" and the arguments.
type commandLine struct {
	appFlags []string     // the words of the flags before the command
	cmd      *cli.Command // nil: no command named
	name     string       // the command as written (an alias too)
	flags    []string     // the words of the command's flags, wherever they were
	args     []string     // the arguments, "--" dropped
	help     bool         // --help or -h, or `composure CMD help`
	dashdash bool         // the line holds "--": what follows is arguments only

	// pending is the flag the line ends with when it still waits for its
	// value (`lint --format`): what completion completes.
	pending cli.Flag
}

// usageError is a command line composure cannot read: exit 2, one line.
type usageError struct {
	cmd string // the command, "" for the flags before it
	msg string
}

func (e *usageError) Error() string {
	prog := "composure"
	if e.cmd != "" {
		prog += " " + e.cmd
	}
	return prog + ": " + e.msg
}

// helpFlag is --help, -h: every command has it, and readCommandLine answers
// it before urfave/cli runs (whose own help flag would print its help).
var helpFlag = &cli.BoolFlag{Name: "help", Aliases: []string{"h"}, Usage: "show this help"}

// readCommandLine reads args (without the program name). In tolerant mode,
// for completion, it reads what it can of an unfinished line and reports no
// error.
func readCommandLine(app *cli.App, args []string, tolerant bool) (commandLine, error) {
	var cl commandLine
	r := lineReader{words: args, tolerant: tolerant}
	appFlags := append([]cli.Flag{helpFlag}, app.Flags...)
	for r.more() && isFlag(r.peek()) {
		if err := r.flag(appFlags, &cl, &cl.appFlags, ""); err != nil {
			return cl, err
		}
	}
	if !r.more() {
		return cl, nil
	}
	cl.name = r.next()
	for _, c := range app.Commands {
		if c.HasName(cl.name) {
			cl.cmd = c
		}
	}
	if cl.cmd == nil {
		if tolerant {
			return cl, nil
		}
		return cl, unknownCommand(app, cl.name)
	}
	cmdFlags := append([]cli.Flag{helpFlag}, cl.cmd.Flags...)
	before := 0 // arguments before "--"
	for r.more() {
		w := r.peek()
		switch {
		case w == "--":
			r.next()
			cl.dashdash = true
			cl.args = append(cl.args, r.rest()...)
		case isFlag(w):
			if err := r.flag(cmdFlags, &cl, &cl.flags, cl.cmd.Name); err != nil {
				return cl, err
			}
			continue
		default:
			cl.args = append(cl.args, r.next())
			before++
			continue
		}
		break
	}
	// `composure lint help` is lint's help, as `composure help lint` is;
	// an environment named help is `composure lint -- help`.
	if before == 1 && len(cl.args) == 1 && cl.args[0] == "help" {
		cl.help, cl.args = true, nil
	}
	return cl, nil
}

// words is the line urfave/cli reads: the program, the flags before the
// command, the command, its flags, then "--" and the arguments (so that an
// argument may start with '-').
func (cl commandLine) words(prog string) []string {
	out := append([]string{prog}, cl.appFlags...)
	if cl.cmd == nil {
		return out
	}
	out = append(append(out, cl.name), cl.flags...)
	if len(cl.args) > 0 {
		out = append(append(out, "--"), cl.args...)
	}
	return out
}

// lineReader walks the words of a command line.
type lineReader struct {
	words    []string
	i        int
	tolerant bool
}

func (r *lineReader) more() bool     { return r.i < len(r.words) }
func (r *lineReader) peek() string   { return r.words[r.i] }
func (r *lineReader) next() string   { r.i++; return r.words[r.i-1] }
func (r *lineReader) rest() []string { w := r.words[r.i:]; r.i = len(r.words); return w }
func isFlag(w string) bool           { return strings.HasPrefix(w, "-") && w != "-" && w != "--" }
func takesValue(f cli.Flag) bool {
	v, ok := f.(interface{ TakesValue() bool })
	return ok && v.TakesValue()
}
func lookupFlag(fs []cli.Flag, name string) cli.Flag {
	for _, f := range fs {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

// flag reads the flag word at the reader (and its value) into out. A
// single dash followed by several letters is a group of one-letter flags,
// the last of which may take the rest as its value (`-j1`, `-Cdir`, `-wq`),
// as docker compose reads them; `-name` for a long flag is accepted too, as
// Go programs accept it.
func (r *lineReader) flag(fs []cli.Flag, cl *commandLine, out *[]string, cmd string) error {
	w := r.next()
	if strings.HasPrefix(w, "--") {
		name, _, hasValue := strings.Cut(w[2:], "=")
		return r.named(fs, cl, out, cmd, w, name, hasValue)
	}
	body := w[1:]
	if name, _, hasValue := strings.Cut(body, "="); len(name) > 1 && lookupFlag(fs, name) != nil {
		return r.named(fs, cl, out, cmd, w, name, hasValue)
	}
	for j := 0; j < len(body); j++ {
		letter := body[j : j+1]
		f := lookupFlag(fs, letter)
		if f == nil {
			if r.tolerant {
				return nil
			}
			if len(body) == 1 {
				return unknownFlag(fs, cmd, w)
			}
			return &usageError{cmd, fmt.Sprintf("unknown flag -%s in %s: %s", letter, w, helpHint(cmd))}
		}
		if f == helpFlag {
			cl.help = true
			continue
		}
		if !takesValue(f) {
			*out = append(*out, "-"+letter)
			continue
		}
		value := strings.TrimPrefix(body[j+1:], "=")
		if value != "" {
			*out = append(*out, "-"+letter, value)
			return nil
		}
		return r.value(f, cl, out, cmd, "-"+letter)
	}
	return nil
}

// named reads --name[=value] (or -name[=value]).
func (r *lineReader) named(fs []cli.Flag, cl *commandLine, out *[]string, cmd, w, name string, hasValue bool) error {
	f := lookupFlag(fs, name)
	switch {
	case f == nil && r.tolerant:
		return nil
	case f == nil:
		return unknownFlag(fs, cmd, w)
	case f == helpFlag:
		cl.help = true
		return nil
	case hasValue || !takesValue(f):
		*out = append(*out, w)
		return nil
	}
	return r.value(f, cl, out, cmd, w)
}

// value reads the value of flag f, written w, from the next word.
func (r *lineReader) value(f cli.Flag, cl *commandLine, out *[]string, cmd, w string) error {
	if !r.more() {
		if r.tolerant {
			cl.pending = f
			return nil
		}
		return &usageError{cmd, fmt.Sprintf("%s needs a value: %s %s %s", w, w, placeholder(f), helpHint(cmd))}
	}
	*out = append(*out, w, r.next())
	return nil
}

// unknownFlag says that flag w (as written) is not one of fs, naming the
// nearest if there is one.
func unknownFlag(fs []cli.Flag, cmd, w string) error {
	name, _, _ := strings.Cut(strings.TrimLeft(w, "-"), "=")
	var names []string
	for _, f := range fs {
		if !isHidden(f) {
			names = append(names, f.Names()...)
		}
	}
	msg := "unknown flag " + strings.SplitN(w, "=", 2)[0]
	// Among one-letter flags every letter is near another: no guess.
	if near, ok := lint.Nearest(name, names, len(name)/3); ok && len(name) > 2 {
		msg += ": did you mean " + dashed(near) + "?"
	}
	return &usageError{cmd, msg + " " + helpHint(cmd)}
}

// unknownCommand says that name is no command, naming the nearest.
func unknownCommand(app *cli.App, name string) error {
	if isFlag(name) || name == "--" {
		return &usageError{"", fmt.Sprintf("%q is not a command: %s", name, helpHint(""))}
	}
	var names []string
	for _, c := range app.Commands {
		if !c.Hidden {
			names = append(names, c.Name)
		}
	}
	msg := fmt.Sprintf("unknown command %q", name)
	if near, ok := lint.Nearest(name, names, max(1, len(name)/3)); ok {
		msg += fmt.Sprintf(": did you mean %q?", near)
	}
	return &usageError{"", msg + " " + helpHint("")}
}

// helpHint points at the help that lists what was misspelt.
func helpHint(cmd string) string {
	if cmd == "" {
		return "(`composure --help` lists the commands and flags)"
	}
	return "(`composure " + cmd + " --help` lists its flags)"
}

// dashed writes a flag name as it is typed: -C, --file.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

func isHidden(f cli.Flag) bool {
	v, ok := f.(interface{ IsVisible() bool })
	return ok && !v.IsVisible()
}
