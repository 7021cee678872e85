// Package normalize turns an environment's merged tree (merge.Result.Tree:
// files merged, `include` and `extends` resolved, variables interpolated)
// into the canonical model docker compose works on: the compose
// specification's JSON schema checked, short syntax expanded to long syntax,
// defaults added, relative paths made absolute, `environment` entries
// resolved, implicit dependencies and the default network added, resource
// names derived. It is the step compose-go performs between merging files
// and binding the model to its types (loader.go's loadYamlFile after
// override.Merge, loadYamlModel and Normalize), written for composure: one
// walk per step over the tree, driven by tables of the specification's
// paths compiled once (internal/pathtrie), and every error placed at the
// file:line:col of the value it is about.
//
// The result is a plain map (map[string]any, []any, scalars) in the shape
// compose-go's loader.LoadModelWithContext returns; model.Decode binds it to
// compose-go's types. TestModelDifferential holds the two to each other on
// every corpus environment and on generated projects.
package normalize

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/internal/pathtrie"
)

// Options say how to normalize, as docker compose config's flags and
// environment do.
type Options struct {
	// Name is the project name (set as the model's `name`, and used to name
	// volumes, networks, secrets and configs declared without one).
	Name string
	// WorkingDir is the absolute project directory relative paths resolve
	// against.
	WorkingDir string
	// Environment resolves bare `environment` and `args` entries (`- FOO`)
	// and secrets and configs read from a variable.
	Environment map[string]string
	// Home replaces a leading `~` in paths ("" leaves them as written).
	Home string
	// ResolvePaths makes relative paths absolute (docker compose's default;
	// --no-path-resolution turns it off).
	ResolvePaths bool
	// Uninterpolated says the tree still holds its variables (config
	// --no-interpolate): short syntax that does not parse, such as a port
	// `${PORT}:80`, is left as written, as compose-go does.
	Uninterpolated bool
	// SkipNormalization stops after the schema check, canonical forms and
	// defaults (--no-normalize): no resolved environment, implicit
	// dependencies, default network or derived names.
	SkipNormalization bool
	// Locate returns where the value at path (tree.Path syntax, list items
	// by index) of the merged tree was written, or of its nearest ancestor.
	// Errors are placed there. nil leaves errors without a place.
	Locate func(path string) (compose.Location, bool)
	// Schema remembers the schema check of service mappings across the
	// environments of one run (nil: none remembered).
	Schema *SchemaCache
	// Services remembers normalized services across the environments of
	// one run that share a merge prefix (nil: none remembered), for the
	// services SharedService names. A cache serves one set of options:
	// the caller keeps one per project name, variables and flags.
	Services *ServiceCache
	// SharedService reports whether the service of that name is a mapping
	// other environments of the run share (merge.Result.SharedService).
	SharedService func(name string) bool
	// MergeService merges a service mapping over another as a later file's
	// service merges into an earlier one's (merge.Service); it completes
	// pre_start hooks from their service.
	MergeService func(base, over map[string]any) (map[string]any, error)
	// Warn receives warnings (deprecated syntax), each once. nil drops them.
	Warn func(loc compose.Location, msg string)
	// FS is where symbolic links in paths are resolved (develop.watch
	// paths); nil is the disk.
	FS compose.FS
}

// Model normalizes tree, which it does not modify, into a new model.
func Model(tree map[string]any, o Options) (map[string]any, error) {
	o.FS = compose.OrOS(o.FS)
	if o.Services != nil && o.SharedService != nil {
		if m, ok, err := o.Services.model(tree, o); ok {
			return m, err
		}
	}
	n := &normalizer{opts: o, lenient: o.Uninterpolated}
	m := deepCopy(tree).(map[string]any)
	// The schema check reads the tree while the steps below rewrite the
	// copy, on another core; its error, if any, is the one reported (it
	// comes first in docker compose). Where extensions are promoted to
	// attributes, the copy is what the schema must see.
	schemaErr := make(chan error, 1)
	if promoteAliases(m) {
		schemaErr <- (&normalizer{opts: o}).validateSchema(m)
	} else {
		go func() { schemaErr <- (&normalizer{opts: o}).validateSchema(tree) }()
	}
	out, parted, err := n.stepsInParts(m)
	if serr := <-schemaErr; serr != nil {
		return nil, serr
	}
	if err != nil && parted {
		// the first error of the steps in order, as docker compose finds it
		n := &normalizer{opts: o, lenient: o.Uninterpolated}
		m := deepCopy(tree).(map[string]any)
		promoteAliases(m)
		return n.steps(m)
	}
	return out, err
}

