package lint

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/envs"
	"gopkg.in/yaml.v3"
)

// Reached is a file an environment loads through one of its files: the
// target of an `include`, or the file an `extends` names. docker compose
// loads it as part of the environment, so lint checks it as a file and
// environment findings may point into it.
type Reached struct {
	Doc *compose.Document
	// Name is how the merged environment's origins call the file: merge
	// names an included file from the directory of the environment's first
	// file, an extended one as `extends.file` writes it. It may differ from
	// Doc.Name (the name in the project, when another environment loads the
	// file as one of its own).
	Name string
	// Lookup gives the variables the file is interpolated with: the
	// environment's, completed by an include's env files.
	Lookup func(string) (string, bool)
}

// reachedFiles follows the includes and extends of the environments envList
// (already parsed into cache), as docker compose does: an included project
// resolves its paths against its own directory and may include further;
// an extended file resolves against the directory of the project that
// extends it, and only its extends are followed. It returns, per
// environment, the files reached, and the files to lint as files (each
// once, those of envList excluded), with the files that do not parse as
// load-error findings. A file that does not exist is left to missing-file,
// a path made of unset variables to undefined-variable.
func reachedFiles(proj *envs.Project, envList []*envs.Environment, cache *compose.Cache) (map[*envs.Environment][]*Reached, []*compose.Document, []diag.Finding) {
	byEnv := map[*envs.Environment][]*Reached{}
	own := map[string]bool{}
	for _, env := range envList {
		for _, f := range env.Files {
			own[f] = true
		}
	}
	var files []*compose.Document
	var errs []diag.Finding
	linted := map[string]bool{}
	failed := map[string]bool{}
	for _, env := range envList {
		docs, err := proj.Docs(env, cache)
		if err != nil || len(docs) == 0 || !mentionsOtherFiles(docs) {
			continue
		}
		w := &reacher{proj: proj, cache: cache, seen: map[string]bool{}}
		root := filepath.Dir(docs[0].Path)
		lookup := lookupIn(proj.Variables(env, docs))
		for _, d := range docs {
			w.seen[d.Path] = true
		}
		for _, d := range docs {
			w.walk(d, root, root, lookup, true)
		}
		byEnv[env] = w.out
		for _, r := range w.out {
			if !own[r.Doc.Path] && !linted[r.Doc.Path] {
				linted[r.Doc.Path] = true
				files = append(files, r.Doc)
			}
		}
		for _, fe := range w.errs {
			if !failed[fe.Span.File] {
				failed[fe.Span.File] = true
				errs = append(errs, fe)
			}
		}
	}
	return byEnv, files, errs
}

// mentionsOtherFiles reports whether a file of docs may include or extend
// another file: most do not, and their services need not be walked.
func mentionsOtherFiles(docs []*compose.Document) bool {
	for _, d := range docs {
		if bytes.Contains(d.Src, []byte("include")) || bytes.Contains(d.Src, []byte("extends")) {
			return true
		}
	}
	return false
}

// reacher walks the files of one environment.
type reacher struct {
	proj  *envs.Project
	cache *compose.Cache
	seen  map[string]bool // absolute paths already walked
	out   []*Reached
	errs  []diag.Finding
}

