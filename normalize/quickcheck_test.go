package normalize

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/composure-dev/composure/internal/testenv"
)

// TestQuickCheck holds quickCheck to the validator, attribute by attribute
// of a service: every attribute of every sampled service (the corpus and a
// generated project), then that attribute with each value inside it (at any
// depth) replaced by values of every JSON type, numbers both as the
// validator's json.Number and as the int and float64 of composure's trees.
// Wherever quickCheck says valid or invalid, the validator must agree; it
// may only be unsure, which costs a validation and no correctness.
func TestQuickCheck(t *testing.T) {
	if _, err := composeSchema(); err != nil {
		t.Fatal(err)
	}
	samples := serviceSamples(t)
	// each attribute value once
	seen := map[string]bool{}
	type attrValue struct {
		attr string
		v    any
	}
	var values []attrValue
	for _, name := range sortedKeys(mapOfMaps(samples)) {
		for attr, v := range samples[name] {
			if _, ok := serviceProps[attr]; !ok {
				continue
			}
			js, _ := json.Marshal(v)
			if k := attr + "\x00" + string(js); !seen[k] {
				seen[k] = true
				values = append(values, attrValue{attr, v})
			}
		}
	}
	sort.SliceStable(values, func(i, j int) bool { return values[i].attr < values[j].attr })
	replacements := []any{"x", "", "80:80", "10s", "always", "1.5", json.Number("5"), json.Number("-1"),
		json.Number("1.5"), json.Number("2.0"), 5, -1, 0, 70000, 1.5, 2.0, math.MaxInt64, true, false, nil,
		[]any{}, []any{"a", "a"}, []any{"a", "b"}, []any{json.Number("1"), 1.0}, map[string]any{},
		map[string]any{"a": json.Number("1")}, map[string]any{"target": "/data", "type": "bind", "source": "."}}
	counts := map[verdict]int{}
	check := func(where, attr string, v any) {
		t.Helper()
		for i, s := range serviceProps[attr] {
			got := quickProps[attr][i].test(v)
			counts[got]++
			if got == unsure {
				continue
			}
			want := s.Validate(v) == nil
			if (got == valid) != want {
				js, _ := json.Marshal(v)
				t.Errorf("%s: quickCheck says %v, the validator valid=%v: %s", where, got, want, js)
			}
		}
	}
	for _, av := range values {
		check(av.attr, av.attr, av.v)
		check(av.attr+" (Go numbers)", av.attr, goNumbers(av.v))
		if testenv.RaceFactor > 1 {
			continue // the variants take a minute under the race detector, and run on one goroutine
		}
		replaceEach(av.v, replacements, func(path string, variant any) {
			check(av.attr+path, av.attr, variant)
		})
	}
	if counts[valid] == 0 || counts[invalid] == 0 {
		t.Fatalf("verdicts %v: the test proves nothing", counts)
	}
	t.Logf("%d attribute values; verdicts: %d valid, %d invalid, %d unsure", len(values), counts[valid], counts[invalid], counts[unsure])
}

func (v verdict) String() string { return [...]string{"valid", "invalid", "unsure"}[v] }

func mapOfMaps(m map[string]map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// goNumbers is v with json.Number values as a tree holds numbers: int when
// whole, else float64.
func goNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.Atoi(string(x)); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = goNumbers(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = goNumbers(e)
		}
		return s
	}
	return v
}

// replaceEach calls f with v where one value inside it (v itself, a
// mapping's value, a list's item, at any depth) is replaced by each of
// replacements; a mapping also gets an extra key.
func replaceEach(v any, replacements []any, f func(path string, variant any)) {
	var walk func(path string, cur any, rebuild func(any) any)
	walk = func(path string, cur any, rebuild func(any) any) {
		for _, r := range replacements {
			f(path+"="+fmt.Sprint(r), rebuild(r))
		}
		switch x := cur.(type) {
		case map[string]any:
			for _, k := range sortedKeys(x) {
				walk(path+"."+k, x[k], func(nv any) any {
					m := make(map[string]any, len(x))
					for kk, e := range x {
						m[kk] = e
					}
					m[k] = nv
					return rebuild(m)
				})
			}
			m := make(map[string]any, len(x)+1)
			for kk, e := range x {
				m[kk] = e
			}
			m["unknown_key"] = "x"
			f(path+"+unknown_key", rebuild(m))
		case []any:
			for i := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), x[i], func(nv any) any {
					s := append([]any(nil), x...)
					s[i] = nv
					return rebuild(s)
				})
			}
		}
	}
	walk("", v, func(nv any) any { return nv })
}

