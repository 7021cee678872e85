package diag

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

var src = map[string][]byte{
	"compose.yaml": []byte("services:\n  wébapp:\n    image: nginx:latest\n    restart: unless-stoped\n\tports: [\"80:80\"]\n"),
	// A Dockerfile may hold raw control characters, a compose file the
	// characters YAML allows (bidirectional overrides); the finding quotes
	// a value decoded from "\e]0;TITLE\a\e[2J".
	"evil\x1b[2J/Dockerfile": []byte("FROM alpine\nRUN echo \x1b]0;TITLE\x07 \u202e && apt-get install curl\n"),
}

func sample() []Finding {
	return []Finding{
		{Rule: "restart-policy", Severity: Error, Message: `restart policy "unless-stoped" is invalid: did you mean "unless-stopped"?`,
			Span: Span{File: "compose.yaml", Start: Pos{4, 14}, End: Pos{4, 27}},
			Fix: &Fix{Message: `replace "unless-stoped" with "unless-stopped"`, Edits: []TextEdit{{File: "compose.yaml", Start: 52, End: 65,
				StartPos: Pos{4, 14}, EndPos: Pos{4, 27}, NewText: "unless-stopped"}}},
			Envs: []string{"default", "prod"}},
		{Rule: "image-tag", Severity: Warning, Message: `image "nginx:latest" is tagged latest: pin a version, such as nginx:1.2.3`,
			Span:    Span{File: "compose.yaml", Start: Pos{3, 12}, End: Pos{3, 24}},
			Related: []Related{{Span: Span{File: "compose.yaml", Start: Pos{2, 3}}, Message: "used through this alias"}},
			Envs:    []string{"default"}},
		{Rule: "unquoted-port", Severity: Info, Message: "a message with, commas: and 100%\nnewline",
			Span: Span{File: "compose.yaml", Start: Pos{5, 9}, End: Pos{5, 16}}},
		{Rule: "image-tag", Severity: Warning, Message: "image \"evil\x1b]0;TITLE\a\x1b[2J\" is tagged latest\r\nforged.yaml:1:1: error: a line of its own [x]",
			Span:    Span{File: "evil\x1b[2J/Dockerfile", Start: Pos{2, 26}, End: Pos{2, 33}},
			Related: []Related{{Span: Span{File: "evil\x1b[2J/Dockerfile", Start: Pos{1, 1}}, Message: "from \u009b2J"}},
			Envs:    []string{"prod\x07"}, Fix: &Fix{Message: "pin \x1b[31m"}},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./diag -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestPrinters(t *testing.T) {
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			err := Print(&b, format, sample(), PrintOptions{Sources: func(f string) []byte { return src[f] },
				Rules: []RuleInfo{{ID: "restart-policy", Title: "Invalid restart policy", Summary: "restart values", Help: "Use no, always, on-failure or unless-stopped.", URL: "https://example.com/rules.md#restart-policy", Severity: Error}},
				Tool:  "composure", Version: "test", ToolURL: "https://github.com/composure-dev/composure"})
			if err != nil {
				t.Fatal(err)
			}
			if format == "json" || format == "sarif" || format == "codequality" {
				var v any
				if err := json.Unmarshal(b.Bytes(), &v); err != nil {
					t.Fatalf("not JSON: %v", err)
				}
			}
			golden(t, "golden-"+format, b.Bytes())
		})
	}
}

func TestTextColor(t *testing.T) {
	var plain, col bytes.Buffer
	o := PrintOptions{Sources: func(f string) []byte { return src[f] }}
	_ = PrintText(&plain, sample(), o)
	o.Color = true
	_ = PrintText(&col, sample(), o)
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("colour codes without Color")
	}
	if !strings.Contains(col.String(), "\x1b[") {
		t.Error("no colour codes with Color")
	}
}

func TestUnknownFormat(t *testing.T) {
	if err := Print(&bytes.Buffer{}, "xml", nil, PrintOptions{}); err == nil {
		t.Error("want an error for an unknown format")
	}
}

