package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/aymanbagabas/go-udiff"
	"github.com/urfave/cli/v2"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/dupes"
	"github.com/composure-dev/composure/envs"
	"github.com/composure-dev/composure/internal/jsonindent"
	"github.com/composure-dev/composure/internal/termsafe"
	"github.com/composure-dev/composure/refactor"
)

func (a *app) refactorCommand() *cli.Command {
	return &cli.Command{
		Name:      "refactor",
		Usage:     "fold duplicated service blocks into YAML anchors, proving the effective config is unchanged",
		ArgsUsage: "[FILE...]",
		Description: "Refactors the given files, else every file of the project's environments (global -C, -f).\n" +
			"Without --write, prints a unified diff and writes nothing. Each rewrite is proved first: every\n" +
			"environment that includes the file is loaded before and after, as `composure config` loads it,\n" +
			"and must come out identical. Why anchors: " + docsURL + "docs/practices.md#practice-9",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "write", Aliases: []string{"w"}, Usage: "write the refactored files (atomically, file mode kept)"},
			&cli.BoolFlag{Name: "check", Usage: "exit 1 when a refactor is possible, write nothing (for CI)"},
			choice(&cli.StringFlag{Name: "format", Value: "diff", Usage: "output `FORMAT`, a unified diff or the groups as JSON"}, "diff", "json"),
			&cli.IntFlag{Name: "min-shared", Value: dupes.DefaultMinShared, Usage: "services must share at least `N` top-level entries to be grouped"},
			&cli.StringFlag{Name: "name", Usage: "anchor `NAME`", DefaultText: "the services' common name prefix, else default-app"},
			choice(&cli.StringFlag{Name: "style", Value: string(refactor.StyleExtension), Usage: "`STYLE` of the anchor, an x-NAME block or the group's first service"}, string(refactor.StyleExtension), string(refactor.StyleFirstService)),
		},
		Action: a.refactor,
	}
}

// refactorFile is one file's outcome, as --format json prints it.
type refactorFile struct {
	File       string          `json:"file"`
	Groups     []refactorGroup `json:"groups"`
	LinesSaved int             `json:"lines_saved"`
	Skipped    []refactorGroup `json:"skipped,omitempty"`
	Written    bool            `json:"written,omitempty"`
	Refused    string          `json:"refused,omitempty"`
}

type refactorGroup struct {
	Kind       string   `json:"kind"`
	Anchor     string   `json:"anchor,omitempty"`
	Style      string   `json:"style,omitempty"`
	Services   []string `json:"services"`
	Files      []string `json:"files,omitempty"`
	Shared     []string `json:"shared"`
	LinesSaved int      `json:"lines_saved"`
	Suggestion string   `json:"suggestion,omitempty"`
}

