package merge

import (
	"path/filepath"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/internal/pathtrie"
)

// include imports the resources of the projects x includes, as
// loader/include.go ApplyInclude does: each included project is loaded on
// its own (its paths resolved against its directory), and its services,
// networks, volumes, ... are added to x; a resource x defines too is merged
// over the imported one. Interpolation with the included env files is not
// done (merge does not interpolate).
func (mg *merger) include(x *val, d *compose.Document, resets [][]string) error {
	inc, ok := x.m["include"]
	if !ok || !mg.opts.include {
		// compose-go's SkipInclude leaves the key in the model.
		return nil
	}
	delete(x.m, "include")
	if inc.isNull() {
		return nil
	}
	if inc.kind != kSeq {
		return mg.errorf(inc, "`include` must be a list of files or of mappings with `path:`")
	}
	for _, item := range inc.s {
		files, projectDir, err := mg.includeItem(item)
		if err != nil {
			return err
		}
		for i, f := range files {
			if !filepath.IsAbs(f) {
				files[i] = filepath.Join(mg.workDir, f)
			}
		}
		switch {
		case projectDir == "":
			projectDir = filepath.Dir(files[0])
		case !filepath.IsAbs(projectDir):
			projectDir = filepath.Join(mg.workDir, projectDir)
		}
		rel, err := filepath.Rel(mg.workDir, projectDir)
		if err != nil {
			rel = projectDir
		}
		for _, f := range mg.included {
			if f == files[0] {
				return mg.errorf(item, "include cycle: %s includes itself (through %d files); remove one of the includes", filepath.Base(files[0]), len(mg.included))
			}
		}
		var docs []*compose.Document
		for _, f := range files {
			name, err := filepath.Rel(mg.rootDir(), f)
			if err != nil {
				name = f
			}
			doc, err := compose.ReadFileFS(mg.opts.fs, f, name)
			if err != nil {
				return mg.through(err, item, "included", "cannot include %s: %v", name, err)
			}
			docs = append(docs, doc)
		}
		// The included project is loaded on its own: its schema is
		// checked after each of its files, as compose-go's loader checks
		// it, before canonical forms could refuse the same value in
		// other words.
		sub := &merger{
			opts:         mg.opts,
			extendsCache: map[string]*extendsScope{},
			workDir:      projectDir,
			included:     append(append([]string(nil), mg.included...), files[0]),
			root:         mg.rootDir(),
			checkLast:    true,
		}
		imported, err := sub.mergeDocs(nil, docs)
		if err != nil {
			return mg.through(err, item, "included", "%v", err)
		}
		if imported == nil {
			continue
		}
		// loadYamlModel of the included project: canonical forms, defaults,
		// paths resolved against its directory, environment entries
		// resolved with its env files.
		if mg.opts.included != nil {
			env, err := compose.ReadEnvFiles(mg.opts.fs, nil, mg.includeEnvFiles(item, projectDir))
			if err != nil {
				return mg.errorf(item, "%v", err)
			}
			plain, err := mg.opts.included(imported.plain().(map[string]any), rel, env, build(imported).Locate)
			if err != nil {
				return mg.through(err, item, "included", "%v", err)
			}
			imported = reattach(imported, plain)
		}
		if err := mg.importResources(imported, x, resets); err != nil {
			return err
		}
	}
	return nil
}

// includeEnvFiles are the env files of an include: env_file, relative to
// the including project, or the included project's .env.
func (mg *merger) includeEnvFiles(item *val, projectDir string) []string {
	var files []string
	if item.kind == kMap {
		if ef, ok := item.m["env_file"]; ok {
			for _, e := range convertIntoSequence(ef) {
				f, _ := e.v.(string)
				if f == "" || f == "/dev/null" {
					continue
				}
				if !filepath.IsAbs(f) {
					f = filepath.Join(mg.workDir, f)
				}
				files = append(files, f)
			}
			return files
		}
	}
	f := filepath.Join(projectDir, ".env")
	if st, err := mg.opts.fs.Stat(f); err == nil && !st.IsDir() {
		files = append(files, f)
	}
	return files
}

func (mg *merger) rootDir() string {
	if mg.root != "" {
		return mg.root
	}
	return mg.workDir
}

func (mg *merger) includeItem(item *val) (files []string, projectDir string, err error) {
	str := func(x *val) (string, bool) {
		if x == nil || x.kind != kScalar {
			return "", false
		}
		s, ok := x.v.(string)
		return s, ok
	}
	if s, ok := str(item); ok {
		return []string{s}, "", nil
	}
	if item.kind != kMap {
		return nil, "", mg.errorf(item, "an include must be a file name or a mapping with `path:`")
	}
	p := item.m["path"]
	if s, ok := str(p); ok {
		files = []string{s}
	} else if p != nil && p.kind == kSeq {
		for _, e := range p.s {
			s, ok := str(e)
			if !ok {
				return nil, "", mg.errorf(e, "include path must be a file name")
			}
			files = append(files, s)
		}
	}
	if len(files) == 0 {
		return nil, "", mg.errorf(item, "include needs `path:`, the file(s) to include")
	}
	if pd, ok := item.m["project_directory"]; ok {
		projectDir, _ = str(pd)
	}
	return files, projectDir, nil
}

// importResources is loader/include.go importResources.
func (mg *merger) importResources(source, target *val, resets [][]string) error {
	for _, key := range []string{"services", "jobs", "volumes", "networks", "secrets", "configs", "models"} {
		from, ok := source.m[key]
		if !ok || from.isNull() || from.kind != kMap {
			continue
		}
		to, ok := target.m[key]
		if !ok || to.isNull() {
			to = &val{kind: kMap, m: map[string]*val{}, at: from.at}
		} else if to.kind != kMap {
			return mg.errorf(to, "%s must be a mapping", key)
		}
		for _, name := range sortedKeys(from.m) {
			a := from.m[name]
			conflict, ok := to.m[name]
			if !ok {
				to.m[name] = a
				continue
			}
			if equal(a, conflict) {
				continue
			}
			for _, p := range resets {
				if len(p) > 2 && p[0] == key && p[1] == name {
					resetPath(a, p[2:])
				}
			}
			saved := mg.path
			mg.path = []string{key, name}
			st := pathtrie.Start(mergeTrie)
			st = st.Next(key)
			st = st.Next(name)
			merged, err := mg.mergeYaml(a, conflict, st)
			mg.path = saved
			if err != nil {
				return err
			}
			to.m[name] = merged
		}
		target.m[key] = to
	}
	return nil
}
