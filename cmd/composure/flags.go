package main

import (
	"github.com/urfave/cli/v2"

	"github.com/composure-dev/composure/envs"
)

// projectFlags are docker compose's global project flags. Like docker
// compose, they come before the command: `composure -f a.yml config`.
func projectFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "project-directory", Aliases: []string{"C"}, Usage: "project `DIR` (default: the current directory)"},
		&cli.StringSliceFlag{Name: "file", Aliases: []string{"f"}, Usage: "compose `FILE` to load, repeatable: the files form the only environment, as with docker compose -f"},
		&cli.StringFlag{Name: "project-name", Aliases: []string{"p"}, Usage: "project `NAME` (default: COMPOSE_PROJECT_NAME, `name:` or the directory name)"},
		&cli.StringSliceFlag{Name: "env-file", Usage: "env `FILE` for interpolation instead of .env, repeatable"},
		&cli.StringSliceFlag{Name: "profile", Usage: "enable `PROFILE`, repeatable (default: COMPOSE_PROFILES)"},
	}
}

// project discovers the project the flags describe.
func (a *app) project(c *cli.Context) (*envs.Project, error) {
	opts := envs.Options{
		Dir:         c.String("project-directory"),
		Files:       c.StringSlice("file"),
		ProjectName: c.String("project-name"),
		EnvFiles:    c.StringSlice("env-file"),
		Profiles:    c.StringSlice("profile"),
		Getenv:      a.getenv,
	}
	if a.environ != nil {
		opts.Environ = a.environ()
	}
	return envs.Discover(opts)
}
