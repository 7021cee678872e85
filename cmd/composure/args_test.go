package main

import (
	"slices"
	"strings"
	"testing"
)

// TestReadCommandLine holds the line urfave/cli gets for each line a user
// types, and the one-line refusals.
func TestReadCommandLine(t *testing.T) {
	app := (&app{}).newCLI()
	tests := []struct {
		name string
		in   []string
		want []string // the words urfave/cli reads
		help bool
		err  string // the refusal, when there is one
	}{
		{name: "flags after the arguments", in: []string{"config", "prod", "--format", "json"}, want: []string{"c", "config", "--format", "json", "--", "prod"}},
		{name: "project flags before and after", in: []string{"-C", "dir", "-f", "a.yml", "config", "prod", "--redact", "-o", "out.yml"},
			want: []string{"c", "-C", "dir", "-f", "a.yml", "config", "--redact", "-o", "out.yml", "--", "prod"}},
		{name: "flag=value", in: []string{"config", "--format=json", "prod"}, want: []string{"c", "config", "--format=json", "--", "prod"}},
		{name: "-- ends the flags", in: []string{"config", "prod", "--", "--redact"}, want: []string{"c", "config", "--", "prod", "--redact"}},
		{name: "-- before an argument", in: []string{"lint", "--", "-odd-env"}, want: []string{"c", "lint", "--", "-odd-env"}},
		{name: "project flags after the command", in: []string{"config", "-f", "a.yml", "prod", "-p", "x"}, want: []string{"c", "config", "-f", "a.yml", "-p", "x", "--", "prod"}},
		{name: "no arguments", in: []string{"refactor", "-C", "dir", "--write"}, want: []string{"c", "refactor", "-C", "dir", "--write"}},
		{name: "two environments", in: []string{"diff", "default", "prod", "--exit-code", "-C", "dir"}, want: []string{"c", "diff", "--exit-code", "-C", "dir", "--", "default", "prod"}},
		{name: "-j1", in: []string{"lint", "-j1", "a", "b"}, want: []string{"c", "lint", "-j", "1", "--", "a", "b"}},
		{name: "-j=1", in: []string{"lint", "-j=1"}, want: []string{"c", "lint", "-j", "1"}},
		{name: "-Cdir before the command", in: []string{"-Cdir", "envs"}, want: []string{"c", "-C", "dir", "envs"}},
		{name: "a group of one-letter flags", in: []string{"refactor", "-wC", "dir"}, want: []string{"c", "refactor", "-w", "-C", "dir"}},
		{name: "a long flag with one dash", in: []string{"config", "-format", "json"}, want: []string{"c", "config", "-format", "json"}},
		{name: "stdin is an argument", in: []string{"lint", "-"}, want: []string{"c", "lint", "--", "-"}},
		{name: "the help command", in: []string{"h", "lint"}, want: []string{"c", "h", "--", "lint"}},
		{name: "--help", in: []string{"--help"}, want: []string{"c"}, help: true},
		{name: "-h after a command", in: []string{"lint", "prod", "-h"}, want: []string{"c", "lint", "--", "prod"}, help: true},
		{name: "CMD help", in: []string{"lint", "help"}, want: []string{"c", "lint"}, help: true},
		{name: "an environment named help", in: []string{"lint", "--", "help"}, want: []string{"c", "lint", "--", "help"}},
		{name: "help among environments", in: []string{"lint", "prod", "help"}, want: []string{"c", "lint", "--", "prod", "help"}},
		{name: "unknown command", in: []string{"lnt"}, err: `composure: unknown command "lnt": did you mean "lint"?`},
		{name: "unknown command, nothing near", in: []string{"deploy"}, err: `composure: unknown command "deploy" (`},
		{name: "unknown flag", in: []string{"lint", "--bogus"}, err: "composure lint: unknown flag --bogus ("},
		{name: "misspelt flag", in: []string{"lint", "--fial-on=error"}, err: "composure lint: unknown flag --fial-on: did you mean --fail-on?"},
		{name: "unknown flag before the command", in: []string{"--bogus", "lint"}, err: "composure: unknown flag --bogus ("},
		{name: "unknown letter", in: []string{"lint", "-x"}, err: "composure lint: unknown flag -x ("},
		{name: "unknown letter in a group", in: []string{"refactor", "-wx"}, err: "composure refactor: unknown flag -x in -wx"},
		{name: "a command's flag before it", in: []string{"--format", "json", "lint"}, err: "composure: unknown flag --format"},
		{name: "missing value", in: []string{"lint", "--format"}, err: "composure lint: --format needs a value: --format FORMAT"},
	}
	for _, tt := range tests {
		cl, err := readCommandLine(app, tt.in, false)
		if tt.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
				t.Errorf("%s: %q: error %v, want %q...", tt.name, tt.in, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %q: %v", tt.name, tt.in, err)
			continue
		}
		if got := cl.words("c"); !slices.Equal(got, tt.want) || cl.help != tt.help {
			t.Errorf("%s: %q read as %q (help %v), want %q (help %v)", tt.name, tt.in, got, cl.help, tt.want, tt.help)
		}
	}
}
