package merge

import (
	"github.com/composure-dev/composure/internal/pathtrie"

	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/composure-dev/composure/compose"
)

// extendsScope is where an `extends` is resolved: the services of one file
// and the file they came from (for messages and relative file names).
type extendsScope struct {
	services *val
	doc      *compose.Document
	resets   [][]string
}

type extendsRef struct{ file, service string }

// extends resolves `extends` in the services (and jobs) of document x, as
// loader/extends.go ApplyExtends does before the document is merged: the
// base service (from this file or another) is merged under the service with
// the merge rules, so each value keeps the origin of the file that wrote it.
func (mg *merger) extends(x *val, d *compose.Document, resets [][]string) error {
	for _, key := range []string{"services", "jobs"} {
		a, ok := x.m[key]
		if !ok {
			continue
		}
		if a.kind != kMap {
			return mg.errorf(a, "%s must be a mapping", key)
		}
		sc := &extendsScope{services: a, doc: d, resets: resets}
		for _, name := range sortedKeys(a.m) {
			merged, err := mg.serviceExtends(name, sc, nil)
			if err != nil {
				return err
			}
			a.m[name] = merged
		}
	}
	return nil
}

func (mg *merger) serviceExtends(name string, sc *extendsScope, chain []extendsRef) (*val, error) {
	s := sc.services.m[name]
	if s.isNull() {
		return s, nil
	}
	if s.kind != kMap {
		return nil, mg.errorf(s, "services.%s must be a mapping", name)
	}
	ext, ok := s.m["extends"]
	if !ok {
		return s, nil
	}
	var ref string
	var file *val
	switch {
	case ext.kind == kMap:
		r, ok := ext.m["service"]
		if ok && r.kind == kScalar {
			ref, ok = r.v.(string)
		}
		if !ok {
			return nil, mg.errorf(ext, "extends.%s.service is required: name the service to extend", name)
		}
		file = ext.m["file"]
	case ext.kind == kScalar:
		ref, _ = ext.v.(string)
	}
	base := sc
	if file != nil && !file.isNull() {
		fname, ok := file.v.(string)
		if !ok {
			return nil, mg.errorf(file, "extends.file must be a string")
		}
		other, err := mg.extendsFile(sc.doc, fname)
		if err != nil {
			return nil, mg.through(err, file, fmt.Sprintf("extended by service %q", name), "cannot extend service %q: %v", name, err)
		}
		if _, ok := other.services.m[ref]; !ok {
			return nil, mg.errorf(ext, "cannot extend service %q in %s: service %q not found in %s", name, sc.doc.Name, ref, fname)
		}
		base = other
	} else if _, ok := sc.services.m[ref]; !ok {
		return nil, mg.errorf(ext, "cannot extend service %q in %s: service %q not found", name, sc.doc.Name, ref)
	}
	me := extendsRef{sc.doc.Path + "\x00" + sc.doc.Name, name}
	for _, c := range chain {
		if c == me {
			return nil, mg.errorf(ext, "circular reference: service %q extends itself through %q", name, ref)
		}
	}
	baseSvc, err := mg.serviceExtends(ref, base, append(chain, me))
	if err != nil {
		return nil, err
	}
	if baseSvc.isNull() {
		return s, nil
	}
	source := baseSvc.clone()
	// The extending file's !reset/!override apply to what it inherits.
	for _, p := range sc.resets {
		if len(p) > 2 && p[0] == "services" && p[1] == name {
			resetPath(source, p[2:])
		}
	}
	saved := mg.path
	mg.path = []string{"services", name}
	st := pathtrie.Start(mergeTrie)
	st = st.Next("services")
	st = st.Next("x")
	merged, err := mg.mergeYaml(source, s, st)
	mg.path = saved
	if err != nil {
		return nil, err
	}
	if merged.kind == kMap {
		delete(merged.m, "extends")
	}
	sc.services.m[name] = merged
	return merged, nil
}

