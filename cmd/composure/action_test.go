package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// action is the part of action.yml the tests read.
type action struct {
	Name    string                              `yaml:"name"`
	Inputs  map[string]struct{ Default string } `yaml:"inputs"`
	Outputs map[string]struct{ Value string }   `yaml:"outputs"`
	Runs    struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	ID               string            `yaml:"id"`
	Name             string            `yaml:"name"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	Run              string            `yaml:"run"`
	Shell            string            `yaml:"shell"`
	WorkingDirectory string            `yaml:"working-directory"`
	Env              map[string]string `yaml:"env"`
	With             map[string]string `yaml:"with"`
}

func readAction(t *testing.T) action {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a action
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return a
}

// TestActionCommandLines checks every composure command line of the
// action's scripts against the CLI, as TestCIExamples checks docs/ci.md's
// examples: the command exists, and so does each flag.
func TestActionCommandLines(t *testing.T) {
	cliApp := (&app{stdout: new(strings.Builder), stderr: new(strings.Builder), getenv: func(string) string { return "" }}).newCLI()
	checked := 0
	for _, s := range readAction(t).Runs.Steps {
		for _, line := range strings.Split(s.Run, "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "#") || strings.Contains(line, "echo ") {
				continue
			}
			for _, m := range invocationRE.FindAllStringSubmatch(line, -1) {
				if args := strings.Fields(m[1]); len(args) > 0 && !strings.HasPrefix(line, "go install") {
					checkInvocation(t, cliApp, "action.yml", args)
					checked++
				}
			}
		}
	}
	if checked < 3 {
		t.Errorf("only %d composure command lines in action.yml", checked)
	}
}

// exprRE finds the ${{ ... }} expressions of the action.
var exprRE = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// TestActionMetadata checks action.yml as GitHub reads it: a composite
// action whose scripts get the inputs through env only (an input spliced
// into a script is a script injection), every input used and every
// reference declared, actions pinned to a major version, and composure
// built with go install from the action's own checkout, the ref the
// workflow names.
func TestActionMetadata(t *testing.T) {
	a := readAction(t)
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using = %q, want composite", a.Runs.Using)
	}
	used := map[string]bool{}
	ids := map[string]bool{}
	refs := func(where, s string) {
		for _, m := range exprRE.FindAllStringSubmatch(s, -1) {
			for _, in := range regexp.MustCompile(`inputs\.([a-z-]+)`).FindAllStringSubmatch(m[1], -1) {
				used[in[1]] = true
				if _, ok := a.Inputs[in[1]]; !ok {
					t.Errorf("%s: input %q is not declared", where, in[1])
				}
			}
			for _, st := range regexp.MustCompile(`steps\.([a-z-]+)\.`).FindAllStringSubmatch(m[1], -1) {
				if !ids[st[1]] {
					t.Errorf("%s: step %q is not an earlier step", where, st[1])
				}
			}
		}
	}
	installed := false
	for i, s := range a.Runs.Steps {
		where := fmt.Sprintf("step %d (%s)", i+1, s.Name)
		if s.Run != "" {
			if s.Shell == "" {
				t.Errorf("%s: a run step of a composite action needs a shell", where)
			}
			if exprRE.MatchString(s.Run) {
				t.Errorf("%s: an expression in the script; pass it through env", where)
			}
			if strings.Contains(s.Run, "go install ./cmd/composure") && s.WorkingDirectory == "${{ github.action_path }}" {
				installed = true
			}
		}
		if s.Uses != "" && !regexp.MustCompile(`^[\w.-]+/[\w./-]+@v\d+$`).MatchString(s.Uses) {
			t.Errorf("%s: uses %q: pin an action to a major version tag", where, s.Uses)
		}
		refs(where, s.If)
		refs(where, s.WorkingDirectory)
		for _, v := range s.Env {
			refs(where, v)
		}
		for _, v := range s.With {
			refs(where, v)
		}
		if s.ID != "" {
			ids[s.ID] = true
		}
	}
	for name, o := range a.Outputs {
		refs("output "+name, o.Value)
	}
	for name := range a.Inputs {
		if !used[name] {
			t.Errorf("input %q is never used", name)
		}
	}
	if !installed {
		t.Error("no step runs go install ./cmd/composure in ${{ github.action_path }}")
	}
}

// TestActionRuns runs the action's scripts with bash, as a runner would,
// on the bundled examples: the test binary is composure, each `if:` and
// `${{ }}` is evaluated from the inputs, and the Go setup and install
// steps are skipped (TestActionMetadata checks the install). Each case
// checks the lint step's outputs, the SARIF file, the job summary and
// the verdict's exit status.
func TestActionRuns(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	a := readAction(t)
	bin, env := asCLI(t)
	binDir := t.TempDir()
	wrapper := fmt.Sprintf("#!/bin/sh\nexec %q \"$@\"\n", bin)
	if err := os.WriteFile(filepath.Join(binDir, "composure"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		inputs  map[string]string
		status  string // the lint step's output
		verdict int    // the last step's exit status
		summary string // in the job summary
		ran     []string
	}{
		{"findings fail the job", map[string]string{"working-directory": "examples/guide"}, "1", 1, "",
			[]string{"composure lint", "Upload to code scanning", "Verdict"}},
		{"fail-on never", map[string]string{"working-directory": "examples/guide", "fail-on": "never"}, "1", 0, "",
			[]string{"composure lint", "Upload to code scanning", "Verdict"}},
		{"a warning under fail-on error", map[string]string{"working-directory": "examples/guide-fixed", "lint-args": "--rule duplicate-service"}, "0", 0, "",
			[]string{"composure lint", "Upload to code scanning", "Verdict"}},
		{"annotations and a diff in the summary", map[string]string{"working-directory": "examples/blog", "upload-sarif": "false", "diff": "prod"}, "0", 0,
			"### composure diff `default` → `prod`", []string{"composure lint", "Annotations", "composure diff", "Verdict"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runner := t.TempDir()
			files := map[string]string{}
			for _, f := range []string{"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_PATH"} {
				files[f] = filepath.Join(runner, strings.ToLower(f))
				if err := os.WriteFile(files[f], nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			inputs := map[string]string{}
			for k, v := range a.Inputs {
				inputs[k] = v.Default
			}
			for k, v := range tt.inputs {
				inputs[k] = v
			}
			outputs := map[string]map[string]string{}
			eval := func(s string) string {
				return exprRE.ReplaceAllStringFunc(s, func(e string) string {
					x := exprRE.FindStringSubmatch(e)[1]
					switch {
					case strings.HasPrefix(x, "inputs."):
						return inputs[strings.TrimPrefix(x, "inputs.")]
					case x == "runner.temp":
						return runner
					case x == "github.action_path":
						return repoRoot(t)
					case strings.HasPrefix(x, "steps."):
						p := strings.Split(x, ".")
						return outputs[p[1]][p[3]]
					}
					t.Fatalf("expression %q: the test does not know it", x)
					return ""
				})
			}
			var ran []string
			code := 0
			for _, s := range a.Runs.Steps {
				if s.If != "" && !evalIf(t, s.If, inputs) {
					continue
				}
				if s.Uses != "" || strings.Contains(s.Run, "go install") {
					if s.Uses == "github/codeql-action/upload-sarif@v3" {
						ran = append(ran, s.Name)
						checkSARIF(t, eval(s.With["sarif_file"]))
					}
					continue
				}
				ran = append(ran, s.Name)
				if err := os.WriteFile(files["GITHUB_OUTPUT"], nil, 0o644); err != nil {
					t.Fatal(err)
				}
				cmd := exec.Command("bash", "-e", "-c", s.Run)
				cmd.Dir = filepath.Join(repoRoot(t), eval(s.WorkingDirectory))
				cmd.Env = append(slices.Clone(env), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
				for k, f := range files {
					cmd.Env = append(cmd.Env, k+"="+f)
				}
				for k, v := range s.Env {
					cmd.Env = append(cmd.Env, k+"="+eval(v))
				}
				out, err := cmd.CombinedOutput()
				code = cmd.ProcessState.ExitCode()
				if err != nil && s.Name != "Verdict" {
					t.Fatalf("step %s: %v\n%s", s.Name, err, out)
				}
				if s.ID != "" {
					b, _ := os.ReadFile(files["GITHUB_OUTPUT"])
					outputs[s.ID] = map[string]string{}
					for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
						if k, v, ok := strings.Cut(l, "="); ok {
							outputs[s.ID][k] = v
						}
					}
				}
			}
			if got := outputs["lint"]["status"]; got != tt.status {
				t.Errorf("lint status %q, want %q", got, tt.status)
			}
			if code != tt.verdict {
				t.Errorf("verdict exit %d, want %d", code, tt.verdict)
			}
			if !slices.Equal(ran, tt.ran) {
				t.Errorf("steps run %q, want %q", ran, tt.ran)
			}
			summary, _ := os.ReadFile(files["GITHUB_STEP_SUMMARY"])
			if !strings.Contains(string(summary), tt.summary) || tt.summary == "" && len(summary) > 0 {
				t.Errorf("job summary lacks %q:\n%s", tt.summary, summary)
			}
		})
	}
}

// evalIf evaluates the `if:` of a step; the action keeps to
// `inputs.NAME == 'value'` and `!=`, which this reads.
func evalIf(t *testing.T, cond string, inputs map[string]string) bool {
	m := regexp.MustCompile(`^\$\{\{\s*inputs\.([a-z-]+)\s*(==|!=)\s*'([^']*)'\s*\}\}$`).FindStringSubmatch(cond)
	if m == nil {
		t.Fatalf("if: %q: keep conditions to inputs.NAME == 'value' (or !=), which the test evaluates", cond)
	}
	return (inputs[m[1]] == m[3]) == (m[2] == "==")
}

