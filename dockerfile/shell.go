package dockerfile

import (
	"encoding/json"
	"path"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// Word is one shell word: Value with quotes and escapes removed, [Start,
// End) its bytes in the script it came from.
type Word struct {
	Value      string
	Start, End int
}

// SimpleCommand is the words between two shell operators.
type SimpleCommand struct {
	Words []Word
}

// Script is a shell script of a RUN instruction with its place in the file.
type Script struct {
	Text
	// Commands are its simple commands, in order.
	Commands []SimpleCommand
}

// Scripts returns what a RUN instruction runs in a shell: the command line
// of the shell form, the here-documents it runs (`RUN <<EOF`, `RUN bash
// <<EOF`), or the `sh -c` string of the exec form. Other instructions and
// exec forms of other programs have none.
func (ins *Instruction) Scripts() []Script {
	if ins.Cmd != "run" {
		return nil
	}
	if ins.scripts == nil {
		ins.scripts = ins.parseScripts()
	}
	return ins.scripts
}

func (ins *Instruction) parseScripts() []Script {
	var texts []Text
	if ins.JSON {
		var argv []string
		if err := json.Unmarshal([]byte(ins.Args.S), &argv); err != nil || len(argv) < 3 || !isShell(argv[0]) || argv[1] != "-c" {
			return nil
		}
		texts = append(texts, Text{S: argv[2], marks: []mark{{pos: ins.Args.Pos(0)}}})
	} else {
		texts = append(texts, ins.Args)
		if len(ins.Heredocs) > 0 {
			cmds := Commands(ins.Args.S)
			runsBody := len(cmds) == 0 || len(cmds) == 1 && (len(cmds[0].Words) == 0 || isShell(cmds[0].Words[0].Value))
			if runsBody {
				for _, h := range ins.Heredocs {
					if first, _, _ := strings.Cut(h.Body.S, "\n"); strings.HasPrefix(first, "#!") && !isShell(strings.TrimSpace(strings.TrimPrefix(first, "#!"))) && !strings.HasSuffix(first, "sh") {
						continue // #!/usr/bin/env python
					}
					texts = append(texts, h.Body)
				}
			}
		}
	}
	out := make([]Script, 0, len(texts)) // never nil: Scripts caches it
	for _, t := range texts {
		out = append(out, Script{Text: t, Commands: Commands(t.S)})
	}
	return out
}

// Mount is one --mount option of a RUN, as BuildKit reads it.
type Mount struct {
	// Type is bind (the default), cache, tmpfs, secret or ssh.
	Type string
	// Target is where it is mounted (target=, dst= or destination=),
	// as written.
	Target string
	// From is the stage or image it mounts from ("": the build context).
	From string
}

// Mounts returns the --mount options of a RUN (type=cache,target=...).
func (ins *Instruction) Mounts() []Mount {
	var out []Mount
	for _, f := range ins.Flags {
		v, ok := strings.CutPrefix(f, "--mount=")
		if !ok {
			continue
		}
		m := Mount{Type: "bind"}
		for _, kv := range strings.Split(v, ",") {
			k, val, _ := strings.Cut(kv, "=")
			val = strings.TrimSpace(val)
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "type":
				m.Type = val
			case "target", "dst", "destination":
				m.Target = val
			case "from":
				m.From = val
			}
		}
		out = append(out, m)
	}
	return out
}

// Run returns BuildKit's form of a RUN, or nil.
func (ins *Instruction) Run() *instructions.RunCommand {
	r, _ := ins.Command.(*instructions.RunCommand)
	return r
}

func isShell(p string) bool {
	switch path.Base(strings.Fields(p + " x")[0]) {
	case "sh", "bash", "ash", "dash", "zsh", "busybox":
		return true
	}
	return false
}

