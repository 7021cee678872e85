package main

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/urfave/cli/v2"
	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/envs"
	"github.com/composure-dev/composure/internal/jsonindent"
	"github.com/composure-dev/composure/internal/termsafe"
	"github.com/composure-dev/composure/lint"
	"github.com/composure-dev/composure/merge"
	"github.com/composure-dev/composure/redact"
	"github.com/composure-dev/composure/render"
)

// configOptions are the flags of `composure config`.
type configOptions struct {
	format string // yaml or json (or table, for --variables)
	output string // -o FILE; "" and "-" are stdout
	redact bool
	policy *redact.Policy // with redact
	load   envs.LoadOptions
	list   listing // the list to print; none (zero) prints the config
	hash   string  // the value of --hash
	// origin adds where each value was set: a trailing `# file:line:col`
	// comment per value line (YAML), a top-level "x-origins" object (JSON).
	origin bool
}

// configFormats are the values of config --format (and yml, for yaml).
var configFormats = []string{"yaml", "json"}

// listing is a flag that prints a list instead of the config, as docker
// compose's do (cmd/compose/config.go).
type listing struct {
	name, usage string
	// takesValue: the flag takes a value (--hash SERVICES, named in
	// usage between backquotes), else it is a switch.
	takesValue bool
	// How docker compose loads the environment for it: whether the
	// SERVICE arguments apply, whether env_file is read (unless
	// --no-env-resolution).
	selects, readsEnvFiles bool
}

// listFlags are the listings, in docker compose's order: the first one set
// wins.
var listFlags = []listing{
	{name: "services", usage: "print the service names, one per line (dependencies first)"},
	{name: "volumes", usage: "print the volume names, one per line"},
	{name: "networks", usage: "print the network names, one per line"},
	{name: "models", usage: "print the models the services use, one per line: what each runs (its model: value)"},
	{name: "hash", takesValue: true, usage: "print \"NAME HASH\" for `SERVICES` ('*' for every enabled one, or names separated by commas): the configuration hash docker compose stamps on their containers, computed as it does (env_file unread, the --no-* switches ignored)"},
	{name: "profiles", usage: "print the profile names, one per line", selects: true, readsEnvFiles: true},
	{name: "images", usage: "print the image names, one per line", selects: true, readsEnvFiles: true},
	{name: "variables", usage: "print the variables the files use, with their defaults"},
	{name: "environment", usage: "print the environment used for interpolation, KEY=VALUE per line: all of your process environment, as docker compose prints it, completed by .env or --env-file (--redact hides secrets)", selects: true, readsEnvFiles: true},
}

// flag is the listing's flag, its help.
func (l listing) flag() cli.Flag {
	if l.takesValue {
		return &cli.StringFlag{Name: l.name, Usage: l.usage}
	}
	return &cli.BoolFlag{Name: l.name, Usage: l.usage}
}

// set reports whether c sets the listing's flag (to a value, for one that
// takes it).
func (l listing) set(c *cli.Context) bool {
	if l.takesValue {
		return c.String(l.name) != ""
	}
	return c.Bool(l.name)
}

