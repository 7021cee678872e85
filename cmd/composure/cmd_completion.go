package main

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/composure-dev/composure/envs"
	"github.com/composure-dev/composure/lint"
)

// Shell completion reads the description help prints from: the commands,
// their flags, the placeholders of flag values and arguments (`--rule
// RULE`, `[ENV...]`) and the choices of choice flags. Every script asks
// composure itself (`composure __complete WORD... CURRENT`), so environment
// names come from the project the line names and rule IDs from the binary:
// nothing goes stale.

// completeCommand is the hidden command the scripts run.
const completeCommand = "__complete"

// completionCommand prints a shell completion script.
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

// candidates are what completion offers: words, and the shell's own file
// or directory names.
type candidates struct {
	words       []string
	files, dirs bool
}

// write prints the candidates as the scripts read them: a first line
// saying whether file or directory names complete too ("files", "dirs" or
// "words"), then one word per line.
func (c candidates) write(w io.Writer) {
	kind := "words"
	switch {
	case c.files: // file names include directories
		kind = "files"
	case c.dirs:
		kind = "dirs"
	}
	fmt.Fprintln(w, kind)
	for _, s := range c.words {
		fmt.Fprintln(w, s)
	}
}

// valueCompleters says what each placeholder of a flag value or an argument
// completes to; a test holds every placeholder the commands use to this
// table. Choice flags complete to their choices whatever their
// placeholder; lowercase words in an argument usage (bash|zsh|fish) are
// themselves the candidates.
var valueCompleters = map[string]func(a *app, cliApp *cli.App, cl commandLine) candidates{
	"ENV":  (*app).envCandidates,
	"RULE": func(*app, *cli.App, commandLine) candidates { return candidates{words: lint.IDs()} },
	// --enable and --disable take a rule or a group of rules
	"ID": func(*app, *cli.App, commandLine) candidates {
		return candidates{words: append(lint.IDs(), lint.Groups()...)}
	},
	"COMMAND":    func(_ *app, cliApp *cli.App, _ commandLine) candidates { return commandCandidates(cliApp) },
	"FILE":       func(*app, *cli.App, commandLine) candidates { return candidates{files: true} },
	"DOCKERFILE": func(*app, *cli.App, commandLine) candidates { return candidates{files: true} },
	"DIR":        func(*app, *cli.App, commandLine) candidates { return candidates{dirs: true} },
	// Free values: nothing to offer.
	"NAME": nil, "N": nil, "REV": nil, "PROFILE": nil, "SERVICE": nil, "SERVICES": nil,
}

// complete answers `composure __complete WORD... CURRENT`: words are the
// words before the cursor, the last one the word being completed.
func (a *app) complete(cliApp *cli.App, words []string) candidates {
	cur := ""
	if len(words) > 0 {
		cur, words = words[len(words)-1], words[:len(words)-1]
	}
	cl, _ := readCommandLine(cliApp, words, true)
	if cl.pending != nil {
		return a.flagValues(cliApp, cl, cl.pending)
	}
	flags := cliApp.Flags
	if cl.cmd != nil {
		flags = cl.cmd.Flags
	} else if cl.name != "" {
		return candidates{} // an unknown command
	}
	flags = append([]cli.Flag{helpFlag}, flags...)
	if !cl.dashdash && strings.HasPrefix(cur, "-") {
		if name, _, ok := strings.Cut(cur, "="); ok {
			// --format=j: the values, written whole.
			f := lookupFlag(flags, strings.TrimLeft(name, "-"))
			if f == nil || !takesValue(f) {
				return candidates{}
			}
			c := a.flagValues(cliApp, cl, f)
			for i, w := range c.words {
				c.words[i] = name + "=" + w
			}
			return c
		}
		var c candidates
		for _, f := range flags {
			if isHidden(f) {
				continue
			}
			long, short := flagNames(f)
			c.words = append(c.words, "--"+long)
			if short != "" {
				c.words = append(c.words, "-"+short)
			}
		}
		return c
	}
	if cl.cmd == nil {
		return commandCandidates(cliApp)
	}
	return a.argCandidates(cliApp, cl)
}

// flagValues completes the value of flag f.
func (a *app) flagValues(cliApp *cli.App, cl commandLine, f cli.Flag) candidates {
	if cf, ok := f.(*choiceFlag); ok {
		return candidates{words: append([]string(nil), cf.choices...)}
	}
	if fn := valueCompleters[placeholder(f)]; fn != nil {
		return fn(a, cliApp, cl)
	}
	return candidates{}
}

// argWordRE finds the placeholders (ENV) and literal words (bash) of an
// argument usage.
var argWordRE = regexp.MustCompile(`[A-Za-z][A-Za-z0-9_-]*`)

