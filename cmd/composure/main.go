// Command composure loads, prints, diffs, lints and refactors Docker Compose
// projects kept in several files. See the README.
package main

import (
	"os"
	"runtime/debug"
	"strings"

	"github.com/sirupsen/logrus"
)

func main() {
	// compose-go reports warnings (unset variables, obsolete `version`)
	// through logrus' global logger, as docker compose shows them; print
	// them as one plain line each, like composure's other messages.
	logrus.SetFormatter(warningFormatter{})
	// A run is short and most of what it allocates (parsed files, merged
	// trees) stays live until it ends: collecting at every doubling of the
	// heap spends a quarter of `composure lint`'s CPU for little memory
	// back. Collect at 5x the live heap instead, unless GOGC says otherwise.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

func osGetenv(k string) string { return os.Getenv(k) }

// warningFormatter prints a logrus entry as `composure: warning: message`.
type warningFormatter struct{}

func (warningFormatter) Format(e *logrus.Entry) ([]byte, error) {
	return []byte("composure: " + strings.ToLower(e.Level.String()) + ": " + e.Message + "\n"), nil
}