func (a *app) configCommand() *cli.Command {
	flags := []cli.Flag{
		choice(&cli.StringFlag{Name: "format", Value: "yaml", Usage: "output `FORMAT` (yml is read as yaml)"}, configFormats...),
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to `FILE` (atomically) instead of stdout; - is stdout"},
		&cli.BoolFlag{Name: "no-interpolate", Usage: "don't interpolate environment variables"},
		&cli.BoolFlag{Name: "no-normalize", Usage: "don't normalize the compose model"},
		&cli.BoolFlag{Name: "no-path-resolution", Usage: "don't resolve file paths"},
		&cli.BoolFlag{Name: "no-consistency", Usage: "don't check model consistency"},
		&cli.BoolFlag{Name: "no-env-resolution", Usage: "don't resolve service env files"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "only check that the environment loads; print nothing"},
		&cli.BoolFlag{Name: "redact", Usage: "print secrets as ***: values of secret-looking names, passwords in URLs and connection strings, secret options, tokens, keys, and values interpolated from secret variables (docs/redaction.md)"},
		&cli.BoolFlag{Name: "origin", Usage: "say where each value was set: a \"# file:line:col\" comment after each value (YAML), an \"x-origins\" object (JSON); \"# default\" for what docker compose adds"},
	}
	for _, l := range listFlags {
		flags = append(flags, l.flag())
	}
	return &cli.Command{
		Name:      "config",
		Usage:     "print an environment's effective config, as docker compose config does",
		ArgsUsage: "[ENV] [SERVICE...]",
		Description: "composure config                   the default environment\n" +
			"composure config ENV               environment ENV (`composure envs` lists them)\n" +
			"composure config [ENV] SERVICE...  only these services (or patterns: 'web*') and what they\n" +
			"                                   need; a service behind a profile comes with its profile\n\n" +
			"The first argument is the environment when the project has one of that name; otherwise\n" +
			"every argument is a service of default. Name the environment first for a service called\n" +
			"like one: composure config default prod.",
		Flags: flags,
		Action: func(c *cli.Context) error {
			o := configOptions{
				format: c.String("format"),
				output: c.String("output"),
				redact: c.Bool("redact"),
				origin: c.Bool("origin"),
				load: envs.LoadOptions{
					NoInterpolate:    c.Bool("no-interpolate"),
					NoNormalize:      c.Bool("no-normalize"),
					NoPathResolution: c.Bool("no-path-resolution"),
					NoConsistency:    c.Bool("no-consistency"),
					NoEnvResolution:  c.Bool("no-env-resolution"),
					NoModel:          true,
				},
			}
			if o.format == "yml" {
				// composure's alias (docker compose refuses yml): the
				// files' extension
				o.format = "yaml"
			}
			if !slices.Contains(configFormats, o.format) {
				return withCode(exitUsage, fmt.Errorf("unknown format %q: use %s", o.format, orList(configFormats)))
			}
			var list listing
			for _, l := range listFlags {
				if l.set(c) {
					list = l
					break
				}
			}
			o.list = list
			o.hash = c.String("hash")
			if o.list.name == "variables" && !c.IsSet("format") {
				o.format = "table"
			}
			p, cache, err := a.configProject(c)
			if err != nil {
				return err
			}
			name, services := configArgs(p, c.Args().Slice())
			switch {
			case len(services) == 0:
			case o.list.name == "hash":
				a.warn("--hash hashes the services it names: docker compose applies no service selection to it")
			case o.list.name != "" && !list.selects:
				a.warn(fmt.Sprintf("--%s lists the whole environment: docker compose applies no service selection to it", o.list.name))
			case o.load.NoInterpolate && o.list.name == "":
				a.warn("--no-interpolate prints the whole environment: docker compose applies no service selection to the model before interpolation")
			default:
				o.load.Services = services
			}
			env, err := p.Env(name)
			if err != nil {
				return withCode(exitUsage, err)
			}
			if o.redact {
				o.policy = projectPolicy(p)
			}
			out, err := a.renderConfig(c, p, env, cache, o)
			if err != nil {
				// a first argument taken for a service may have meant an environment
				mayBeEnv := ""
				if len(services) > 0 && c.Args().First() == services[0] {
					mayBeEnv = services[0]
				}
				return selectionError(err, p, mayBeEnv)
			}
			switch {
			case c.Bool("quiet"):
				return nil
			case o.output != "" && o.output != "-":
				return writeAtomic(o.output, out)
			}
			_, err = a.stdout.Write(out)
			return err
		},
	}
}

// stdinName is what docker compose calls the compose file it reads from
// standard input (`-f -`), in its messages as in composure's.
const stdinName = "-"

