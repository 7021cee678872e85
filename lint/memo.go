package lint

import (
	"reflect"
	"slices"
	"strings"
	"unsafe"

	"github.com/composure-dev/composure/diag"
)

// serviceMemo lets an environment rule check a service once for all the
// environments that share it. Environments that share their first file
// share the effective config of every service their later files leave
// alone: the very same map (merge.Prefix), with the same origins. A rule
// whose findings for a service depend only on that map, the environment's
// variables and directory, and what the rule names in its key, replays in
// the next environment what it reported in the first: one check instead of
// one per environment, and the findings merge as before (Postprocess).
//
// A memo lives for one rule in one Run (Pass.memo), so the maps it holds
// stay alive and their addresses are never reused while it is looked at.
type serviceMemo struct {
	m map[memoKey]memoEntry
}

type memoKey struct {
	svc  unsafe.Pointer // the service's effective config
	name string
}

type memoEntry struct {
	vars, dir, key string
	findings       []diag.Finding
}

// Service runs check, which reports the findings of service name (whose
// effective config is svc) in p's environment, or replays them when an
// earlier environment of the run had the same svc under the same name, the
// same variables and directory, and the same key: what else the findings
// depend on (the state of the services svc depends on...). Without known
// variables (VarsKey "") check always runs.
func (p *Pass) Service(name string, svc map[string]any, key string, check func()) {
	e := p.env
	if p.memo == nil || e == nil || e.VarsKey == "" || svc == nil {
		check()
		return
	}
	// The findings say which profile the service needs, when it needs one.
	if g := e.gate(name); g != nil {
		key += "\x00" + strings.Join(g, "\x00")
	}
	k := memoKey{svc: reflect.ValueOf(svc).UnsafePointer(), name: name}
	if ent, ok := p.memo.m[k]; ok && ent.vars == e.VarsKey && ent.dir == e.Dir && ent.key == key {
		for _, f := range ent.findings {
			p.Report(f)
		}
		return
	}
	before := len(*p.out)
	check()
	fs := slices.Clip(slices.Clone((*p.out)[before:]))
	for i := range fs {
		// Related lists are shared between the replayed copies: clipped,
		// an append (Postprocess merging) never writes into them.
		fs[i].Related = slices.Clip(fs[i].Related)
	}
	p.memo.m[k] = memoEntry{vars: e.VarsKey, dir: e.Dir, key: key, findings: fs}
}
