package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/internal/termsafe"
)

// app holds the streams of one run; commands take it instead of globals so
// tests can run the CLI in-process and in parallel.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// environ lists the process environment (os.Environ form) that
	// interpolation sees; nil means only what getenv answers by name.
	environ func() []string
	// completing is set while the shell asks for completions: nothing but
	// the candidates is printed.
	completing bool
	// warned holds the warnings printed, each once per run (lint DIR...
	// discovers projects in parallel).
	warnMu sync.Mutex
	warned map[string]bool
	// holding: warnings wait in held until holdWarnings' release
	holding bool
	held    []string
}

// warn prints a warning on stderr, once per run (discovery may run twice:
// --fix reloads the project).
func (a *app) warn(msg string) { a.once("composure: warning: " + msg) }

// once prints line on stderr, unless it was printed before in this run or
// the shell is asking for completions. While warnings are held, it waits.
func (a *app) once(line string) {
	a.warnMu.Lock()
	defer a.warnMu.Unlock()
	if a.completing || a.warned[line] {
		return
	}
	if a.warned == nil {
		a.warned = map[string]bool{}
	}
	a.warned[line] = true
	if a.holding {
		a.held = append(a.held, line)
		return
	}
	fmt.Fprintln(a.stderr, termsafe.Line(line))
}

// holdWarnings keeps the warnings until release prints them in order of
// place (file, line, column; lines with no place last, in the order they
// came): environments loaded at once (diff's sides, lint's environments)
// find them in an order that varies from run to run. release may be called
// more than once.
func (a *app) holdWarnings() (release func()) {
	a.warnMu.Lock()
	a.holding = true
	a.warnMu.Unlock()
	return func() {
		a.warnMu.Lock()
		defer a.warnMu.Unlock()
		a.holding = false
		slices.SortStableFunc(a.held, comparePlaces)
		for _, line := range a.held {
			fmt.Fprintln(a.stderr, termsafe.Line(line))
		}
		a.held = nil
	}
}

// placeRE is the place a warning starts with: "file:line:col: ".
var placeRE = regexp.MustCompile(`^composure: warning: (.+?):(\d+):(\d+): `)

// comparePlaces orders two warning lines by the place they start with.
func comparePlaces(x, y string) int {
	px, py := placeRE.FindStringSubmatch(x), placeRE.FindStringSubmatch(y)
	switch {
	case px == nil || py == nil:
		return cmp.Compare(boolRank(px == nil), boolRank(py == nil))
	case px[1] != py[1]:
		return strings.Compare(px[1], py[1])
	}
	lx, _ := strconv.Atoi(px[2])
	ly, _ := strconv.Atoi(py[2])
	if lx != ly {
		return cmp.Compare(lx, ly)
	}
	cx, _ := strconv.Atoi(px[3])
	cy, _ := strconv.Atoi(py[3])
	return cmp.Compare(cx, cy)
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// run is the whole CLI as a function: it returns the exit status instead of
// calling os.Exit, and turns a panic into a short report and status 3.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	return runApp(&app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: osGetenv, environ: os.Environ}, args)
}

// runEnviron runs the CLI with environ as the whole process environment, as
// tests need to.
func runEnviron(args []string, stdin io.Reader, stdout, stderr io.Writer, environ []string) int {
	env := append([]string(nil), environ...)
	getenv := func(k string) string {
		for i := len(env) - 1; i >= 0; i-- {
			if kk, v, ok := strings.Cut(env[i], "="); ok && kk == k {
				return v
			}
		}
		return ""
	}
	return runApp(&app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, environ: func() []string { return env }}, args)
}

func runApp(a *app, args []string) int { return a.run(a.newCLI(), args) }