func (a *app) refactor(c *cli.Context) error {
	style := refactor.Style(c.String("style"))
	if style != refactor.StyleExtension && style != refactor.StyleFirstService {
		return withCode(exitUsage, fmt.Errorf("--style %q is not a style: use %q or %q", style, refactor.StyleExtension, refactor.StyleFirstService))
	}
	format := c.String("format")
	if format != "diff" && format != "json" {
		return withCode(exitUsage, fmt.Errorf("--format %q is not supported by refactor: use \"diff\" or \"json\"", format))
	}
	if c.Int("min-shared") < 1 {
		return withCode(exitUsage, fmt.Errorf("--min-shared %d: give at least 1", c.Int("min-shared")))
	}
	if c.Bool("write") && c.Bool("check") {
		return withCode(exitUsage, errors.New("--write and --check exclude each other: --check only reports"))
	}
	if name := c.String("name"); name != "" && !anchorNameRE.MatchString(name) {
		return withCode(exitUsage, fmt.Errorf("--name %q cannot name an anchor: use ASCII letters, digits, '-' or '_'", name))
	}
	p, err := a.refactorProject(c)
	if err != nil {
		return withCode(exitUsage, err)
	}
	var files []string
	for _, f := range c.Args().Slice() {
		abs, err := filepath.Abs(f)
		if err != nil {
			return withCode(exitUsage, err)
		}
		files = append(files, abs)
	}
	if len(files) == 0 {
		for _, e := range p.Envs {
			for _, f := range e.Files {
				if !slices.Contains(files, f) {
					files = append(files, f)
				}
			}
		}
	}
	opts := refactor.Options{MinShared: c.Int("min-shared"), Name: c.String("name"), Style: style}
	ctx := c.Context
	if ctx == nil {
		ctx = context.Background()
	}

	var docs []*compose.Document
	var out []refactorFile
	possible, refused, refusedInput := false, false, false
	for _, f := range files {
		name := p.Rel(f)
		d, err := compose.ReadFile(f, name)
		if err != nil {
			return withCode(exitUsage, err)
		}
		// An alias bomb is refused here as everywhere, even when no
		// rewrite would need to load it.
		if err := decodeAll(d); err != nil {
			return withCode(exitUsage, err)
		}
		docs = append(docs, d)
		if d.Root == nil {
			continue
		}
		rf := refactorFile{File: name, Groups: []refactorGroup{}}
		fopts := opts
		for _, e := range refactor.Including(p, f) {
			fopts.Overlay = fopts.Overlay || e.Files[0] != f
		}
		r, err := refactor.Rewrite(d, fopts)
		if err != nil {
			return withCode(exitFailure, err)
		}
		if r.Changed() {
			err := a.proveRefactor(ctx, c, p, r)
			if err != nil {
				rf.Refused = err.Error()
				var ce *compose.Error
				if errors.As(err, &ce) {
					// The project itself does not load (a FIFO as env_file,
					// a bad include): the user's input, so exit 2 with the
					// place to fix first.
					refusedInput = true
					fmt.Fprintf(a.stderr, "%s (refusing to refactor %s: nothing proves the rewrite)\n", termsafe.Text(ce.Error()), termsafe.Line(name))
				} else {
					refused = true
					fmt.Fprintf(a.stderr, "composure: %s\n", termsafe.Text(err.Error()))
				}
				out = append(out, rf)
				continue
			}
			possible = true
		}
		for _, ch := range r.Changes {
			rf.Groups = append(rf.Groups, refactorGroup{
				Kind: ch.Kind.String(), Anchor: ch.Name, Style: string(ch.Style),
				Services: ch.Services, Shared: ch.Shared, LinesSaved: ch.LinesSaved,
			})
		}
		for _, sk := range r.Skipped {
			rf.Skipped = append(rf.Skipped, refactorGroup{Kind: sk.Kind.String(), Services: sk.Services, Shared: sk.Shared, LinesSaved: sk.LinesSaved})
			fmt.Fprintf(a.stderr, "composure: %s: left %s as they are: folding them failed composure's own check (please report this file): %v\n",
				name, strings.Join(sk.Services, ", "), sk.Err)
		}
		rf.LinesSaved = r.LinesSaved()
		if r.Changed() {
			switch {
			case c.Bool("write"):
				if err := writeAtomic(d.Path, r.After); err != nil {
					// The user's to fix (a read-only file or directory):
					// exit 2, as lint --fix does.
					return err
				}
				rf.Written = true
				fmt.Fprintf(a.stderr, "composure: wrote %s: %d group(s), %d lines saved\n", name, len(r.Changes), rf.LinesSaved)
			case c.Bool("check"):
				if format == "diff" {
					for _, g := range rf.Groups {
						fmt.Fprintf(a.stdout, "%s: %s share %s: fold into &%s (%d lines saved)\n", termsafe.Line(name), termsafe.Line(strings.Join(g.Services, ", ")), termsafe.Line(strings.Join(g.Shared, ", ")), termsafe.Line(g.Anchor), g.LinesSaved)
					}
				}
			case format == "diff":
				fmt.Fprint(a.stdout, udiff.Unified("a/"+filepath.ToSlash(name), "b/"+filepath.ToSlash(name), string(r.Before), string(r.After)))
			}
		}
		out = append(out, rf)
	}

	var across []refactorGroup
	for _, g := range dupes.FindAcross(docs, opts.MinShared) {
		rg := refactorGroup{Kind: g.Kind.String(), Services: g.Services, Shared: g.Shared, LinesSaved: g.LinesSaved}
		for _, m := range g.Members {
			rg.Files = append(rg.Files, m.Doc.Name)
		}
		// extends' file is relative to the file that extends: say it as the
		// second member would write it.
		first, other := g.Members[0], g.Members[1]
		target := first.Doc.Name
		if first.Doc.Path != "" && other.Doc.Path != "" {
			if r, err := filepath.Rel(filepath.Dir(other.Doc.Path), first.Doc.Path); err == nil {
				target = r
			}
		}
		rg.Suggestion = fmt.Sprintf("extends: {file: %s, service: %s}", filepath.ToSlash(target), first.Name)
		across = append(across, rg)
		if format == "diff" {
			var where []string
			for _, m := range g.Members {
				where = append(where, fmt.Sprintf("%s (%s)", m.Name, m.Loc()))
			}
			fmt.Fprintf(a.stderr, "composure: %s share %s across files; anchors cannot cross files: consider `%s` in the others\n",
				strings.Join(where, ", "), strings.Join(g.Shared, ", "), rg.Suggestion)
		}
	}

	if format == "json" {
		doc := struct {
			Files  []refactorFile  `json:"files"`
			Across []refactorGroup `json:"across_files"`
		}{Files: out, Across: across}
		if doc.Files == nil {
			doc.Files = []refactorFile{}
		}
		if doc.Across == nil {
			doc.Across = []refactorGroup{}
		}
		if err := jsonindent.Write(a.stdout, doc); err != nil {
			return withCode(exitFailure, err)
		}
	}
	switch {
	case refused:
		return silentExit(exitFailure)
	case refusedInput:
		return silentExit(exitUsage)
	case c.Bool("check") && possible:
		return silentExit(exitFindings)
	}
	return nil
}

// anchorNameRE is what yaml.v3 scans as an anchor name.
var anchorNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// refactorProject discovers the project: from the project flags (-C, -f,
// -p, --env-file, --profile, before or after the command), else, given FILE
// arguments, in the first file's directory.
func (a *app) refactorProject(c *cli.Context) (*envs.Project, error) {
	opts := a.projectOptions(c)
	if opts.Dir == "" && len(opts.Files) == 0 && c.NArg() > 0 {
		opts.Dir = filepath.Dir(c.Args().First())
	}
	return envs.Discover(opts)
}

// proveRefactor proves r against every environment of p that includes the
// file; a file no environment includes is proved on its own, as if given
// with -f.
func (a *app) proveRefactor(ctx context.Context, c *cli.Context, p *envs.Project, r *refactor.Result) error {
	list := refactor.Including(p, r.Doc.Path)
	if len(list) == 0 {
		opts := a.projectOptions(c)
		opts.Dir, opts.Files = p.Dir, []string{r.Doc.Path}
		alone, err := envs.Discover(opts)
		if err != nil {
			return err
		}
		p, list = alone, alone.Envs
	}
	return refactor.Prove(ctx, p, list, r)
}
