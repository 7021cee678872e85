package envs

import (
	"fmt"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
)

// Env files, label files and the targets of include and extends are read
// with compose.ReadBoundedFS, which refuses a FIFO (its open would block
// forever), a device (/dev/zero never ends) and a file too large (issue 6),
// but without saying where the file is named. checkFile and
// checkReferences refuse such files first, at the value that names them;
// files that do not exist are left to the readers, whose messages say so
// in docker compose's words.

// checkFile returns an error when the file at abs exists and is not a
// regular file of at most compose.MaxFileSize bytes. at locates the error.
func (p *Project) checkFile(abs, name string, at compose.Location, what string) error {
	st, err := p.fs.Stat(abs)
	if err != nil || st.IsDir() {
		return nil
	}
	if !st.Mode().IsRegular() {
		return &compose.Error{Location: at, Msg: fmt.Sprintf("%s %q is not a regular file (reading a FIFO or a device may never end): name a regular file", what, name)}
	}
	if st.Size() > compose.MaxFileSize {
		return &compose.Error{Location: at, Msg: fmt.Sprintf("%s %q is %.1f MiB, larger than the %d MiB composure reads: name the right file", what, name, float64(st.Size())/(1<<20), compose.MaxFileSize>>20)}
	}
	return nil
}

// checkEnvFiles checks the project-level env files (.env, --env-file).
func (p *Project) checkEnvFiles(files []string) error {
	for _, f := range files {
		if err := p.checkFile(f, p.Rel(f), compose.Location{File: p.Rel(f)}, "env file"); err != nil {
			return err
		}
	}
	return nil
}

// maxReferenceDepth bounds how deep include/extends chains are followed;
// compose-go reports cycles itself.
const maxReferenceDepth = 64

// checkReferences walks the files docs include and extend (recursively,
// each parsed once through cache) and checks every file compose-go would
// read for them: include and extends targets, env_file, label_file. Paths
// are interpolated with environment and resolved as compose-go does:
// against the project directory, an included project's directory, or an
// extended file's directory.
func (p *Project) checkReferences(docs []*compose.Document, cache *compose.Cache, environment types.Mapping) error {
	seen := map[string]bool{}
	var walk func(d *compose.Document, dir string, depth int) error
	resolve := func(dir, s string) string {
		if v, err := template.SubstituteWithOptions(s, environment.Resolve, template.WithoutLogging); err == nil {
			s = v
		}
		if !filepath.IsAbs(s) {
			s = filepath.Join(dir, s)
		}
		return s
	}
	// follow checks a compose file reached through include or extends and
	// walks it in turn.
	follow := func(d *compose.Document, n *yaml.Node, abs, what, dir string, depth int) error {
		if err := p.checkFile(abs, p.Rel(abs), d.Loc(n), what); err != nil {
			return err
		}
		if seen[abs] || depth >= maxReferenceDepth {
			return nil
		}
		seen[abs] = true
		if st, err := p.fs.Stat(abs); err != nil || st.IsDir() {
			return nil
		}
		sub, err := cache.Load(abs, p.Rel(abs))
		if err != nil {
			return err
		}
		return walk(sub, dir, depth+1)
	}
	files := func(d *compose.Document, n *yaml.Node, dir, what string) error {
		for _, item := range scalarsOrList(n, "path") {
			abs := resolve(dir, item.Value)
			if err := p.checkFile(abs, p.Rel(abs), d.Loc(item), what); err != nil {
				return err
			}
		}
		return nil
	}
	walk = func(d *compose.Document, dir string, depth int) error {
		for _, top := range d.Roots() {
			if inc, ok := d.Get(top, "include"); ok && inc.Value.Kind == yaml.SequenceNode {
				for _, item := range inc.Value.Content {
					item = compose.Deref(item)
					var paths []*yaml.Node
					incDir := ""
					if item.Kind == yaml.MappingNode {
						if e, ok := d.Get(item, "path"); ok {
							paths = scalarsOrList(e.Value, "")
						}
						if e, ok := d.Get(item, "project_directory"); ok && e.Value.Kind == yaml.ScalarNode {
							incDir = resolve(dir, e.Value.Value)
						}
						if e, ok := d.Get(item, "env_file"); ok {
							if err := files(d, e.Value, dir, "env_file"); err != nil {
								return err
							}
						}
					} else {
						paths = scalarsOrList(item, "")
					}
					for i, pn := range paths {
						abs := resolve(dir, pn.Value)
						if i == 0 && incDir == "" {
							incDir = filepath.Dir(abs)
						}
						if err := follow(d, pn, abs, "included file", incDir, depth); err != nil {
							return err
						}
					}
				}
			}
			svcs, ok := d.Get(top, "services")
			if !ok {
				continue
			}
			es, err := d.Entries(svcs.Value, d.ExpansionBudget())
			if err != nil {
				return err
			}
			for _, svc := range es {
				if e, ok := d.Get(svc.Value, "env_file"); ok {
					if err := files(d, e.Value, dir, "env_file"); err != nil {
						return err
					}
				}
				if e, ok := d.Get(svc.Value, "label_file"); ok {
					if err := files(d, e.Value, dir, "label_file"); err != nil {
						return err
					}
				}
				if e, ok := d.Get(svc.Value, "extends"); ok && e.Value.Kind == yaml.MappingNode {
					if f, ok := d.Get(e.Value, "file"); ok && f.Value.Kind == yaml.ScalarNode {
						abs := resolve(dir, f.Value.Value)
						if err := follow(d, f.Value, abs, "extended file", filepath.Dir(abs), depth); err != nil {
							return err
						}
					}
				}
			}
		}
		return nil
	}
	for _, d := range docs {
		if r := p.references(d); !r.includeOrExtends && !r.files {
			continue // no reference to check (found once per document, not per environment)
		}
		if err := walk(d, p.Dir, 0); err != nil {
			return err
		}
	}
	return nil
}

// scalarsOrList returns the scalar n, or the scalars of the list n; list
// items that are mappings give their key field (env_file: [{path: x}]).
func scalarsOrList(n *yaml.Node, key string) []*yaml.Node {
	n = compose.Deref(n)
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return []*yaml.Node{n}
	case yaml.SequenceNode:
		var out []*yaml.Node
		for _, c := range n.Content {
			c = compose.Deref(c)
			switch {
			case c.Kind == yaml.ScalarNode:
				out = append(out, c)
			case c.Kind == yaml.MappingNode && key != "":
				for i := 0; i+1 < len(c.Content); i += 2 {
					if c.Content[i].Value == key {
						if v := compose.Deref(c.Content[i+1]); v.Kind == yaml.ScalarNode {
							out = append(out, v)
						}
					}
				}
			}
		}
		return out
	}
	return nil
}