// extendsFile loads the services of another file named by extends.file,
// relative to the directory of the file that names it, through the whole
// per-file pipeline (but extends, resolved on demand).
func (mg *merger) extendsFile(from *compose.Document, name string) (*extendsScope, error) {
	// compose-go reads extends.file relative to the working directory (the
	// project directory); the file's own extends were made relative to it
	// when it was loaded (paths.ResolveRelativePaths).
	path, dispName := name, filepath.Clean(name)
	if !filepath.IsAbs(path) {
		dir := mg.workDir
		if dir == "" && from.Path != "" {
			dir = filepath.Dir(from.Path)
		}
		path = filepath.Join(dir, name)
	}
	if sc, ok := mg.extendsCache[path]; ok {
		return &extendsScope{services: sc.services.clone(), doc: sc.doc, resets: sc.resets}, nil
	}
	d, err := compose.ReadFileFS(mg.opts.fs, path, dispName)
	if err != nil {
		return nil, err
	}
	// compose-go loads an extended file with SkipExtends and SkipInclude,
	// interpolated like the rest.
	sub := &merger{opts: options{lookup: mg.opts.lookup, warn: mg.opts.warn, extended: mg.opts.extended, fs: mg.opts.fs}, extendsCache: mg.extendsCache, workDir: mg.workDir}
	acc := &val{kind: kMap, m: map[string]*val{}}
	var resets [][]string
	if d.Root != nil {
		x, rs, err := sub.opts.decode(d, d.Root, d.ExpansionBudget())
		if err != nil {
			return nil, err
		}
		if err := sub.file(acc, x, d, rs); err != nil {
			return nil, err
		}
		resets = rs
	}
	// compose-go loads the file through its whole pipeline, canonical form
	// included, then resolves its relative paths against its directory.
	if mg.opts.extended != nil {
		plain, err := mg.opts.extended(acc.plain().(map[string]any), filepath.Dir(name), build(acc).Locate)
		if err != nil {
			return nil, err
		}
		acc = reattach(acc, plain)
	}
	svcs, ok := acc.m["services"]
	if !ok || svcs.kind != kMap {
		return nil, &compose.Error{Location: compose.Location{File: d.Name}, Msg: "no services section to extend"}
	}
	if mg.opts.extended == nil {
		// Without the completion, the file's own extends.file must still
		// be read from its directory, as the completion makes them
		// (lint's merge of what is written: a nested extends.file).
		relativeExtends(svcs, filepath.Dir(name))
	}
	sc := &extendsScope{services: svcs, doc: d, resets: resets}
	mg.extendsCache[path] = &extendsScope{services: svcs.clone(), doc: d, resets: resets}
	return sc, nil
}

// relativeExtends makes the relative extends.file of the services in
// mapping svcs relative to the project directory, for a file read from
// dir (relative to it, or absolute).
func relativeExtends(svcs *val, dir string) {
	if dir == "." || dir == "" {
		return
	}
	for _, svc := range svcs.m {
		if svc == nil || svc.kind != kMap {
			continue
		}
		ext := svc.m["extends"]
		if ext == nil || ext.kind != kMap {
			continue
		}
		f := ext.m["file"]
		if f == nil || f.kind != kScalar {
			continue
		}
		if s, ok := f.v.(string); ok && s != "" && !filepath.IsAbs(s) && !strings.Contains(s, "$") {
			ext.m["file"] = scalar(filepath.Join(dir, s), f.at)
		}
	}
}

// reattach builds the val tree of plain, a transformed copy of x, keeping
// the origins of x: a value keeps the origin of the value at the same path,
// and what a transformation added (a short syntax expanded) the origin of
// the value it was expanded from.
func reattach(x *val, plain any) *val {
	at := x.at
	switch v := plain.(type) {
	case map[string]any:
		out := &val{kind: kMap, m: make(map[string]*val, len(v)), at: at}
		for k, e := range v {
			old := x
			if x.kind == kMap && x.m[k] != nil {
				old = x.m[k]
			}
			out.m[k] = reattach(old, e)
		}
		return out
	case []any:
		out := &val{kind: kSeq, s: make([]*val, len(v)), at: at}
		for i, e := range v {
			old := x
			if x.kind == kSeq && i < len(x.s) && x.s[i] != nil {
				old = x.s[i]
			}
			out.s[i] = reattach(old, e)
		}
		return out
	}
	return scalar(plain, at)
}

func sortedKeys(m map[string]*val) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