func TestApply(t *testing.T) {
	s := []byte("abc def")
	out, err := Apply(s, []TextEdit{{Start: 4, End: 7, NewText: "xyz"}, {Start: 0, End: 3, NewText: "A"}, {Start: 0, End: 3, NewText: "A"}})
	if err != nil || string(out) != "A xyz" {
		t.Errorf("Apply = %q, %v", out, err)
	}
	if _, err := Apply(s, []TextEdit{{Start: 0, End: 5, NewText: "x"}, {Start: 3, End: 6, NewText: "y"}}); err == nil {
		t.Error("overlapping edits accepted")
	}
	if _, err := Apply(s, []TextEdit{{Start: 5, End: 50}}); err == nil {
		t.Error("out-of-range edit accepted")
	}
}

// TestSARIFValidator runs the official SARIF validator on our output when
// it is installed (npm i -g @microsoft/sarif-multitool).
func TestSARIFValidator(t *testing.T) {
	tool, err := exec.LookPath("sarif-multitool")
	if err != nil {
		t.Skip("sarif-multitool not installed (npm install -g @microsoft/sarif-multitool)")
	}
	// a file outside the working directory and any repository is named
	// by its absolute path, which must become a file: URI (SARIF1004)
	fs := append(sample(), Finding{Rule: "image-tag", Severity: Warning, Message: "m",
		Span: Span{File: "/tmp/outside dir/Dockerfile", Start: Pos{1, 1}, End: Pos{1, 5}}})
	var b bytes.Buffer
	if err := PrintSARIF(&b, fs, PrintOptions{Rules: []RuleInfo{{ID: "restart-policy", Title: "t", Summary: "s", Help: "h", URL: "https://example.com/#restart-policy", Severity: Error}}, Version: "test"}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "out.sarif")
	if err := os.WriteFile(in, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "validate", in, "--output", filepath.Join(dir, "validation.sarif")).CombinedOutput()
	if err != nil {
		t.Fatalf("sarif-multitool validate: %v\n%s", err, out)
	}
	res, _ := os.ReadFile(filepath.Join(dir, "validation.sarif"))
	var v struct {
		Runs []struct {
			Results []struct {
				RuleID  string `json:"ruleId"`
				Level   string `json:"level"`
				Message struct {
					ID        string   `json:"id"`
					Arguments []string `json:"arguments"`
				} `json:"message"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(res, &v); err != nil {
		t.Fatalf("reading validator output: %v", err)
	}
	for _, r := range v.Runs {
		for _, x := range r.Results {
			if x.Level == "error" {
				t.Errorf("validator: %s %s %q", x.RuleID, x.Message.ID, x.Message.Arguments)
			} else {
				t.Logf("validator: %s %s %s %q", x.Level, x.RuleID, x.Message.ID, x.Message.Arguments)
			}
		}
	}
}

// TestSarifURI: names relative to the repository or the working directory
// stay relative references; an absolute path becomes a file: URI, which
// consumers do not resolve against a base (a reference starting with "/"
// is refused by the SARIF validator, SARIF1004).
func TestSarifURI(t *testing.T) {
	for name, want := range map[string]string{
		"":                          "",
		"compose.yaml":              "compose.yaml",
		"sub dir/compose #1.yaml":   "sub%20dir/compose%20%231.yaml",
		"../ctx/Dockerfile":         "../ctx/Dockerfile",
		"/tmp/pa/ctx/Dockerfile":    "file:///tmp/pa/ctx/Dockerfile",
		"/tmp/a b#c/x?y/Dockerfile": "file:///tmp/a%20b%23c/x%3Fy/Dockerfile",
		"/":                         "file:///",
	} {
		if got := sarifURI(name); got != want {
			t.Errorf("sarifURI(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestSarifVersion(t *testing.T) {
	for in, want := range map[string]string{
		"v1.2.3":                 "1.2.3",
		"v0.4.0 (5ba6514cb303)":  "0.4.0 (5ba6514cb303)",
		"(devel) (5ba6514cb303)": "0.0.0-devel (5ba6514cb303)",
		"(devel)":                "0.0.0-devel",
		"docker":                 "0.0.0-docker",
		"1.0.0":                  "1.0.0",
	} {
		if got := sarifVersion(in); got != want {
			t.Errorf("sarifVersion(%q) = %q, want %q", in, got, want)
		}
	}
}
