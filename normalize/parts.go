package normalize

import (
	"runtime"

	"github.com/composure-dev/composure/internal/parallel"
)

// partMin is the fewest services worth a goroutine of their own, and
// maxParts the most goroutines (tests set both).
var (
	partMin  = 64
	maxParts = func() int { return runtime.GOMAXPROCS(0) }
)

// serviceParts cuts services into at most maxParts parts of partMin
// services or more, by name, for work that depends on each service alone;
// nil when one part is all there is.
func serviceParts(services map[string]any) []map[string]any {
	parts := min(maxParts(), len(services)/partMin)
	if parts < 2 {
		return nil
	}
	names := sortedKeys(services)
	cut := make([]map[string]any, parts)
	for i := range cut {
		lo, hi := len(names)*i/parts, len(names)*(i+1)/parts
		cut[i] = make(map[string]any, hi-lo)
		for _, name := range names[lo:hi] {
			cut[i][name] = services[name]
		}
	}
	return cut
}

// stepsInParts runs the steps on m as n.steps does, with m's services cut
// into parts (serviceParts) normalized each on its own goroutine: a
// service's normalized form depends on that service alone and the options
// (see ServiceCache). The first part goes through the steps with the rest
// of m; the default network is declared when a service of another part is
// on it, as when another environment normalized that service. parted says
// the services were cut: an error is then one part's first, not
// necessarily the one the steps in order find first, and the caller runs
// them again in order for that one.
func (n *normalizer) stepsInParts(m map[string]any) (_ map[string]any, parted bool, _ error) {
	services, _ := m["services"].(map[string]any)
	cut := serviceParts(services)
	if cut == nil {
		out, err := n.steps(m)
		return out, false, err
	}
	m["services"] = cut[0]
	errs := make([]error, len(cut))
	tasks := make([]func(), len(cut))
	for i := range cut {
		tasks[i] = func() {
			if i == 0 {
				m, errs[0] = n.steps(m)
				return
			}
			pn := &normalizer{opts: n.opts, lenient: n.lenient}
			var pm map[string]any
			if pm, errs[i] = pn.steps(map[string]any{"services": cut[i]}); errs[i] == nil {
				cut[i], _ = pm["services"].(map[string]any)
			}
		}
	}
	runParts(tasks)
	for _, err := range errs {
		if err != nil {
			return nil, true, err
		}
	}
	out, _ := m["services"].(map[string]any)
	if out == nil {
		out = make(map[string]any, len(services))
		m["services"] = out
	}
	onDefault := false
	for _, part := range cut[1:] {
		for name, svc := range part {
			out[name] = svc
			if s, ok := svc.(map[string]any); ok && !onDefault {
				onDefault = connectedToDefault(s)
			}
		}
	}
	if onDefault && !n.opts.SkipNormalization {
		declareDefaultNetwork(m)
	}
	return m, true, nil
}

// runParts runs tasks each on its own goroutine and waits for them; a
// panic in one is raised again on the caller's, where the callers of a
// sequential run would have met it.
func runParts(tasks []func()) {
	panics := make([]any, len(tasks))
	wrapped := make([]func(), len(tasks))
	for i, t := range tasks {
		wrapped[i] = func() {
			defer func() { panics[i] = recover() }()
			t()
		}
	}
	parallel.Run(len(wrapped), wrapped)
	for _, p := range panics {
		if p != nil {
			panic(p)
		}
	}
}
