package envs

import (
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/merge"
	"github.com/composure-dev/composure/normalize"
)

// Accepts reports whether Load would surely load env without an error,
// judged from raw, env's files merged without interpolation (lint's merge),
// and first, its first file merged alone (nil with one file): false means
// it cannot tell, and only Load knows. It takes Load's first steps (files,
// variables, references, the project name) and leaves the rest to
// acceptor (normalize.Acceptor), which knows the common shapes of a
// service and keeps the verdicts of shared services for the other
// environments. lint calls it before loading each environment: a project
// docker compose accepts then costs no load. It gives the warnings Load
// gives (an obsolete `version`) but one: a variable used and not set,
// which lint reports as a finding of its own.
func (p *Project) Accepts(env *Environment, cache *compose.Cache, raw, first *merge.Result, acceptor *normalize.Acceptor) bool {
	return p.unsure(env, cache, raw, first, acceptor) == ""
}

// unsure is why Accepts says false ("" when it says true).
func (p *Project) unsure(env *Environment, cache *compose.Cache, raw, first *merge.Result, acceptor *normalize.Acceptor) string {
	l, interp, err := p.start(env, cache, true)
	if err != nil {
		return "refused"
	}
	// Two files at most: docker compose checks the schema of each step
	// (the first file alone, then with the next, ...), and the acceptor
	// knows the first step and the last.
	if len(l.Docs) > 2 || (len(l.Docs) == 2) != (first != nil) {
		return "more than two files"
	}
	for _, d := range l.Docs {
		if !p.plainDocument(d) {
			return d.Name + ": include or extends"
		}
	}
	p.warnVersion(l.Docs)
	lookup := interp.Resolve
	o := normalize.AcceptOptions{
		Interpolate: func(path []string, v any) (any, bool) { return merge.Interpolate(path, v, lookup) },
		Vars:        l.Name + "\x00" + strings.Join(env.EnvFiles, "\x00"),
		Profiles:    p.profiles(env, l.Environment),
		WorkingDir:  p.Dir,
		Home:        p.home(),
		EnvFiles: func(files []types.EnvFile, environment types.MappingWithEquals) bool {
			for _, ef := range files {
				if _, err := p.fs.Stat(ef.Path); err != nil && bool(ef.Required) {
					return false
				}
			}
			c := types.ContainerSpec{EnvFiles: files, Environment: environment}
			return p.resolveEnvironment(&c, interp) == nil
		},
	}
	if first != nil {
		o.First = first.Tree()
	}
	return acceptor.Unsure(raw.Tree(), o)
}

// references is what of a document makes the engine read other files:
// include and extends, which it completes before merging, and env_file and
// label_file.
type references struct {
	includeOrExtends, files bool
}

// references returns d's, found once per document for the environments
// that share it.
func (p *Project) references(d *compose.Document) references {
	if v, ok := p.refs.Load(d); ok {
		return v.(references)
	}
	r := documentReferences(d)
	p.refs.Store(d, r)
	return r
}

// plainDocument reports whether d neither includes files nor extends
// services.
func (p *Project) plainDocument(d *compose.Document) bool {
	return !p.references(d).includeOrExtends
}

// documentReferences finds d's references; an expansion beyond its budget
// counts as every kind (checkReferences then walks d, and reports it).
func documentReferences(d *compose.Document) references {
	var r references
	for _, root := range d.Roots() {
		if root == nil || root.Kind != yaml.MappingNode {
			continue
		}
		if _, ok := d.Get(root, "include"); ok {
			r.includeOrExtends = true
		}
		services, ok := d.Get(root, "services")
		if !ok || services.Value.Kind != yaml.MappingNode {
			continue
		}
		entries, err := d.Entries(services.Value, d.ExpansionBudget())
		if err != nil {
			return references{includeOrExtends: true, files: true}
		}
		for _, s := range entries {
			if s.Value.Kind != yaml.MappingNode {
				continue
			}
			if _, ok := d.Get(s.Value, "extends"); ok {
				r.includeOrExtends = true
			}
			for _, k := range [...]string{"env_file", "label_file"} {
				if _, ok := d.Get(s.Value, k); ok {
					r.files = true
				}
			}
		}
	}
	return r
}
