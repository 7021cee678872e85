package lint

import (
	"strings"

	"github.com/agnivade/levenshtein"
)

// nearest returns the candidate closest to s by edit distance (ignoring
// case first), if it is within maxDist edits. Ties go to the earlier
// candidate, so callers control preference by order.
func nearest(s string, candidates []string, maxDist int) (string, bool) {
	best, bestD := "", maxDist+1
	ls := strings.ToLower(s)
	for _, c := range candidates {
		if strings.ToLower(c) == ls {
			return c, true
		}
		d := levenshtein.ComputeDistance(ls, strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best, bestD <= maxDist
}

// Nearest returns the candidate closest to s, as the rules suggest one; the
// command line uses it for misspelt commands and flags.
func Nearest(s string, candidates []string, maxDist int) (string, bool) {
	return nearest(s, candidates, maxDist)
}
