// Package envs finds a project's environments (the file sets docker compose
// loads: default = base + override, prod = base + <stem>.prod.yml, ...) and
// loads each one exactly as `docker compose config` does, with compose-go as
// the engine.
package envs

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/consts"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/internal/parallel"
	"github.com/composure-dev/composure/normalize"
)

// DefaultEnv is the name of the environment plain `docker compose` loads.
const DefaultEnv = "default"

// Environment is one set of compose files loaded together.
type Environment struct {
	Name string
	// Files are absolute, in load order.
	Files []string
	// EnvFiles are absolute; empty means docker compose's default (.env in
	// the project directory, or COMPOSE_ENV_FILES).
	EnvFiles []string
	// Profiles to enable; empty means COMPOSE_PROFILES.
	Profiles []string
	// ProjectName overrides compose's own naming when set.
	ProjectName string
	// Why says why the environment has these files: docker compose's
	// default, composure.yaml, -f, or, for a sibling of the base file,
	// why it is an overlay of the base or a project of its own.
	Why string
}

// Project is a directory with its environments.
type Project struct {
	// Dir is the absolute project directory (relative paths in compose
	// files resolve against it).
	Dir string
	// Envs are the environments, default first, then by name (or in the
	// order composure.yaml declares them).
	Envs []*Environment
	// Config is the project's composure.yaml, or nil.
	Config *Config
	// Unlisted are compose files next to the base file that discovery
	// does not read and no environment loads: named like it with a dash
	// (superset's docker-compose-light.yml, run with -f) or with a dotted
	// name that makes no environment (GeoNode's
	// docker-compose.override.localhost.yml), absolute. Empty when
	// composure.yaml or -f names the environments.
	Unlisted []string
	// Parsed holds the files discovery parsed (the base file's siblings,
	// to tell overlays from standalone files): pass it to Docs and Load to
	// parse each once. nil when none was.
	Parsed *compose.Cache

	fs      compose.FS        // where the project's files are read
	environ map[string]string // the process environment
	// getenv answers for variables environ may lack (Options.Getenv when
	// Options.Environ is nil); nil when environ is complete.
	getenv func(string) string

	// warnTo is Options.Warn; loads warn through it too (the obsolete
	// `version`, a variable used but not set, deprecated syntax), each
	// warning once per Project however many loads find it.
	warnTo func(msg string)
	warnMu sync.Mutex
	warned map[string]bool

	// what loads of Shared environments share (LoadOptions.Shared)
	sharedMu sync.Mutex
	shared   map[string]*shared
	schema   *normalize.SchemaCache
	// the expansion check of each document, done once (checkExpansion)
	expanded sync.Map // *compose.Document -> error
	refs     sync.Map // *compose.Document -> references
}

// Options says where and how to discover, like docker compose's global flags.
type Options struct {
	// Dir is the project directory (-C); "" means the directory of the
	// first of Files, else the current directory.
	Dir string
	// Files is an explicit -f list: the only environment, named "default".
	Files []string
	// ProjectName is -p.
	ProjectName string
	// EnvFiles is the --env-file list.
	EnvFiles []string
	// Profiles is the --profile list.
	Profiles []string
	// Getenv reads the process environment when Environ is nil.
	Getenv func(string) string
	// Environ is the process environment as KEY=VALUE lines (os.Environ).
	// docker compose hands all of it to interpolation; with only Getenv,
	// composure asks it for every name the files mention.
	Environ []string
	// Warn, when set, receives what docker compose would warn about while
	// discovering (two spellings of one file side by side), once each.
	Warn func(msg string)
	// Cache, when set, is where discovery parses the files it reads (it
	// becomes Project.Parsed); the caller means to parse the project
	// through it next, so discovery also starts parsing the base file
	// while it reads the siblings. It must read FS.
	Cache *compose.Cache
	// FS is where the project's files are read, discovery and loads alike
	// (nil: the disk). Paths are those of the disk all the same: `diff
	// --rev` puts a git revision in place of the working tree.
	FS compose.FS
	// Variants, in a directory with no base compose file but variants of
	// one (compose.dev.yaml, docker-compose.prod.yml), makes each variant
	// an environment instead of failing, after <stem>.base.<ext> when
	// there is one: what `composure init` proposes there.
	Variants bool
}

