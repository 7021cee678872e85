package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const cleanCompose = "services:\n  web:\n    image: nginx:1.27\n"

const flawedCompose = `version: "3.8"
services:
  web:
    image: example/web:1.0
    restart: unless-stoped
    ports:
      - 2222:22
`

func TestLintExitCodes(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		args  []string
		code  int
		out   string // substring of stdout
	}{
		{"clean", map[string]string{"compose.yaml": cleanCompose}, nil, 0, ""},
		{"warnings under fail-on error", map[string]string{"compose.yaml": "version: '3'\n" + cleanCompose}, nil, 0, "[obsolete-version]"},
		{"warnings with fail-on warning", map[string]string{"compose.yaml": "version: '3'\n" + cleanCompose}, []string{"--fail-on", "warning"}, 1, "compose.yaml:1:1: warning:"},
		{"error", map[string]string{"compose.yaml": flawedCompose}, nil, 1, `compose.yaml:5:14: error: restart policy "unless-stoped" is invalid`},
		{"broken yaml is a finding and exit 2", map[string]string{"compose.yaml": "services:\n  web: [\n"}, nil, 2, "[load-error]"},
		{"no compose file", map[string]string{"README": "x"}, nil, 2, ""},
		{"bad format", map[string]string{"compose.yaml": cleanCompose}, []string{"--format", "xml"}, 2, ""},
		{"bad fail-on", map[string]string{"compose.yaml": cleanCompose}, []string{"--fail-on", "fatal"}, 2, ""},
		{"unknown rule", map[string]string{"compose.yaml": cleanCompose}, []string{"--rule", "nope"}, 2, ""},
		{"diff without fix", map[string]string{"compose.yaml": cleanCompose}, []string{"--diff"}, 2, ""},
		{"ignore comment", map[string]string{"compose.yaml": "version: '3' # composure-ignore obsolete-version: legacy tooling\n" + cleanCompose}, []string{"--fail-on", "info"}, 0, ""},
		{"config turns a rule off", map[string]string{"compose.yaml": flawedCompose, "composure.yaml": "rules:\n  restart-policy: off\n"}, nil, 0, "[unquoted-port]"},
		{"config raises a severity", map[string]string{"compose.yaml": "version: '3'\n" + cleanCompose, "composure.yaml": "rules:\n  obsolete-version: error\n"}, nil, 1, "error: the top-level"},
		{"config with options", map[string]string{"compose.yaml": "services:\n  a:\n    image: x:1\n    restart: always\n    user: app\n    init: true\n  b:\n    image: x:1\n    restart: always\n    user: app\n    init: true\n", "composure.yaml": "rules:\n  duplicate-service: {severity: error, min-shared: 3}\n"}, nil, 1, "[duplicate-service]"},
		{"config with unknown rule", map[string]string{"compose.yaml": cleanCompose, "composure.yaml": "rules:\n  restart-polcy: off\n"}, nil, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			code, out, errOut := runCLI(t, nil, append([]string{"lint", "-C", dir}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out, tt.out) {
				t.Errorf("stdout lacks %q:\n%s", tt.out, out)
			}
		})
	}
}