// checkSARIF checks that the file the upload step would send is SARIF
// with composure's run in it.
func checkSARIF(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct{ Name string } `json:"driver"`
			} `json:"tool"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &s); err != nil || s.Version != "2.1.0" || len(s.Runs) != 1 || s.Runs[0].Tool.Driver.Name != "composure" {
		t.Errorf("%s is not composure's SARIF: %v\n%.300s", path, err, b)
	}
}

// TestActionDocumented holds docs/ci.md and its example workflow to
// action.yml: every input is in the table, and every use of the action in
// the docs passes declared inputs only.
func TestActionDocumented(t *testing.T) {
	a := readAction(t)
	root := repoRoot(t)
	doc, err := os.ReadFile(filepath.Join(root, "docs", "ci.md"))
	if err != nil {
		t.Fatal(err)
	}
	for name := range a.Inputs {
		if !strings.Contains(string(doc), "| `"+name+"` |") {
			t.Errorf("docs/ci.md: input %q is not in the table", name)
		}
	}
	var steps []map[string]any
	// The yaml blocks of docs/ci.md that are lists of steps.
	for _, block := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(doc), -1) {
		var list []map[string]any
		if yaml.Unmarshal([]byte(block[1]), &list) == nil {
			steps = append(steps, list...)
		}
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []map[string]any `yaml:"steps"`
		} `yaml:"jobs"`
	}
	b, err := os.ReadFile(filepath.Join(root, "docs", "examples", "github-action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatal(err)
	}
	for _, j := range wf.Jobs {
		steps = append(steps, j.Steps...)
	}
	uses := 0
	for _, s := range steps {
		u, _ := s["uses"].(string)
		if !strings.HasPrefix(u, "composure-dev/composure@") {
			continue
		}
		uses++
		with, _ := s["with"].(map[string]any)
		for k := range with {
			if _, ok := a.Inputs[k]; !ok {
				t.Errorf("%s: input %q is not one action.yml declares", u, k)
			}
		}
	}
	if uses < 2 {
		t.Errorf("the action is used %d times in docs/ci.md and its example, want both", uses)
	}
}
