package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pathsProject is a repository holding a project in sub/ that builds from
// a Dockerfile outside it, in shared/.
func pathsProject(t *testing.T) string {
	t.Helper()
	root := writeFiles(t, map[string]string{
		".git/HEAD": "ref: refs/heads/main\n",
		"sub/compose.yaml": "services:\n  web:\n    image: example/web:1.0\n    restart: unless-stoped\n    ports:\n      - \"8080:80\"\n" +
			"  api:\n    image: example/api:1.0\n    ports:\n      - \"8080:8080\"\n  tool:\n    build:\n      context: ../shared\n",
		"sub/.ci/compose.yaml": "services:\n  web:\n    image: example/web:1.0\n    restart: unless-stoped\n",
		"shared/Dockerfile":    "FROM alpine:3.20.3\nRUN apk add --no-cache curl=8.9.1-r1\nRUN apk add --no-cache jq=1.7.1-r0\nUSER nobody\n",
		"shared/.dockerignore": ".git\n",
	})
	// t.TempDir may be reached through a symbolic link (macOS /var)
	root, err := filepath.EvalSymlinks(root)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// lintFiles returns the file of each finding of a JSON report.
func lintFiles(t *testing.T, out string) []string {
	t.Helper()
	var doc struct {
		Findings []struct{ File string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var files []string
	for _, f := range doc.Findings {
		if len(files) == 0 || files[len(files)-1] != f.File {
			files = append(files, f.File)
		}
	}
	return files
}

// TestLintPaths: lint prints paths as hadolint, eslint and actionlint do,
// relative to the current directory (absolute outside it); the formats
// GitHub reads, from the repository root.
func TestLintPaths(t *testing.T) {
	root := pathsProject(t)
	tests := []struct {
		name string
		cwd  string
		args []string
		want []string
	}{
		{"-C from the repository root", ".", []string{"lint", "-C", "sub", "--format", "json"},
			[]string{"shared/Dockerfile", "sub/compose.yaml"}},
		{"-f from the repository root", ".", []string{"-C", "sub", "-f", "sub/.ci/compose.yaml", "lint", "--format", "json"},
			[]string{"sub/.ci/compose.yaml"}},
		{"in the project directory", "sub", []string{"lint", "--format", "json"},
			[]string{filepath.ToSlash(filepath.Join(root, "shared", "Dockerfile")), "compose.yaml"}},
		{"-f in the project directory", "sub", []string{"-f", ".ci/compose.yaml", "lint", "--format", "json"},
			[]string{".ci/compose.yaml"}},
		{"a subdirectory of the project", "sub/.ci", []string{"-C", "..", "lint", "--format", "json"},
			[]string{filepath.ToSlash(filepath.Join(root, "shared", "Dockerfile")), filepath.ToSlash(filepath.Join(root, "sub", "compose.yaml"))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(filepath.Join(root, tt.cwd))
			_, out, errOut := runCLI(t, nil, tt.args...)
			if got := lintFiles(t, out); strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("files %q, want %q\n%s", got, tt.want, errOut)
			}
		})
	}
	// SARIF and GitHub annotations from the repository root, wherever lint runs.
	t.Chdir(filepath.Join(root, "sub"))
	_, out, _ := runCLI(t, nil, "lint", "--format", "sarif")
	for _, want := range []string{`"uri": "sub/compose.yaml"`, `"uri": "shared/Dockerfile"`} {
		if !strings.Contains(out, want) {
			t.Errorf("sarif lacks %s", want)
		}
	}
	_, out, _ = runCLI(t, nil, "lint", "--format", "github")
	if !strings.Contains(out, "file=sub/compose.yaml,line=4,") {
		t.Errorf("github annotations not from the repository root:\n%s", out)
	}
}

// TestLintFixScope: --fix changes only the project's files, and exits 1
// while an error it cannot fix remains.
func TestLintFixScope(t *testing.T) {
	root := pathsProject(t)
	t.Chdir(root)
	before, _ := os.ReadFile(filepath.Join(root, "shared", "Dockerfile"))
	code, out, errOut := runCLI(t, nil, "lint", "-C", "sub", "--fix", "--no-color")
	if code != exitFindings {
		t.Errorf("exit %d, want %d: the port conflict remains\n%s\n%s", code, exitFindings, out, errOut)
	}
	if !strings.Contains(errOut, "shared/Dockerfile: not fixed: it is outside the project directory sub") {
		t.Errorf("stderr does not say the Dockerfile outside the project was left alone:\n%s", errOut)
	}
	if after, _ := os.ReadFile(filepath.Join(root, "shared", "Dockerfile")); string(after) != string(before) {
		t.Errorf("--fix wrote a Dockerfile outside the project directory:\n%s", after)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "sub", "compose.yaml")); !strings.Contains(string(b), "restart: unless-stopped") {
		t.Errorf("the project's file was not fixed:\n%s", b)
	}
	if !strings.Contains(out, "sub/compose.yaml:10:9: error: host port 8080/tcp") || strings.Contains(out, "restart-policy") {
		t.Errorf("want the remaining findings printed, the fixed one gone:\n%s", out)
	}
	// --diff writes nothing and exits as lint would after the fixes
	root = pathsProject(t)
	t.Chdir(root)
	code, out, _ = runCLI(t, nil, "lint", "-C", "sub", "--fix", "--diff")
	if code != exitFindings || !strings.Contains(out, "+++ b/sub/compose.yaml") {
		t.Errorf("--fix --diff: exit %d\n%s", code, out)
	}
}
