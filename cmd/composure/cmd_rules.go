package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/composure-dev/composure/lint"
	"github.com/urfave/cli/v2"
)

func (a *app) rulesCommand() *cli.Command {
	return &cli.Command{
		Name:      "rules",
		Usage:     "list the lint rules, or print the documentation of one",
		ArgsUsage: "[RULE]",
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return withCode(exitUsage, fmt.Errorf("rules takes at most one rule ID"))
			}
			if id := c.Args().First(); id != "" {
				doc, ok := lint.Doc(id)
				if !ok {
					return withCode(exitUsage, fmt.Errorf("unknown rule %q: `composure rules` lists them", id))
				}
				fmt.Fprint(a.stdout, doc)
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSEVERITY\tSCOPE\tFIX\tSUMMARY")
			for _, r := range lint.Rules() {
				m := r.Meta()
				fix := ""
				if m.Fixable {
					fix = "yes"
				}
				sev := m.Severity.String()
				if m.Optional {
					sev += " (off)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.ID, sev, m.Scope, fix, m.Summary)
			}
			return tw.Flush()
		},
	}
}