// argCandidates completes an argument of cl's command from its argument
// usage: `[ENV...] [DOCKERFILE...] | DIR...` offers the environments and
// file names.
func (a *app) argCandidates(cliApp *cli.App, cl commandLine) candidates {
	var out candidates
	seen := map[string]bool{}
	for _, w := range argWordRE.FindAllString(cl.cmd.ArgsUsage, -1) {
		if seen[w] {
			continue
		}
		seen[w] = true
		if strings.ToLower(w) == w {
			out.words = append(out.words, w)
			continue
		}
		fn := valueCompleters[w]
		if fn == nil {
			continue
		}
		c := fn(a, cliApp, cl)
		out.words = append(out.words, c.words...)
		out.files = out.files || c.files
		out.dirs = out.dirs || c.dirs
	}
	return out
}

func commandCandidates(cliApp *cli.App) candidates {
	var c candidates
	for _, cmd := range cliApp.Commands {
		if !cmd.Hidden {
			c.words = append(c.words, cmd.Name)
		}
	}
	return c
}

// envCandidates are the environments of the project the line's flags name
// (-C, -f...), discovered and never loaded.
func (a *app) envCandidates(_ *cli.App, cl commandLine) candidates {
	p, err := a.projectOfLine(cl)
	if err != nil {
		return candidates{}
	}
	var c candidates
	for _, e := range p.Envs {
		// A name starting with '-' (compose.-x.yaml) reads as a flag
		// unless it follows "--".
		if !strings.HasPrefix(e.Name, "-") || cl.dashdash {
			c.words = append(c.words, e.Name)
		}
	}
	return c
}

// projectOfLine discovers the project that cl's flags describe, reading
// them with urfave/cli as a real run would: the command's action is
// replaced by one that only discovers.
func (a *app) projectOfLine(cl commandLine) (*envs.Project, error) {
	quiet := &app{stdin: a.stdin, stdout: io.Discard, stderr: io.Discard, getenv: a.getenv, environ: a.environ, completing: true}
	cliApp := quiet.newCLI()
	var p *envs.Project
	err := fmt.Errorf("no command")
	discover := func(c *cli.Context) error {
		p, err = quiet.project(c)
		return nil
	}
	cliApp.Action = discover
	for _, c := range cliApp.Commands {
		c.Action = discover
	}
	line := commandLine{appFlags: cl.appFlags, cmd: cl.cmd, name: cl.name, flags: cl.flags}
	if rerr := cliApp.Run(line.words("composure")); rerr != nil {
		return nil, rerr
	}
	return p, err
}

// completionScripts ask `composure __complete` for the candidates of the
// word under the cursor, given the words before it.
var completionScripts = map[string]string{
	"bash": `# bash completion for composure: source <(composure completion bash)
_composure() {
  local i w cur prefix= words=() out=()
  # Join what bash splits at '=' back into one word: --format=json.
  for ((i = 1; i <= COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    if ((${#words[@]} > 0)) && [[ $w == = || ${COMP_WORDS[i-1]} == = ]] && [[ ${words[-1]} == -* ]]; then
      words[-1]+=$w
    else
      words+=("$w")
    fi
  done
  cur=${words[-1]}
  [[ $cur == -*=* ]] && prefix=${cur%%=*}=
  local IFS=$'\n'
  out=($(composure __complete "${words[@]}" 2>/dev/null))
  COMPREPLY=()
  for w in "${out[@]:1}"; do
    [[ $w == "$cur"* ]] && COMPREPLY+=("$w")
  done
  case ${out[0]} in
    files) COMPREPLY+=($(compgen -P "$prefix" -f -- "${cur#"$prefix"}")) ;;
    dirs) COMPREPLY+=($(compgen -P "$prefix" -d -- "${cur#"$prefix"}")) ;;
  esac
  if [[ -n $prefix && ${COMP_WORDS[COMP_CWORD]} != "$cur" ]]; then
    # bash split the word at '=': it replaces only what follows.
    COMPREPLY=("${COMPREPLY[@]#"$prefix"}")
  fi
}
complete -F _composure composure
`,
	"zsh": `#compdef composure
# zsh completion for composure: source <(composure completion zsh)
_composure() {
  local -a out cands
  out=("${(@f)$(composure __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")
  cands=("${(@)out[2,-1]}")
  compadd -- "${(@)cands}"
  case $out[1] in
    files) _files ;;
    dirs) _files -/ ;;
  esac
}
compdef _composure composure
`,
	"fish": `# fish completion for composure: composure completion fish | source
function __composure_complete
    set -l words (commandline -opc)[2..-1] (commandline -ct)
    set -l out (composure __complete $words 2>/dev/null)
    printf '%s\n' $out[2..-1]
    switch "$out[1]"
        case files
            __fish_complete_path (commandline -ct)
        case dirs
            __fish_complete_directories (commandline -ct)
    end
end
complete -c composure -f -a '(__composure_complete)'
`,
}