// environ builds the process environment mapping.
func (o Options) environ() map[string]string {
	m := map[string]string{}
	if o.Environ != nil {
		for _, kv := range o.Environ {
			k, v, ok := strings.Cut(kv, "=")
			if ok && k != "" {
				m[k] = v
			}
		}
		return m
	}
	if o.Getenv != nil {
		for _, k := range []string{consts.ComposeFilePath, consts.ComposePathSeparator, consts.ComposeProfiles,
			consts.ComposeProjectName, consts.ComposeDisableDefaultEnvFile, composeEnvFiles, "PWD", "HOME"} {
			if v := o.Getenv(k); v != "" {
				m[k] = v
			}
		}
	}
	return m
}

// composeEnvFiles is docker compose's variable for a comma-separated list of
// env files, used when no --env-file is given.
const composeEnvFiles = "COMPOSE_ENV_FILES"

// ErrNoComposeFile is wrapped by the error Discover returns when the
// directory and its parents hold no compose file.
var ErrNoComposeFile = errors.New("no compose file found")

// Discover finds the environments of the project in opts.Dir.
func Discover(opts Options) (*Project, error) {
	normalize.Prepare() // loads check the schema: its quick checks compile while the files parse
	cwd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	fsys := compose.OrOS(opts.FS)
	if opts.Cache != nil && opts.Cache.FS() != fsys {
		return nil, errors.New("envs: Options.Cache reads another file system than Options.FS")
	}
	files := make([]string, len(opts.Files))
	for i, f := range opts.Files {
		files[i] = absFrom(cwd, f)
	}
	dir := opts.Dir
	switch {
	case dir != "":
		// -C DIR: the project directory; -f files stay relative to the
		// working directory, as docker compose's --project-directory
		// with -f (compose-go resolves them from it).
		dir = absFrom(cwd, dir)
	case len(files) > 0:
		dir = filepath.Dir(files[0])
	default:
		// run from a subdirectory: the project is the nearest directory
		// up with a compose file or a composure.yaml
		dir = projectRoot(fsys, cwd)
	}
	if st, err := fsys.Stat(dir); err != nil || !st.IsDir() {
		return nil, &compose.Error{Location: compose.Location{File: dir}, Msg: "project directory not found: check -C/--project-directory"}
	}
	p := &Project{Dir: dir, fs: fsys, environ: opts.environ(), warnTo: opts.Warn}
	if opts.Environ == nil {
		p.getenv = opts.Getenv
	}
	if cf := findConfig(fsys, dir); cf != "" {
		c, err := readConfig(fsys, cf, p.Rel(cf))
		if err != nil {
			return nil, err
		}
		p.Config = c
	}
	envFiles := make([]string, len(opts.EnvFiles))
	for i, f := range opts.EnvFiles {
		envFiles[i] = absFrom(cwd, f)
	}
	adhoc := func(name string, files []string) *Environment {
		return &Environment{Name: name, Files: files, EnvFiles: envFiles, Profiles: opts.Profiles, ProjectName: opts.ProjectName}
	}
	if len(files) > 0 {
		e := adhoc(DefaultEnv, files)
		e.Why = "the files given with -f"
		p.Envs = []*Environment{e}
		return p, nil
	}
	if p.Config != nil && len(p.Config.Environments) > 0 {
		for _, ec := range p.Config.Environments {
			e := &Environment{Name: ec.Name, Profiles: ec.Profiles, ProjectName: ec.ProjectName, Why: "declared in " + p.Config.Doc.Name}
			for _, f := range ec.Files {
				e.Files = append(e.Files, absFrom(dir, f))
			}
			for _, f := range ec.EnvFiles {
				e.EnvFiles = append(e.EnvFiles, absFrom(dir, f))
			}
			// Command-line flags win over the file, as they do in docker compose.
			if len(envFiles) > 0 {
				e.EnvFiles = envFiles
			}
			if len(opts.Profiles) > 0 {
				e.Profiles = opts.Profiles
			}
			if opts.ProjectName != "" {
				e.ProjectName = opts.ProjectName
			}
			p.Envs = append(p.Envs, e)
		}
		// default first, the rest as declared
		slices.SortStableFunc(p.Envs, func(a, b *Environment) int {
			return boolCmp(a.Name != DefaultEnv, b.Name != DefaultEnv)
		})
		return p, nil
	}

	// COMPOSE_FILE may come from the process or from the project's .env.
	env := p.processEnvWithDotenv(envFiles)
	baseDir, base := findBase(fsys, dir)
	if base == "" && env[consts.ComposeFilePath] == "" {
		if err := brokenLink(fsys, dir); err != nil {
			return nil, err
		}
		looked := fmt.Sprintf("no compose file found (looked for %s here and in parent directories)", strings.Join(cli.DefaultFileNames, ", "))
		msg := looked + ": run composure in the project directory, or use -C DIR or -f FILE"
		others, below := composeLike(fsys, dir), basesBelow(fsys, dir)
		switch {
		case len(others) > 0 && len(below) > 0:
			// trigger.dev's hosting/docker: an overlay here, the projects
			// one directory down
			msg = fmt.Sprintf("%s; found %s here, and %s: run composure in one of those directories (-C %s), name an environment's files with -f, or declare the environments in composure.yaml",
				looked, strings.Join(others, ", "), strings.Join(below, ", "), filepath.Dir(below[0]))
		case len(others) > 0 && opts.Variants:
			p.Envs = variantEnvs(dir, others, adhoc, opts.Warn)
			return p, nil
		case len(others) > 0:
			// a project of variants only (docker-compose.dev.yml, .prod.yml)
			msg = fmt.Sprintf("%s; found %s: name an environment's files with -f (-f %s), declare the environments in composure.yaml, or let `composure init` propose them",
				looked, strings.Join(others, ", "), others[0])
		case len(below) > 0:
			msg = fmt.Sprintf("%s; found %s: run composure in one of those directories (-C %s), or use -f FILE",
				looked, strings.Join(below, ", "), filepath.Dir(below[0]))
		}
		return nil, &compose.Error{Location: compose.Location{File: dir}, Err: ErrNoComposeFile, Msg: msg}
	}
	if base != "" && baseDir != dir && opts.Dir == "" {
		// docker compose, finding the file in a parent, works there.
		p.Dir = baseDir
	}
	var def []string
	why := ""
	if cf, ok := env[consts.ComposeFilePath]; ok && cf != "" {
		sep := env[consts.ComposePathSeparator]
		if sep == "" {
			sep = string(os.PathListSeparator)
		}
		for _, f := range strings.Split(cf, sep) {
			abs := absFrom(p.Dir, f)
			if st, err := fsys.Stat(abs); err != nil || st.IsDir() {
				return nil, &compose.Error{Location: compose.Location{File: p.Rel(abs)},
					Msg: fmt.Sprintf("file named by COMPOSE_FILE=%q not found: fix COMPOSE_FILE (in the environment or .env)", cf)}
			}
			def = append(def, abs)
		}
		why = "the files of COMPOSE_FILE"
	} else {
		def = []string{base}
		why = "what plain docker compose loads: the base file"
		if ov := firstExisting(fsys, baseDir, cli.DefaultOverrideFileNames); ov != "" {
			def = append(def, ov)
			why = "what plain docker compose loads: the base file and its override"
		}
		p.warnSpellings(opts.Warn, baseDir)
	}
	e := adhoc(DefaultEnv, def)
	e.Why = why
	p.Envs = append(p.Envs, e)
	if base != "" {
		p.addSiblings(base, def[1:], adhoc, opts)
		p.Unlisted = p.unlisted(base)
	}
	return p, nil
}