// CheckSchema checks tree against the schema as Model does first, without
// normalizing it: docker compose checks the project each of an
// environment's files makes with the ones before it (merge.WithSteps).
// Only Locate, Schema and SharedService of o are used.
func CheckSchema(tree map[string]any, o Options) error {
	if s, ok := tree["services"].(map[string]any); ok && hasAliases(s) {
		// the schema sees the extensions promoted, on a copy
		tree = deepCopy(tree).(map[string]any)
		promoteAliases(tree)
	}
	return (&normalizer{opts: o}).validateSchema(tree)
}

// steps are Model's steps after the schema check, on m.
func (n *normalizer) steps(m map[string]any) (map[string]any, error) {
	o := n.opts
	delete(m, "version")
	if err := n.walk(m, canonicalTrie); err != nil {
		return nil, err
	}
	n.uniqueAfterCanonical(m)
	if err := n.walk(m, defaultsTrie); err != nil {
		return nil, err
	}
	if err := n.walk(m, checksTrie); err != nil {
		return nil, err
	}
	if o.ResolvePaths {
		if err := n.walk(m, pathsTrie); err != nil {
			return nil, err
		}
	}
	resolveEnvironment(m, o.Environment)
	if o.SkipNormalization {
		return m, nil
	}
	m["name"] = o.Name
	if err := n.normalize(m); err != nil {
		return nil, err
	}
	return m, nil
}

// Included completes an included project's merged model before the
// including project imports its resources, as compose-go loads an included
// project on its own: canonical forms (short syntax that does not parse is
// left as written), defaults, paths resolved against dir, bare environment
// entries resolved from env. Included(fsys) is merge.WithIncluded's
// function for a project read from fsys (nil: the disk).
func Included(fsys compose.FS) func(m map[string]any, dir string, env map[string]string, locate func(string) (compose.Location, bool)) (map[string]any, error) {
	return func(m map[string]any, dir string, env map[string]string, locate func(string) (compose.Location, bool)) (map[string]any, error) {
		return included(m, dir, env, locate, fsys)
	}
}

func included(m map[string]any, dir string, env map[string]string, locate func(string) (compose.Location, bool), fsys compose.FS) (map[string]any, error) {
	n := &normalizer{opts: Options{WorkingDir: dir, Home: homeDir(), FS: compose.OrOS(fsys), Locate: locate}, lenient: true}
	for _, t := range []*pathtrie.Trie[rule]{canonicalTrie, defaultsTrie, pathsTrie} {
		if err := n.walk(m, t); err != nil {
			return nil, err
		}
	}
	resolveEnvironment(m, env)
	return m, nil
}

// Extended completes a file named by `extends.file` before its services
// are extended, as compose-go loads it: canonical forms (short syntax that
// does not parse left as written) and paths resolved against dir.
// Extended(fsys) is merge.WithExtended's function for a project read from
// fsys (nil: the disk).
func Extended(fsys compose.FS) func(m map[string]any, dir string, locate func(string) (compose.Location, bool)) (map[string]any, error) {
	return func(m map[string]any, dir string, locate func(string) (compose.Location, bool)) (map[string]any, error) {
		return extended(m, dir, locate, fsys)
	}
}

