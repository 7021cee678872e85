// Package docs embeds composure's user documentation, so `composure rules ID`
// prints the same text docs/rules.md shows.
package docs

import _ "embed"

// Rules is docs/rules.md: one section per lint rule.
//
//go:embed rules.md
var Rules string