// walk follows the includes (when include is set: docker compose does not
// follow them in an extended file) and extends of d, a file of the project
// in workDir; root is the directory merge names included files from.
func (w *reacher) walk(d *compose.Document, workDir, root string, lookup func(string) (string, bool), include bool) {
	interp := func(n *yaml.Node) (string, bool) {
		if !isScalar(n) {
			return "", false
		}
		e := &Env{Lookup: lookup}
		s, ok := e.Interpolate(n.Value)
		return s, ok && s != "" && !isRemote(s) && !strings.HasPrefix(s, "oci:")
	}
	abs := func(dir, p string) string {
		if filepath.IsAbs(p) {
			return filepath.Clean(p)
		}
		return filepath.Join(dir, p)
	}
	for _, top := range d.Roots() {
		if !include {
			break
		}
		inc := get(d, top, "include")
		if inc == nil || inc.Kind != yaml.SequenceNode {
			continue
		}
		for _, it := range inc.Content {
			it = compose.Deref(it)
			var paths []*yaml.Node
			var projectDir, envFile *yaml.Node
			switch it.Kind {
			case yaml.ScalarNode:
				paths = []*yaml.Node{it}
			case yaml.MappingNode:
				p := compose.Deref(get(d, it, "path"))
				if p != nil && p.Kind == yaml.SequenceNode {
					paths = p.Content
				} else if p != nil {
					paths = []*yaml.Node{p}
				}
				projectDir, envFile = get(d, it, "project_directory"), get(d, it, "env_file")
			}
			var targets []string
			for _, p := range paths {
				if s, ok := interp(compose.Deref(p)); ok {
					targets = append(targets, abs(workDir, s))
				}
			}
			if len(targets) == 0 {
				continue
			}
			sub := filepath.Dir(targets[0])
			if s, ok := interp(projectDir); ok {
				sub = abs(workDir, s)
			}
			subLookup := includeLookup(lookup, workDir, sub, d, envFile, interp)
			for _, t := range targets {
				name, err := filepath.Rel(root, t)
				if err != nil {
					name = t
				}
				w.visit(t, name, sub, root, subLookup, true)
			}
		}
	}
	for _, s := range fileServices(d) {
		ext := compose.Deref(get(d, s.Value, "extends"))
		if ext == nil || ext.Kind != yaml.MappingNode {
			continue
		}
		f := compose.Deref(get(d, ext, "file"))
		if f == nil || f.Kind != yaml.ScalarNode {
			continue
		}
		if p, ok := interp(f); ok {
			w.visit(abs(workDir, p), filepath.Clean(f.Value), workDir, root, lookup, false)
		}
	}
}

// visit reads the file at path (called name by merge) and walks it.
func (w *reacher) visit(path, name, workDir, root string, lookup func(string) (string, bool), include bool) {
	if w.seen[path] {
		return
	}
	w.seen[path] = true
	d, err := w.cache.Load(path, w.proj.Rel(path))
	if err != nil {
		var ce *compose.Error
		if errors.As(err, &ce) && !errors.Is(err, compose.ErrNotFound) {
			w.errs = append(w.errs, ErrorFinding(err, w.proj.Rel(path)))
		}
		return
	}
	w.out = append(w.out, &Reached{Doc: d, Name: filepath.ToSlash(name), Lookup: lookup})
	w.walk(d, workDir, root, lookup, include)
}

// includeLookup is the variables of an included project: those of the
// including one, completed (never overridden) by the include's env_file
// (relative to the including project), else the included project's .env.
func includeLookup(parent func(string) (string, bool), workDir, sub string, d *compose.Document, envFile *yaml.Node, interp func(*yaml.Node) (string, bool)) func(string) (string, bool) {
	var files []string
	ef := compose.Deref(envFile)
	var items []*yaml.Node
	switch {
	case ef == nil:
	case ef.Kind == yaml.SequenceNode:
		items = ef.Content
	default:
		items = []*yaml.Node{ef}
	}
	for _, it := range items {
		it = compose.Deref(it)
		if it.Kind == yaml.MappingNode {
			it = compose.Deref(get(d, it, "path"))
		}
		if s, ok := interp(it); ok && s != "/dev/null" {
			if !filepath.IsAbs(s) {
				s = filepath.Join(workDir, s)
			}
			files = append(files, s)
		}
	}
	fromFiles := func(string) (string, bool) { return "", false }
	switch {
	case ef == nil:
		fromFiles = fileVariables([]string{filepath.Join(sub, ".env")})
	case len(files) > 0:
		fromFiles = fileVariables(files)
	}
	return func(k string) (string, bool) {
		if v, ok := parent(k); ok {
			return v, true
		}
		return fromFiles(k)
	}
}