// configProject discovers the project config's flags describe, with a
// cache to load it through. A file given as `-f -` is read from standard
// input, as docker compose reads it: named "-" (-:3:5: ...), in the
// project directory docker compose takes (-C, else the directory of the
// first other -f file, else the working directory); composure reads at
// most compose.MaxFileSize bytes of it.
func (a *app) configProject(c *cli.Context) (*envs.Project, *compose.Cache, error) {
	opts := a.projectOptions(c)
	cache := compose.NewCache()
	// discovery parses into the cache the load reads (each file once),
	// and starts on the base file while it reads the overlays
	opts.Cache = cache
	if !slices.Contains(opts.Files, stdinName) {
		p, err := envs.Discover(opts)
		return p, cache, err
	}
	cwd, err := os.Getwd()
	if err != nil {
		return nil, nil, err
	}
	if opts.Dir == "" {
		opts.Dir = cwd
		if i := slices.IndexFunc(opts.Files, func(f string) bool { return f != stdinName }); i >= 0 {
			if opts.Dir, err = filepath.Abs(opts.Files[i]); err != nil {
				return nil, nil, err
			}
			opts.Dir = filepath.Dir(opts.Dir)
		}
	}
	d, err := a.readStdin()
	if err != nil {
		return nil, nil, err
	}
	// The document stands in the project directory under its name, so
	// that the project's messages call it "-" and nothing reads the disk
	// for it.
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, nil, err
	}
	d.Path = filepath.Join(dir, stdinName)
	cache.Put(d)
	opts.Files = slices.Clone(opts.Files)
	for i, f := range opts.Files {
		if f == stdinName {
			opts.Files[i] = d.Path
		}
	}
	p, err := envs.Discover(opts)
	return p, cache, err
}

// readStdin parses the compose file on standard input, at most
// compose.MaxFileSize bytes of it.
func (a *app) readStdin() (*compose.Document, error) {
	in := a.stdin
	if in == nil {
		in = strings.NewReader("")
	}
	at := compose.Location{File: stdinName}
	src, err := io.ReadAll(io.LimitReader(in, compose.MaxFileSize+1))
	if err != nil {
		return nil, &compose.Error{Location: at, Msg: fmt.Sprintf("cannot read standard input: %v", err), Err: err}
	}
	if len(src) > compose.MaxFileSize {
		return nil, &compose.Error{Location: at, Msg: fmt.Sprintf("standard input holds more than the %d MiB composure reads of a compose file: pipe the right file", compose.MaxFileSize>>20)}
	}
	return compose.Parse(stdinName, src)
}

// configArgs reads config's arguments: the first names the environment
// when the project has one of that name, and the others (all of them
// otherwise) services of that environment (default).
func configArgs(p *envs.Project, args []string) (env string, services []string) {
	if len(args) > 0 {
		if _, err := p.Env(args[0]); err == nil {
			return args[0], args[1:]
		}
	}
	return envs.DefaultEnv, args
}

// selectionError says what is wrong with a service argument config could
// not select, with the service (or, for mayBeEnv, the first argument when
// it could have named an environment, the environment) meant when one is
// near; other errors are returned as they are.
func selectionError(err error, p *envs.Project, mayBeEnv string) error {
	var ue *envs.UnknownServiceError
	if !errors.As(err, &ue) {
		return err
	}
	// Two edits for a swap of letters (wbe for web); among names as near,
	// Nearest takes the first: put those of the typed length first.
	known := slices.Clone(ue.Known)
	slices.SortStableFunc(known, func(a, b string) int {
		return cmp.Compare(abs(len(a)-len(ue.Name)), abs(len(b)-len(ue.Name)))
	})
	if near, ok := lint.Nearest(ue.Name, known, max(2, len(ue.Name)/3)); ok {
		return fmt.Errorf("no such service %q in environment %q: did you mean %q?", ue.Name, ue.Env, near)
	}
	if ue.Name != mayBeEnv {
		return err
	}
	names := make([]string, len(p.Envs))
	for i, e := range p.Envs {
		names[i] = e.Name
	}
	msg := fmt.Sprintf("%q is neither an environment nor a service of environment %q", ue.Name, ue.Env)
	if near, ok := lint.Nearest(ue.Name, names, max(2, len(ue.Name)/3)); ok {
		return fmt.Errorf("%s: did you mean environment %q?", msg, near)
	}
	return fmt.Errorf("%s: `composure envs` lists the environments, `composure config --services` the services", msg)
}