// run runs cliApp with the last-resort recover; split from runApp so a test
// can add a command that panics, which no user can reach.
func (a *app) run(cliApp *cli.App, args []string) (code int) {
	stderr := a.stderr
	defer func() {
		if r := recover(); r != nil {
			first := strings.SplitN(fmt.Sprint(r), "\n", 2)[0]
			cmdline := ""
			if len(args) > 1 {
				cmdline = strings.Join(args[1:], " ")
			}
			fmt.Fprintf(stderr, "composure %s: internal error in %q: %s\nplease report it with the command and the files that caused it\n",
				version(), cmdline, termsafe.Line(first))
			code = exitFailure
		}
	}()
	prog, words := "composure", []string(nil)
	if len(args) > 0 {
		prog, words = args[0], args[1:]
	}
	if len(words) > 0 && words[0] == completeCommand {
		a.completing = true // discovery warnings would land in the shell's candidates
		a.complete(cliApp, words[1:]).write(a.stdout)
		return exitOK
	}
	cl, err := readCommandLine(cliApp, words, false)
	switch {
	case err != nil:
	case cl.help && cl.cmd != nil:
		err = a.printCommandHelp(cl.cmd)
	case cl.help:
		err = a.printAppHelp(cliApp)
	default:
		err = cliApp.Run(cl.words(prog))
	}
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) && ee.err == nil {
		return ee.code
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(stderr, ue.Error())
		return exitUsage
	}
	var list compose.ErrorList
	if errors.As(err, &list) {
		// several problems, each on its `file:line:col: message` line
		fmt.Fprintln(stderr, list.Error())
		return exitCode(err)
	}
	var ce *compose.Error
	if errors.As(err, &ce) {
		// already the one-line `file:line:col: message` users act on
		fmt.Fprintln(stderr, termsafe.Text(ce.Error()))
		return exitCode(err)
	}
	// Messages relay compose-go's and the YAML parser's, which quote the
	// files: no character of theirs may drive the terminal.
	fmt.Fprintf(stderr, "composure: %s\n", termsafe.Text(err.Error()))
	return exitCode(err)
}

func (a *app) newCLI() *cli.App {
	return &cli.App{
		Name:      "composure",
		Usage:     "see, diff, lint and refactor Docker Compose projects kept in several files",
		Reader:    a.stdin,
		Writer:    a.stdout,
		ErrWriter: a.stderr,
		// -f a,b.yml is one file name, as in docker compose
		DisableSliceFlagSeparator: true,
		Flags:                     append(projectFlags(), versionFlag()),
		// composure prints help and version itself (help.go): urfave/cli's
		// go through package globals and print "(default: false)" noise.
		HideHelp:        true,
		HideHelpCommand: true,
		HideVersion:     true,
		// urfave/cli's default handler calls os.Exit through package globals;
		// run decides the status instead.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError:   a.onUsageError(""),
		Commands:       a.commands(),
		// Reached without a command: readCommandLine refused unknown ones.
		Action: func(c *cli.Context) error {
			if c.Bool("version") {
				_, err := fmt.Fprintf(a.stdout, "composure version %s\n", version())
				return err
			}
			return a.printAppHelp(c.App)
		},
	}
}

// commands lists the subcommands; each lives in cmd_<name>.go. Commands
// that load a project take the project flags after their name too.
func (a *app) commands() []*cli.Command {
	cmds := []*cli.Command{
		withProjectFlags(a.envsCommand()),
		withProjectFlags(a.configCommand()),
		withProjectFlags(a.diffCommand()),
		withProjectFlags(a.lintCommand()),
		withProjectFlags(a.refactorCommand()),
		a.rulesCommand(),
		withProjectFlags(a.initCommand()),
		a.completionCommand(),
		a.helpCommand(),
	}
	for _, c := range cmds {
		c.HideHelp, c.HideHelpCommand = true, true
		c.OnUsageError = a.onUsageError(c.Name)
	}
	return cmds
}

// flagErrorRE reads the errors of Go's flag package that reach urfave/cli's
// OnUsageError once readCommandLine has refused unknown flags: a value the
// flag cannot take.
var flagErrorRE = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for (?:flag )?-(\S+): (.*)$`)

// onUsageError turns urfave/cli's usage errors into one line naming the
// flag as it is typed, instead of the whole help.
func (a *app) onUsageError(cmd string) cli.OnUsageErrorFunc {
	return func(_ *cli.Context, err error, _ bool) error {
		msg := err.Error()
		if m := flagErrorRE.FindStringSubmatch(msg); m != nil {
			reason := m[3]
			if reason == "parse error" {
				reason = "not a valid value"
			}
			msg = fmt.Sprintf("invalid value %q for %s: %s", m[1], dashed(m[2]), reason)
		}
		return &usageError{cmd, msg + " " + helpHint(cmd)}
	}
}

// buildVersion is set with -ldflags "-X main.buildVersion=..." by builds that
// carry no module or VCS information (the Dockerfile's).
var buildVersion string

// version is the module version and VCS revision from the build info.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	return versionOf(bi, buildVersion)
}

// versionOf renders the version of a binary with build info bi: the module
// version (or override, when set at link time), then the VCS revision and
// whether the tree was modified, as `v1.2.3 (0123456789ab+dirty)`.
func versionOf(bi *debug.BuildInfo, override string) string {
	v := bi.Main.Version
	if override != "" {
		v = override
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		return fmt.Sprintf("%s (%s%s)", v, rev, dirty)
	}
	return v
}
