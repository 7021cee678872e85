package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/composure-dev/composure/internal/testenv"
)

// Hostile inputs of issue 6 at the CLI level: each must end in exit 2 and
// one line `file:line:col: message` (or `file: message` for a file that
// cannot be read at all), within 2 s of CPU and 256 MB allocated, without a
// hang. docs/reliability.md quotes the `hostile-cli:` lines of
// `go test -v -run TestHostileCLI ./cmd/composure`.

const (
	hostileCPU   = 2 * time.Second
	hostileAlloc = 256 << 20
	// hostileHang is the wall time after which a run counts as hung. Wall
	// time on the shared test machine measures the neighbours too, so the
	// bound that matters is CPU time.
	hostileHang = 10 * time.Second
)

// hostileCase is a project laid out in a directory and what loading it
// must say.
type hostileCase struct {
	name  string
	files map[string]string              // relative path -> content
	setup func(t *testing.T, dir string) // extra layout (FIFOs, links...)
	want  string                         // substring of the one error line
	pos   bool                           // the line must carry line:col
	// fileLevel marks a compose file unusable in itself: every command
	// refuses it. Otherwise commands that need not load the project (envs,
	// refactor with nothing to fold) may end cleanly.
	fileLevel bool
	// proof marks a project refactor must load to prove its rewrite.
	proof bool
	// noRefusal marks a project every command may load: only the bounds
	// and a clean end are checked.
	noRefusal bool
}

// errLineRE is `file:line:col: message` or `file: message`.
var (
	errLinePosRE  = regexp.MustCompile(`^[^\s:][^:]*:\d+:\d+: \S.*$`)
	errLineFileRE = regexp.MustCompile(`^[^\s:][^:]*(:\d+:\d+)?: \S.*$`)
)

