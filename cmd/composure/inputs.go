package main

import (
	"github.com/composure-dev/composure/compose"
)

// Checks on input files shared by the commands that find and read compose
// files themselves (refactor, lint), so hostile input ends the same way in
// each (issue 6).

// decodeAll expands d's documents within its expansion budget, to refuse an
// alias bomb.
func decodeAll(d *compose.Document) error {
	b := d.ExpansionBudget()
	for _, top := range d.Roots() {
		if _, err := d.Decode(top, b); err != nil {
			return err
		}
	}
	return nil
}
