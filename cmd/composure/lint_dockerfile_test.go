package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const chainDockerfile = "FROM python:3.11.5-slim-bookworm\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl \\\n    && rm -rf /var/lib/apt/lists/*\nUSER nobody\n"

func TestLintDockerfileOnly(t *testing.T) {
	dir := writeFiles(t, map[string]string{"Dockerfile": "FROM python:3\nUSER nobody\n"})
	code, out, errs := runCLI(t, nil, "lint", "-C", dir, "--no-color", filepath.Join(dir, "Dockerfile"))
	if code != 0 || !strings.Contains(out, "Dockerfile:1:6: warning: base image \"python:3\" names only a major version") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	code, _, _ = runCLI(t, nil, "lint", "-C", dir, "--fail-on", "warning", filepath.Join(dir, "Dockerfile"))
	if code != exitFindings {
		t.Errorf("--fail-on warning: exit %d, want %d", code, exitFindings)
	}
}

func TestLintDockerfileOfBuilds(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"compose.yaml": "services:\n  web:\n    build: ./app\n  worker:\n    build:\n      context: app\n      dockerfile: Dockerfile\n" +
			"  inline:\n    build:\n      context: .\n      dockerfile_inline: |\n        FROM alpine:3.19.1\n        RUN apk add curl\n",
		"app/Dockerfile":    chainDockerfile,
		"app/.dockerignore": ".git\n",
		".dockerignore":     ".git\n",
	})
	code, out, errs := runCLI(t, nil, "lint", "-C", dir, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Findings []struct {
			Rule, File   string
			Line, Column int
			Environments []string
			Related      []struct {
				File, Message string
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	var chain, inline int
	// the project is outside the working directory: absolute paths
	for _, f := range doc.Findings {
		if f.Rule == "dockerfile-run-chain" {
			chain++
			if f.File != filepath.ToSlash(filepath.Join(dir, "app", "Dockerfile")) || f.Line != 3 || len(f.Environments) != 1 || len(f.Related) != 3 {
				t.Errorf("run-chain finding: %+v", f)
			}
		}
		if f.Rule == "dockerfile-cache-cleanup" && f.File == filepath.ToSlash(filepath.Join(dir, "compose.yaml")) {
			inline++
			// RUN apk add curl is line 2 of the inline Dockerfile, at
			// column 5: line 13, column 8+5 of compose.yaml.
			if f.Line != 13 || f.Column != 13 {
				t.Errorf("inline finding at %d:%d, want 13:13", f.Line, f.Column)
			}
		}
	}
	if chain != 1 || inline != 1 {
		t.Errorf("want one run-chain finding (two services, one Dockerfile) and one inline finding, got %d and %d\n%s", chain, inline, out)
	}
}

func TestLintDockerfileFix(t *testing.T) {
	dir := writeFiles(t, map[string]string{"Dockerfile": chainDockerfile})
	path := filepath.Join(dir, "Dockerfile")
	code, out, errs := runCLI(t, nil, "lint", "-C", dir, "--fix", "--diff", path)
	if code != 0 || !strings.Contains(out, "+RUN apt-get update && \\\n+    apt-get install") {
		t.Fatalf("--fix --diff: exit %d\n%s%s", code, out, errs)
	}
	if b, _ := os.ReadFile(path); string(b) != chainDockerfile {
		t.Fatalf("--diff wrote the file")
	}
	if code, _, errs := runCLI(t, nil, "lint", "-C", dir, "--fix", path); code != 0 {
		t.Fatalf("--fix: exit %d: %s", code, errs)
	}
	want := "FROM python:3.11.5-slim-bookworm\nRUN apt-get update && \\\n    apt-get install -y --no-install-recommends curl \\\n    && rm -rf /var/lib/apt/lists/*\nUSER nobody\n"
	if b, _ := os.ReadFile(path); string(b) != want {
		t.Errorf("fixed file:\n%s", b)
	}
}

func TestLintBrokenDockerfile(t *testing.T) {
	dir := writeFiles(t, map[string]string{"Dockerfile": "FROM alpine:3.19.1\nCOPY\n"})
	code, out, _ := runCLI(t, nil, "lint", "-C", dir, "--no-color", filepath.Join(dir, "Dockerfile"))
	if code != exitUsage || !strings.Contains(out, "Dockerfile:2:1: error: COPY requires at least two arguments") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

func TestLintShellcheckFlag(t *testing.T) {
	dir := writeFiles(t, map[string]string{"Dockerfile": "FROM alpine:3.19.1\nARG V\nRUN echo $V\nUSER nobody\n"})
	df := filepath.Join(dir, "Dockerfile")
	// Without --shellcheck nothing runs and nothing is said.
	code, out, errs := runCLI(t, map[string]string{"PATH": os.Getenv("PATH")}, "lint", "-C", dir, df)
	if code != 0 || strings.Contains(out, "shellcheck") || errs != "" {
		t.Errorf("default run: exit %d\n%s%s", code, out, errs)
	}
	// Asked for, without shellcheck on PATH: said once, on stderr.
	code, out, errs = runCLI(t, map[string]string{"PATH": t.TempDir()}, "lint", "-C", dir, "--shellcheck", df)
	if code != 0 || strings.Count(errs, "shellcheck is not on PATH") != 1 || strings.Contains(out, "dockerfile-shellcheck") {
		t.Errorf("--shellcheck without shellcheck: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	if _, err := exec.LookPath("shellcheck"); err != nil {
		t.Log("shellcheck is not on PATH: the run with it is skipped")
		return
	}
	code, out, errs = runCLI(t, map[string]string{"PATH": os.Getenv("PATH")}, "lint", "-C", dir, "--no-color", "--shellcheck", df)
	if code != 0 || !strings.Contains(out, "Dockerfile:3:10: info: SC2086:") || errs != "" {
		t.Errorf("--shellcheck: exit %d\n%s%s", code, out, errs)
	}
}
