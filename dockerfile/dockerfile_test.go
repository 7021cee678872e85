package dockerfile

import (
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/composure-dev/composure/diag"
)

// at returns "line:col" of offset off of t.
func at(t Text, off int) string {
	p := t.Pos(off)
	return fmt.Sprintf("%d:%d", p.Line, p.Col)
}

func TestParsePositions(t *testing.T) {
	src := "# syntax=docker/dockerfile:1\n" +
		"ARG PY=3.11.5\n" +
		"ARG DIST\n" +
		"FROM python:${PY}-slim AS build\n" +
		"  RUN --mount=type=cache,target=/root/.cache \\\n" +
		"    pip install \\\n" +
		"  # a comment inside\n" +
		"\tflask==3.0.0\n" +
		"RUN <<EOF\n" +
		"set -e\n" +
		"apt-get update\n" +
		"EOF\n" +
		"FROM build\n" +
		"FROM debian:${DIST}\n" +
		"HEALTHCHECK CMD curl -f http://localhost/\n"
	f, err := Parse("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Stages) != 3 || len(f.Args) != 2 {
		t.Fatalf("stages %d args %d", len(f.Stages), len(f.Args))
	}
	s := f.Stages[0]
	if s.Image != "python:3.11.5-slim" || !s.Resolved || s.Name != "build" {
		t.Errorf("stage 0: %+v", s)
	}
	if f.Stages[1].Parent != s {
		t.Errorf("stage 1 should be built from stage 0")
	}
	if f.Stages[2].Resolved {
		t.Errorf("FROM debian:${DIST} has no default: want unresolved, got %q", f.Stages[2].Image)
	}
	run := s.Instructions[0]
	if run.Start != (diag.Pos{Line: 5, Col: 3}) || run.End != (diag.Pos{Line: 8, Col: 14}) {
		t.Errorf("RUN at %v to %v", run.Start, run.End)
	}
	if got := run.Args.S; got != "pip install \tflask==3.0.0" {
		t.Errorf("args %q", got)
	}
	i := strings.Index(run.Args.S, "pip")
	j := strings.Index(run.Args.S, "flask")
	if at(run.Args, i) != "6:5" || at(run.Args, j) != "8:2" {
		t.Errorf("pip at %s, flask at %s", at(run.Args, i), at(run.Args, j))
	}
	h := s.Instructions[1]
	if len(h.Heredocs) != 1 || h.Heredocs[0].Body.S != "set -e\napt-get update\n" || h.LastLine != 12 {
		t.Fatalf("heredoc: %+v", h.Heredocs)
	}
	sc := h.Scripts()
	if len(sc) != 2 {
		t.Fatalf("scripts %d", len(sc))
	}
	k := strings.Index(sc[1].S, "apt-get")
	if at(sc[1].Text, k) != "11:1" {
		t.Errorf("apt-get at %s", at(sc[1].Text, k))
	}
	if hc := f.Healthcheck(""); hc == nil || hc.Start.Line != 15 {
		t.Errorf("healthcheck %v", hc)
	}
	if hc := f.Healthcheck("build"); hc != nil {
		t.Errorf("stage build has no healthcheck, got %v", hc)
	}
}

func TestEscapeDirective(t *testing.T) {
	src := "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n  C:\\ `\n  /s\n"
	f, err := Parse("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	run := f.Stages[0].Instructions[0]
	if f.Escape != '`' || run.Args.S != "dir   C:\\   /s" || run.End.Line != 5 {
		t.Errorf("escape %q args %q end %v", f.Escape, run.Args.S, run.End)
	}
	if p := run.Args.Pos(strings.Index(run.Args.S, "/s")); p != (diag.Pos{Line: 5, Col: 3}) {
		t.Errorf("/s at %v", p)
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"", "Dockerfile:1:1: file with no instructions"},
		{"RUN echo\n", "Dockerfile:1:1: RUN before the first FROM: a Dockerfile must start with FROM (only ARG may come first)"},
		{"FROM alpine:3.19.1\nRUN <<EOF\necho\n", "Dockerfile:2:1: unterminated heredoc"},
		{"FROM alpine:3.19.1\nCOPY\n", "Dockerfile:2:1: COPY requires at least two arguments, but only one was provided. Destination could not be determined"},
	} {
		_, err := Parse("Dockerfile", []byte(c.src))
		if err == nil || err.Error() != c.want {
			t.Errorf("%q: got %v, want %s", c.src, err, c.want)
		}
	}
}