func TestLintJSON(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": flawedCompose})
	code, out, _ := runCLI(t, nil, "lint", "-C", dir, "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var v struct {
		Findings []map[string]any `json:"findings"`
		Summary  map[string]int   `json:"summary"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	if v.Summary["error"] != 1 || v.Summary["warning"] != 2 {
		t.Errorf("summary = %v", v.Summary)
	}
	for _, k := range []string{"rule", "severity", "message", "file", "line", "column", "end_line", "end_column", "environments", "related", "fix"} {
		if _, ok := v.Findings[0][k]; !ok {
			t.Errorf("finding lacks %q: %v", k, v.Findings[0])
		}
	}
}

func TestLintFix(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": flawedCompose})
	code, out, _ := runCLI(t, nil, "lint", "-C", dir, "--fix", "--diff")
	if code != 0 || !strings.Contains(out, "+    restart: unless-stopped") || !strings.Contains(out, `+      - "2222:22"`) {
		t.Fatalf("exit %d, diff:\n%s", code, out)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "compose.yaml")); string(b) != flawedCompose {
		t.Fatal("--diff wrote the file")
	}
	code, _, errOut := runCLI(t, nil, "lint", "-C", dir, "--fix")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := "services:\n  web:\n    image: example/web:1.0\n    restart: unless-stopped\n    ports:\n      - \"2222:22\"\n"
	if b, _ := os.ReadFile(filepath.Join(dir, "compose.yaml")); string(b) != want {
		t.Errorf("fixed file:\n%s\nwant:\n%s", b, want)
	}
	if code, out, _ := runCLI(t, nil, "lint", "-C", dir, "--fail-on", "info"); code != 0 {
		t.Errorf("after --fix: exit %d\n%s", code, out)
	}
}

// TestLintFixExitStatus: after --fix, the exit status says what is left,
// as lint's does: findings the fixes did not remove (exit 1, printed), a
// file that does not load (exit 2). --fix used to exit 0 with errors left,
// and 3 ("composure itself failed") when another file did not load.
func TestLintFixExitStatus(t *testing.T) {
	typo := "services:\n  web:\n    image: nginx:1.27.2\n    restart: unless-stoped\n"
	fixed := "services:\n  web:\n    image: nginx:1.27.2\n    restart: unless-stopped\n"
	missing := typo + "    env_file: missing.env\n"
	tests := []struct {
		name  string
		files map[string]string
		args  []string
		code  int
		out   string // in stdout
		after string // compose.yaml afterwards ("": unchanged)
	}{
		{"all fixed", map[string]string{"compose.yaml": typo}, nil, exitOK, "", fixed},
		{"an error no fix removes", map[string]string{"compose.yaml": missing}, nil, exitFindings, "[missing-file]", fixed + "    env_file: missing.env\n"},
		{"an error no fix removes, --diff", map[string]string{"compose.yaml": missing}, []string{"--diff"}, exitFindings, "+    restart: unless-stopped", ""},
		{"below --fail-on", map[string]string{"compose.yaml": missing}, []string{"--fail-on", "error", "--rule", "restart-policy"}, exitOK, "", fixed + "    env_file: missing.env\n"},
		{"a file that does not load", map[string]string{"compose.yaml": typo, "compose.override.yaml": "services:\n  web:\n    image: [nginx\n"}, nil, exitUsage, "[load-error]", fixed},
		{"a file that does not load, --diff", map[string]string{"compose.yaml": typo, "compose.override.yaml": "services:\n  web:\n    image: [nginx\n"}, []string{"--diff"}, exitUsage, "+    restart: unless-stopped", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			code, out, errs := runCLI(t, nil, append([]string{"lint", "-C", dir, "--fix"}, tt.args...)...)
			if code != tt.code || !strings.Contains(out, tt.out) {
				t.Errorf("exit %d, want %d; stdout lacks %q?\n%s%s", code, tt.code, tt.out, out, errs)
			}
			want := tt.after
			if want == "" {
				want = tt.files["compose.yaml"]
			}
			if b, _ := os.ReadFile(filepath.Join(dir, "compose.yaml")); string(b) != want {
				t.Errorf("compose.yaml:\n%s\nwant:\n%s", b, want)
			}
		})
	}
}

func TestRulesCommand(t *testing.T) {
	code, out, _ := runCLI(t, nil, "rules")
	if code != 0 || !strings.Contains(out, "depends-on-healthcheck") || !strings.Contains(out, "unquoted-port") {
		t.Errorf("rules: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, nil, "rules", "restart-policy")
	if code != 0 || !strings.Contains(out, "unless-stoped") || !strings.Contains(out, "Best practice 15") {
		t.Errorf("rules restart-policy: exit %d\n%s", code, out)
	}
	if code, _, _ := runCLI(t, nil, "rules", "nope"); code != 2 {
		t.Errorf("unknown rule: exit %d, want 2", code)
	}
}

// TestColor: --color decides, else FORCE_COLOR (0 and false turn colour
// off), else NO_COLOR, else a terminal that is not TERM=dumb; the tests'
// stdout is no terminal. lint and diff decide the same way.
func TestColor(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": flawedCompose, "compose.prod.yaml": "services:\n  web:\n    restart: always\n"})
	tests := []struct {
		args  []string
		env   map[string]string
		color bool
	}{
		{nil, nil, false},
		{[]string{"--color", "always"}, nil, true},
		{[]string{"--color=always"}, map[string]string{"NO_COLOR": "1"}, true},
		{[]string{"--color", "never"}, map[string]string{"FORCE_COLOR": "1"}, false},
		{[]string{"--no-color"}, map[string]string{"FORCE_COLOR": "1"}, false},
		{nil, map[string]string{"FORCE_COLOR": "1"}, true},
		{nil, map[string]string{"FORCE_COLOR": "1", "NO_COLOR": "1"}, true},
		{nil, map[string]string{"FORCE_COLOR": "0"}, false},
		{nil, map[string]string{"FORCE_COLOR": "false"}, false},
		{[]string{"--color", "auto"}, map[string]string{"NO_COLOR": "1"}, false},
	}
	for _, tt := range tests {
		for _, cmd := range [][]string{{"lint"}, {"diff", "prod"}} {
			args := append(append([]string{"-C", dir}, cmd...), tt.args...)
			code, out, errs := runCLI(t, tt.env, args...)
			if code > exitFindings {
				t.Fatalf("%v: exit %d: %s", args, code, errs)
			}
			if got := strings.Contains(out, "\x1b["); got != tt.color {
				t.Errorf("%v %v: colour %v, want %v", args, tt.env, got, tt.color)
			}
		}
	}
	if code, _, errs := runCLI(t, nil, "-C", dir, "lint", "--color", "sometimes"); code != exitUsage || !strings.Contains(errs, "auto, always or never") {
		t.Errorf("--color sometimes: exit %d, %s", code, errs)
	}
}

// TestDiscoveryWarningOnce: two spellings of the base file side by side
// are told once, as docker compose tells them, even when --fix loads the
// project again.
func TestDiscoveryWarningOnce(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": flawedCompose, "docker-compose.yml": cleanCompose})
	for _, args := range [][]string{{"lint"}, {"lint", "--fix"}, {"envs"}} {
		_, _, errOut := runCLI(t, nil, append([]string{"-C", dir}, args...)...)
		if n := strings.Count(errOut, `composure: warning: "compose.yaml", "docker-compose.yml" side by side`); n != 1 {
			t.Errorf("%v: the warning is printed %d times, want once:\n%s", args, n, errOut)
		}
	}
}

// TestWarningsInPlaceOrder: environments load at once (lint's, diff's
// sides), and the warnings they find are printed once each, in order of
// place, the same every run.
func TestWarningsInPlaceOrder(t *testing.T) {
	base := "services:\n  web:\n    image: nginx:${A}\n    environment:\n      B: ${B}\n"
	dir := writeFiles(t, map[string]string{
		"compose.yaml":          base,
		"compose.override.yaml": "services:\n  web:\n    environment:\n      C: ${C}\n",
		"compose.prod.yaml":     "services:\n  web:\n    environment:\n      D: ${D}\n      E: ${E}\n",
		"compose.admin.yaml":    "services:\n  web:\n    environment:\n      F: ${F}\n",
	})
	want := []string{
		`composure: warning: compose.admin.yaml:4:10: The "F" variable is not set. Defaulting to a blank string.`,
		`composure: warning: compose.override.yaml:4:10: The "C" variable is not set. Defaulting to a blank string.`,
		`composure: warning: compose.prod.yaml:4:10: The "D" variable is not set. Defaulting to a blank string.`,
		`composure: warning: compose.prod.yaml:5:10: The "E" variable is not set. Defaulting to a blank string.`,
		`composure: warning: compose.yaml:3:18: The "A" variable is not set. Defaulting to a blank string.`,
		`composure: warning: compose.yaml:5:10: The "B" variable is not set. Defaulting to a blank string.`,
	}
	// (lint reports them as undefined-variable findings instead:
	// TestLintNoWarningTwice)
	for range 5 {
		_, _, errOut := runCLI(t, nil, "-C", dir, "diff", "--all")
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(errOut), "\n") {
			if strings.HasPrefix(l, "composure: warning: ") {
				got = append(got, l)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("warnings\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// TestLintNoWarningTwice: what docker compose warns about and a rule
// reports (an unset variable, `version:`) is a finding, not a warning too.
func TestLintNoWarningTwice(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"compose.yaml": "version: '3.8'\nservices:\n  web:\n    image: nginx:${TAG}\n",
	})
	_, out, errOut := runCLI(t, nil, "-C", dir, "lint")
	if strings.Contains(errOut, "warning") {
		t.Errorf("stderr: %s", errOut)
	}
	for _, want := range []string{"compose.yaml:1:1: warning: ", "[obsolete-version]", "compose.yaml:4:18: warning: variable \"TAG\" is not set", "[undefined-variable]"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}

func TestComparePlaces(t *testing.T) {
	lines := []string{
		"composure: warning: no place",
		"composure: warning: b.yaml:10:1: x",
		"composure: warning: b.yaml:9:5: x",
		"composure: warning: a.yaml:2:3: x",
		"composure: warning: b.yaml:9:4: x",
	}
	slices.SortStableFunc(lines, comparePlaces)
	want := []string{
		"composure: warning: a.yaml:2:3: x",
		"composure: warning: b.yaml:9:4: x",
		"composure: warning: b.yaml:9:5: x",
		"composure: warning: b.yaml:10:1: x",
		"composure: warning: no place",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("sorted\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
