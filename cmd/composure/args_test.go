package main

import (
	"slices"
	"testing"
)

func TestInterspersed(t *testing.T) {
	app := (&app{}).newCLI()
	tests := []struct{ in, want []string }{
		{[]string{"c", "config", "prod", "--format", "json"}, []string{"c", "config", "--format", "json", "prod"}},
		{[]string{"c", "-C", "dir", "-f", "a.yml", "config", "prod", "--redact", "-o", "out.yml"},
			[]string{"c", "-C", "dir", "-f", "a.yml", "config", "--redact", "-o", "out.yml", "prod"}},
		{[]string{"c", "config", "--format=json", "prod"}, []string{"c", "config", "--format=json", "prod"}},
		{[]string{"c", "config", "prod", "--", "--redact"}, []string{"c", "config", "prod", "--", "--redact"}},
		{[]string{"c", "nosuch", "x", "--y"}, []string{"c", "nosuch", "x", "--y"}},
		{[]string{"c", "--help"}, []string{"c", "--help"}},
		{[]string{"c", "config", "-f", "a.yml", "prod", "-p", "x"}, []string{"c", "config", "-f", "a.yml", "-p", "x", "prod"}},
		{[]string{"c", "refactor", "-C", "dir", "--write"}, []string{"c", "refactor", "-C", "dir", "--write"}},
		{[]string{"c", "lint", "-C", "dir"}, []string{"c", "lint", "-C", "dir"}},
		{[]string{"c", "diff", "default", "prod", "--exit-code", "-C", "dir"}, []string{"c", "diff", "--exit-code", "-C", "dir", "default", "prod"}},
	}
	for _, tt := range tests {
		if got := interspersed(app, tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("interspersed(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
