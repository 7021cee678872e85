package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"
)

// composure prints its help itself, from the same cli.Command and cli.Flag
// values urfave/cli parses and shell completion reads: the one description
// of the command line. urfave/cli's own help shows "(default: false)" after
// every boolean, repeats defaults written in the usage and lists a help
// subcommand that does not work.

// docsURL is where the documentation the help points to lives.
const docsURL = "https://github.com/composure-dev/composure/blob/main/"

// helpCommand is `composure help [COMMAND]`.
func (a *app) helpCommand() *cli.Command {
	return &cli.Command{
		Name:      "help",
		Aliases:   []string{"h"},
		Usage:     "show the help of composure or of a command",
		ArgsUsage: "[COMMAND]",
		Action: func(c *cli.Context) error {
			switch c.NArg() {
			case 0:
				return a.printAppHelp(c.App)
			case 1:
				for _, cmd := range c.App.Commands {
					if cmd.HasName(c.Args().First()) {
						return a.printCommandHelp(cmd)
					}
				}
				return unknownCommand(c.App, c.Args().First())
			}
			return &usageError{"help", "give one command at most " + helpHint("")}
		},
	}
}

// printAppHelp prints composure's help: the commands, then the flags that
// go before them.
func (a *app) printAppHelp(app *cli.App) error {
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "composure: %s\n\n", app.Usage)
	fmt.Fprintf(w, "Usage: composure [FLAGS] COMMAND [ARGS...]\n\nCommands:\n")
	for _, c := range app.Commands {
		if !c.Hidden {
			fmt.Fprintf(w, "  %s\t%s\n", c.Name, c.Usage)
		}
	}
	fmt.Fprintf(w, "\nFlags (the project flags may follow the command too):\n")
	writeFlags(w, append(slices.Clone(app.Flags), helpFlag))
	fmt.Fprintf(w, "\nExit statuses, the same for every command:\n")
	for _, s := range exitStatuses {
		fmt.Fprintf(w, "  %d\t%s\n", s.code, strings.ReplaceAll(s.meaning, "`", ""))
	}
	fmt.Fprintf(w, "\nRun `composure COMMAND --help` for the flags of a command. Documentation: %sREADME.md\n", docsURL)
	return w.Flush()
}

// printCommandHelp prints the help of cmd: usage, description, its own
// flags, then the project flags it shares with the others.
func (a *app) printCommandHelp(cmd *cli.Command) error {
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "composure %s: %s\n\n", cmd.Name, cmd.Usage)
	own, project := splitProjectFlags(cmd)
	usage := "Usage: composure "
	if len(project) > 0 {
		usage += "[PROJECT FLAGS] "
	}
	usage += cmd.Name
	if len(own) > 0 {
		usage += " [FLAGS]"
	}
	if args := strings.TrimSpace(cmd.ArgsUsage); args != "" {
		usage += " " + args
	}
	fmt.Fprintln(w, usage)
	if len(cmd.Aliases) > 0 {
		fmt.Fprintf(w, "Aliases: %s\n", strings.Join(cmd.Aliases, ", "))
	}
	if cmd.Description != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(cmd.Description, "\n"))
	}
	fmt.Fprintf(w, "\nFlags:\n")
	writeFlags(w, append(own, helpFlag))
	if len(project) > 0 {
		fmt.Fprintf(w, "\nProject flags (before or after %s):\n", cmd.Name)
		writeFlags(w, project)
	}
	return w.Flush()
}

// splitProjectFlags parts cmd's flags into its own and the project flags
// withProjectFlags gave it.
func splitProjectFlags(cmd *cli.Command) (own, project []cli.Flag) {
	shared := map[string]bool{}
	for _, f := range projectFlags() {
		shared[f.Names()[0]] = true
	}
	for _, f := range cmd.Flags {
		if shared[f.Names()[0]] {
			project = append(project, f)
		} else {
			own = append(own, f)
		}
	}
	return own, project
}

// writeFlags writes one line per visible flag: `-s, --name PLACEHOLDER`,
// then the usage, the choices and the default.
func writeFlags(w io.Writer, fs []cli.Flag) {
	for _, f := range fs {
		if isHidden(f) {
			continue
		}
		long, short := flagNames(f)
		names := "    --" + long
		if short != "" {
			names = "-" + short + ", --" + long
		}
		if takesValue(f) {
			names += " " + placeholder(f)
		}
		fmt.Fprintf(w, "  %s\t%s\n", names, flagUsage(f))
	}
}

// flagNames returns the long name of f and its one-letter alias, if any.
func flagNames(f cli.Flag) (long, short string) {
	for _, n := range f.Names() {
		if len(n) == 1 {
			short = n
		} else if long == "" {
			long = n
		}
	}
	return long, short
}

// placeholder is the name of f's value: the word in backquotes in its
// usage (`FORMAT`), as urfave/cli reads it too.
func placeholder(f cli.Flag) string {
	name, _ := splitUsage(f)
	if name == "" {
		return "VALUE"
	}
	return name
}

// splitUsage returns the backquoted placeholder of f's usage and the usage
// without the backquotes.
func splitUsage(f cli.Flag) (name, usage string) {
	if u, ok := f.(interface{ GetUsage() string }); ok {
		usage = u.GetUsage()
	}
	before, rest, ok := strings.Cut(usage, "`")
	if !ok {
		return "", usage
	}
	name, after, ok := strings.Cut(rest, "`")
	if !ok {
		return "", usage
	}
	return name, before + name + after
}

// flagUsage is the help text of f: its usage, its choices and its default.
func flagUsage(f cli.Flag) string {
	_, usage := splitUsage(f)
	if cf, ok := f.(*choiceFlag); ok {
		usage += ": " + orList(cf.choices)
	}
	if d := defaultText(f); d != "" {
		usage += " (default: " + d + ")"
	}
	return usage
}

// defaultText is the default of a flag that takes a value, as help shows
// it; "" when there is none worth saying (booleans are false, lists empty).
func defaultText(f cli.Flag) string {
	if !takesValue(f) {
		return ""
	}
	d, ok := f.(interface{ GetDefaultText() string })
	if !ok {
		return ""
	}
	s := d.GetDefaultText()
	if u, err := strconv.Unquote(s); err == nil {
		s = u
	}
	if s == "0" || s == "[]" {
		return ""
	}
	return s
}

// orList writes "a, b or c".
func orList(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
