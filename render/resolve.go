package render

import (
	"strconv"
	"strings"
	"time"
)

// A string is quoted when, written plain, a YAML reader would take it for
// something else: go.yaml.in/yaml/v4 checks its own resolver (YAML 1.2 core
// types plus timestamps and the merge key) and, for the sake of YAML 1.1
// readers, a few more spellings.

// implicit lists the texts that resolve to a non-string by name.
var implicit = map[string]bool{
	"": true, "~": true, "null": true, "Null": true, "NULL": true,
	"true": true, "True": true, "TRUE": true, "false": true, "False": true, "FALSE": true,
	".nan": true, ".NaN": true, ".NAN": true,
	".inf": true, ".Inf": true, ".INF": true,
	"+.inf": true, "+.Inf": true, "+.INF": true,
	"-.inf": true, "-.Inf": true, "-.INF": true,
	"-0": true, "-0.0": true,
	"<<": true,
}

// maxImplicit is the length of the longest text of implicit.
const maxImplicit = len("false")

// timestampLayouts are the timestamp spellings the library's resolver
// accepts.
var timestampLayouts = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

// isTimestamp reports whether s reads as a timestamp: four digits, a dash,
// then one of timestampLayouts.
func isTimestamp(s string) bool {
	if len(s) < 5 || s[4] != '-' {
		return false
	}
	for i := range 4 {
		if !isDigit(s[i]) {
			return false
		}
	}
	for _, layout := range timestampLayouts {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// digits returns the index after the run of ASCII digits (and underscores
// when underscore) starting at i.
func digits(s string, i int, underscore bool) int {
	for i < len(s) && (isDigit(s[i]) || underscore && s[i] == '_') {
		i++
	}
	return i
}

// isDecimalFloat reports whether s is a decimal number in the form the
// resolver tries as a float: an optional sign, digits with an optional
// fraction (or a fraction alone), an optional exponent.
func isDecimalFloat(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if i < len(s) && s[i] == '.' {
		j := digits(s, i+1, false)
		if j == i+1 {
			return false
		}
		i = j
	} else {
		j := digits(s, i, false)
		if j == i {
			return false
		}
		i = j
		if i < len(s) && s[i] == '.' {
			i = digits(s, i+1, false)
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(s, i, false)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(s)
}

// isNumber reports whether s, starting with a digit or a sign, resolves to
// an int or a float: Go integer syntax (any base prefix) once underscores
// are dropped, in the int64 or uint64 range, or a decimal float in the
// float64 range.
func isNumber(s string) bool {
	n := strings.ReplaceAll(s, "_", "")
	if maybeInteger(n) {
		if _, err := strconv.ParseInt(n, 0, 64); err == nil {
			return true
		}
		if _, err := strconv.ParseUint(strings.TrimPrefix(n, "+"), 0, 64); err == nil {
			return true
		}
	}
	if isDecimalFloat(n) {
		_, err := strconv.ParseFloat(n, 64)
		return err == nil
	}
	return false
}

// maybeInteger reports whether s holds only characters of Go integer
// syntax (digits, hex digits, base prefixes, signs): anything else cannot
// parse, and the parse error would cost an allocation.
func maybeInteger(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c), c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		case c == 'x', c == 'X', c == 'o', c == 'O', c == '+', c == '-':
		default:
			return false
		}
	}
	return true
}

// resolvesAway reports whether s, written plain, would not read back as a
// string.
func resolvesAway(s string) bool {
	if s == "" {
		return true
	}
	switch c := s[0]; c {
	case 'y', 'Y', 'n', 'N', 't', 'T', 'f', 'F', 'o', 'O', '~', '<':
		return len(s) <= maxImplicit && implicit[s]
	case '.':
		if len(s) <= maxImplicit && implicit[s] {
			return true
		}
		_, err := strconv.ParseFloat(s, 64)
		return err == nil
	case '+', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return len(s) <= maxImplicit && implicit[s] || isTimestamp(s) || isNumber(s)
	}
	return false
}

// yaml11Bools are the booleans of YAML 1.1 that YAML 1.2 reads as strings.
var yaml11Bools = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true,
	"n": true, "N": true, "no": true, "No": true, "NO": true,
	"on": true, "On": true, "ON": true, "off": true, "Off": true, "OFF": true,
}

// isSexagesimal reports the base 60 numbers of YAML 1.1 ("1:20", "-3:25:45.5"):
// a sign, a digit, digits or underscores, one or more ":" groups of one
// digit or two whose first is 0-5, an optional fraction of digits and
// underscores.
func isSexagesimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if i >= len(s) || !isDigit(s[i]) {
		return false
	}
	i = digits(s, i+1, true)
	groups := 0
	for i < len(s) && s[i] == ':' {
		i++
		switch {
		case i+1 < len(s) && s[i] >= '0' && s[i] <= '5' && isDigit(s[i+1]):
			i += 2
		case i < len(s) && isDigit(s[i]):
			i++
		default:
			return false
		}
		groups++
	}
	if groups == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i = digits(s, i+1, true)
	}
	return i == len(s)
}

// quotedForYAML11 reports strings the library quotes although YAML 1.2
// reads them as strings, so that YAML 1.1 readers do too: the old booleans
// (yes, on, n...), base 60 numbers and the merge key.
func quotedForYAML11(s string) bool {
	if len(s) == 0 {
		return false
	}
	switch c := s[0]; {
	case c == '<':
		return s == "<<"
	case c == '+' || c == '-' || isDigit(c):
		return strings.IndexByte(s, ':') >= 0 && isSexagesimal(s)
	}
	return len(s) <= len("yes") && yaml11Bools[s]
}
