package render

import (
	"cmp"
	"reflect"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Map keys come out in the library's "natural" order: numbers (and
// booleans, as 0 and 1) by value before strings, strings compared rune by
// rune with runs of digits compared as numbers ("svc2" before "svc10"), and
// other keys by reflect.Kind.
//
// The library's order is not always an order, and where it is not, Go's
// random map order decides and its output varies from run to run: it
// compares strings as []rune, so two keys that differ only in invalid UTF-8
// bytes (each read as U+FFFD) are equal to it; and it reads runs of digits
// into an int64 that wraps, so keys with runs longer than 18 digits can
// compare in a cycle. render breaks ties by the keys' bytes and sorts from
// a fixed starting order (the keys' bytes, see canonicalKeys), with a
// deterministic sort: its output is the same on every run, and where the
// library's order is defined, the same as the library's.

// orderStrings orders string keys: natural order, then bytes.
func orderStrings(a, b string) int {
	if c := compareNatural(a, b); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// entry is a string key and where its value is.
type entry struct {
	key   string
	index int
}

func byBytes(a, b entry) int   { return strings.Compare(a.key, b.key) }
func byLibrary(a, b entry) int { return orderStrings(a.key, b.key) }

// sortEntries sorts string keys in the library's order.
func sortEntries(entries []entry) {
	if len(entries) < 2 {
		return
	}
	slices.SortFunc(entries, byBytes)
	slices.SortFunc(entries, byLibrary)
}

// sortKeys sorts map keys of any type in the library's order.
func sortKeys(keys []reflect.Value) {
	slices.SortFunc(keys, canonicalKeys)
	slices.SortFunc(keys, compareKeys)
}

// canonicalKeys is a total order of scalar keys by kind, then value: the
// fixed starting order of sortKeys.
func canonicalKeys(a, b reflect.Value) int {
	a, b = concrete(a), concrete(b)
	if a.Kind() != b.Kind() {
		return cmp.Compare(a.Kind(), b.Kind())
	}
	switch {
	case a.Kind() == reflect.String:
		return strings.Compare(a.String(), b.String())
	case a.CanInt(), a.CanUint(), a.CanFloat(), a.Kind() == reflect.Bool:
		return compareSameKind(a, b)
	}
	return 0
}

// compareNatural orders two strings as the library orders string keys.
//
// At the first rune where they differ: two letters compare as runes; a
// letter against a non-letter goes first right after a digit of the common
// prefix (so "1a" < "1-") and last otherwise ("a-" < "ab"); two non-letters
// compare the runs of digits starting there by value (a zero digit counts
// as if preceded by a 1 when the common prefix ends with digits that are
// not all zero), then by length, then as runes.
func compareNatural(a, b string) int {
	afterDigit := false
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ra, wa := decode(a, i)
		rb, wb := decode(b, j)
		if ra == rb {
			afterDigit = unicode.IsDigit(ra)
			i += wa
			j += wb
			continue
		}
		la, lb := unicode.IsLetter(ra), unicode.IsLetter(rb)
		switch {
		case la && lb:
			return cmp.Compare(ra, rb)
		case la != lb:
			if la == afterDigit {
				return -1
			}
			return 1
		}
		var na, nb int64
		if (ra == '0' || rb == '0') && nonZeroDigitsBefore(a[:i]) {
			na, nb = 1, 1
		}
		na, runA := digitRun(a, i, na)
		nb, runB := digitRun(b, j, nb)
		if na != nb {
			return cmp.Compare(na, nb)
		}
		if runA != runB {
			return cmp.Compare(runA, runB)
		}
		return cmp.Compare(ra, rb)
	}
	switch {
	case i < len(a):
		return 1
	case j < len(b):
		return -1
	}
	return 0
}

// decode returns the rune at s[i:] and its width; an invalid byte is
// U+FFFD of width 1, as in a []rune conversion.
func decode(s string, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

// nonZeroDigitsBefore reports whether the run of digits that ends s holds
// a digit other than 0.
func nonZeroDigitsBefore(s string) bool {
	for len(s) > 0 {
		r, w := utf8.DecodeLastRuneInString(s)
		if !unicode.IsDigit(r) {
			return false
		}
		if r != '0' {
			return true
		}
		s = s[:len(s)-w]
	}
	return false
}

// digitRun reads the run of digits at s[i:] into n (wrapping on overflow,
// with each digit worth its code point minus '0', as the library computes
// it) and returns it with the run's length in runes.
func digitRun(s string, i int, n int64) (int64, int) {
	count := 0
	for i < len(s) {
		r, w := decode(s, i)
		if !unicode.IsDigit(r) {
			break
		}
		n = n*10 + int64(r-'0')
		count++
		i += w
	}
	return n, count
}

// keyNumber returns the value of a number or boolean key as a float64
// (false and true are 0 and 1).
func keyNumber(v reflect.Value) (float64, bool) {
	switch {
	case v.CanInt():
		return float64(v.Int()), true
	case v.CanUint():
		return float64(v.Uint()), true
	case v.CanFloat():
		return v.Float(), true
	case v.Kind() == reflect.Bool && v.Bool():
		return 1, true
	case v.Kind() == reflect.Bool:
		return 0, true
	}
	return 0, false
}

// concrete looks through non-nil interfaces and pointers.
func concrete(v reflect.Value) reflect.Value {
	for (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) && !v.IsNil() {
		v = v.Elem()
	}
	return v
}

// compareKeys orders two map keys of any type.
func compareKeys(a, b reflect.Value) int {
	a, b = concrete(a), concrete(b)
	ak, bk := a.Kind(), b.Kind()
	fa, aNum := keyNumber(a)
	fb, bNum := keyNumber(b)
	if aNum && bNum {
		if fa != fb {
			// NaN compares as neither smaller nor larger; the
			// library's sort then leaves such keys where they are.
			if fa < fb {
				return -1
			}
			if fa > fb {
				return 1
			}
			return 0
		}
		if ak != bk {
			return cmp.Compare(ak, bk)
		}
		return compareSameKind(a, b)
	}
	if ak != reflect.String || bk != reflect.String {
		return cmp.Compare(ak, bk)
	}
	return orderStrings(a.String(), b.String())
}

// compareSameKind orders two numbers or booleans of one kind.
func compareSameKind(a, b reflect.Value) int {
	switch {
	case a.CanInt():
		return cmp.Compare(a.Int(), b.Int())
	case a.CanUint():
		return cmp.Compare(a.Uint(), b.Uint())
	case a.CanFloat():
		return cmp.Compare(a.Float(), b.Float())
	case a.Bool() == b.Bool():
		return 0
	case b.Bool():
		return -1
	}
	return 1
}
