package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// composure executes nothing and opens no connection (issue 6): not for
// remote include/extends targets, not for build contexts given as URLs,
// not for Dockerfiles, env files or image names. Two proofs:
//
//   - in-process, on any machine: the proxy variables point at a local
//     listener that records every connection, the resolver fails and
//     records every lookup, and PATH holds only fake executables (docker,
//     git, sh, ...) that record being run;
//   - where strace works, the same runs in a child of this test binary
//     traced for execve and connect, which also catches a direct dial or
//     an absolute /bin/sh that the first proof cannot see.
//
// Reading a project as of a git revision (`diff --rev`) runs git by
// design; it is left out here.

// remoteProject is a project that names every kind of remote resource
// compose knows.
var remoteProject = map[string]string{
	"compose.yaml": `include:
  - git@github.com:composure-dev/remote-include.git
  - https://github.com/composure-dev/remote-include.git#main:compose.yaml
  - oci://docker.io/composure-dev/remote-include:latest
services:
  web:
    image: registry.example.com:5000/web:1.2.3
    build:
      context: https://github.com/composure-dev/app.git#v1.0
      dockerfile: Dockerfile
    env_file: app.env
  worker:
    extends:
      file: https://raw.githubusercontent.com/composure-dev/x/main/compose.yaml
      service: base
  local:
    build: ./app
    healthcheck:
      test: ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]
`,
	"app.env":        "A=1\n",
	"app/Dockerfile": "FROM python:3.12-slim\nRUN pip install -r requirements.txt\nHEALTHCHECK CMD curl -f http://localhost/\n",
	"compose.prod.yaml": `services:
  local:
    image: example/local:1.0
`,
}

// noexecCommands are the command lines both proofs run; {} is a project.
var noexecCommands = [][]string{
	{"-C", "{}", "envs"},
	{"-C", "{}", "config"},
	{"-C", "{}", "config", "--format", "json"},
	{"lint", "-C", "{}"},
	{"lint", "-C", "{}", "--format", "sarif"},
	{"refactor", "-C", "{}"},
	{"-C", "{}", "diff", "default", "default"},
	{"rules"},
}

// noexecProjects lays out the projects the commands run on.
func noexecProjects(t *testing.T) []string {
	dir := t.TempDir()
	for name, content := range remoteProject {
		p := filepath.Join(dir, name)
		mustMkdir(t, filepath.Dir(p))
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return []string{dir, filepath.Join(repoRoot(t), "examples", "blog"), filepath.Join(repoRoot(t), "examples", "guide")}
}

// runNoexecCommands runs every command on every project in-process and
// returns how many ran.
func runNoexecCommands(projects []string) int {
	n := 0
	for _, p := range projects {
		for _, cmdline := range noexecCommands {
			if !hasCommand(commandName(cmdline)) {
				continue
			}
			args := []string{"composure"}
			for _, a := range cmdline {
				args = append(args, strings.ReplaceAll(a, "{}", p))
			}
			run(args, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
			n++
		}
	}
	return n
}

// fakeBins are the programs a compose tool might be tempted to run.
var fakeBins = []string{"docker", "docker-compose", "podman", "git", "ssh", "curl", "wget", "sh", "bash", "hadolint", "shellcheck", "helm", "kubectl", "make", "env"}

func TestNoExecNoNetwork(t *testing.T) {
	if os.Getenv("COMPOSURE_NOEXEC_CHILD") != "" {
		// Child of the strace proof: just run the commands.
		projects := strings.Split(os.Getenv("COMPOSURE_NOEXEC_CHILD"), string(os.PathListSeparator))
		fmt.Printf("RAN %d\n", runNoexecCommands(projects))
		return
	}
	projects := noexecProjects(t)

	// Proxy: a listener that records connections.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var accepted []string
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			accepted = append(accepted, c.RemoteAddr().String())
			mu.Unlock()
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	proxy := "http://" + ln.Addr().String()
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"} {
		t.Setenv(k, proxy)
	}
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")

	// Resolver: every lookup fails and is recorded.
	var lookups []string
	saved := net.DefaultResolver
	net.DefaultResolver = &net.Resolver{PreferGo: true, Dial: func(_ context.Context, network, address string) (net.Conn, error) {
		mu.Lock()
		lookups = append(lookups, network+" "+address)
		mu.Unlock()
		return nil, errors.New("composure test: no DNS")
	}}
	t.Cleanup(func() { net.DefaultResolver = saved })

	// PATH: fake programs that record being run.
	bin := t.TempDir()
	calls := filepath.Join(bin, "calls.log")
	for _, name := range fakeBins {
		script := fmt.Sprintf("#!/bin/sh\necho %s \"$@\" >> %s\nexit 1\n", name, calls)
		if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin)
	t.Setenv("SHELL", filepath.Join(bin, "sh"))
	t.Setenv("DOCKER_HOST", "tcp://"+ln.Addr().String())

	ran := runNoexecCommands(projects)
	if ran < 3*4 {
		t.Fatalf("only %d command runs: the CLI lost its commands?", ran)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(accepted) > 0 {
		t.Errorf("%d connection(s) through the proxy: %v", len(accepted), accepted)
	}
	if len(lookups) > 0 {
		t.Errorf("%d DNS lookup(s): %v", len(lookups), lookups)
	}
	if b, err := os.ReadFile(calls); err == nil {
		t.Errorf("programs were run:\n%s", b)
	}
	t.Logf("%d command runs over %d projects: no connection, no lookup, no program run", ran, len(projects))

	t.Run("strace", func(t *testing.T) { straceProof(t, projects) })
}

// straceProof runs the commands in a child of this test binary under
// strace and fails on any execve after the child's own, or any connect to
// an internet address.
func straceProof(t *testing.T, projects []string) {
	strace, err := exec.LookPath("/usr/bin/strace")
	if err != nil {
		t.Skip("strace not installed: the in-process proof stands alone")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(t.TempDir(), "strace.log")
	cmd := exec.Command(strace, "-f", "-qq", "-e", "trace=execve,connect", "-o", log,
		self, "-test.run=^TestNoExecNoNetwork$", "-test.count=1")
	cmd.Env = append(os.Environ(), "COMPOSURE_NOEXEC_CHILD="+strings.Join(projects, string(os.PathListSeparator)))
	out, err := cmd.CombinedOutput()
	if err != nil {
		if bytes.Contains(out, []byte("ptrace")) || bytes.Contains(out, []byte("Operation not permitted")) {
			t.Skipf("strace cannot trace here: %s", out)
		}
		t.Fatalf("child failed: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`RAN [1-9]\d*`).Match(out) {
		t.Fatalf("child ran no command:\n%s", out)
	}
	f, err := os.Open(log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	execs, inet := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.Contains(line, "execve("):
			execs++
			if execs > 1 {
				t.Errorf("a program was run: %s", line)
			}
		case strings.Contains(line, "connect(") && (strings.Contains(line, "AF_INET") || strings.Contains(line, "AF_INET6")):
			inet++
			t.Errorf("a connection was attempted: %s", line)
		}
	}
	if execs == 0 {
		t.Fatal("strace saw no execve at all: the trace is not working")
	}
	t.Logf("strace: %d execve (the test binary itself), %d inet connect", execs, inet)
}
