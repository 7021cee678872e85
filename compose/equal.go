package compose

// PlainEqual reports whether two plain values (decoded YAML: maps, lists,
// scalars, and the Reset and Override that Decode makes of the !reset and
// !override tags) are equal, as reflect.DeepEqual would say but without
// reflection: the one deep equality of decoded YAML that merge, normalize,
// envdiff and refactor share. A nil map or list differs from an empty
// one; scalars are equal when == says so (80 and "80" differ).
func PlainEqual(a, b any) bool { return plainEqual(a, b, nil) }

// PlainEqualFunc is PlainEqual with the values that are neither maps, lists
// nor Override (the leaves) compared by leaf instead of ==, for a caller
// whose values hold more than decoded YAML, or compare their scalars their
// own way. leaf is never given a map[string]any or []any.
func PlainEqualFunc(a, b any, leaf func(a, b any) bool) bool { return plainEqual(a, b, leaf) }

func plainEqual(a, b any, leaf func(a, b any) bool) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) || (x == nil) != (y == nil) {
			return false
		}
		for k, e := range x {
			f, ok := y[k]
			if !ok || !plainEqual(e, f, leaf) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) || (x == nil) != (y == nil) {
			return false
		}
		for i := range x {
			if !plainEqual(x[i], y[i], leaf) {
				return false
			}
		}
		return true
	case Override:
		// Its value may be a map or a list, which == cannot compare.
		y, ok := b.(Override)
		return ok && plainEqual(x.Value, y.Value, leaf)
	}
	switch b.(type) {
	case map[string]any, []any, Override:
		return false
	}
	if leaf != nil {
		return leaf(a, b)
	}
	return a == b
}
