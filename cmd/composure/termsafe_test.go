package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composure-dev/composure/internal/termsafe"
)

var bidi = strings.NewReplacer("\u202e", "")

// TestTerminalSafeOutputs runs every command on a project whose values,
// variable defaults, file and environment names hold control characters
// (a compose file spells them "\e" in a double-quoted string; a file name
// holds them as they are): no text output, stdout or stderr, carries one.
func TestTerminalSafeOutputs(t *testing.T) {
	dir := t.TempDir()
	evilEnv := "pr\x1b]0;TITLE\aod"
	files := map[string]string{
		"compose.yaml": `services:
  web:
    image: "evil\e]0;TITLE\a\e[2J\u009b\u202ex:1.0"
    labels:
      note: "line\r\nforged.yaml:1:1: error: fake [x]"
    environment:
      GREETING: "${GREETING:-hi\e[31m}"
`,
		"compose." + evilEnv + ".yaml": `services:
  web:
    image: "other\e[2J:2.0"
`,
		"broken/compose.yaml": "services:\n  web:\n    image: x:1\n    restart: \"\\e[2Jalways\"\n    ports: [\"\\e[2J\"]\n",
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Skipf("this file system refuses the name %q: %v", name, err)
		}
	}
	runs := [][]string{
		{"envs"},
		{"lint"},
		{"lint", "--format", "github"},
		{"diff"},
		{"diff", "--format", "markdown"},
		{"diff", "--format", "github"},
		{"diff", "default", evilEnv},
		{"config", "--images"},
		{"config", "--variables"},
		{"config", "--services"},
		{"config"},
		{"config", evilEnv, "--origin"},
		{"config", "no\x1b[2Jsuch"},
		{"-C", "broken", "config"},
		{"-C", "broken", "lint"},
	}
	for _, args := range runs {
		args = append([]string{"-C", dir}, args...)
		if args[2] == "-C" {
			args = append([]string{"-C", filepath.Join(dir, args[3])}, args[4:]...)
		}
		_, stdout, stderr := runCLI(t, nil, args...)
		for name, out := range map[string]string{"stdout": stdout, "stderr": stderr} {
			if args[2] == "config" && name == "stdout" && len(args) < 4 || len(args) > 4 && args[4] == "--origin" {
				// A YAML document, escaped as the YAML encoder escapes (and
				// docker compose prints it): control characters, not the
				// bidirectional marks YAML counts as printable.
				out = bidi.Replace(out)
			}
			if i := termsafe.Unsafe([]byte(out)); i >= 0 {
				t.Errorf("composure %s: %s holds a control character at byte %d:\n%q", strings.Join(args[2:], " "), name, i, out)
			}
		}
		if strings.Contains(stdout+stderr, "\nforged.yaml") {
			t.Errorf("composure %s: a value started a line of its own:\n%s", strings.Join(args[2:], " "), stdout)
		}
	}
}
