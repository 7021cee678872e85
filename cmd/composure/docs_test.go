package main

import (
	"path/filepath"
	"testing"

	"github.com/composure-dev/composure/internal/testenv"
)

// exitStatusDocs hold the table of exit statuses.
var exitStatusDocs = []string{"README.md", "docs/ci.md", "docs/rules.md", "docs/refactor.md", "docs/diff.md"}

// TestExitStatusTables holds every document that says what the exit
// statuses mean to the one table composure's help prints from.
func TestExitStatusTables(t *testing.T) {
	root := repoRoot(t)
	for _, doc := range exitStatusDocs {
		testenv.Section(t, filepath.Join(root, filepath.FromSlash(doc)), "exit-statuses", exitStatusTable(), *update,
			"go test ./cmd/composure -run TestExitStatusTables")
	}
}
