package merge

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/composure-dev/composure/internal/testenv"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/override"
	"github.com/compose-spec/compose-go/v2/transform"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/normalize"
)

// environment is one file set to compare.
type environment struct {
	name        string // project/env
	dir         string
	files       []string // relative to dir
	interpolate bool     // with the project's .env, on both sides
}

func corpusEnvironments(t *testing.T) []environment {
	shared := testenv.SharedDir(t)
	f, err := os.Open(filepath.Join(shared, "oracle", "index.tsv"))
	if err != nil {
		t.Skipf("no oracle index: %v", err)
	}
	defer f.Close()
	var envs []environment
	sc := bufio.NewScanner(f)
	for first := true; sc.Scan(); first = false {
		cols := strings.Split(sc.Text(), "\t")
		if first || len(cols) < 3 {
			continue
		}
		dir := filepath.Join(shared, "corpus", cols[0])
		var files []string
		if cols[2] == "(docker compose default)" {
			files = defaultFiles(dir)
		} else {
			files = strings.Split(cols[2], ",")
		}
		envs = append(envs, environment{name: cols[0] + "/" + cols[1], dir: dir, files: files})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return envs
}

// testdataEnvironments lists testdata/<case>/ directories: each is one
// environment of its files in name order (base first: 1-*.yaml, 2-*.yaml).
func testdataEnvironments(t *testing.T) []environment {
	entries, err := os.ReadDir(filepath.Join("testdata", "diff"))
	if err != nil {
		t.Fatal(err)
	}
	var envs []environment
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join("testdata", "diff", e.Name())
		files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		var rel []string
		for _, f := range files {
			rel = append(rel, filepath.Base(f))
		}
		sort.Strings(rel)
		envs = append(envs, environment{name: "testdata/" + e.Name(), dir: dir, files: rel})
	}
	return envs
}

// dotEnv is the project's .env, the variables both sides interpolate with.
func dotEnv(env environment) (types.Mapping, error) {
	f := filepath.Join(env.dir, ".env")
	if !fileExists(f) {
		return types.Mapping{}, nil
	}
	return dotenv.GetEnvFromFile(types.Mapping{}, []string{f})
}

// composeGoModel is compose-go's merged model for the files, with every
// step that is not merging switched off (interpolation too, unless
// env.interpolate).
func composeGoModel(env environment) (map[string]any, error) {
	abs, err := filepath.Abs(env.dir)
	if err != nil {
		return nil, err
	}
	var cfs []types.ConfigFile
	for _, f := range env.files {
		cfs = append(cfs, types.ConfigFile{Filename: filepath.Join(abs, f)})
	}
	vars := types.Mapping{}
	if env.interpolate {
		if vars, err = dotEnv(env); err != nil {
			return nil, err
		}
	}
	return loader.LoadModelWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  abs,
		ConfigFiles: cfs,
		Environment: vars,
	}, func(o *loader.Options) {
		o.SetProjectName("differential", true)
		o.SkipValidation = true
		o.SkipInterpolation = !env.interpolate
		o.SkipNormalization = true
		o.SkipDefaultValues = true
		o.SkipConsistencyCheck = true
		o.ResolvePaths = false
		// merge bounds alias expansion by file size instead.
		o.MaxNodeVisits = 1 << 30
	})
}

// mergeModel is merge's tree brought to compose-go's final form: the
// canonical transforms and the last EnforceUnicity of loadYamlFile, and
// loadYamlModel's environment resolution.
func mergeModel(env environment) (*Result, map[string]any, error) {
	var docs []*compose.Document
	for _, f := range env.files {
		d, err := compose.ReadFile(filepath.Join(env.dir, f), f)
		if err != nil {
			return nil, nil, err
		}
		docs = append(docs, d)
	}
	// compose-go loads included and extended files through its whole
	// pipeline; normalize does that part for merge.
	opts := []Option{WithIncluded(normalize.Included(nil)), WithExtended(normalize.Extended(nil))}
	vars := types.Mapping{}
	if env.interpolate {
		var err error
		if vars, err = dotEnv(env); err != nil {
			return nil, nil, err
		}
		// compose-go adds the project name to the environment.
		vars["COMPOSE_PROJECT_NAME"] = "differential"
		opts = append(opts, WithInterpolation(vars.Resolve))
	}
	r, err := Merge(docs, opts...)
	if err != nil {
		return nil, nil, err
	}
	m, err := canonical(r.Tree(), !env.interpolate, vars)
	return r, m, err
}