// unlisted lists the files <stem>-NAME.yml|yaml next to base (stem
// docker-compose or compose), and <stem>.A.B.yml|yaml, that no environment
// loads and that no file of an environment names (an include or extends
// target), sorted.
func (p *Project) unlisted(base string) []string {
	dir := filepath.Dir(base)
	ents, err := p.fs.ReadDir(dir)
	if err != nil {
		return nil
	}
	stem := strings.TrimSuffix(filepath.Base(base), filepath.Ext(base))
	var candidates []string
	for _, e := range ents {
		n := e.Name()
		ext := filepath.Ext(n)
		if e.IsDir() || (ext != ".yml" && ext != ".yaml") {
			continue
		}
		// a dash or an underscore (docker-compose-light.yml,
		// compose_example.yml), a dotted name that is no <stem>.NAME.yml
		// sibling (docker-compose.override.localhost.yml), or the compose
		// name last (omni.docker-compose.yml)
		noext := strings.TrimSuffix(n, ext)
		middle, dotted := strings.CutPrefix(noext, stem+".")
		named := false
		for _, c := range []string{"compose", "docker-compose"} {
			named = named || strings.HasPrefix(n, c+"-") || strings.HasPrefix(n, c+"_") || strings.HasSuffix(noext, "."+c)
		}
		if named || dotted && strings.Contains(middle, ".") {
			candidates = append(candidates, n)
		}
	}
	if len(candidates) == 0 {
		return nil // most projects: no file is read
	}
	loaded := map[string]bool{}
	var srcs [][]byte
	for _, e := range p.Envs {
		for _, f := range e.Files {
			if !loaded[f] {
				loaded[f] = true
				if src, err := compose.ReadBoundedFS(p.fs, f); err == nil {
					srcs = append(srcs, src)
				}
			}
		}
	}
	var out []string
	for _, n := range candidates {
		f := filepath.Join(dir, n)
		if loaded[f] || slices.ContainsFunc(srcs, func(src []byte) bool { return bytes.Contains(src, []byte(n)) }) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// projectRoot returns the nearest of dir and its parents that holds a
// compose file or a composure.yaml, or dir when none does.
// ProjectRoot returns the project directory discovery takes when it runs
// in dir with neither -C nor -f: the nearest directory up from dir (dir
// included) with a compose file or a composure.yaml, else dir.
func ProjectRoot(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	return projectRoot(compose.OS{}, abs)
}

func projectRoot(fsys compose.FS, dir string) string {
	for d := dir; ; {
		if findConfig(fsys, d) != "" || firstExisting(fsys, d, cli.DefaultFileNames) != "" {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

// warnSpellings warns, as docker compose does, when dir holds several of
// the base file names, or several of the override file names: only the
// first is read.
func (p *Project) warnSpellings(warn func(string), dir string) {
	if warn == nil {
		return
	}
	for _, names := range [][]string{cli.DefaultFileNames, cli.DefaultOverrideFileNames} {
		var found []string
		for _, n := range names {
			if st, err := p.fs.Stat(filepath.Join(dir, n)); err == nil && !st.IsDir() {
				found = append(found, p.Rel(filepath.Join(dir, n)))
			}
		}
		if len(found) > 1 {
			warn(fmt.Sprintf("%s side by side: docker compose reads %q and ignores the others; remove or rename the ones you do not mean", quoteList(found), found[0]))
		}
	}
}

// addSiblings adds an environment for each sibling <stem>.NAME.yml of base:
// base + sibling for an overlay, the sibling alone for a standalone file.
// more are the default environment's other files, which a caller that
// parses into opts.Cache parses next: they parse with the siblings.
func (p *Project) addSiblings(base string, more []string, adhoc func(string, []string) *Environment, opts Options) {
	warn := opts.Warn
	sibs := siblings(p.fs, base)
	if len(sibs) == 0 {
		return
	}
	p.Parsed = opts.Cache
	if p.Parsed == nil {
		p.Parsed = compose.NewCacheFS(p.fs)
	}
	baseName := p.Rel(base)
	loadBase := func() *compose.Document {
		d, err := p.Parsed.Load(base, baseName)
		if err != nil {
			return nil
		}
		return d
	}
	var tasks []func()
	if opts.Cache != nil {
		// the caller parses the base file and the others next: start
		// now, on another CPU
		go loadBase()
		for _, f := range more {
			tasks = append(tasks, func() { _, _ = p.Parsed.Load(f, p.Rel(f)) })
		}
	}
	// the siblings parse at once, each on a CPU
	for _, s := range sibs {
		tasks = append(tasks, func() { _, _ = p.Parsed.Load(s.path, p.Rel(s.path)) })
	}
	parallel.Run(0, tasks)
	for _, s := range sibs {
		if warn != nil && len(s.others) > 0 {
			var all []string
			for _, o := range append([]string{s.path}, s.others...) {
				all = append(all, p.Rel(o))
			}
			warn(fmt.Sprintf("%s side by side: composure reads %q for environment %q and ignores the others; remove or rename the ones you do not mean", quoteList(all), all[0], s.name))
		}
		files := []string{base, s.path}
		why := "overlay of " + baseName
		if d, err := p.Parsed.Load(s.path, p.Rel(s.path)); err == nil {
			var alone bool
			if alone, why = standalone(d, baseName, loadBase); alone {
				files = []string{s.path}
				// its own override, named as docker compose names the
				// base's: docker-compose.test.yml and
				// docker-compose.test.override.yml (netbox-docker)
				stem := strings.TrimSuffix(s.path, filepath.Ext(s.path))
				if ov := firstExisting(p.fs, filepath.Dir(stem), []string{filepath.Base(stem) + ".override.yml", filepath.Base(stem) + ".override.yaml"}); ov != "" {
					files = append(files, ov)
					why += "; with its override " + p.Rel(ov)
				}
			}
		}
		if len(files) == 2 {
			if more, because := p.completing(s, sibs, loadBase()); len(more) > 0 {
				files = append(append([]string{base}, more...), s.path)
				names := []string{baseName}
				for _, f := range more {
					names = append(names, p.Rel(f))
				}
				why = fmt.Sprintf("overlay of %s: %s", strings.Join(names, " and "), because)
			}
		}
		e := adhoc(s.name, files)
		e.Why = why
		p.Envs = append(p.Envs, e)
	}
}

// completing returns the other siblings that overlay s needs besides the
// base, and why: the services s writes without an image or a build (or
// extends) of their own that the base does not define, found in them
// (rocketchat-compose's compose.network.yml puts compose.voip.yml's
// services on a network). None when the base defines them all, or when
// one is nowhere: that environment fails to load, and says so.
func (p *Project) completing(s sibling, sibs []sibling, base *compose.Document) ([]string, string) {
	d, err := p.Parsed.Load(s.path, p.Rel(s.path))
	if err != nil || base == nil {
		return nil, ""
	}
	inBase := map[string]bool{}
	for _, e := range entries(base, "services") {
		inBase[e.Key.Value] = true
	}
	var missing []string
	for _, e := range entries(d, "services") {
		if !inBase[e.Key.Value] && !slices.ContainsFunc(keys(d, e.Value), func(k string) bool {
			return k == "image" || k == "build" || k == "extends"
		}) {
			missing = append(missing, e.Key.Value)
		}
	}
	if len(missing) == 0 {
		return nil, ""
	}
	var more []string
	from := map[string][]string{} // file -> the missing services it defines
	for _, name := range missing {
		found := false
		for _, o := range sibs {
			if o.path == s.path {
				continue
			}
			od, err := p.Parsed.Load(o.path, p.Rel(o.path))
			if err != nil || !slices.ContainsFunc(entries(od, "services"), func(e compose.Entry) bool { return e.Key.Value == name }) {
				continue
			}
			if !slices.Contains(more, o.path) {
				more = append(more, o.path)
			}
			from[o.path] = append(from[o.path], fmt.Sprintf("%q", name))
			found = true
			break
		}
		if !found {
			return nil, ""
		}
	}
	slices.SortFunc(more, func(a, b string) int { // in the siblings' order
		return slices.IndexFunc(sibs, func(x sibling) bool { return x.path == a }) - slices.IndexFunc(sibs, func(x sibling) bool { return x.path == b })
	})
	var parts []string
	for _, f := range more {
		noun := "service"
		if len(from[f]) > 1 {
			noun = "services"
		}
		parts = append(parts, fmt.Sprintf("it writes %s %s of %s", noun, strings.Join(from[f], ", "), p.Rel(f)))
	}
	return more, strings.Join(parts, "; ")
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

func absFrom(dir, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}

// findBase searches dir and its parents for the first of docker compose's
// default file names, as cli.WithDefaultConfigPath does.
func findBase(fsys compose.FS, dir string) (string, string) {
	for {
		if f := firstExisting(fsys, dir, cli.DefaultFileNames); f != "" {
			return dir, f
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ""
		}
		dir = parent
	}
}

func firstExisting(fsys compose.FS, dir string, names []string) string {
	for _, n := range names {
		f := filepath.Join(dir, n)
		if _, err := fsys.Stat(f); err == nil {
			return f
		}
	}
	return ""
}

// brokenLink explains why discovery found nothing when a default file name
// in dir is a link that cannot be followed (a loop, a missing target):
// docker compose skips it as absent, which reads as nonsense to whoever
// sees the file listed.
func brokenLink(fsys compose.FS, dir string) error {
	for _, n := range cli.DefaultFileNames {
		f := filepath.Join(dir, n)
		if _, err := fsys.Lstat(f); err != nil {
			continue
		}
		if _, err := fsys.Stat(f); err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return &compose.Error{Location: compose.Location{File: n}, Err: ErrNoComposeFile,
				Msg: fmt.Sprintf("symbolic link cannot be followed (%v): fix or remove it", err)}
		}
	}
	return nil
}

// sibling is a file <stem>.NAME.yml of the base file; others are the same
// NAME's other spellings (.yml beside .yaml), which composure does not read.
type sibling struct {
	name, path string
	others     []string
}

// basesBelow lists the compose files docker compose would load in the
// subdirectories of dir, one level down (webapp/docker-compose.yml), at
// most five, relative to dir.
func basesBelow(fsys compose.FS, dir string) []string {
	ents, err := fsys.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") || len(out) == 5 {
			continue
		}
		if f := firstExisting(fsys, filepath.Join(dir, e.Name()), cli.DefaultFileNames); f != "" {
			out = append(out, filepath.Join(e.Name(), filepath.Base(f)))
		}
	}
	return out
}

// composeLike lists the files of dir named like compose files of their own
// (compose.NAME.yaml, docker-compose.NAME.yml, ...), sorted.
func composeLike(fsys compose.FS, dir string) []string {
	ents, err := fsys.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		n := e.Name()
		ext := filepath.Ext(n)
		if e.IsDir() || ext != ".yml" && ext != ".yaml" {
			continue
		}
		if strings.HasPrefix(n, "compose.") || strings.HasPrefix(n, "docker-compose.") {
			out = append(out, n)
		}
	}
	return out
}

// variantEnvs makes an environment of each variant of a compose file in
// dir (names as composeLike lists them, no base among them), named by its
// NAME in <stem>.NAME.<ext>; a <stem>.base.<ext> comes first in the others'
// files rather than standing alone. Two spellings of one name: the first
// is kept, with a warning.
func variantEnvs(dir string, names []string, adhoc func(string, []string) *Environment, warn func(string)) []*Environment {
	name := func(file string) string {
		stem := strings.TrimSuffix(file, filepath.Ext(file))
		_, n, _ := strings.Cut(stem, ".")
		return n
	}
	var base string
	for _, f := range names {
		if name(f) == "base" {
			base = f
			break
		}
	}
	var out []*Environment
	seen := map[string]string{}
	for _, f := range names {
		n := name(f)
		switch {
		case f == base || n == "":
			continue
		case seen[n] != "":
			if warn != nil {
				warn(fmt.Sprintf("%q and %q side by side: composure init proposes %q for environment %q and leaves the other out", seen[n], f, seen[n], n))
			}
			continue
		}
		seen[n] = f
		files := []string{filepath.Join(dir, f)}
		why := "a variant of a compose file, with no base file beside it: on its own"
		if base != "" {
			files = append([]string{filepath.Join(dir, base)}, files...)
			why = "a variant of a compose file, over " + base
		}
		e := adhoc(n, files)
		e.Why = why
		out = append(out, e)
	}
	if len(out) == 0 && base != "" {
		e := adhoc("base", []string{filepath.Join(dir, base)})
		e.Why = "the only compose file here"
		out = append(out, e)
	}
	return out
}

// siblings finds the files <stem>.NAME.yml|yaml next to base (NAME without
// dots, not "override", which the default environment already loads).
func siblings(fsys compose.FS, base string) []sibling {
	dir := filepath.Dir(base)
	stem := strings.TrimSuffix(filepath.Base(base), filepath.Ext(base))
	ents, err := fsys.ReadDir(dir)
	if err != nil {
		return nil
	}
	byName := map[string]int{}
	var out []sibling
	for _, e := range ents { // ReadDir sorts by name: .yaml before .yml
		n := e.Name()
		if e.IsDir() || !strings.HasPrefix(n, stem+".") {
			continue
		}
		ext := filepath.Ext(n)
		if ext != ".yml" && ext != ".yaml" {
			continue
		}
		name, ok := strings.CutPrefix(strings.TrimSuffix(n, ext), stem+".")
		if !ok {
			continue
		}
		if name == "" || strings.Contains(name, ".") || name == "override" || name == DefaultEnv {
			continue
		}
		if i, seen := byName[name]; seen {
			out[i].others = append(out[i].others, filepath.Join(dir, n))
			continue
		}
		byName[name] = len(out)
		out = append(out, sibling{name: name, path: filepath.Join(dir, n)})
	}
	slices.SortFunc(out, func(a, b sibling) int { return strings.Compare(a.name, b.name) })
	return out
}

// defaultEnvFiles returns the env files docker compose reads when the
// environment names none: COMPOSE_ENV_FILES, else the project's .env unless
// COMPOSE_DISABLE_ENV_FILE is true.
func (p *Project) defaultEnvFiles() []string {
	if v, ok := p.environ[composeEnvFiles]; ok && v != "" {
		var out []string
		for _, f := range strings.Split(v, ",") {
			out = append(out, absFrom(p.Dir, f))
		}
		return out
	}
	if v, ok := p.environ[consts.ComposeDisableDefaultEnvFile]; ok {
		if b, err := strconv.ParseBool(v); err == nil && b {
			return nil
		}
	}
	f := filepath.Join(p.Dir, ".env")
	if st, err := p.fs.Stat(f); err == nil && !st.IsDir() {
		return []string{f}
	}
	return nil
}

// processEnvWithDotenv is the process environment completed (never
// overridden) by the env files, as docker compose's WithDotEnv does. Errors
// in the env files are left for Load to report.
func (p *Project) processEnvWithDotenv(envFiles []string) map[string]string {
	env := make(map[string]string, len(p.environ))
	for k, v := range p.environ {
		env[k] = v
	}
	if len(envFiles) == 0 {
		envFiles = p.defaultEnvFiles()
	}
	if p.checkEnvFiles(envFiles) != nil {
		return env // Load reports it
	}
	if m, err := compose.ReadEnvFiles(p.fs, env, envFiles); err == nil {
		for k, v := range m {
			if _, set := env[k]; !set {
				env[k] = v
			}
		}
	}
	return env
}

// Env returns the environment called name.
func (p *Project) Env(name string) (*Environment, error) {
	for _, e := range p.Envs {
		if e.Name == name {
			return e, nil
		}
	}
	names := make([]string, len(p.Envs))
	for i, e := range p.Envs {
		names[i] = e.Name
	}
	return nil, &UnknownEnvError{Name: name, Known: names}
}

// UnknownEnvError says an environment name is not one of the project's.
type UnknownEnvError struct {
	Name  string
	Known []string
}

func (e *UnknownEnvError) Error() string {
	return fmt.Sprintf("unknown environment %q: known environments are %s (run `composure envs`)", e.Name, quoteList(e.Known))
}

// Rel returns abs relative to the project directory, for messages and
// listings; paths outside it stay absolute.
func (p *Project) Rel(abs string) string {
	r, err := filepath.Rel(p.Dir, abs)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return abs
	}
	return filepath.ToSlash(r)
}
