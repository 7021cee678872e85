package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/composure-dev/composure/lint"
)

// completionCommand prints a shell completion script. Every script asks
// composure itself for candidates (urfave/cli's --generate-bash-completion
// protocol), so environment names come from the project in the current
// directory and rule IDs from the binary: nothing goes stale.
func (a *app) completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script for bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		Description: "Load it in your shell's startup file:\n" +
			"  bash: source <(composure completion bash)\n" +
			"  zsh:  source <(composure completion zsh)\n" +
			"  fish: composure completion fish | source",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return withCode(exitUsage, fmt.Errorf("completion needs one shell: bash, zsh or fish"))
			}
			script, ok := completionScripts[c.Args().First()]
			if !ok {
				return withCode(exitUsage, fmt.Errorf("completion: unknown shell %q: use bash, zsh or fish", c.Args().First()))
			}
			_, err := fmt.Fprint(a.stdout, script)
			return err
		},
	}
}

// completeEnvs is the BashComplete of commands taking environment names:
// flags after a dash, else the project's environments (discovered from the
// flags given so far, never loaded).
func (a *app) completeEnvs(c *cli.Context) {
	if completingFlag(c) {
		printFlags(a, c)
		return
	}
	p, err := a.project(c)
	if err != nil {
		return
	}
	for _, e := range p.Envs {
		fmt.Fprintln(a.stdout, e.Name)
	}
}

// completeCommands is the app's BashComplete: the commands, or the global
// flags after a dash.
func (a *app) completeCommands(c *cli.Context) {
	if completingFlag(c) {
		printFlagNames(a, c.App.Flags)
		return
	}
	for _, cmd := range c.App.Commands {
		if !cmd.Hidden {
			fmt.Fprintln(a.stdout, cmd.Name)
		}
	}
}

// completeRules is the BashComplete of `composure rules`: the rule IDs.
func (a *app) completeRules(c *cli.Context) {
	for _, r := range lint.Rules() {
		fmt.Fprintln(a.stdout, r.Meta().ID)
	}
}

// completingFlag reports whether the word being completed starts with a dash.
func completingFlag(c *cli.Context) bool {
	args := c.Args().Slice()
	return len(args) > 0 && strings.HasPrefix(args[len(args)-1], "-")
}

func printFlags(a *app, c *cli.Context) { printFlagNames(a, c.Command.Flags) }

func printFlagNames(a *app, flags []cli.Flag) {
	for _, f := range flags {
		for _, n := range f.Names() {
			if len(n) == 1 {
				fmt.Fprintln(a.stdout, "-"+n)
			} else {
				fmt.Fprintln(a.stdout, "--"+n)
			}
		}
	}
}

var completionScripts = map[string]string{
	"bash": `# bash completion for composure: source <(composure completion bash)
_composure() {
  local cur words
  cur="${COMP_WORDS[COMP_CWORD]}"
  words=("${COMP_WORDS[@]:1:COMP_CWORD-1}")
  if [[ "$cur" == -* ]]; then
    words+=("$cur")
  fi
  COMPREPLY=($(compgen -W "$(composure "${words[@]}" --generate-bash-completion 2>/dev/null)" -- "$cur"))
}
complete -o default -F _composure composure
`,
	"zsh": `#compdef composure
# zsh completion for composure: source <(composure completion zsh)
_composure() {
  local -a opts
  local cur=${words[CURRENT]}
  local -a args=(${words[2,CURRENT-1]})
  if [[ "$cur" == -* ]]; then
    args+=("$cur")
  fi
  opts=("${(@f)$(composure ${args[@]} --generate-bash-completion 2>/dev/null)}")
  _describe 'values' opts
}
compdef _composure composure
`,
	"fish": `# fish completion for composure: composure completion fish | source
function __composure_complete
    set -l args (commandline -opc)[2..-1]
    set -l cur (commandline -ct)
    if string match -q -- '-*' $cur
        set args $args $cur
    end
    composure $args --generate-bash-completion 2>/dev/null
end
complete -c composure -f -a '(__composure_complete)'
`,
}
