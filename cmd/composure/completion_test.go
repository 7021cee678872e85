package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/composure-dev/composure/lint"
)

// completionCase is a line being completed: the words before the cursor
// and the word under it.
type completionCase struct {
	words []string
	cur   string
}

func (c completionCase) String() string {
	return strings.Join(append(append([]string{"composure"}, c.words...), c.cur), " ")
}

// completeInProcess answers c as `composure __complete` does.
func completeInProcess(t *testing.T, dir string, c completionCase) candidates {
	t.Helper()
	args := append(append([]string{"__complete", "-C", dir}, c.words...), c.cur)
	if len(c.words) > 0 && c.words[0] == "-C" {
		args = append([]string{"__complete"}, append(c.words, c.cur)...)
	}
	code, stdout, stderr := runCLI(t, nil, args...)
	if code != 0 || stderr != "" {
		t.Fatalf("%v: exit %d, %s", c, code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	out := candidates{words: lines[1:], files: lines[0] == "files", dirs: lines[0] == "dirs"}
	if !slices.Contains([]string{"words", "files", "dirs"}, lines[0]) {
		t.Fatalf("%v: first line %q, want words, files or dirs", c, lines[0])
	}
	return out
}

// descriptionCases are completion cases drawn from the description of the
// command line, with what each must offer: for every command its flags, the
// values of each flag that takes one, and its arguments.
func descriptionCases(t *testing.T, envNames []string) (cases []completionCase, want []candidates) {
	cliApp := (&app{stdout: new(strings.Builder), stderr: new(strings.Builder), getenv: func(string) string { return "" }}).newCLI()
	valueOf := func(f cli.Flag) candidates {
		if cf, ok := f.(*choiceFlag); ok {
			return candidates{words: cf.choices}
		}
		switch placeholder(f) {
		case "RULE":
			return candidates{words: lint.IDs()}
		case "ID":
			return candidates{words: append(lint.IDs(), lint.Groups()...)}
		case "FILE":
			return candidates{files: true}
		case "DIR":
			return candidates{dirs: true}
		}
		return candidates{}
	}
	var appFlags []string
	for _, f := range append([]cli.Flag{helpFlag}, cliApp.Flags...) {
		long, short := flagNames(f)
		appFlags = append(appFlags, "--"+long)
		if short != "" {
			appFlags = append(appFlags, "-"+short)
		}
		if takesValue(f) {
			cases = append(cases, completionCase{words: []string{"--" + long}})
			want = append(want, valueOf(f))
		}
	}
	cases = append(cases, completionCase{cur: "-"})
	want = append(want, candidates{words: appFlags})
	var names []string
	for _, cmd := range cliApp.Commands {
		names = append(names, cmd.Name)
		flags := []string{"--help", "-h"}
		for _, f := range cmd.Flags {
			if isHidden(f) {
				continue
			}
			long, short := flagNames(f)
			flags = append(flags, "--"+long)
			if short != "" {
				flags = append(flags, "-"+short)
			}
			if takesValue(f) {
				cases = append(cases, completionCase{words: []string{cmd.Name, "--" + long}})
				want = append(want, valueOf(f))
				if short != "" {
					cases = append(cases, completionCase{words: []string{cmd.Name, "-" + short}})
					want = append(want, valueOf(f))
				}
			}
		}
		cases = append(cases, completionCase{words: []string{cmd.Name}, cur: "-"})
		want = append(want, candidates{words: flags})
		var args candidates
		for _, w := range argWordRE.FindAllString(cmd.ArgsUsage, -1) {
			switch w {
			case "ENV":
				args.words = append(args.words, envNames...)
			case "RULE":
				args.words = append(args.words, lint.IDs()...)
			case "COMMAND":
				for _, c := range cliApp.Commands {
					args.words = append(args.words, c.Name)
				}
			case "FILE", "DOCKERFILE":
				args.files = true
			case "DIR":
				args.dirs = true
			default:
				if strings.ToLower(w) == w {
					args.words = append(args.words, w)
				}
			}
		}
		args.dirs = args.dirs && !args.files // file names include directories
		cases = append(cases, completionCase{words: []string{cmd.Name}})
		want = append(want, args)
	}
	cases = append(cases, completionCase{})
	want = append(want, candidates{words: names})
	return cases, want
}

// sameCandidates compares candidate sets, order aside.
func sameCandidates(got, want candidates) bool {
	g, w := slices.Clone(got.words), slices.Clone(want.words)
	slices.Sort(g)
	slices.Sort(w)
	g, w = slices.Compact(g), slices.Compact(w)
	return slices.Equal(g, w) && got.files == want.files && got.dirs == want.dirs
}

// TestCompletionFromDescription checks what completion offers, command by
// command and flag by flag, against the description help prints, and a few
// lines by hand.
func TestCompletionFromDescription(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "..", "examples", "blog"))
	if err != nil {
		t.Fatal(err)
	}
	envNames := []string{"default", "admin", "prod"}
	cases, want := descriptionCases(t, envNames)
	// An environment whose name starts with '-' is offered after "--" only.
	dash := writeFiles(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx:1.27.2\n", "compose.-x.yaml": "services: {}\n"})
	byHand := []struct {
		c    completionCase
		want candidates
	}{
		{completionCase{words: []string{"lint", "--format"}}, candidates{words: []string{"text", "json", "sarif", "github", "codequality"}}},
		{completionCase{words: []string{"lint", "--rule"}, cur: "rest"}, candidates{words: lint.IDs()}},
		{completionCase{words: []string{"lint"}, cur: "--format=s"}, candidates{words: []string{"--format=text", "--format=json", "--format=sarif", "--format=github", "--format=codequality"}}},
		{completionCase{words: []string{"lint", "--color"}}, candidates{words: []string{"auto", "always", "never"}}},
		{completionCase{words: []string{"config"}}, candidates{words: envNames}},
		{completionCase{words: []string{"diff", "default"}}, candidates{words: envNames}},
		{completionCase{words: []string{"diff", "--format", "json", "prod"}}, candidates{words: envNames}},
		{completionCase{words: []string{"lint", "--rule", "restart-policy"}}, candidates{words: envNames, files: true}},
		{completionCase{words: []string{"lint", "--"}}, candidates{words: envNames, files: true}},
		{completionCase{words: []string{"lint", "--"}, cur: "-"}, candidates{words: envNames, files: true}},
		{completionCase{words: []string{"lint", "-j"}}, candidates{}},
		{completionCase{words: []string{"lint", "-j1"}}, candidates{words: envNames, files: true}},
		{completionCase{words: []string{"rules"}}, candidates{words: lint.IDs()}},
		{completionCase{words: []string{"completion"}}, candidates{words: []string{"bash", "zsh", "fish"}}},
		{completionCase{words: []string{"refactor", "--style"}}, candidates{words: []string{"extension", "first-service"}}},
		{completionCase{words: []string{"refactor"}}, candidates{files: true}},
		{completionCase{words: []string{"-C", filepath.Join(dir, "..", "guide"), "config"}}, candidates{words: []string{"default"}}},
		{completionCase{words: []string{"nosuch"}}, candidates{}},
		{completionCase{words: []string{"-C", dash, "config"}}, candidates{words: []string{"default"}}},
		{completionCase{words: []string{"-C", dash, "config", "--"}}, candidates{words: []string{"default", "-x"}}},
	}
	for _, h := range byHand {
		cases, want = append(cases, h.c), append(want, h.want)
	}
	for i, c := range cases {
		if got := completeInProcess(t, dir, c); !sameCandidates(got, want[i]) {
			t.Errorf("%v: got %+v, want %+v", c, got, want[i])
		}
	}
	t.Logf("%d completion cases", len(cases))
}

// TestCompletionPlaceholders holds every placeholder of a flag value or an
// argument to the table completion reads, and every flag that takes a value
// to a placeholder, so that none completes to nothing by mistake.
func TestCompletionPlaceholders(t *testing.T) {
	cliApp := (&app{stdout: new(strings.Builder), stderr: new(strings.Builder), getenv: func(string) string { return "" }}).newCLI()
	check := func(where string, fs []cli.Flag) {
		for _, f := range fs {
			if !takesValue(f) {
				if name, _ := splitUsage(f); name != "" {
					t.Errorf("%s --%s: a boolean has a placeholder %q in its usage", where, f.Names()[0], name)
				}
				continue
			}
			name, _ := splitUsage(f)
			if name == "" {
				t.Errorf("%s --%s: no `PLACEHOLDER` in its usage", where, f.Names()[0])
				continue
			}
			if _, ok := valueCompleters[name]; !ok {
				if _, choice := f.(*choiceFlag); !choice {
					t.Errorf("%s --%s: placeholder %q is not in the completion table", where, f.Names()[0], name)
				}
			}
			if u, _ := f.(interface{ GetUsage() string }); u != nil && strings.Contains(u.GetUsage(), "(default") {
				t.Errorf("%s --%s: the usage says its default: set DefaultText, help adds it", where, f.Names()[0])
			}
		}
	}
	check("composure", cliApp.Flags)
	for _, cmd := range cliApp.Commands {
		check("composure "+cmd.Name, cmd.Flags)
		for _, w := range argWordRE.FindAllString(cmd.ArgsUsage, -1) {
			if _, ok := valueCompleters[w]; !ok && strings.ToLower(w) != w {
				t.Errorf("composure %s %s: placeholder %q is not in the completion table", cmd.Name, cmd.ArgsUsage, w)
			}
		}
	}
}

// TestCompletionShells runs the completion scripts in the shells themselves
// over the cases of TestCompletionFromDescription, the test binary standing
// in for composure: bash for real (its completion function with COMP_WORDS
// as bash fills them, '=' split off), fish through `complete -C`, zsh with
// its completion builtins replaced by functions that print (zsh completes
// only inside its line editor). Each must offer what composure answers.
func TestCompletionShells(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "..", "examples", "blog"))
	if err != nil {
		t.Fatal(err)
	}
	if code, _, _ := runCLI(t, nil, "completion", "powershell"); code != exitUsage {
		t.Errorf("completion powershell: exit %d, want 2", code)
	}
	all, _ := descriptionCases(t, nil)
	// One-letter aliases complete as their long flags do (held in-process
	// by TestCompletionFromDescription); the shells see the long ones.
	cases := slices.DeleteFunc(all, func(c completionCase) bool {
		n := len(c.words)
		return n > 0 && len(c.words[n-1]) == 2 && c.words[n-1][0] == '-'
	})
	cases = append(cases,
		completionCase{words: []string{"lint"}, cur: "--format=s"},
		completionCase{words: []string{"-C"}, cur: "../gu"},
		completionCase{words: []string{"lint", "--rule"}, cur: "rest"},
		completionCase{words: []string{"lint", "--"}},
	)
	bin, env := asCLI(t)
	for _, sh := range []string{"bash", "zsh", "fish"} {
		t.Run(sh, func(t *testing.T) {
			// The shells wait on forks more than they compute: side by side.
			t.Parallel()
			path, err := exec.LookPath(sh)
			if err != nil {
				if sh == "bash" {
					t.Fatalf("bash is needed to test its completion: %v", err)
				}
				t.Skipf("%s is not installed", sh)
			}
			code, script, _ := runCLI(t, nil, "completion", sh)
			if code != 0 || !strings.Contains(script, "composure __complete") {
				t.Fatalf("completion %s: exit %d\n%s", sh, code, script)
			}
			start := time.Now()
			defer func() { t.Logf("%d cases in %v", len(cases), time.Since(start).Round(time.Millisecond)) }()
			prog := shellProgram(sh, script, composureStub(t, sh, dir, bin, cases), cases)
			cmd := exec.Command(path, "-c", prog)
			cmd.Dir = dir
			cmd.Env = env
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s: %v\n%s", sh, err, stderr.String())
			}
			got := strings.Split(string(out), "=== ")[1:]
			if len(got) != len(cases) {
				t.Fatalf("%s answered %d cases of %d:\n%s\n%s", sh, len(got), len(cases), out, stderr.String())
			}
			for i, c := range cases {
				want := completeInProcess(t, dir, c)
				lines := strings.Split(strings.TrimSuffix(got[i], "\n"), "\n")[1:]
				checkShellAnswer(t, sh, dir, c, want, lines)
			}
		})
	}
}

