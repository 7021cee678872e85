package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// colorModes are the values of --color, as in grep, git and ls.
var colorModes = []string{"auto", "always", "never"}

// colorFlags are --color and its older spelling --no-color, for the
// commands that print text in colour (lint, diff).
func colorFlags() []cli.Flag {
	return []cli.Flag{
		choice(&cli.StringFlag{Name: "color", Value: "auto", Usage: "colour the text output `WHEN` (auto: on a terminal, unless NO_COLOR is set, or when FORCE_COLOR is)"}, colorModes...),
		&cli.BoolFlag{Name: "no-color", Hidden: true, Usage: "the same as --color never"},
	}
}

// useColor decides on ANSI colours for the text a.stdout receives. The
// flag decides when given; else FORCE_COLOR set to anything but 0 or false
// turns colours on (https://force-color.org; 0 and false turn them off, as
// Node.js reads it), else NO_COLOR set to anything turns them off
// (https://no-color.org), else they are on for a terminal that is not
// TERM=dumb.
func (a *app) useColor(c *cli.Context) (bool, error) {
	mode := c.String("color")
	switch {
	case c.Bool("no-color"):
		return false, nil
	case mode == "always":
		return true, nil
	case mode == "never":
		return false, nil
	case mode != "auto":
		return false, withCode(exitUsage, fmt.Errorf("--color %q: use %s", mode, orList(colorModes)))
	}
	switch force := a.getenv("FORCE_COLOR"); force {
	case "":
	case "0", "false":
		return false, nil
	default:
		return true, nil
	}
	if a.getenv("NO_COLOR") != "" || a.getenv("TERM") == "dumb" {
		return false, nil
	}
	f, ok := a.stdout.(*os.File)
	return ok && term.IsTerminal(int(f.Fd())), nil
}