func hostileCases() []hostileCase {
	rng := rand.New(rand.NewPCG(6, 6))
	random := make([]byte, 1<<20)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	var bomb strings.Builder
	bomb.WriteString("x-l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&bomb, "x-l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10), ", "))
	}
	bomb.WriteString("services:\n  web:\n    image: nginx\n    command: *l9\n")
	var deepVars strings.Builder
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&deepVars, "${V%d:-", i)
	}
	deepVars.WriteString("x" + strings.Repeat("}", 10000))
	utf16le := []byte{0xFF, 0xFE}
	for _, c := range utf16.Encode([]rune("services:\n  web:\n    image: nginx\n")) {
		utf16le = append(utf16le, byte(c), byte(c>>8))
	}
	web := "services:\n  web:\n    image: nginx\n"
	return []hostileCase{
		{fileLevel: true, name: "billion laughs", files: map[string]string{"compose.yaml": bomb.String()}, want: "alias bomb", pos: true},
		{fileLevel: true, name: "10,000-deep nesting", files: map[string]string{"compose.yaml": "services: " + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "\n"}, want: "nesting deeper than 1000 levels", pos: true},
		{fileLevel: true, name: "100 MB file", setup: func(t *testing.T, dir string) {
			f, err := os.Create(filepath.Join(dir, "compose.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			block := []byte(strings.Repeat("  # padding comment line of a generated compose file\n", 20000))
			if _, err := f.WriteString(web); err != nil {
				t.Fatal(err)
			}
			for written := 0; written < 100<<20; written += len(block) {
				if _, err := f.Write(block); err != nil {
					t.Fatal(err)
				}
			}
		}, want: "larger than the 32 MiB"},
		{fileLevel: true, name: "random binary data", files: map[string]string{"compose.yaml": string(random)}, want: "not valid UTF-8", pos: true},
		{fileLevel: true, name: "invalid UTF-8", files: map[string]string{"compose.yaml": "services:\n  web:\n    image: ngi\xc3\x28nx\n"}, want: "compose.yaml:3:15: file is not valid UTF-8", pos: true},
		{fileLevel: true, name: "UTF-16 with a BOM", files: map[string]string{"compose.yaml": string(utf16le)}, want: "compose.yaml:1:1: file is UTF-16 encoded", pos: true},
		{name: "empty file", files: map[string]string{"compose.yaml": ""}, want: "empty"},
		{fileLevel: true, name: "directory where a file is expected", setup: func(t *testing.T, dir string) {
			mustMkdir(t, filepath.Join(dir, "compose.yaml"))
		}, want: "is a directory"},
		{fileLevel: true, name: "symlink loop", setup: func(t *testing.T, dir string) {
			mustSymlink(t, "other.yaml", filepath.Join(dir, "compose.yaml"))
			mustSymlink(t, "compose.yaml", filepath.Join(dir, "other.yaml"))
		}, want: "symbolic links"},
		{name: "include cycle", files: map[string]string{
			"compose.yaml":   "include:\n  - a/compose.yaml\n" + web,
			"a/compose.yaml": "include:\n  - ../b/compose.yaml\nservices:\n  a:\n    image: a\n",
			"b/compose.yaml": "include:\n  - ../a/compose.yaml\nservices:\n  b:\n    image: b\n",
		}, want: "cycle"},
		{name: "extends cycle", files: map[string]string{
			"compose.yaml": "services:\n  a:\n    image: a\n    extends: b\n  b:\n    image: b\n    extends: a\n",
		}, want: "circular"},
		{name: "extends cycle across files", files: map[string]string{
			"compose.yaml": "services:\n  a:\n    image: a\n    extends: {file: other.yaml, service: b}\n",
			"other.yaml":   "services:\n  b:\n    image: b\n    extends: {file: compose.yaml, service: a}\n",
		}, want: "circular"},
		{name: "env_file is /dev/zero", files: map[string]string{"compose.yaml": web + "    env_file: /dev/zero\n"}, want: "not a regular file", pos: true},
		{name: "env_file is a FIFO", files: map[string]string{"compose.yaml": web + "    env_file: [fifo]\n"}, setup: mkfifo("fifo"), want: "not a regular file", pos: true},
		{name: ".env is a FIFO", files: map[string]string{"compose.yaml": web}, setup: mkfifo(".env"), want: ".env: env file \".env\" is not a regular file"},
		{name: "include of /dev/zero", files: map[string]string{"compose.yaml": "include:\n  - /dev/zero\n" + web}, want: "not a regular file", pos: true},
		{name: "extends file is a FIFO", files: map[string]string{"compose.yaml": web + "    extends: {file: fifo, service: web}\n"}, setup: mkfifo("fifo"), want: "not a regular file", pos: true},
		{fileLevel: true, name: "${VAR:-${VAR2:-...}} 10,000 deep", files: map[string]string{"compose.yaml": "services:\n  web:\n    image: \"" + deepVars.String() + "\"\n"}, want: "variable defaults nest 10000 deep", pos: true},
		{name: ".env is /dev/zero", files: map[string]string{"compose.yaml": web}, setup: link("/dev/zero", ".env"), want: "not a regular file"},
		{name: "composure.yaml is a FIFO", files: map[string]string{"compose.yaml": web}, setup: mkfifo("composure.yaml"), want: "composure.yaml: is not a regular file"},
		{name: "Dockerfile is /dev/zero", files: map[string]string{"compose.yaml": "services:\n  web:\n    build: {context: ., dockerfile: /dev/zero}\n  db:\n    image: postgres:16\n    depends_on: [web]\n"}, noRefusal: true},
		// Two identical services: refactor folds them and must load the
		// project to prove the rewrite, reaching the files compose-go reads.
		{name: "refactor proof, env_file is a FIFO", files: map[string]string{"compose.yaml": duplicated("    env_file: fifo\n")}, setup: mkfifo("fifo"), want: "not a regular file", pos: true, proof: true},
		{name: "refactor proof, env_file is /dev/zero", files: map[string]string{"compose.yaml": duplicated("    env_file: /dev/zero\n")}, want: "not a regular file", pos: true, proof: true},
		{name: "refactor proof, include of /dev/zero", files: map[string]string{"compose.yaml": "include: [/dev/zero]\n" + duplicated("")}, want: "not a regular file", pos: true, proof: true},
	}
}

// duplicated is a compose file whose two services repeat the same block, extra
// appended to each.
func duplicated(extra string) string {
	var b strings.Builder
	b.WriteString("services:\n")
	for _, name := range []string{"web", "worker"} {
		fmt.Fprintf(&b, "  %s:\n    image: example/app:1.4.2\n    restart: unless-stopped\n    environment:\n      LOG_LEVEL: info\n      REGION: eu\n    logging:\n      driver: json-file\n      options: {max-size: 10m}\n%s", name, extra)
	}
	return b.String()
}

func mkfifo(name string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		if err := syscall.Mkfifo(filepath.Join(dir, name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func link(target, name string) func(*testing.T, string) {
	return func(t *testing.T, dir string) { mustSymlink(t, target, filepath.Join(dir, name)) }
}

func mustMkdir(t *testing.T, p string) {
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
}

func mustSymlink(t *testing.T, old, new string) {
	if err := os.Symlink(old, new); err != nil {
		t.Fatal(err)
	}
}

func layout(t *testing.T, dir string, c hostileCase) {
	for name, content := range c.files {
		p := filepath.Join(dir, name)
		mustMkdir(t, filepath.Dir(p))
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if c.setup != nil {
		c.setup(t, dir)
	}
}

// hostileCommands are the command lines every hostile project goes
// through; {} is the project directory. A command the CLI does not have
// (yet) is skipped.
var hostileCommands = [][]string{
	{"-C", "{}", "config"},
	{"-f", "{}/compose.yaml", "config"},
	{"-C", "{}", "envs"},
	{"refactor", "-C", "{}"},
	{"refactor", "{}/compose.yaml"},
	{"lint", "-C", "{}"},
	{"lint", "-f", "{}/compose.yaml"},
	{"-C", "{}", "diff", "default", "default"},
}

// hasCommand reports whether the CLI has the named subcommand.
func hasCommand(name string) bool {
	a := &app{}
	for _, c := range a.commands() {
		if c.Name == name {
			return true
		}
	}
	return false
}

func commandName(args []string) string {
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "-C" || args[i] == "-f":
			i++
		case !strings.HasPrefix(args[i], "-"):
			return args[i]
		}
	}
	return ""
}

type hostileRun struct {
	code           int
	stdout, stderr string
	wall, cpu      time.Duration
	alloc          uint64
	hung           bool
}

// runHostile runs the CLI in-process on args, measuring it. A run still
// going after hostileHang is left behind (blocked, it holds nothing the
// other tests need) and reported as hung.
func runHostile(args []string) hostileRun {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var ru0, ru1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	start := time.Now()
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- runEnviron(append([]string{"composure"}, args...), strings.NewReader(""), &stdout, &stderr, []string{"PATH=/nonexistent"})
	}()
	r := hostileRun{}
	select {
	case r.code = <-done:
	case <-time.After(hostileHang * testenv.RaceFactor):
		r.hung = true
		return r
	}
	r.wall = time.Since(start)
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	r.cpu = time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
	runtime.ReadMemStats(&after)
	r.alloc = after.TotalAlloc - before.TotalAlloc
	r.stdout, r.stderr = stdout.String(), stderr.String()
	return r
}

func TestHostileCLI(t *testing.T) {
	statuses := map[string]string{} // case -> "config 2, envs 0, ..."
	for _, c := range hostileCases() {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			layout(t, dir, c)
			var names []string
			codes := map[string][]string{}
			defer func() {
				var parts []string
				for _, n := range names {
					parts = append(parts, n+" "+strings.Join(codes[n], "/"))
				}
				statuses[c.name] = strings.Join(parts, ", ")
			}()
			for _, cmdline := range hostileCommands {
				name := commandName(cmdline)
				if !hasCommand(name) {
					continue
				}
				args := make([]string, len(cmdline))
				for i, a := range cmdline {
					args[i] = strings.ReplaceAll(a, "{}", dir)
				}
				r := runHostile(args)
				if r.hung {
					t.Fatalf("%s: still running after %v: a hang", name, hostileHang)
				}
				t.Logf("hostile-cli: %-36s %-9s exit %d %8.1f ms wall %8.1f ms CPU %8.1f MB allocated", c.name, name, r.code,
					float64(r.wall.Microseconds())/1000, float64(r.cpu.Microseconds())/1000, float64(r.alloc)/(1<<20))
				checkHostileRun(t, name, c, r, dir)
				if !slices.Contains(names, name) {
					names = append(names, name)
				}
				if code := strconv.Itoa(r.code); !slices.Contains(codes[name], code) {
					codes[name] = append(codes[name], code)
				}
			}
		})
	}
	if !t.Failed() && !testing.Short() {
		checkReliabilityStatuses(t, statuses)
	}
}

