package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
	"gopkg.in/yaml.v3"
)

// TestCIExamples parses the CI recipes of docs/examples and checks every
// `composure ...` command line in them against the real CLI: the subcommand
// exists and every flag is one it defines. A renamed flag breaks this test
// before it breaks a user's pipeline.
func TestCIExamples(t *testing.T) {
	files, err := filepath.Glob("../../docs/examples/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	files = append(files, "../../.pre-commit-hooks.yaml")
	cliApp := (&app{stdout: new(strings.Builder), stderr: new(strings.Builder), getenv: func(string) string { return "" }}).newCLI()
	checked := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := yaml.Unmarshal(src, &doc); err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		for _, s := range strings.Split(string(src), "\n") {
			s = strings.TrimSpace(s)
			if strings.HasPrefix(s, "#") || strings.Contains(s, "go install") || strings.Contains(s, "github.com/composure-dev") {
				continue
			}
			for _, m := range invocationRE.FindAllStringSubmatch(s, -1) {
				args := strings.Fields(m[1])
				if len(args) == 0 || strings.HasPrefix(args[0], "-") && args[0] != "--check" {
					continue
				}
				if args[0] == "--check" { // `entry: composure refactor --check` split oddly
					continue
				}
				checkInvocation(t, cliApp, f, args)
				checked++
			}
		}
	}
	if checked < 5 {
		t.Errorf("only %d composure command lines found in the examples", checked)
	}
}

// invocationRE finds a composure command line in a script.
var invocationRE = regexp.MustCompile(`composure((?: +(?:"[^"]*"|[^ |>&;]+))*)`)

// checkInvocation checks a composure command line (args after
// "composure") against the CLI: the command exists, and each flag.
func checkInvocation(t *testing.T, cliApp *cli.App, file string, args []string) {
	t.Helper()
	var cmd *cli.Command
	for _, c := range cliApp.Commands {
		if c.Name == args[0] {
			cmd = c
		}
	}
	if cmd == nil {
		t.Errorf("%s: composure %s: no such command", file, strings.Join(args, " "))
		return
	}
	known := map[string]bool{}
	for _, fl := range append(append([]cli.Flag{}, cmd.Flags...), cliApp.Flags...) {
		for _, n := range fl.Names() {
			known[n] = true
		}
	}
	for _, a := range args[1:] {
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name := strings.TrimLeft(strings.SplitN(a, "=", 2)[0], "-")
		if !known[name] {
			t.Errorf("%s: composure %s: flag %q is not defined", file, strings.Join(args, " "), a)
		}
	}
}
