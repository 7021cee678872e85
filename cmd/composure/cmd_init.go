package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/composure-dev/composure/envs"
	"github.com/composure-dev/composure/lint"
)

// initCommand writes a commented composure.yaml for the project: the
// environments discovered now, and every lint rule with its default
// severity, so a team starts from an explicit, reviewable file.
func (a *app) initCommand() *cli.Command {
	return &cli.Command{
		Name:  "init",
		Usage: "write a commented composure.yaml for this project (environments and rule severities)",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "stdout", Usage: "print the file instead of writing it"},
		},
		Action: func(c *cli.Context) error {
			opts := a.projectOptions(c)
			opts.Variants = true // no compose.yaml, but compose.dev.yaml...: propose those
			p, err := envs.Discover(opts)
			if err != nil {
				return withCode(exitUsage, err)
			}
			out := initConfig(p, lint.Rules())
			if c.Bool("stdout") {
				_, err := a.stdout.Write(out)
				return err
			}
			for _, n := range envs.ConfigFileNames {
				if _, err := os.Lstat(filepath.Join(p.Dir, n)); err == nil {
					return withCode(exitUsage, fmt.Errorf("%s already exists: composure init never overwrites it; edit it, or remove it first", p.Rel(filepath.Join(p.Dir, n))))
				}
			}
			path := filepath.Join(p.Dir, envs.ConfigFileNames[0])
			if err := writeNew(path, out); err != nil {
				return withCode(exitUsage, err)
			}
			fmt.Fprintf(a.stderr, "composure: wrote %s (%d environments, %d rules)\n", p.Rel(path), len(p.Envs), len(lint.Rules()))
			return nil
		},
	}
}

// writeNew creates path with data, failing if it exists (O_EXCL), and
// removes it again if the write fails: never a half-written file.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s already exists: composure init never overwrites it", path)
		}
		return fmt.Errorf("writing %s: %w", path, err)
	}
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(path)
		return fmt.Errorf("writing %s: %w", path, werr)
	}
	return nil
}

// initConfig renders the composure.yaml that init writes.
func initConfig(p *envs.Project, rules []lint.Rule) []byte {
	var b bytes.Buffer
	b.WriteString("# composure.yaml: settings for composure (see the README and docs/rules.md).\n")
	b.WriteString("# Written by `composure init`; every key is checked, a typo is an error.\n\n")
	b.WriteString("# Environments, each an ordered list of compose files as `docker compose -f ... -f ...`\n")
	b.WriteString("# would load them. Declared environments replace discovery: delete this block to\n")
	b.WriteString("# go back to discovering default (base + override) and <stem>.NAME.<ext> siblings.\n")
	b.WriteString("environments:\n")
	for _, e := range p.Envs {
		if e.Why != "" {
			fmt.Fprintf(&b, "  %s: # %s\n", yamlKey(e.Name), e.Why)
		} else {
			fmt.Fprintf(&b, "  %s:\n", yamlKey(e.Name))
		}
		b.WriteString("    files:\n")
		for _, f := range e.Files {
			fmt.Fprintf(&b, "      - %s\n", yamlString(p.Rel(f)))
		}
		if len(e.EnvFiles) > 0 {
			b.WriteString("    env_files:\n")
			for _, f := range e.EnvFiles {
				fmt.Fprintf(&b, "      - %s\n", yamlString(p.Rel(f)))
			}
		}
		if len(e.Profiles) > 0 {
			fmt.Fprintf(&b, "    profiles: [%s]\n", strings.Join(quoteAll(e.Profiles), ", "))
		}
		if e.ProjectName != "" {
			fmt.Fprintf(&b, "    project_name: %s\n", yamlString(e.ProjectName))
		}
	}
	b.WriteString("\n# Lint rules and their default severities: error, warning, info, or off\n")
	b.WriteString("# (`on` enables an optional rule). `composure rules ID` explains each.\n")
	b.WriteString("rules:\n")
	for _, r := range rules {
		m := r.Meta()
		sev := m.Severity.String()
		if m.Optional {
			sev = "off"
		}
		fmt.Fprintf(&b, "  %s: %s # %s\n", m.ID, sev, m.Summary)
	}
	b.WriteString("\n# Names (case-insensitive substrings) whose values --redact prints as *** and\n")
	b.WriteString("# hardcoded-secret reports, on top of the built-in policy (docs/redaction.md).\n")
	b.WriteString("redact: []\n")
	return b.Bytes()
}

func yamlKey(s string) string { return yamlString(s) }

// yamlString quotes s when YAML would read it as something else.
func yamlString(s string) string {
	if s == "" || strings.ContainsAny(s, ":#{}[],&*!|>'\"%@`") || strings.TrimSpace(s) != s {
		return strconv.Quote(s)
	}
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "null", "~":
		return strconv.Quote(s)
	}
	return s
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = yamlString(s)
	}
	return out
}
