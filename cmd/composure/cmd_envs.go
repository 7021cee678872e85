package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/composure-dev/composure/envs"
	"github.com/composure-dev/composure/internal/jsonindent"
	"github.com/composure-dev/composure/internal/termsafe"
)

func (a *app) envsCommand() *cli.Command {
	return &cli.Command{
		Name:  "envs",
		Usage: "list the project's environments, their files in load order, and why each has them",
		Flags: []cli.Flag{
			choice(&cli.StringFlag{Name: "format", Value: "table", Usage: "output `FORMAT`"}, "table", "json"),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return withCode(exitUsage, fmt.Errorf("envs takes no arguments, got %q", c.Args().First()))
			}
			p, err := a.project(c)
			if err != nil {
				return err
			}
			switch c.String("format") {
			case "table":
				// without -C or -f, discovery may have found the project up
				// from here (mlflow's seaweedfs/): say where
				found := lineageString(c, "project-directory") == "" && len(lineageSlice(c, "file")) == 0
				return a.printEnvsTable(p, found)
			case "json":
				return a.printEnvsJSON(p)
			}
			return withCode(exitUsage, fmt.Errorf("unknown format %q: use table or json", c.String("format")))
		},
	}
}

// envJSON is one environment in `envs --format json`.
type envJSON struct {
	Name     string   `json:"name"`
	Files    []string `json:"files"`
	Profiles []string `json:"profiles"`
	// Why says why the environment has these files.
	Why string `json:"why"`
}

func envListing(p *envs.Project) []envJSON {
	out := make([]envJSON, 0, len(p.Envs))
	for _, e := range p.Envs {
		j := envJSON{Name: e.Name, Files: make([]string, len(e.Files)), Profiles: append([]string{}, e.Profiles...), Why: e.Why}
		for i, f := range e.Files {
			j.Files[i] = p.Rel(f)
		}
		out = append(out, j)
	}
	return out
}

func (a *app) printEnvsJSON(p *envs.Project) error {
	b, err := jsonindent.Marshal(envListing(p))
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(a.stdout, "%s\n", b)
	return err
}

// printEnvsTable prints the environments as a table; names come from file
// names and composure.yaml, so they go through termsafe.Line.
func (a *app) printEnvsTable(p *envs.Project, found bool) error {
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tFILES\tPROFILES\tWHY")
	for _, e := range envListing(p) {
		profiles := strings.Join(e.Profiles, ",")
		if profiles == "" {
			profiles = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", termsafe.Line(e.Name), termsafe.Line(strings.Join(e.Files, " ")), termsafe.Line(profiles), termsafe.Line(e.Why))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// run from a subdirectory: say where the files are relative to
	if wd, err := os.Getwd(); err == nil && found && filepath.Clean(wd) != p.Dir {
		shown := p.Dir
		if r, err := filepath.Rel(wd, p.Dir); err == nil {
			shown = r
		}
		if _, err := fmt.Fprintf(a.stdout, "\nproject directory: %s (the files above are relative to it)\n", termsafe.Line(shown)); err != nil {
			return err
		}
	}
	if len(p.Unlisted) > 0 {
		names := make([]string, len(p.Unlisted))
		for i, f := range p.Unlisted {
			names[i] = termsafe.Line(p.Rel(f))
		}
		_, err := fmt.Fprintf(a.stdout, "\nin no environment: %s (discovery reads <stem>.NAME.yml siblings; name these with -f, or declare the environments in composure.yaml)\n", strings.Join(names, ", "))
		return err
	}
	return nil
}
