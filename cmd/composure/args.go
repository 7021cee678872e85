package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// interspersed moves a subcommand's flags before its positional arguments,
// so `composure config prod --format json` works as users expect (urfave/cli
// v2 stops reading flags at the first argument). The project flags need no
// moving: every project command defines them too (withProjectFlags). Flags
// that take a value keep it; everything after "--" stays as it is; commands
// with subcommands are left alone.
func interspersed(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	if last := args[len(args)-1]; last == "--generate-bash-completion" {
		// urfave/cli only sees the completion request as the last word.
		return append(interspersed(app, args[:len(args)-1]), last)
	}
	out := []string{args[0]}
	i := 1
	global := valueFlags(app.Flags)
	for i < len(args) && isFlag(args[i]) {
		out = append(out, args[i])
		i++
		if takesValue(global, args[i-1]) && i < len(args) {
			out = append(out, args[i])
			i++
		}
	}
	if i >= len(args) {
		return args
	}
	var cmd *cli.Command
	for _, c := range app.Commands {
		if c.HasName(args[i]) {
			cmd = c
		}
	}
	if cmd == nil || len(cmd.Subcommands) > 0 {
		return args
	}
	name := args[i]
	i++
	local := valueFlags(cmd.Flags)
	var flags, pos []string
	for i < len(args) {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i:]...)
			break
		}
		i++
		if !isFlag(a) {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		if takesValue(local, a) && i < len(args) {
			flags = append(flags, args[i])
			i++
		}
	}
	out = append(out, name)
	return append(append(out, flags...), pos...)
}

// flagName is the name in "-C", "--file", "--format=json".
func flagName(a string) string {
	n, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
	return n
}

func isFlag(a string) bool { return strings.HasPrefix(a, "-") && a != "-" && a != "--" }

// valueFlags names the flags that take a value (all but booleans).
func valueFlags(fs []cli.Flag) map[string]bool {
	m := map[string]bool{}
	for _, f := range fs {
		if _, ok := f.(*cli.BoolFlag); ok {
			continue
		}
		for _, n := range f.Names() {
			m[n] = true
		}
	}
	return m
}

func takesValue(vf map[string]bool, a string) bool {
	if strings.Contains(a, "=") {
		return false
	}
	return vf[flagName(a)]
}
