package lint

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"gopkg.in/yaml.v3"
)

// DuplicateService reports services of one file that repeat the same
// top-level entries (best practice 9): they belong in an anchor that each
// service merges with `<<:`, which `composure refactor` writes.
type DuplicateService struct {
	RuleBase
	// Find detects the groups; it is the engine `composure refactor` uses.
	Find func(d *compose.Document, minShared int) []DupeGroup
}

var _ Rule = (*DuplicateService)(nil)

// DupeGroup is a set of services of one file sharing identical entries.
type DupeGroup struct {
	Services []string // in file order
	Keys     []string // the shared top-level keys, sorted
}

// NewDuplicateService returns the duplicate-service rule.
func NewDuplicateService() *DuplicateService {
	return &DuplicateService{RuleBase: RuleBase{Meta{ID: "duplicate-service", Summary: "services repeating the same block of keys instead of sharing an anchor",
		Severity: diag.Warning, Scope: ScopeFile, Practice: 9}}, Find: findDupes}
}

// VisitFile reports each group of duplicated services of d.
func (r *DuplicateService) VisitFile(p *Pass, d *compose.Document) {
	min := p.IntOption("min-shared", 4)
	groups := r.Find(d, min)
	if len(groups) == 0 {
		return
	}
	keys := map[string]*yaml.Node{}
	for _, s := range fileServices(d) {
		keys[s.Name] = s.Key
	}
	for _, g := range groups {
		first := keys[g.Services[0]]
		if first == nil {
			continue
		}
		var rel []diag.Related
		for _, s := range g.Services[1:] {
			if k := keys[s]; k != nil {
				rel = append(rel, diag.Related{Span: NodeSpan(d, k), Message: fmt.Sprintf("service %q repeats them", s)})
			}
		}
		p.Report(diag.Finding{Severity: p.meta.Severity, Span: NodeSpan(d, first), Related: rel,
			Message: fmt.Sprintf("services %s share %d identical keys (%s): move them into an anchor merged with `<<:`; `composure refactor` does it",
				quoteList(g.Services), len(g.Keys), strings.Join(g.Keys, ", "))})
	}
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	if len(q) == 2 {
		return q[0] + " and " + q[1]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

// findDupes hashes each service's own top-level entries (key and decoded
// value; entries already shared through anchors or merge keys don't count)
// and counts, through posting lists per hash, how many entries each pair of
// services shares: no comparison of services that share nothing. Pairs
// sharing at least minShared entries are joined into groups; a group's keys
// are those all its members share.
// hotLimit is the posting-list length beyond which an entry counts as hot.
const hotLimit = 32

// countCommon counts the values two sorted lists share.
func countCommon(a, b []uint64) int {
	n := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			n++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return n
}

func findDupes(d *compose.Document, minShared int) []DupeGroup {
	svcs := fileServices(d)
	type ent struct {
		key string
		h   uint64
	}
	own := make([][]ent, len(svcs))
	post := map[uint64][]int{}
	for i, s := range svcs {
		es, err := d.Entries(s.Value, d.ExpansionBudget())
		if err != nil {
			continue
		}
		for _, e := range es {
			if len(e.Via) > 0 || e.Alias != nil {
				continue
			}
			v, err := d.Decode(e.Value, d.ExpansionBudget())
			if err != nil {
				continue
			}
			b, _ := json.Marshal(v) // maps marshal with sorted keys
			h := fnv.New64a()
			h.Write([]byte(e.Key.Value))
			h.Write([]byte{0})
			h.Write(b)
			x := h.Sum64()
			own[i] = append(own[i], ent{e.Key.Value, x})
			post[x] = append(post[x], i)
		}
	}
	// An entry most services repeat (restart: always) would make counting
	// pairs quadratic; such "hot" entries are left out of the posting lists
	// and added back per candidate pair, and services that share only hot
	// entries are grouped by their identical set of hot entries.
	hot := map[uint64]bool{}
	for h, ids := range post {
		if len(ids) > hotLimit {
			hot[h] = true
		}
	}
	hotSig := make([][]uint64, len(svcs))
	for i, es := range own {
		for _, e := range es {
			if hot[e.h] {
				hotSig[i] = append(hotSig[i], e.h)
			}
		}
		slices.Sort(hotSig[i])
	}
	shared := map[[2]int]int{}
	for h, ids := range post {
		if len(ids) < 2 || hot[h] {
			continue
		}
		for a := 0; a < len(ids); a++ {
			for b := a + 1; b < len(ids); b++ {
				shared[[2]int{ids[a], ids[b]}]++
			}
		}
	}
	for pair := range shared {
		shared[pair] += countCommon(hotSig[pair[0]], hotSig[pair[1]])
	}
	bySig := map[string][]int{}
	for i, sig := range hotSig {
		if len(sig) >= minShared {
			k := fmt.Sprint(sig)
			bySig[k] = append(bySig[k], i)
		}
	}
	for _, ids := range bySig {
		for _, j := range ids[1:] {
			shared[[2]int{ids[0], j}] = len(hotSig[j])
		}
	}
	parent := make([]int, len(svcs))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for pair, n := range shared {
		if n >= minShared {
			a, b := find(pair[0]), find(pair[1])
			if a != b {
				parent[max(a, b)] = min(a, b)
			}
		}
	}
	members := map[int][]int{}
	for i := range svcs {
		members[find(i)] = append(members[find(i)], i)
	}
	var out []DupeGroup
	for i := range svcs {
		m := members[i]
		if len(m) < 2 || find(i) != i {
			continue
		}
		// keys every member has with the same value
		var keys []string
		for _, e := range own[m[0]] {
			all := true
			for _, j := range m[1:] {
				if !slices.ContainsFunc(own[j], func(x ent) bool { return x.h == e.h }) {
					all = false
					break
				}
			}
			if all {
				keys = append(keys, e.key)
			}
		}
		if len(keys) < minShared {
			continue
		}
		slices.Sort(keys)
		g := DupeGroup{Keys: keys}
		for _, j := range m {
			g.Services = append(g.Services, svcs[j].Name)
		}
		out = append(out, g)
	}
	return out
}
