package diag

import (
	"fmt"
	"slices"

	"github.com/aymanbagabas/go-udiff"
)

// Apply applies edits (all to one file) to src. Edits must not overlap;
// identical edits count once, since one fix may be reported for several
// environments.
func Apply(src []byte, edits []TextEdit) ([]byte, error) {
	es := make([]udiff.Edit, 0, len(edits))
	for _, e := range edits {
		if e.Start < 0 || e.End < e.Start || e.End > len(src) {
			return nil, fmt.Errorf("%s: edit [%d,%d) out of range", e.File, e.Start, e.End)
		}
		es = append(es, udiff.Edit{Start: e.Start, End: e.End, New: e.NewText})
	}
	slices.SortStableFunc(es, func(a, b udiff.Edit) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return a.End - b.End
	})
	es = slices.Compact(es)
	out, err := udiff.Apply(string(src), es)
	if err != nil {
		return nil, err
	}
	return []byte(out), nil
}

// Diff returns a unified diff from old to new of file name ("" when equal).
func Diff(name string, old, new []byte) string {
	return udiff.Unified("a/"+name, "b/"+name, string(old), string(new))
}
