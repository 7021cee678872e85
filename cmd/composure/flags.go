package main

import (
	"github.com/urfave/cli/v2"

	"github.com/composure-dev/composure/envs"
)

// projectFlags are docker compose's global project flags. Like docker
// compose, they come before the command: `composure -f a.yml config`.
func projectFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "project-directory", Aliases: []string{"C"}, Usage: "project `DIR`", DefaultText: "the current directory"},
		&cli.StringSliceFlag{Name: "file", Aliases: []string{"f"}, Usage: "compose `FILE` to load, repeatable: the files form the only environment, as with docker compose -f"},
		&cli.StringFlag{Name: "project-name", Aliases: []string{"p"}, Usage: "project `NAME`", DefaultText: "COMPOSE_PROJECT_NAME, name: in the files, or the directory's name"},
		&cli.StringSliceFlag{Name: "env-file", Usage: "env `FILE` for interpolation instead of .env, repeatable"},
		&cli.StringSliceFlag{Name: "profile", Usage: "enable `PROFILE`, repeatable", DefaultText: "COMPOSE_PROFILES"},
	}
}

// versionFlag is the app's --version; composure handles it (urfave/cli's
// own prints through a package global). A new one per app: urfave/cli
// writes into a flag when it parses, and apps run at once in the tests
// (and in lint's completion) must not share one.
func versionFlag() *cli.BoolFlag {
	return &cli.BoolFlag{Name: "version", Aliases: []string{"v"}, Usage: "print the version"}
}

// choiceFlag is a string flag whose value is one of choices: help lists
// them after the usage, shell completion offers them. The command checks
// the value, with the same list.
type choiceFlag struct {
	*cli.StringFlag
	choices []string
}

// choice makes a choiceFlag.
func choice(f *cli.StringFlag, choices ...string) *choiceFlag {
	return &choiceFlag{StringFlag: f, choices: choices}
}

// projectOptions reads the project flags wherever they were given: before
// the command as docker compose has them (`composure -f a.yml lint`) or after
// it (`composure lint -C dir`), the one nearest the command winning.
func (a *app) projectOptions(c *cli.Context) envs.Options {
	opts := envs.Options{
		Dir:         lineageString(c, "project-directory"),
		Files:       lineageSlice(c, "file"),
		ProjectName: lineageString(c, "project-name"),
		EnvFiles:    lineageSlice(c, "env-file"),
		Profiles:    lineageSlice(c, "profile"),
		Getenv:      a.getenv,
		Warn:        a.warn,
	}
	if a.environ != nil {
		opts.Environ = a.environ()
	}
	return opts
}

// project discovers the project the flags describe.
func (a *app) project(c *cli.Context) (*envs.Project, error) {
	return envs.Discover(a.projectOptions(c))
}

// withProjectFlags gives cmd the project flags it does not define itself, so
// they may follow the command name too.
func withProjectFlags(cmd *cli.Command) *cli.Command {
	defined := map[string]bool{}
	for _, f := range cmd.Flags {
		for _, n := range f.Names() {
			defined[n] = true
		}
	}
	for _, f := range projectFlags() {
		if !defined[f.Names()[0]] {
			cmd.Flags = append(cmd.Flags, f)
		}
	}
	return cmd
}

// lineageString returns the value of the string flag name from the nearest
// context (command first, then the app) where it was set.
func lineageString(c *cli.Context, name string) string {
	for _, ctx := range c.Lineage() {
		if ctx.IsSet(name) {
			return ctx.String(name)
		}
	}
	return ""
}

// lineageSlice is lineageString for repeatable flags.
func lineageSlice(c *cli.Context, name string) []string {
	for _, ctx := range c.Lineage() {
		if ctx.IsSet(name) {
			return ctx.StringSlice(name)
		}
	}
	return nil
}