func canonical(tree map[string]any, ignoreParseError bool, vars types.Mapping) (map[string]any, error) {
	m, err := transform.Canonical(deepCopy(tree).(map[string]any), ignoreParseError)
	if err != nil {
		return nil, err
	}
	m = loader.OmitEmpty(m)
	m, err = override.EnforceUnicity(m)
	if err != nil {
		return nil, err
	}
	loader.ResolveEnvironment(m, vars)
	return m, nil
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		c := make(map[string]any, len(v))
		for k, e := range v {
			c[k] = deepCopy(e)
		}
		return c
	case []any:
		c := make([]any, len(v))
		for i, e := range v {
			c[i] = deepCopy(e)
		}
		return c
	}
	return v
}

// firstDifference names the first path where a and b differ.
func firstDifference(path string, a, b any) string {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: merge %T, compose-go %T", path, a, b)
		}
		keys := map[string]bool{}
		for k := range av {
			keys[k] = true
		}
		for k := range bv {
			keys[k] = true
		}
		var sorted []string
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			ae, aok := av[k]
			be, bok := bv[k]
			p := strings.TrimPrefix(path+"."+k, ".")
			switch {
			case !aok:
				return fmt.Sprintf("%s: only compose-go has it", p)
			case !bok:
				return fmt.Sprintf("%s: only merge has it", p)
			}
			if d := firstDifference(p, ae, be); d != "" {
				return d
			}
		}
		return ""
	case []any:
		bv, ok := b.([]any)
		if !ok {
			return fmt.Sprintf("%s: merge %T, compose-go %T", path, a, b)
		}
		for i := 0; i < len(av) && i < len(bv); i++ {
			if d := firstDifference(fmt.Sprintf("%s.%d", path, i), av[i], bv[i]); d != "" {
				return d
			}
		}
		if len(av) != len(bv) {
			return fmt.Sprintf("%s: merge has %d items, compose-go %d", path, len(av), len(bv))
		}
		return ""
	}
	if !reflect.DeepEqual(a, b) {
		return fmt.Sprintf("%s: merge %#v, compose-go %#v", path, a, b)
	}
	return ""
}

const knownFile = "testdata/differences.txt"

// TestDifferential compares merge with compose-go on every environment of the
// shared corpus and of testdata/diff. Every environment where they disagree
// must be listed, with its reason, in testdata/differences.txt; an
// environment that starts or stops disagreeing fails the test (-update
// rewrites the file's list, keeping the reasons).
func TestDifferential(t *testing.T) {
	envs := append(testdataEnvironments(t), corpusEnvironments(t)...)
	// Each environment once raw and once interpolated.
	for _, e := range envs[:len(envs):len(envs)] {
		e.interpolate = true
		e.name += " (interpolated)"
		envs = append(envs, e)
	}
	known := readKnown(t)
	shared, _ := filepath.Abs(testenv.SharedDir(t))
	pkg, _ := os.Getwd()
	type counts struct{ n, equal, different, bothErr, onlyMerge, onlyComposeGo int }
	var tallies [2]counts // raw, interpolated
	got := map[string]string{}
	for _, env := range envs {
		tally := &tallies[0]
		if env.interpolate {
			tally = &tallies[1]
		}
		tally.n++
		want, werr := composeGoModel(env)
		_, have, herr := mergeModel(env)
		var outcome string
		switch {
		case werr != nil && herr != nil:
			tally.bothErr++
		case werr != nil:
			tally.onlyComposeGo++
			outcome = "compose-go fails: " + firstLine(werr.Error(), shared, pkg)
		case herr != nil:
			tally.onlyMerge++
			outcome = "merge fails: " + firstLine(herr.Error(), shared, pkg)
		case reflect.DeepEqual(jsonValue(t, have), jsonValue(t, want)):
			tally.equal++
		default:
			tally.different++
			outcome = "differs at " + firstDifference("", jsonValue(t, have), jsonValue(t, want))
		}
		if outcome != "" {
			got[env.name] = outcome
		}
	}
	for i, mode := range []string{"raw", "interpolated"} {
		c := tallies[i]
		t.Logf("differential, %s: %d environments: %d equal, %d different, %d both fail, %d only merge fails, %d only compose-go fails",
			mode, c.n, c.equal, c.different, c.bothErr, c.onlyMerge, c.onlyComposeGo)
	}
	if *update {
		writeKnown(t, got, known)
		return
	}
	for _, name := range sortedMapKeys(got) {
		k, ok := known[name]
		switch {
		case !ok:
			t.Errorf("%s: %s (not in %s)", name, got[name], knownFile)
		case k.outcome != got[name]:
			t.Errorf("%s: now %s; %s records %s", name, got[name], knownFile, k.outcome)
		}
	}
	for _, name := range sortedMapKeys(known) {
		if _, ok := got[name]; !ok {
			t.Errorf("%s: agrees with compose-go now; remove it from %s", name, knownFile)
		}
	}
}