// composureStub defines composure in sh: a function that answers the
// cases' `composure __complete` calls from a table of what composure answers
// in-process, and runs the test binary as composure for any other call and
// for every eighth case (running it for each case would take a minute of the
// machine's time, for what the in-process answers already show).
func composureStub(t *testing.T, sh, dir, bin string, cases []completionCase) string {
	var b strings.Builder
	switch sh {
	case "fish":
		b.WriteString("function composure\n    switch \"$argv\"\n")
	default:
		b.WriteString("composure() {\n  case \"$*\" in\n")
	}
	for i, c := range cases {
		if i%8 == 0 {
			continue
		}
		args := append(append([]string{completeCommand}, c.words...), c.cur)
		ans := completeInProcess(t, dir, c)
		lines := []string{"words"}
		if ans.files {
			lines[0] = "files"
		} else if ans.dirs {
			lines[0] = "dirs"
		}
		lines = append(lines, ans.words...)
		var quoted []string
		for _, l := range lines {
			quoted = append(quoted, shQuote(l))
		}
		if sh == "fish" {
			fmt.Fprintf(&b, "        case %s\n            printf '%%s\\n' %s\n", shQuote(strings.Join(args, " ")), strings.Join(quoted, " "))
		} else {
			fmt.Fprintf(&b, "    %s) printf '%%s\\n' %s ;;\n", shQuote(strings.Join(args, " ")), strings.Join(quoted, " "))
		}
	}
	if sh == "fish" {
		fmt.Fprintf(&b, "        case '*'\n            %s $argv\n    end\nend\n", shQuote(bin))
	} else {
		fmt.Fprintf(&b, "    *) %s \"$@\" ;;\n  esac\n}\n", shQuote(bin))
	}
	return b.String()
}