func abs(n int) int { return max(n, -n) }

// renderConfig produces what config prints.
func (a *app) renderConfig(c *cli.Context, p *envs.Project, env *envs.Environment, cache *compose.Cache, o configOptions) ([]byte, error) {
	if o.list.name != "" {
		// docker compose reads no env_file for most lists, and variables
		// from the model before interpolation.
		o.load.NoEnvResolution = o.load.NoEnvResolution || !o.list.readsEnvFiles
		switch o.list.name {
		case "variables":
			o.load.NoInterpolate = true
		case "services":
			// with --no-interpolate, the names of the model's services
		case "hash":
			// docker compose loads it with none of config's switches,
			// and checks no container names
			o.load = envs.LoadOptions{NoEnvResolution: true, NoContainerNameCheck: true, NoModel: true}
		default:
			// The others read the project, which composure's engine
			// binds interpolated only (docker compose binds one
			// uninterpolated, whose names are the same but where a
			// variable names a resource).
			o.load.NoInterpolate = false
		}
	}
	l, err := p.Load(c.Context, env, cache, o.load)
	if err != nil {
		return nil, err
	}
	if o.list.name != "" {
		return renderList(l, o)
	}
	if !o.load.NoInterpolate {
		if err := l.CheckPrintable(); err != nil {
			return nil, err
		}
	}
	var out []byte
	switch {
	case o.load.NoInterpolate:
		// docker compose prints the raw model, `$` not escaped.
		out, err = formatModel(l.Model, o.format)
	case o.format == "json":
		// docker compose prints the JSON without a final newline
		out, err = l.Project.MarshalJSON()
		out = envs.EscapeDollar(out)
	default:
		// The bytes of l.Project.MarshalYAML(), faster.
		out, err = render.YAML(l.Project)
		out = envs.EscapeDollar(out)
	}
	if err != nil {
		// docker compose fails the same way (e.g. an ssh build key it
		// cannot print): say what step failed
		return nil, fmt.Errorf("cannot print the config of environment %q: %w", env.Name, err)
	}
	if o.redact {
		// Interpolated values are traced to the variables written in
		// their place; with --no-interpolate the printed text is the
		// written one.
		var src redact.Sources
		if !o.load.NoInterpolate && l.Merged != nil {
			src = redact.MergeSources(l.Merged, l.Docs, l.Environment)
		}
		out, err = o.policy.Printed(out, o.format == "json", src)
		if err != nil {
			return nil, err
		}
	}
	if o.origin {
		// After redaction: the comments are added to the final text.
		describe := func(path string) (string, bool) { return l.Merged.Describe(path), true }
		if o.format == "json" {
			return merge.AnnotateJSON(out, describe)
		}
		// The comments name files: escaped, as the YAML encoder escapes
		// the values.
		return merge.AnnotateYAML(out, func(path string) (string, bool) {
			return termsafe.Line(l.Merged.Describe(path)), true
		})
	}
	return out, err
}

// formatModel prints a model map as docker compose's formatModel does:
// indented JSON, or YAML as go.yaml.in/yaml/v4 writes it.
func formatModel(model map[string]any, format string) ([]byte, error) {
	if format == "json" {
		// json.MarshalIndent, without a final newline, as docker compose
		return jsonindent.Marshal(model)
	}
	return render.Encode(model)
}

// projectPolicy is the redaction policy of a project: the built-in one,
// with the name fragments of composure.yaml's `redact:`.
func projectPolicy(p *envs.Project) *redact.Policy {
	if p.Config != nil {
		return redact.New(p.Config.Redact...)
	}
	return redact.New()
}

