// Package subst is a fast path for compose variable interpolation.
//
// compose-go's template.SubstituteWithOptions interpolates `${VAR}` style
// variables with a regular expression, a sort and a map per match, which is
// costly when it runs on every string of every compose file. Fast handles the
// common simple shapes (`$$`, `$NAME`, `${NAME}`, `${NAME:-default}` and the
// other single-level operators) with a plain byte scan and reports when a
// string holds anything else, so that callers fall back to the library, which
// stays the reference for every case Fast does not handle.
package subst

import "strings"

// Fast substitutes the variables of s as template.SubstituteWithOptions(s, lookup, template.WithoutLogging) does,
// for the simple cases only. ok is false when s holds anything Fast does not handle exactly: the caller must then
// call the library (whose result and error are the reference). When ok is true, out is exactly the library's result,
// the library would have returned a nil error, every variable the library would look up has been looked up with
// lookup, and no variable used bare (`$NAME` or `${NAME}`) is unset (an unset bare variable makes Fast return ok=false,
// because callers warn about it through the library path).
//
// Handled, anywhere in s:
//   - `$$`, which gives `$`;
//   - `$` followed by an ASCII byte that can't start a name nor be `$` or `{` (`$1`, `$ `, `$-`...), or ending s:
//     the library's pattern doesn't match there and the `$` is kept;
//   - `$NAME`, NAME being `[_A-Za-z][_A-Za-z0-9]*` and not followed by a non-ASCII byte, when NAME is set;
//   - `${NAME}` when NAME is set;
//   - `${NAME:-arg}`, `${NAME-arg}`, `${NAME:+arg}`, `${NAME+arg}`, and `${NAME:?arg}` / `${NAME?arg}` when
//     satisfied, arg holding no `$`, `{`, `}` nor newline.
//
// Anything else (a non-ASCII byte after `$` or after a name, `${` without a valid form, nested templates in an
// operator's argument, an unset bare variable, an unsatisfied `?` operator) makes Fast give up.
//
// Fast doesn't allocate when the result is s itself, a single value of lookup or a single piece of s; otherwise it
// allocates the result once (plus a slice of pieces when s holds more than a handful of substitutions).
func Fast(s string, lookup func(name string) (string, bool)) (out string, ok bool) {
	i := strings.IndexByte(s, '$')
	if i < 0 {
		return s, true
	}

	// The result is the concatenation of parts, which are slices of s or
	// values of lookup; lit is the start of the literal text of s not yet in
	// parts.
	var buf [8]string
	parts := buf[:0]
	lit := 0

	for {
		// s[i] == '$'
		if i+1 == len(s) {
			// A trailing `$` doesn't match the pattern: it stays.
			break
		}
		c := s[i+1]
		switch {
		case c == '$':
			// `$$` is `$`: keep the first one as part of the literal text,
			// drop the second.
			parts = appendPart(parts, s[lit:i+1])
			i += 2
			lit = i

		case isNameStart(c):
			j := nameEnd(s, i+2)
			if j < len(s) && s[j] >= 0x80 {
				// The pattern is case-insensitive and folds U+017F and
				// U+212A into names: the name might go on.
				return "", false
			}
			v, set := lookup(s[i+1 : j])
			if !set {
				return "", false
			}
			parts = appendPart(parts, s[lit:i])
			parts = appendPart(parts, v)
			i = j
			lit = i

		case c == '{':
			end, v, handled := braced(s, i, lookup)
			if !handled {
				return "", false
			}
			parts = appendPart(parts, s[lit:i])
			parts = appendPart(parts, v)
			i = end
			lit = i

		case c >= 0x80:
			// Might be U+017F or U+212A, which the pattern takes as a name's
			// first letter.
			return "", false

		default:
			// Nothing of the pattern starts with this byte: the `$` stays,
			// as part of the literal text.
			i++
		}

		if i >= len(s) {
			break
		}
		next := strings.IndexByte(s[i:], '$')
		if next < 0 {
			break
		}
		i += next
	}
	parts = appendPart(parts, s[lit:])

	switch len(parts) {
	case 0:
		return "", true
	case 1:
		return parts[0], true
	}
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	var b strings.Builder
	b.Grow(n)
	for _, p := range parts {
		b.WriteString(p)
	}
	return b.String(), true
}

// braced handles the template starting with `${` at s[i:]. It returns the
// index just past the template and its value, or handled=false when the
// template isn't one Fast reproduces exactly.
//
// The library's pattern matches `${NAME}` up to its own closing brace, but
// matches an operator form `${NAME<op>...}` up to the last `}` of the line;
// its replacement function then cuts that match at the first closing brace,
// substitutes the first part and hands the rest to a nested substitution. As
// the rest starts and ends on a template boundary (it is either empty or ends
// with that last `}`, and nothing after it on the line holds a `}`), the
// nested substitution finds the same matches as the scan of the outer call
// would; only its warnings differ, and Fast gives up on anything that would
// warn. So Fast goes on scanning right after the first closing brace.
func braced(s string, i int, lookup func(string) (string, bool)) (end int, value string, handled bool) {
	k := i + 2
	if k >= len(s) || !isNameStart(s[k]) {
		return 0, "", false
	}
	j := nameEnd(s, k+1)
	if j >= len(s) {
		return 0, "", false
	}
	name := s[k:j]

	var op byte
	colon := false
	switch s[j] {
	case '}':
		v, set := lookup(name)
		if !set {
			return 0, "", false
		}
		return j + 1, v, true
	case ':':
		if j+1 >= len(s) {
			return 0, "", false
		}
		op = s[j+1]
		if op != '-' && op != '+' && op != '?' {
			return 0, "", false
		}
		colon = true
		j += 2
	case '-', '+', '?':
		op = s[j]
		j++
	default:
		// Includes non-ASCII bytes, which might go on the name.
		return 0, "", false
	}

	// The argument runs to the first `}`; give up on anything that would
	// need a nested substitution, change the library's brace counting, or
	// stop its `.*` (which doesn't cross a newline).
	e := j
	for e < len(s) {
		b := s[e]
		if b == '}' {
			break
		}
		if b == '$' || b == '{' || b == '\n' {
			return 0, "", false
		}
		e++
	}
	if e >= len(s) {
		return 0, "", false
	}
	arg := s[j:e]

	v, set := lookup(name)
	switch op {
	case '-':
		// `:-` defaults when unset or empty, `-` when unset.
		if !set || (colon && v == "") {
			v = arg
		}
	case '+':
		// `:+` gives arg when set and non-empty, `+` when set; otherwise
		// the library returns the lookup's value as is.
		if set && (!colon || v != "") {
			v = arg
		}
	case '?':
		// `:?` requires set and non-empty, `?` set; failing is an error in
		// the library.
		if !set || (colon && v == "") {
			return 0, "", false
		}
	}
	return e + 1, v, true
}

func appendPart(parts []string, p string) []string {
	if p == "" {
		return parts
	}
	return append(parts, p)
}

func isNameStart(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// IsNameByte reports whether c may be in a variable's name (after its
// first byte).
func IsNameByte(c byte) bool {
	return isNameStart(c) || ('0' <= c && c <= '9')
}

// nameEnd returns the index of the first byte at or after j that can't be in
// a name.
func nameEnd(s string, j int) int {
	for j < len(s) && IsNameByte(s[j]) {
		j++
	}
	return j
}
