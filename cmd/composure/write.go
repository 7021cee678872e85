package main

import (
	"github.com/composure-dev/composure/internal/atomicfile"
)

// writeAtomic is how every command writes a user's file (config -o,
// refactor --write, lint --fix): through internal/atomicfile, so the file
// holds the old content or the new, never half of either, keeps its mode and
// owner, and a read-only file or directory is refused with a clear error.
// Failures are the user's to fix (exit 2).
func writeAtomic(path string, data []byte) error {
	return withCode(exitUsage, atomicfile.WriteFile(path, data))
}