func extended(m map[string]any, dir string, locate func(string) (compose.Location, bool), fsys compose.FS) (map[string]any, error) {
	n := &normalizer{opts: Options{WorkingDir: dir, Home: homeDir(), FS: compose.OrOS(fsys), Locate: locate}, lenient: true}
	for _, t := range []*pathtrie.Trie[rule]{canonicalTrie, pathsTrie} {
		if err := n.walk(m, t); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// homeDir is the user's home directory, which docker compose puts in place
// of a leading "~" ("" when unknown).
func homeDir() string {
	h, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return h
}

// normalizer carries the options and the path of the value being visited,
// for error messages and positions.
type normalizer struct {
	opts Options
	path []string
	// st is the table state at path while a rule runs, for rules that
	// descend into what they return.
	st pathtrie.State[rule]
	// lenient leaves short syntax that does not parse as written (an
	// included project, as compose-go canonicalizes it), for the including
	// project's own pass to report.
	lenient bool
	// usesDefault says a service normalized before and reused, not in the
	// model being normalized, is connected to the default network.
	usesDefault bool
}

// rule is what applies at a path of a table: it returns the value to keep
// in place of v. A rule decides itself whether to descend (with n.walkAt).
type rule func(n *normalizer, v any) (any, error)

// walk applies the rules of table t over m, in key order so that the first
// error is the same every run.
func (n *normalizer) walk(m map[string]any, t *pathtrie.Trie[rule]) error {
	n.path = n.path[:0]
	_, err := n.descend(m, pathtrie.Start(t))
	return err
}

// apply runs the rule matching st on v, or descends into v looking for
// deeper matches.
func (n *normalizer) apply(v any, st pathtrie.State[rule]) (any, error) {
	if r, ok := st.Match(); ok {
		n.st = st
		return r(n, v)
	}
	return n.descend(v, st)
}

// descend applies the table to v's children.
func (n *normalizer) descend(v any, st pathtrie.State[rule]) (any, error) {
	if st.Empty() {
		return v, nil
	}
	switch x := v.(type) {
	case map[string]any:
		// the keys a rule can apply below, in order: the table's when it
		// names them all, else the mapping's
		keys, named := st.Keys()
		if !named {
			keys = sortedKeys(x)
		}
		for _, k := range keys {
			v, ok := x[k]
			if !ok {
				continue
			}
			next := st.Next(k)
			if next.Empty() {
				continue
			}
			n.path = append(n.path, k)
			r, err := n.apply(v, next)
			n.path = n.path[:len(n.path)-1]
			if err != nil {
				return nil, err
			}
			x[k] = r
		}
	case []any:
		next := st.Next("[]")
		if next.Empty() {
			return v, nil
		}
		for i, e := range x {
			n.path = append(n.path, strconv.Itoa(i))
			r, err := n.apply(e, next)
			n.path = n.path[:len(n.path)-1]
			if err != nil {
				return nil, err
			}
			x[i] = r
		}
	}
	return v, nil
}

// sortedKeys returns m's keys in order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// table compiles rows of patterns for several prefixes at once: each
// pattern of rows is registered under every prefix.
func table(prefixes []string, rows ...pathtrie.Pattern[rule]) []pathtrie.Pattern[rule] {
	out := make([]pathtrie.Pattern[rule], 0, len(prefixes)*len(rows))
	for _, p := range prefixes {
		for _, r := range rows {
			out = append(out, pathtrie.Pattern[rule]{Path: p + "." + r.Path, Rule: r.Rule})
		}
	}
	return out
}

func row(path string, r rule) pathtrie.Pattern[rule] {
	return pathtrie.Pattern[rule]{Path: path, Rule: r}
}

// Prefixes of the specification's tables: where a container is declared
// (services, jobs, the pre_start hooks of a service), and workloads
// (services and jobs).
var (
	containers = []string{"services.*", "jobs.*", "services.*.pre_start.*"}
	workloads  = []string{"services", "jobs"}
)

// dotted is the current path as compose-go prints it in messages
// (tree.Path.String: keys joined with dots, list items as "[]").
func (n *normalizer) dotted() string {
	parts := make([]string, len(n.path))
	for i, p := range n.path {
		if _, err := strconv.Atoi(p); err == nil && i > 0 {
			p = "[]"
		}
		parts[i] = p
	}
	return strings.Join(parts, ".")
}

// errorf returns an error at the current path.
func (n *normalizer) errorf(format string, args ...any) error {
	return n.errorAt(n.path, fmt.Sprintf(format, args...))
}

// errorAt returns an error about the value at path.
func (n *normalizer) errorAt(path []string, msg string) error {
	return &compose.Error{Location: n.locate(path), Msg: msg}
}

func (n *normalizer) locate(path []string) compose.Location {
	if n.opts.Locate == nil {
		return compose.Location{}
	}
	loc, _ := n.opts.Locate(compose.JoinPath(path))
	return loc
}

// deepCopy copies the maps and lists of a plain model.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}