// firstLine keeps the first line of an error message, with the machine's
// absolute directories written as ${SHARED} and ${PKG}.
func firstLine(s string, shared, pkg string) string {
	s, _, _ = strings.Cut(s, "\n")
	s = strings.ReplaceAll(s, shared, "${SHARED}")
	return strings.ReplaceAll(s, pkg, "${PKG}")
}

type knownDiff struct{ outcome, reason string }

// readKnown reads differences.txt: blocks of
//
//	<environment>
//	  outcome: <what the test sees>
//	  reason: <why it is acceptable>
func readKnown(t *testing.T) map[string]knownDiff {
	data, err := os.ReadFile(knownFile)
	if err != nil {
		if os.IsNotExist(err) {
			return map[string]knownDiff{}
		}
		t.Fatal(err)
	}
	known := map[string]knownDiff{}
	var cur string
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "":
		case !strings.HasPrefix(line, " "):
			cur = line
			known[cur] = knownDiff{}
		case strings.HasPrefix(strings.TrimSpace(line), "outcome: "):
			k := known[cur]
			k.outcome = strings.TrimPrefix(strings.TrimSpace(line), "outcome: ")
			known[cur] = k
		case strings.HasPrefix(strings.TrimSpace(line), "reason: "):
			k := known[cur]
			k.reason = strings.TrimPrefix(strings.TrimSpace(line), "reason: ")
			known[cur] = k
		}
	}
	for name, k := range known {
		if k.reason == "" || k.reason == "TODO" {
			t.Errorf("%s: %s gives no reason", name, knownFile)
		}
	}
	return known
}

func writeKnown(t *testing.T, got map[string]string, known map[string]knownDiff) {
	var b strings.Builder
	b.WriteString("# Environments where merge (canonicalized) and compose-go's LoadModelWithContext\n")
	b.WriteString("# disagree, and why. Both sides skip interpolation, validation, normalization and\n")
	b.WriteString("# default values and resolve no paths; extends and include are on. Checked by\n")
	b.WriteString("# TestDifferential; `go test ./merge -run Differential -update` rewrites the\n")
	b.WriteString("# outcomes and keeps the reasons.\n")
	for _, name := range sortedMapKeys(got) {
		reason := known[name].reason
		if reason == "" {
			reason = "TODO"
		}
		fmt.Fprintf(&b, "\n%s\n  outcome: %s\n  reason: %s\n", name, got[name], reason)
	}
	if err := os.WriteFile(knownFile, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func sortedMapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// jsonValue is v through JSON: compose-go's model holds values of its own
// types where a canonical form came from its structs (types.OptOut for a
// bind's create_host_path), merge's plain ones; JSON compares what they say.
func jsonValue(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
