package main

import (
	"runtime/debug"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestVersionOf(t *testing.T) {
	tests := []struct {
		name     string
		version  string
		settings map[string]string
		override string
		want     string
	}{
		{"module only", "v0.3.1", nil, "", "v0.3.1"},
		{"vcs", "(devel)", map[string]string{"vcs.revision": "5ba6514cb3034bd192c0953a20dde9dd442ba98c", "vcs.modified": "false"}, "", "(devel) (5ba6514cb303)"},
		{"dirty", "v0.3.1", map[string]string{"vcs.revision": "5ba6514cb303", "vcs.modified": "true"}, "", "v0.3.1 (5ba6514cb303+dirty)"},
		{"link-time override", "(devel)", nil, "docker", "docker"},
	}
	for _, tt := range tests {
		bi := &debug.BuildInfo{Main: debug.Module{Version: tt.version}}
		for k, v := range tt.settings {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: k, Value: v})
		}
		if got := versionOf(bi, tt.override); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
	code, stdout, _ := runCLI(t, nil, "--version")
	if code != 0 || !strings.HasPrefix(stdout, "composure version ") {
		t.Errorf("--version: exit %d, %q", code, stdout)
	}
}

// TestBoolFlagUsage guards against backquotes in a boolean flag's usage:
// urfave/cli reads the first backquoted text as the flag's value name, so
// `--origin` showed up in the help as "--origin # file:line:col".
func TestBoolFlagUsage(t *testing.T) {
	cliApp := (&app{stdout: new(strings.Builder), stderr: new(strings.Builder), getenv: func(string) string { return "" }}).newCLI()
	for _, cmd := range cliApp.Commands {
		for _, f := range cmd.Flags {
			if bf, ok := f.(*cli.BoolFlag); ok && strings.Contains(bf.Usage, "`") {
				t.Errorf("composure %s --%s: backquotes in a boolean flag's usage make a bogus value name", cmd.Name, bf.Name)
			}
		}
	}
}
