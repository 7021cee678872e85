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
	environ := make([]string, 0, len(env))
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	code := runEnviron(append([]string{"composure"}, args...), strings.NewReader(""), &out, &errb, environ)
	return code, out.String(), errb.String()
}