// Commands splits script into simple commands at `&&`, `||`, `;`, `|`, `&`,
// newlines and parentheses, dropping comments and redirections. It is enough
// to recognise package-manager calls; it is not a shell (no expansion).
func Commands(script string) []SimpleCommand {
	var out []SimpleCommand
	var cur SimpleCommand
	var val strings.Builder
	inWord := false
	start := 0
	skipNext := false // the word after a redirection is its target
	endWord := func(end int) {
		if !inWord {
			return
		}
		inWord = false
		if skipNext {
			skipNext = false
			val.Reset()
			return
		}
		cur.Words = append(cur.Words, Word{Value: val.String(), Start: start, End: end})
		val.Reset()
	}
	endCmd := func() {
		if len(cur.Words) > 0 {
			out = append(out, cur)
		}
		cur = SimpleCommand{}
		skipNext = false
	}
	begin := func(i int) {
		if !inWord {
			inWord = true
			start = i
		}
	}
	s := script
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && s[i+1] == '\n':
			endWord(i)
			i++
		case c == '\\' && i+1 < len(s):
			begin(i)
			val.WriteByte(s[i+1])
			i++
		case c == ' ' || c == '\t' || c == '\r':
			endWord(i)
		case c == '#' && !inWord:
			for i < len(s) && s[i] != '\n' {
				i++
			}
			i--
		case c == '\n' || c == ';' || c == '(' || c == ')':
			endWord(i)
			endCmd()
		case c == '&' || c == '|':
			endWord(i)
			endCmd()
			if i+1 < len(s) && s[i+1] == c {
				i++
			}
		case c == '>' || c == '<':
			// 2>&1, >>file, <<EOF: drop a file-descriptor number just
			// before, and the target word after.
			if inWord && strings.Trim(val.String(), "0123456789") == "" && start+val.Len() == i {
				inWord = false
				val.Reset()
			} else {
				endWord(i)
			}
			for i+1 < len(s) && (s[i+1] == '>' || s[i+1] == '<' || s[i+1] == '&' || s[i+1] == '-' || s[i+1] == '|') {
				i++
			}
			skipNext = true
			for i+1 < len(s) && (s[i+1] == ' ' || s[i+1] == '\t') {
				i++
			}
			if i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' && (i+2 >= len(s) || s[i+2] == ' ' || s[i+2] == '\n') {
				i++ // >&2
				skipNext = false
			}
		case c == '\'':
			begin(i)
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				j = len(s) - i - 1
			}
			val.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case c == '"':
			begin(i)
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`\n", s[i+1]) >= 0 {
					i++
				}
				val.WriteByte(s[i])
			}
		case c == '$' && i+1 < len(s) && (s[i+1] == '(' || s[i+1] == '{'):
			begin(i)
			open, close := s[i+1], byte(')')
			if open == '{' {
				close = '}'
			}
			depth := 0
			j := i + 1
			for ; j < len(s); j++ {
				if s[j] == open {
					depth++
				} else if s[j] == close {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			if j >= len(s) {
				j = len(s) - 1
			}
			val.WriteString(s[i : j+1])
			i = j
		case c == '`':
			begin(i)
			end := len(s) // unterminated: to the end
			if j := strings.IndexByte(s[i+1:], '`'); j >= 0 {
				end = i + 2 + j
			}
			val.WriteString(s[i:end])
			i = end - 1
		default:
			begin(i)
			val.WriteByte(c)
		}
	}
	endWord(len(s))
	endCmd()
	return out
}

// Args returns the words of c from the program on: leading `VAR=value`
// assignments and the wrappers sudo, env, nice, time and xargs are skipped.
func (c SimpleCommand) Args() []Word {
	w := c.Words
	for len(w) > 0 {
		v := w[0].Value
		switch {
		case isAssignment(v):
		case v == "sudo" || v == "env" || v == "nice" || v == "time" || v == "xargs" || v == "exec" || v == "command":
		case strings.HasPrefix(v, "-") && len(w) < len(c.Words): // sudo -E, env -i
		default:
			return w
		}
		w = w[1:]
	}
	return w
}

// Program returns the base name of the program c runs ("" for none).
func (c SimpleCommand) Program() string {
	a := c.Args()
	if len(a) == 0 {
		return ""
	}
	return path.Base(a[0].Value)
}

func isAssignment(s string) bool {
	i := strings.IndexByte(s, '=')
	if i <= 0 {
		return false
	}
	for j := 0; j < i; j++ {
		c := s[j]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
