package dockerfile

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// ShellComment is one ShellCheck finding on a script: Line and Column
// (1-based) in the script text.
type ShellComment struct {
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"endLine"`
	EndColumn int    `json:"endColumn"`
	Level     string `json:"level"` // error, warning, info, style
	Code      int    `json:"code"`
	Message   string `json:"message"`
}

// ShellCheck runs the shellcheck program at Path on RUN scripts. It is the
// one place composure executes another program, and only when asked
// (`composure lint --shellcheck`).
type ShellCheck struct {
	Path string
	// Exclude lists codes not to report. SC2154 (variable referenced but
	// not assigned) is always excluded: ENV and ARG assign them outside the
	// script.
	Exclude []string
}

// Check runs shellcheck on script as dialect shell (sh, bash, dash, ksh).
func (s ShellCheck) Check(script, shell string) ([]ShellComment, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	exclude := append([]string{"SC2154"}, s.Exclude...)
	cmd := exec.CommandContext(ctx, s.Path, "--format=json1", "--shell="+shell, "--exclude="+strings.Join(exclude, ","), "-")
	cmd.Stdin = strings.NewReader(script)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	// shellcheck exits 1 when it has comments: only a missing output is a
	// failure.
	if out.Len() == 0 {
		if err == nil {
			return nil, nil
		}
		return nil, fmt.Errorf("shellcheck: %v: %s", err, strings.TrimSpace(errb.String()))
	}
	var res struct {
		Comments []ShellComment `json:"comments"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		return nil, fmt.Errorf("shellcheck output: %w", err)
	}
	return res.Comments, nil
}

// Shell returns the shell dialect RUN instructions of stage s use: from the
// last SHELL instruction before ins (or in the stages it is built from), sh
// by default; "" for a shell ShellCheck does not know (PowerShell, cmd).
func (s *Stage) Shell(ins *Instruction) string {
	for st := s; st != nil; st = st.Parent {
		for i := len(st.Instructions) - 1; i >= 0; i-- {
			x := st.Instructions[i]
			if st == s && x.Start.Line >= ins.Start.Line {
				continue
			}
			if x.Cmd != "shell" {
				continue
			}
			var argv []string
			if err := json.Unmarshal([]byte(x.Args.S), &argv); err != nil || len(argv) == 0 {
				return ""
			}
			switch b := argv[0][strings.LastIndex(argv[0], "/")+1:]; b {
			case "sh", "bash", "dash", "ksh", "ash":
				if b == "ash" {
					return "sh"
				}
				return b
			}
			return ""
		}
	}
	return "sh"
}

// Offset returns the byte offset of 1-based line and column in t.S.
func (t Text) Offset(line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(t.S[off:], '\n')
		if i < 0 {
			return len(t.S)
		}
		off += i + 1
	}
	for c := 1; c < col && off < len(t.S) && t.S[off] != '\n'; c++ {
		off++
	}
	return off
}
