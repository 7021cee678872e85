package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// TestLastResortRecover makes a command panic (one only this test adds, so
// no user can reach it) and checks the short report and exit status 3
// instead of a stack trace.
func TestLastResortRecover(t *testing.T) {
	for _, panicValue := range []any{
		"index out of range [3] with length 3\ngoroutine 1 [running]:\nmain.boom()",
		errors.New("nil map write"),
		42,
	} {
		var stdout, stderr bytes.Buffer
		a := &app{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
		c := a.newCLI()
		c.Commands = append(c.Commands, &cli.Command{
			Name:   "boom",
			Hidden: true,
			Action: func(*cli.Context) error { panic(panicValue) },
		})
		code := a.run(c, []string{"composure", "boom", "--", "compose.yaml"})
		if code != exitFailure {
			t.Errorf("%v: exit %d, want %d", panicValue, code, exitFailure)
		}
		got := stderr.String()
		lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
		if len(lines) != 2 {
			t.Errorf("report has %d lines, want 2:\n%s", len(lines), got)
		}
		if !strings.HasPrefix(got, "composure "+version()+": internal error in \"boom -- compose.yaml\": ") {
			t.Errorf("report does not name version and command: %q", lines[0])
		}
		if first := strings.SplitN(fmt.Sprint(panicValue), "\n", 2)[0]; !strings.HasSuffix(lines[0], ": "+first) {
			t.Errorf("report does not end with the panic's first line %q: %q", first, lines[0])
		}
		for _, trace := range []string{"goroutine", "[running]", ".go:", "panic("} {
			if strings.Contains(got, trace) {
				t.Errorf("report contains a stack trace (%q):\n%s", trace, got)
			}
		}
		if stdout.Len() != 0 {
			t.Errorf("stdout not empty: %q", stdout.String())
		}
	}
}

// TestRecoverWithoutArgs guards the recover itself: a report built from an
// empty argument list (on which urfave/cli panics) must not panic again.
func TestRecoverWithoutArgs(t *testing.T) {
	var stderr bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &stderr, getenv: func(string) string { return "" }}
	c := a.newCLI()
	c.Action = func(*cli.Context) error { panic("boom") }
	if code := a.run(c, nil); code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	if !strings.Contains(stderr.String(), `internal error in "": `) {
		t.Errorf("report: %q", stderr.String())
	}
}
