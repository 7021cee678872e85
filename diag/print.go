package diag

import (
	"fmt"
	"io"
	"slices"
)

// Formats lists the output formats Print accepts.
var formats = []string{"text", "json", "sarif", "github", "codequality"}

// Formats returns the names of the output formats, for help texts.
func Formats() []string { return slices.Clone(formats) }

// PrintOptions tunes the printers.
type PrintOptions struct {
	// Color adds ANSI colours to text output.
	Color bool
	// Sources gives file contents for snippets (text) and is optional.
	Sources Sources
	// Rules describes every rule that may appear (SARIF lists them).
	Rules []RuleInfo
	// Tool and Version name the producer (SARIF).
	Tool, Version, ToolURL string
}

// Print writes fs to w in format (one of Formats()). fs must be sorted.
func Print(w io.Writer, format string, fs []Finding, o PrintOptions) error {
	switch format {
	case "text", "":
		return PrintText(w, fs, o)
	case "json":
		return PrintJSON(w, fs)
	case "sarif":
		return PrintSARIF(w, fs, o)
	case "github":
		return PrintGitHub(w, fs)
	case "codequality", "gitlab":
		return PrintCodeQuality(w, fs)
	}
	return fmt.Errorf("unknown format %q: use one of %q", format, formats)
}
