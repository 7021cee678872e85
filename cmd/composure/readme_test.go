package main

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeFirstCommands runs the README's opening commands: the first must
// run composure on the bundled example and succeed, the second must be the
// test command .ci/run runs.
func TestReadmeFirstCommands(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "```sh\n")
	block, _, _ = strings.Cut(block, "```")
	lines := strings.Split(strings.TrimSpace(block), "\n")
	if !ok || len(lines) != 2 {
		t.Fatalf("the README must open with a block of two commands, got %q", lines)
	}
	run, _, _ := strings.Cut(lines[0], "#")
	args := strings.Fields(run)
	if len(args) < 3 || strings.Join(args[:3], " ") != "go run ./cmd/composure" {
		t.Fatalf("first command %q does not run composure", lines[0])
	}
	// The README runs from the repository root; this test runs in
	// cmd/composure (and must not chdir: other tests run in parallel).
	args = args[3:]
	for i, a := range args {
		if strings.HasPrefix(a, "examples/") {
			args[i] = "../../" + a
		}
	}
	code, stdout, stderr := runCLI(t, nil, args...)
	if code != 0 || !strings.Contains(stdout, "services:") {
		t.Errorf("%s: exit %d\n%s\n%s", run, code, stdout, stderr)
	}
	test, _, _ := strings.Cut(lines[1], "#")
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ci), "\n"+strings.TrimSpace(test)+"\n") {
		t.Errorf(".ci/run does not run the README's test command %q", strings.TrimSpace(test))
	}
}
