// Package render prints Go values as YAML exactly as go.yaml.in/yaml/v4
// v4.0.0 does through yaml.NewEncoder with SetIndent(2): the encoder behind
// compose-go's Project.MarshalYAML, and so behind `docker compose config`.
// YAML(p) returns the bytes p.MarshalYAML() returns, an order of magnitude
// faster: the library builds a node tree, then an event stream, then runs
// libyaml's emitter over it; render walks the value once, with a plan per
// Go type worked out on first use, and writes into one buffer.
//
// The tests hold it to the library (values, fuzzing, generated projects)
// and to docker compose's recorded output for the corpus.
//
// # What the library does, and render with it
//
// Quoting. A string that a YAML 1.2 reader would take for another type is
// double-quoted: "true", "~", "", "1e3", "0x1F", "1_000", ".inf", "-0",
// "2001-12-14", "<<". So are the YAML 1.1 spellings that YAML 1.2 reads as
// strings, for YAML 1.1 readers: y, n, yes, no, on, off in three cases, and
// base 60 numbers ("1:20", but not "12:60", which is not one). Map keys
// too: a service named n prints as "n":. A string that cannot be plain for
// its syntax ("- a", "a: b", "#x", " a", "a ", "---x", "@x") is
// single-quoted instead, and double-quoted when it holds a tab or a
// character the library does not print as is: control characters, DEL,
// U+FEFF, and everything outside the Basic Multilingual Plane, so an emoji
// comes out as "\U0001F600". A string that starts with a byte-order mark
// has every character escaped ("\uFEFF\x61\x62"): the library tests for the
// mark at the start of the string instead of at each character.
//
// Line separators. U+2028 and U+2029 are line breaks that the library
// prints as is: a string holding one is single-quoted, the separator copied
// raw and the next character moved to the indentation.
//
// Multi-line strings are | blocks: |- without a final line break, | with
// one, |+ with more, and an indentation indicator (|2) when the first line
// with content starts with a space or tab. A multi-line string that is all
// white space, or that holds a character not printed as is (CR in "\r\n"),
// is double-quoted; so is one written inside a flow collection or after a
// ,flow request (below).
//
// Folding. A long scalar (plain, single- or double-quoted) is broken at a
// single space once the line is already past column 80, so lines may run
// past it; runs of spaces are never broken, a double-quoted line that would
// start with a space gets a "\" first, and continuation lines are indented
// two columns under their node. Keys never fold.
//
// Keys. A key longer than 128 bytes, or spanning lines, is written as
// "? key" with ": value" on the next line; a mapping or sequence under such
// a key starts on that ": " line. Keys are sorted in natural order: numbers
// and booleans by value first, then strings rune by rune, where runs of
// digits compare as numbers ("svc2" before "svc10"), a letter sorts after a
// non-letter ("a-" before "ab") unless the common prefix ends with a digit
// ("1a" before "1-"). That order is not always an order: keys that differ
// only in invalid UTF-8 bytes tie, and runs of more than 18 digits overflow
// the int64 the library reads them into, so that three keys can compare in
// a cycle. Its output then varies from run to run with Go's map order;
// render's is the same on every run (ties broken by the keys' bytes, the
// sort started from the keys in byte order).
//
// Collections. Empty ones are {} and []; a nil slice is [] (compose-go's
// ShellCommand makes its nil null itself). An embedded struct without
// ,inline is a nested mapping under its lower-cased type name. An ,inline
// map inside an inlined struct is left out, and so are the fields of an
// inlined struct that has an UnmarshalYAML(*yaml.Node) method.
//
// Flow requests. A ,flow field asks for flow style for its value; when the
// value is a scalar, the request stays pending and applies to the next
// collection written, wherever it is: for []struct{X int `yaml:"x,flow"`}
// the first element is a block mapping and the second {x: 2}.
//
// Other scalars. Invalid UTF-8 is written as !!binary base64, in a | block
// of 70-character lines when longer than 69 characters. Floats are the
// shortest text at their precision (1e+21, 1e-07, 1.23456789e+08, -0,
// .inf, .nan). A time.Time is RFC 3339 with nanoseconds, tagged !!timestamp
// when its year is not four digits; the library panics on a *time.Time held
// in an interface, which render writes as the time.
//
// The document has no --- nor ... marker and ends with a line break, unless
// its last value is a block whose text already ends with one.
package render