// shQuote quotes s for bash, zsh and fish alike (s holds no quote).
func shQuote(s string) string { return "'" + s + "'" }

// shellProgram is a script for sh that defines composure (stub), loads
// the completion script and completes each case after a `=== N` line.
func shellProgram(sh, script, stub string, cases []completionCase) string {
	var b strings.Builder
	q := strconv.Quote
	switch sh {
	case "bash":
		fmt.Fprintf(&b, "%s\n%s\n", stub, script)
		for i, c := range cases {
			// bash splits the line at '=' (COMP_WORDBREAKS).
			words := []string{"composure"}
			for _, w := range append(slices.Clone(c.words), c.cur) {
				if name, value, ok := strings.Cut(w, "="); ok && strings.HasPrefix(w, "-") {
					words = append(words, name, "=")
					if value != "" {
						words = append(words, value)
					}
					continue
				}
				words = append(words, w)
			}
			var quoted []string
			for _, w := range words {
				quoted = append(quoted, q(w))
			}
			fmt.Fprintf(&b, "echo '=== %d'; COMP_WORDS=(%s); COMP_CWORD=%d; COMPREPLY=(); _composure; printf '%%s\\n' \"${COMPREPLY[@]}\"\n",
				i, strings.Join(quoted, " "), len(words)-1)
		}
	case "zsh":
		fmt.Fprintf(&b, "%s\ncompdef() { :; }\n", stub)
		b.WriteString("compadd() { [[ $1 == -- ]] && shift; (($#)) && print -rl -- \"$@\"; }\n")
		b.WriteString("_files() { if [[ $1 == -/ ]]; then print -r -- '<dirs>'; else print -r -- '<files>'; fi; }\n")
		b.WriteString(script + "\n")
		for i, c := range cases {
			var quoted []string
			for _, w := range append(append([]string{"composure"}, c.words...), c.cur) {
				quoted = append(quoted, q(w))
			}
			fmt.Fprintf(&b, "print '=== %d'; words=(%s); CURRENT=%d; _composure\n", i, strings.Join(quoted, " "), len(quoted))
		}
	case "fish":
		fmt.Fprintf(&b, "%s\n%s\n", stub, script)
		for i, c := range cases {
			// The line as typed: the words are plain, the cursor at its end.
			line := strings.Join(append([]string{"composure"}, c.words...), " ") + " " + c.cur
			fmt.Fprintf(&b, "echo '=== %d'; complete -C %s\n", i, fishQuote(line))
		}
	}
	return b.String()
}

