package lint

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
)

// CommandShellSyntax reports shell syntax in a service's command or
// entrypoint, which docker compose splits into words without a shell
// (compose-go's ShellCommand, with go-shellwords):
//
//   - an unquoted `;`, `&`, `|`, `<` or `>` ends the split, and the rest is
//     dropped without a word: `kong migrations up && kong migrations finish`
//     runs `kong migrations up` only (kong's own compose file);
//   - `#` starts no comment: a folded command's comment line becomes
//     arguments (`#`, `Enables`, `the`, ...);
//   - a `\` at the end of a line continues nothing: in a block scalar it
//     escapes the space or newline that follows, and the next word starts
//     with it;
//   - in the list form, an item `&&` or `||` is an argument like any other,
//     and so is a stray `"` (a word with an unmatched one).
type CommandShellSyntax struct{ RuleBase }

var _ Rule = (*CommandShellSyntax)(nil)

// NewCommandShellSyntax returns the command-shell-syntax rule.
func NewCommandShellSyntax() *CommandShellSyntax {
	return &CommandShellSyntax{RuleBase{Meta{ID: "command-shell-syntax", Summary: "shell operators, comments or line continuations in a command docker compose splits into words without a shell",
		Severity: diag.Warning, Scope: ScopeFile}}}
}

// VisitFile checks the command and entrypoint of every service of d.
func (r *CommandShellSyntax) VisitFile(p *Pass, d *compose.Document) {
	seen := map[*yaml.Node]bool{} // a value reached through an alias is checked once
	for _, s := range p.run.services(d) {
		for _, key := range []string{"command", "entrypoint"} {
			e, ok := getEntry(d, s.Value, key)
			if !ok || seen[e.Value] {
				continue
			}
			seen[e.Value] = true
			report := func(n *yaml.Node, msg string) {
				p.Report(withVia(d, diag.Finding{Severity: p.meta.Severity, Span: NodeSpan(d, n), Message: msg}, e))
			}
			switch n := compose.Deref(e.Value); n.Kind {
			case yaml.ScalarNode:
				if n.Tag == "!!null" {
					continue
				}
				if msg := shellSyntax(key, n.Value, n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0); msg != "" {
					report(n, msg)
				}
			case yaml.SequenceNode:
				for _, it := range n.Content {
					v := compose.Deref(it)
					switch {
					case v.Kind != yaml.ScalarNode:
					case v.Value == "&&" || v.Value == "||":
						report(it, fmt.Sprintf("%s item %q is an argument like any other: the list form runs no shell; write [\"sh\", \"-c\", \"a %s b\"] to chain commands", key, v.Value, v.Value))
					case strings.Count(v.Value, `"`)%2 == 1 && !strings.Contains(v.Value, " "):
						// metabase's `- https://...NPV"`: a stray quote, kept
						report(it, fmt.Sprintf("%s item %s has an unmatched `\"`: the list form passes it as written, so the program receives the quote; remove it", key, quoteShort(v.Value)))
					}
				}
			}
		}
	}
}

// shellSyntax returns what is wrong with command (the string form of key),
// or "". block says it is a block scalar, whose lines a `\` cannot join.
func shellSyntax(key, command string, block bool) string {
	escaped, single, double := false, false, false
	wordStart := true
	for i := 0; i < len(command); i++ {
		c := command[i]
		switch {
		case escaped:
			escaped = false
			if block && (c == ' ' || c == '\t' || c == '\n') {
				return fmt.Sprintf("a `\\` at the end of a line continues nothing in %s: docker compose splits it into words without a shell, so the `\\` makes the space or line break after it part of the next word; remove it (a block scalar already joins its lines)", key)
			}
		case single:
			single = c != '\''
		case c == '\\':
			escaped = true
		case double:
			double = c != '"'
		case c == '\'':
			single = true
		case c == '"':
			double = true
		case c == '#' && wordStart:
			return fmt.Sprintf("%s holds a `#` comment, but docker compose splits it into words without a shell: the comment's words become arguments; remove it, or move it into a YAML comment", key)
		case strings.IndexByte(";&|<>", c) >= 0:
			op := command[i : i+1]
			if i+1 < len(command) && (command[i+1] == c && c != ';' || c == '>' && command[i+1] == '&') {
				op = command[i : i+2]
			}
			kept, dropped := strings.TrimSpace(command[:i]), strings.TrimSpace(command[i:])
			return fmt.Sprintf("docker compose splits %s into words without a shell and stops at %q: it runs %s and silently drops %s; run it through a shell, [\"sh\", \"-c\", %s]",
				key, op, quoteShort(kept), quoteShort(dropped), quoteShort(strings.TrimSpace(command)))
		}
		wordStart = !escaped && !single && !double && (c == ' ' || c == '\t' || c == '\n')
	}
	return ""
}

// quoteShort quotes s for a message, cut to its first 57 characters when
// longer than 60, and to its first line.
func quoteShort(s string) string {
	cut := false
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s, cut = s[:i], true
	}
	if r := []rune(s); len(r) > 60 {
		s, cut = string(r[:57]), true
	}
	if cut {
		return strconv.Quote(strings.TrimSpace(s) + "...")
	}
	return strconv.Quote(s)
}
