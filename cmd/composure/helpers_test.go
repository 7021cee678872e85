package main

import (
	"bytes"
	"strings"
	"testing"
)

// runCLI runs composure in-process with env as its whole environment and
// returns the exit status, stdout and stderr.
func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := runWithEnv(append([]string{"composure"}, args...), strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}