// checkReliabilityStatuses holds the "exit status by command" column of
// docs/reliability.md's CLI table to what TestHostileCLI saw (several
// statuses of one command, one per way of naming the project, as 0/1);
// -update rewrites the column. The times beside it are measurements of a
// day, not checked.
func checkReliabilityStatuses(t *testing.T, statuses map[string]string) {
	path := filepath.Join(repoRoot(t), "docs", "reliability.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	in, seen, changed := false, map[string]bool{}, false
	for i, l := range lines {
		if strings.HasPrefix(l, "| input | exit status by command |") {
			in = true
			continue
		}
		if !in || strings.HasPrefix(l, "|---") {
			continue
		}
		if !strings.HasPrefix(l, "| ") {
			break
		}
		cells := strings.Split(l, " | ")
		name := strings.TrimPrefix(cells[0], "| ")
		want, ok := statuses[name]
		if !ok {
			t.Errorf("docs/reliability.md: row %q is no case of TestHostileCLI", name)
			continue
		}
		seen[name] = true
		if cells[1] != want {
			if *update {
				cells[1] = want
				lines[i] = strings.Join(cells, " | ")
				changed = true
				continue
			}
			t.Errorf("docs/reliability.md: %s: exit statuses %q, the tests see %q (go test ./cmd/composure -run 'TestHostileCLI$' -update)", name, cells[1], want)
		}
	}
	for name := range statuses {
		if !seen[name] {
			t.Errorf("docs/reliability.md: no row for %q in the CLI table", name)
		}
	}
	if changed {
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func checkHostileRun(t *testing.T, name string, c hostileCase, r hostileRun, dir string) {
	t.Helper()
	if r.cpu > hostileCPU*testenv.RaceFactor {
		t.Errorf("%s: %v of CPU, bound %v", name, r.cpu, hostileCPU*testenv.RaceFactor)
	}
	if r.alloc > hostileAlloc {
		t.Errorf("%s: allocated %d MB, bound %d MB", name, r.alloc>>20, hostileAlloc>>20)
	}
	mustRefuse := !c.noRefusal && (name == "config" || c.fileLevel && name != "envs" || c.proof && name == "refactor")
	if name == "lint" && mustRefuse && (r.code == exitFindings || r.code == exitUsage) && r.stderr == "" {
		// lint reports a file it cannot load as a load-error finding on
		// stdout (exit 2), so that CI shows it in the chosen format with the
		// others, as actionlint does.
		re := regexp.MustCompile(`(?m)^[^\s:][^:]*(:\d+:\d+)?: error: .*\[load-error\]$`)
		found := false
		for _, l := range re.FindAllString(r.stdout, -1) {
			found = found || strings.Contains(strings.Replace(l, ": error: ", ": ", 1), c.want)
		}
		if !found {
			t.Errorf("lint: exit %d without a load-error finding saying %q:\n%.1000q", r.code, c.want, r.stdout)
		}
		return
	}
	if !mustRefuse {
		// envs lists the files without reading them, refactor with nothing
		// to fold loads nothing: a clean end will do, or a clear refusal.
		lintLoadError := name == "lint" && r.stderr == "" && strings.Contains(r.stdout, "[load-error]")
		if r.code == exitFailure || r.code == exitUsage && strings.Count(r.stderr, "\n") != 1 && !lintLoadError {
			t.Errorf("%s: exit %d: %s", name, r.code, r.stderr)
		}
		return
	}
	if r.code != exitUsage {
		t.Errorf("%s: exit %d, want %d\nstdout: %.300s\nstderr: %.300s", name, r.code, exitUsage, r.stdout, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if len(lines) != 1 {
		t.Errorf("%s: %d lines on stderr, want one:\n%.1000s", name, len(lines), r.stderr)
	}
	line := strings.ReplaceAll(lines[0], dir+string(filepath.Separator), "")
	re := errLineFileRE // a position is welcome, not required
	if c.pos {
		re = errLinePosRE
	}
	if !re.MatchString(line) {
		t.Errorf("%s: %q is not a `file%s: message` line", name, line, map[bool]string{true: ":line:col"}[c.pos])
	}
	if !strings.Contains(line, c.want) {
		t.Errorf("%s: %q does not say %q", name, line, c.want)
	}
	for _, trace := range []string{"goroutine ", "panic", ".go:"} {
		if strings.Contains(r.stderr, trace) {
			t.Errorf("%s: stderr holds a stack trace:\n%s", name, r.stderr)
		}
	}
}

// TestHostileCLIUnreadable checks a compose file its user may not read.
// Tests run as root here, and chmod 000 does not stop root, so the CLI runs
// in a child of this test binary as nobody (uid 65534), where it does.
func TestHostileCLIUnreadable(t *testing.T) {
	if dir := os.Getenv("COMPOSURE_HOSTILE_CHILD"); dir != "" {
		var stdout, stderr bytes.Buffer
		code := runEnviron([]string{"composure", "-C", dir, "config"}, strings.NewReader(""), &stdout, &stderr, nil)
		fmt.Printf("EXIT %d\nSTDERR %s", code, stderr.String())
		return
	}
	dir, err := os.MkdirTemp("", "composure-unreadable-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte("services:\n  web:\n    image: nginx\n"), 0o000); err != nil {
		t.Fatal(err)
	}
	const want = "compose.yaml: permission denied: make the file readable\n"
	if os.Geteuid() != 0 {
		r := runHostile([]string{"-C", dir, "config"})
		if r.code != exitUsage || r.stderr != want {
			t.Fatalf("exit %d, stderr %q; want 2, %q", r.code, r.stderr, want)
		}
		return
	}
	out := testenv.RunAsNobody(t, dir, "TestHostileCLIUnreadable", []string{"COMPOSURE_HOSTILE_CHILD=" + dir, "HOME=" + dir})
	if !bytes.Contains(out, []byte("EXIT 2\nSTDERR "+want)) {
		t.Errorf("as nobody: got\n%s\nwant EXIT 2, %q", out, want)
	}
}
