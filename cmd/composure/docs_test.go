package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/composure-dev/composure/internal/testenv"
)

// exitStatusDocs hold the table of exit statuses.
var exitStatusDocs = []string{"README.md", "docs/ci.md", "docs/rules.md", "docs/refactor.md", "docs/diff.md"}

// TestExitStatusTables holds every document that says what the exit
// statuses mean to the one table composure's help prints from.
func TestExitStatusTables(t *testing.T) {
	root := repoRoot(t)
	for _, doc := range exitStatusDocs {
		testenv.Section(t, filepath.Join(root, filepath.FromSlash(doc)), "exit-statuses", exitStatusTable(), *update,
			"go test ./cmd/composure -run TestExitStatusTables")
	}
}

// consoleExample is one `$ composure ...` line of a console block in the
// docs and the output shown under it.
type consoleExample struct {
	where string   // file:line
	args  []string // after "composure"
	want  []string // the lines shown
}

// consoleExamples reads the ```console blocks of README.md and docs/*.md.
func consoleExamples(t *testing.T, root string) []consoleExample {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	var out []consoleExample
	for _, path := range append([]string{filepath.Join(root, "README.md")}, docs...) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, path)
		in := false
		var cur *consoleExample
		for i, line := range strings.Split(string(b), "\n") {
			switch {
			case !in && strings.TrimSpace(line) == "```console":
				in = true
			case in && strings.TrimSpace(line) == "```":
				in, cur = false, nil
			case in && strings.HasPrefix(line, "$ "):
				words, err := shellWords(strings.TrimPrefix(line, "$ "))
				if err != nil || len(words) == 0 || words[0] != "composure" {
					t.Errorf("%s:%d: %q: a console example runs composure, so that the test can run it", rel, i+1, line)
					cur = nil
					continue
				}
				out = append(out, consoleExample{where: fmt.Sprintf("%s:%d", rel, i+1), args: words[1:]})
				cur = &out[len(out)-1]
			case in && cur != nil:
				cur.want = append(cur.want, line)
			}
		}
	}
	return out
}

// shellWords splits a command line as a shell would, for the plain quoting
// the docs use.
func shellWords(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			w.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case strings.ContainsRune("|&;<>$`\\", r):
			return nil, fmt.Errorf("%q needs a shell", r)
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed quote")
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}

// matchShown reports whether got is what want shows: line by line, trailing
// blanks aside, where a line `...` (indented or not) stands for any number
// of lines.
func matchShown(got, want []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if strings.TrimSpace(want[0]) == "..." {
		for i := 0; i <= len(got); i++ {
			if matchShown(got[i:], want[1:]) {
				return true
			}
		}
		return false
	}
	return len(got) > 0 && strings.TrimRight(got[0], " \t") == strings.TrimRight(want[0], " \t") && matchShown(got[1:], want[1:])
}

// TestConsoleExamples runs every `$ composure ...` example of README.md and
// docs/*.md from the repository root, against the bundled examples, and
// compares what it prints (stdout, then stderr) with what the example shows.
func TestConsoleExamples(t *testing.T) {
	root := repoRoot(t)
	examples := consoleExamples(t, root)
	if len(examples) < 5 {
		t.Fatalf("only %d console examples found", len(examples))
	}
	for _, ex := range examples {
		args := slices.Clone(ex.args)
		for i, a := range args {
			// The docs run from the repository root; this test runs in
			// cmd/composure, and must not chdir (tests run in parallel).
			if strings.HasPrefix(a, "examples/") {
				args[i] = filepath.Join(root, a)
			}
		}
		code, stdout, stderr := runCLI(t, nil, args...)
		out := strings.ReplaceAll(stdout+stderr, root+string(filepath.Separator), "")
		got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		want := slices.Clone(ex.want)
		for len(want) > 0 && strings.TrimSpace(want[len(want)-1]) == "" {
			want = want[:len(want)-1]
		}
		if code > exitFindings || !matchShown(got, want) {
			t.Errorf("%s: composure %s: exit %d, printed:\n%s\n--- the example shows:\n%s", ex.where, strings.Join(ex.args, " "), code, out, strings.Join(want, "\n"))
		}
	}
	t.Logf("%d console examples", len(examples))
}

func TestMatchShown(t *testing.T) {
	tests := []struct {
		got, want string
		ok        bool
	}{
		{"a\nb", "a\nb", true},
		{"a\nb", "a", false},
		{"a", "a\nb", false},
		{"a\nb\nc", "a\n...\nc", true},
		{"a\nc", "a\n...\nc", true},
		{"a\nb\nc", "  ...", true},
		{"a\nb\nc", "a\n...", true},
		{"a\nb\nc", "...\nb", false},
		{"a  \nb", "a\nb", true},
		{"a\nb", "b\n...", false},
	}
	for _, tt := range tests {
		if got := matchShown(strings.Split(tt.got, "\n"), strings.Split(tt.want, "\n")); got != tt.ok {
			t.Errorf("matchShown(%q, %q) = %v, want %v", tt.got, tt.want, got, tt.ok)
		}
	}
}