func TestCommands(t *testing.T) {
	for _, c := range []struct{ script, want string }{
		{"apt-get update && apt-get install -y curl=7.88 \\\n  git; rm -rf /var/lib/apt/lists/*", "apt-get update|apt-get install -y curl=7.88 git|rm -rf /var/lib/apt/lists/*"},
		{`pip install "django==4.2" 'numpy' > /tmp/log 2>&1`, "pip install django==4.2 numpy"},
		{"# comment\nFOO=1 sudo -E npm install -g pm2@5 | tee x", "FOO=1 sudo -E npm install -g pm2@5|tee x"},
		{`echo "$(date)" ${HOME} >&2 || true`, "echo $(date) ${HOME}|true"},
	} {
		var parts []string
		for _, cmd := range Commands(c.script) {
			var ws []string
			for _, w := range cmd.Words {
				ws = append(ws, w.Value)
			}
			parts = append(parts, strings.Join(ws, " "))
		}
		if got := strings.Join(parts, "|"); got != c.want {
			t.Errorf("%q:\n got %s\nwant %s", c.script, got, c.want)
		}
	}
}

// TestShellCheck runs the real shellcheck when it is installed (CI does not
// need it).
func TestShellCheck(t *testing.T) {
	p, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Skip("shellcheck is not on PATH")
	}
	cs, err := ShellCheck{Path: p}.Check("echo $HOME\n", "sh")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Code != 2086 || cs[0].Line != 1 || cs[0].Column != 6 {
		t.Errorf("comments %+v, want SC2086 at 1:6", cs)
	}
	if _, err := (ShellCheck{Path: p}).Check("echo $(", "sh"); err != nil {
		t.Errorf("a syntax error is a comment, not a failure: %v", err)
	}
}