func renderList(l *envs.Loaded, o configOptions) ([]byte, error) {
	var lines []string
	switch o.list.name {
	case "services":
		if l.Project == nil {
			lines = sortedKeys(l.Model["services"])
		} else {
			lines = dependencyOrder(l.Project)
		}
	case "volumes":
		lines = slices.Sorted(maps.Keys(l.Project.Volumes))
	case "networks":
		lines = slices.Sorted(maps.Keys(l.Project.Networks))
	case "models":
		// docker compose prints what each model runs, not its key
		for _, m := range l.Project.Models {
			if m.Model != "" {
				lines = append(lines, m.Model)
			}
		}
		sort.Strings(lines)
	case "images":
		// docker compose api.GetImageNameOrDefault: <project>-<service>
		// for a service built without an image name.
		for _, name := range l.Project.ServiceNames() {
			img := l.Project.Services[name].Image
			if img == "" {
				img = l.Project.Name + "-" + name
			}
			lines = append(lines, img)
		}
	case "profiles":
		set := map[string]bool{}
		for _, s := range l.Project.AllServices() {
			for _, p := range s.Profiles {
				set[p] = true
			}
		}
		for p := range set {
			lines = append(lines, p)
		}
		sort.Strings(lines)
	case "hash":
		return renderHashes(l, o.hash)
	case "environment":
		// docker compose's Mapping.Values: KEY=VALUE sorted as lines
		for k, v := range l.Project.Environment {
			if o.redact {
				v = redact.Hide(v, o.policy.Named(k, v))
			}
			lines = append(lines, k+"="+v)
		}
		sort.Strings(lines)
	case "variables":
		vars := template.ExtractVariables(l.Model, template.DefaultPattern)
		if o.redact {
			vars = redactVariables(vars, o.policy)
		}
		return renderVariables(vars, o.format)
	}
	var buf bytes.Buffer
	for _, s := range lines {
		// One name per line, as the files spell it: escaped so that it
		// stays one line and cannot drive the terminal.
		buf.WriteString(termsafe.Line(s))
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}

func sortedKeys(v any) []string {
	m, _ := v.(map[string]any)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// dependencyOrder lists services with each one's dependencies before it, as
// docker compose's ForEachService does, breaking its map-order ties by name
// so the output is stable.
func dependencyOrder(p *types.Project) []string {
	seen := map[string]bool{}
	var out []string
	var visit func(name string)
	visit = func(name string) {
		s, ok := p.Services[name]
		if !ok || seen[name] {
			return
		}
		seen[name] = true
		deps := make([]string, 0, len(s.DependsOn))
		for d := range s.DependsOn {
			deps = append(deps, d)
		}
		sort.Strings(deps)
		for _, d := range deps {
			visit(d)
		}
		out = append(out, name)
	}
	for _, n := range p.ServiceNames() {
		visit(n)
	}
	return out
}

// redactVariables hides the defaults and alternate values of the variables
// that hold secrets: all of them for a secret name (${DB_PASSWORD:-changeme}),
// the secret parts of any other (${DATABASE_URL:-postgres://u:pw@db/x}).
func redactVariables(vars map[string]template.Variable, p *redact.Policy) map[string]template.Variable {
	out := make(map[string]template.Variable, len(vars))
	for n, v := range vars {
		v.DefaultValue = redact.Hide(v.DefaultValue, p.Named(n, v.DefaultValue))
		v.PresenceValue = redact.Hide(v.PresenceValue, p.Named(n, v.PresenceValue))
		out[n] = v
	}
	return out
}

func renderVariables(vars map[string]template.Variable, format string) ([]byte, error) {
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	slices.Sort(names)
	var buf bytes.Buffer
	switch format {
	case "json":
		b, err := jsonindent.Marshal(vars)
		if err != nil {
			return nil, err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	case "yaml":
		b, err := yaml.Marshal(vars)
		if err != nil {
			return nil, err
		}
		buf.Write(b)
	default:
		tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tREQUIRED\tDEFAULT VALUE\tALTERNATE VALUE")
		for _, n := range names {
			v := vars[n]
			fmt.Fprintf(tw, "%s\t%t\t%s\t%s\n", termsafe.Line(n), v.Required, termsafe.Line(v.DefaultValue), termsafe.Line(v.PresenceValue))
		}
		if err := tw.Flush(); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}
