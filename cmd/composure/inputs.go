package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
)

// Checks on input files shared by the commands that find and read compose
// files themselves (refactor, lint), so hostile input ends the same way in
// each (issue 6).

// brokenLink explains why no compose file was found in dir when one of
// names is there as a link that cannot be followed (a loop, a missing
// target), which would otherwise read as "no compose file here".
func brokenLink(dir string, names []string) error {
	for _, n := range names {
		p := filepath.Join(dir, n)
		if _, err := os.Lstat(p); err != nil {
			continue
		}
		_, err := os.Stat(p)
		if err == nil {
			continue
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return &compose.Error{Location: compose.Location{File: n}, Msg: fmt.Sprintf("symbolic link cannot be followed (%v): fix or remove it", err)}
	}
	return nil
}

// decodeAll expands d's documents within its expansion budget, to refuse an
// alias bomb.
func decodeAll(d *compose.Document) error {
	b := d.ExpansionBudget()
	for _, top := range append([]*yaml.Node{d.Root}, d.Extra...) {
		if top == nil {
			continue
		}
		if _, err := d.Decode(top, b); err != nil {
			return err
		}
	}
	return nil
}
