package main

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestMain(m *testing.M) {
	if os.Getenv(asCLIEnv) == "1" {
		// The test binary standing in for composure (asCLI).
		os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
	}
	// compose-go warns through logrus' global logger (obsolete `version`,
	// unset variables); docker compose shows those on stderr, tests don't
	// need them.
	logrus.SetOutput(io.Discard)
	os.Exit(m.Run())
}

// asCLIEnv makes the test binary run as composure itself, for tests that
// need a composure program: shell completion scripts call it.
const asCLIEnv = "COMPOSURE_TEST_AS_CLI"

// asCLI returns the path of a program that runs composure (this test
// binary, with asCLIEnv set in the environment env returns).
func asCLI(t *testing.T) (bin string, env []string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return self, append(os.Environ(), asCLIEnv+"=1")
}

// repoRoot is the directory holding go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test")
		}
		dir = parent
	}
}

// TestCLI runs every case under testdata/cli/<case>/ in-process:
//
//	args          the arguments, one per line; $CASE is the case directory
//	env           optional process environment, KEY=VALUE per line
//	stdin         optional standard input (default: empty)
//	exit          the expected exit status (default 0)
//	stdout.golden, stderr.golden  the expected output, $CASE for the directory,
//	              $CLI for testdata/cli
//
// Directories starting with "_" hold projects several cases share.
//
// Every case must finish within a second, bad input included.
func TestCLI(t *testing.T) {
	root := filepath.Join(repoRoot(t), "testdata", "cli")
	cases, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if !c.IsDir() || strings.HasPrefix(c.Name(), "_") {
			continue // _name: fixtures shared by several cases
		}
		dir := filepath.Join(root, c.Name())
		// not parallel: each case is timed, and 2 cores shared by 30
		// cases would measure the machine, not composure
		t.Run(c.Name(), func(t *testing.T) {
			args := []string{"composure"}
			for _, a := range readLines(t, filepath.Join(dir, "args")) {
				args = append(args, strings.ReplaceAll(a, "$CASE", dir))
			}
			var environ []string
			for _, e := range readLines(t, filepath.Join(dir, "env")) {
				environ = append(environ, strings.ReplaceAll(e, "$CASE", dir))
			}
			wantExit := 0
			if b, err := os.ReadFile(filepath.Join(dir, "exit")); err == nil {
				if wantExit, err = strconv.Atoi(strings.TrimSpace(string(b))); err != nil {
					t.Fatal(err)
				}
			}
			stdin, err := os.ReadFile(filepath.Join(dir, "stdin"))
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			start := time.Now()
			code := runEnviron(args, bytes.NewReader(stdin), &stdout, &stderr, environ)
			if d := time.Since(start); d > time.Second {
				t.Errorf("took %v, want under a second", d)
			}
			if code != wantExit {
				t.Errorf("exit status %d, want %d\nstderr: %s", code, wantExit, stderr.String())
			}
			clean := strings.NewReplacer(dir, "$CASE", root, "$CLI", repoRoot(t), "$REPO").Replace
			checkGolden(t, filepath.Join(dir, "stdout.golden"), clean(stdout.String()))
			checkGolden(t, filepath.Join(dir, "stderr.golden"), clean(stderr.String()))
		})
	}
}

func readLines(t *testing.T, path string) []string {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if got == "" {
			os.Remove(path)
			return
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", filepath.Base(path), got, want)
	}
}
