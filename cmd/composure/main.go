// Command composure loads, prints, diffs, lints and refactors Docker Compose
// projects kept in several files. See the README.
package main

import (
	"os"
	"strings"

	"github.com/sirupsen/logrus"
)

func main() {
	// compose-go reports warnings (unset variables, obsolete `version`)
	// through logrus' global logger, as docker compose shows them; print
	// them as one plain line each, like composure's other messages.
	logrus.SetFormatter(warningFormatter{})
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

func osGetenv(k string) string { return os.Getenv(k) }

// warningFormatter prints a logrus entry as `composure: warning: message`.
type warningFormatter struct{}

func (warningFormatter) Format(e *logrus.Entry) ([]byte, error) {
	return []byte("composure: " + strings.ToLower(e.Level.String()) + ": " + e.Message + "\n"), nil
}