// TestMatcher holds the written-out key patterns to the regexps they stand
// for, on keys at the edges of each (empty, a newline, bytes that are not
// UTF-8, characters outside ASCII).
func TestMatcher(t *testing.T) {
	keys := []string{"", "x", "x-", "x-a", "X-a", "ax-", "\n", "a\n", "\na", "a\nb", "\n\n", "web", "web.1", "my_app-2",
		"a b", "é", "\xff", "a\xff", "abc", "ABC", "a1", "a.b", "-", "._-", "x-\n"}
	for _, pattern := range []string{"^x-", "^.+$", ".+", "^[a-zA-Z0-9._-]+$", "^[a-z]+$", "^[a-z]+[0-9]$"} {
		re := regexp.MustCompile(pattern)
		match := matcher(re)
		for _, k := range keys {
			if got, want := match(k), re.MatchString(k); got != want {
				t.Errorf("pattern %q, key %q: matcher says %v, the regexp %v", pattern, k, got, want)
			}
		}
	}
}

// TestQuickRoot holds the quick check of a whole project to the validator,
// as validateSchema uses it: on the outline (services emptied) of every
// sampled document, and on each with one value inside it replaced by
// values of every JSON type or a key added. Wherever the quick check says
// valid or invalid, the validator must agree.
func TestQuickRoot(t *testing.T) {
	sch, err := composeSchema()
	if err != nil {
		t.Fatal(err)
	}
	replacements := []any{"x", "", "80:80", json.Number("5"), json.Number("-1"), 1.5, true, nil,
		[]any{}, []any{"a", "a"}, []any{"a", "b"}, map[string]any{}, map[string]any{"a": json.Number("1")},
		map[string]any{"external": true}, map[string]any{"driver": "local", "name": "x"}}
	counts := map[verdict]int{}
	check := func(where string, v any) {
		t.Helper()
		got := quickRoot.test(v)
		counts[got]++
		if got == unsure {
			return
		}
		if want := sch.Validate(v) == nil; (got == valid) != want {
			js, _ := json.Marshal(v)
			t.Errorf("%s: quickCheck says %v, the validator valid=%v: %s", where, got, want, js)
		}
	}
	docs := documentSamples(t)
	for _, f := range sortedKeys(mapOfMaps(docs)) {
		doc := docs[f]
		if services, ok := doc["services"].(map[string]any); ok {
			doc = outline(doc, services)
		}
		check(f, doc)
		if testenv.RaceFactor > 1 {
			continue
		}
		replaceEach(doc, replacements, func(path string, variant any) {
			check(f+path, variant)
		})
	}
	if counts[valid] == 0 || counts[invalid] == 0 {
		t.Fatalf("verdicts %v: the test proves nothing", counts)
	}
	t.Logf("verdicts: %d valid, %d invalid, %d unsure", counts[valid], counts[invalid], counts[unsure])
}

// TestValidWithoutValidator: the quick checks alone pass a valid project,
// so that lint and config do not compile the validator for one (15-20 ms
// of CPU per run). Every file of the generated project must pass so; of
// the corpus's valid files, those that do not are logged.
func TestValidWithoutValidator(t *testing.T) {
	sch, err := composeSchema()
	if err != nil {
		t.Fatal(err)
	}
	docs := documentSamples(t)
	quick, valid := 0, 0
	for _, f := range sortedKeys(mapOfMaps(docs)) {
		if sch.Validate(docs[f]) != nil {
			continue
		}
		valid++
		if (&normalizer{}).quickValid(docs[f]) {
			quick++
			continue
		}
		if strings.Contains(f, "corpus") {
			t.Logf("%s: needs the validator", f)
		} else {
			t.Errorf("%s: valid, but the quick checks send it to the validator", f)
		}
	}
	if valid == 0 {
		t.Fatal("no valid document: the test proves nothing")
	}
	t.Logf("%d of %d valid documents pass the quick checks alone", quick, valid)
}