func TestByteOrderMark(t *testing.T) {
	f, err := Parse("Dockerfile", []byte("\ufeffFROM python:3 AS app\nRUN echo\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := f.Stages[0]
	if s.Image != "python:3" || s.From.Start != (diag.Pos{Line: 1, Col: 2}) || s.From.Args.S != "python:3 AS app" || s.From.Args.Pos(0) != (diag.Pos{Line: 1, Col: 7}) {
		t.Errorf("image %q at %v, args %q at %v", s.Image, s.From.Start, s.From.Args.S, s.From.Args.Pos(0))
	}
}

// TestResolveArgs: FROM reads the arguments as the builder expands them,
// each default with the ones before it (lemmy's rust:${RUST_VERSION},
// pixelfed's ARG PHP_VERSION="8.1").
func TestResolveArgs(t *testing.T) {
	tests := []struct {
		name, src, want string
		resolved        bool
	}{
		{"plain", "ARG V=3.12.7\nFROM python:${V}-slim\n", "python:3.12.7-slim", true},
		{"quoted default", "ARG V=\"3\"\nARG D='bookworm'\nFROM python:${V}-slim-${D}\n", "python:3-slim-bookworm", true},
		{"a default from another", "ARG RUST_VERSION=1.81\nARG IMAGE=rust:${RUST_VERSION}\nFROM ${IMAGE}\n", "rust:1.81", true},
		{"no default", "ARG V\nFROM python:${V}\n", "python:", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("Dockerfile", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if s := f.Stages[0]; s.Image != tt.want || s.Resolved != tt.resolved {
				t.Errorf("FROM is %q (resolved %v), want %q (%v)", s.Image, s.Resolved, tt.want, tt.resolved)
			}
		})
	}
}

// TestReadsContext: the Dockerfiles whose build reads the build context.
func TestReadsContext(t *testing.T) {
	tests := []struct {
		name, src string
		want      bool
	}{
		{"a FROM alone (misskey's devcontainer)", "FROM mcr.microsoft.com/devcontainers/javascript-node:1.1.5-20-bookworm\n", false},
		{"COPY", "FROM alpine:3.20.3\nCOPY . /app\n", true},
		{"COPY from a stage", "FROM alpine:3.20.3 AS a\nRUN echo\nFROM alpine:3.20.3\nCOPY --from=a /x /x\n", false},
		{"ADD of a URL", "FROM alpine:3.20.3\nADD https://example.com/x.tar.gz /x\n", false},
		{"ADD of a file", "FROM alpine:3.20.3\nADD x.tar.gz /x\n", true},
		{"RUN with a bind mount", "FROM alpine:3.20.3\nRUN --mount=target=/src make -C /src\n", true},
		{"RUN with a cache mount", "FROM alpine:3.20.3\nRUN --mount=type=cache,target=/root/.cache pip install x\n", false},
		{"RUN with a bind mount from a stage", "FROM alpine:3.20.3\nRUN --mount=type=bind,from=golang:1.23,source=/usr/local/go,target=/go ls /go\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("Dockerfile", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := f.ReadsContext(); got != tt.want {
				t.Errorf("ReadsContext() = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestExpand: words of ENV, WORKDIR and COPY as the builder reads them.
func TestExpand(t *testing.T) {
	f, err := Parse("Dockerfile", []byte("FROM alpine:3.20.3\n"))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"MEALIE_HOME": "/app"}
	for _, tt := range []struct{ word, want string }{
		{`"/app"`, "/app"},
		{"$MEALIE_HOME/run.sh", "/app/run.sh"},
		{"${MEALIE_HOME}/run.sh", "/app/run.sh"},
		{"$UNSET/x", "/x"},
		{"/plain", "/plain"},
	} {
		if got := f.Expand(tt.word, env); got != tt.want {
			t.Errorf("Expand(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

// TestBuilt: the stages BuildKit builds for a target (Ghost's Dockerfile:
// compose builds target development; the tinybird stage after it is never
// built).
func TestBuilt(t *testing.T) {
	src := "FROM debian:12.5-slim AS base\nRUN echo hi\n" +
		"FROM golang:1.23.4 AS tools\nRUN go version\n" +
		"FROM base AS dev\nCOPY --from=tools /usr/local/go /go\nUSER 1000\n" +
		"FROM base AS extra\nRUN --mount=type=bind,from=1,target=/t true\n" +
		"FROM alpine:3.20.3 AS unused\n" +
		"FROM base\nCOPY --from=extra /x /x\n"
	f, err := Parse("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		target string
		want   string // the built stages, by index
	}{
		{"dev", "0 1 2"},
		{"extra", "0 1 3"},
		{"", "0 1 3 5"},
	} {
		var got []string
		for _, s := range f.Stages {
			if f.Built(s, tt.target) {
				got = append(got, strconv.Itoa(s.Index))
			}
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("target %q builds stages %v, want %s", tt.target, got, tt.want)
		}
	}
}

// TestBuiltDynamic: a stage reference made of build arguments may name any
// stage, so every stage counts (lemmy's FROM runner-${TARGETOS}-${TARGETARCH}).
func TestBuiltDynamic(t *testing.T) {
	src := "FROM debian:12.5-slim AS runner-linux-amd64\nRUN echo a\n" +
		"FROM debian:12.5-slim AS runner-linux-arm64\nRUN echo b\n" +
		"FROM runner-${TARGETOS}-${TARGETARCH}\nUSER nobody\n"
	f, err := Parse("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range f.Stages {
		if !f.Built(s, "") {
			t.Errorf("stage %d is not built, want every stage", s.Index)
		}
	}
}