func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// checkShellAnswer compares what a shell offered for c with composure's
// answer want: the words starting with the current word, and file or
// directory names when want says so.
func checkShellAnswer(t *testing.T, sh, dir string, c completionCase, want candidates, lines []string) {
	t.Helper()
	var got []string
	files, dirs := false, false
	for _, l := range lines {
		l, _, _ = strings.Cut(l, "\t") // fish: candidate<TAB>description
		switch {
		case l == "":
		case l == "<files>":
			files = true
		case l == "<dirs>":
			dirs = true
		default:
			got = append(got, l)
		}
	}
	prefix := c.cur
	if sh == "bash" {
		if i := strings.Index(prefix, "="); i >= 0 && strings.HasPrefix(prefix, "-") {
			// bash completes what follows the '='.
			prefix = prefix[i+1:]
			for i, w := range want.words {
				want.words[i] = w[strings.Index(w, "=")+1:]
			}
		}
	}
	var expect []string
	for _, w := range want.words {
		if strings.HasPrefix(w, prefix) || sh == "zsh" {
			expect = append(expect, w) // zsh filters in compadd, not here
		}
	}
	var names []string
	if want.files || want.dirs {
		base := filepath.Join(dir, prefix)
		if prefix == "" {
			base = dir + string(filepath.Separator)
		}
		matches, _ := filepath.Glob(base + "*")
		for _, m := range matches {
			if st, err := os.Stat(m); err == nil && (want.files || st.IsDir()) {
				names = append(names, prefix+strings.TrimPrefix(m, base))
			}
		}
	}
	if sh == "zsh" {
		if files != want.files || dirs != want.dirs {
			t.Errorf("zsh: %v: files %v dirs %v, want %v %v", c, files, dirs, want.files, want.dirs)
		}
	} else if want.files || want.dirs {
		if sh == "fish" {
			// fish writes directories with a trailing slash
			for i, g := range got {
				got[i] = strings.TrimSuffix(g, "/")
			}
		}
		if sh == "fish" && !strings.HasPrefix(prefix, ".") {
			// fish offers hidden files only to a word starting with a dot
			names = slices.DeleteFunc(names, func(n string) bool { return strings.HasPrefix(n, ".") })
		}
		expect = append(expect, names...)
	}
	if !sameCandidates(candidates{words: got}, candidates{words: expect}) {
		t.Errorf("%s: %v: offered %q, want %q", sh, c, got, expect)
	}
}
