package model

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// The yardstick of every test here is compose-go's own binding,
// loader.ModelToProject, with its post-steps switched off (consistency
// checks, environment and label resolution) but one: it always applies
// profiles, through Project.WithProfiles, which deep-copies the project,
// moves services and jobs without an active profile to DisabledServices and
// DisabledJobs and records the profiles. Both sides are compared after
// WithProfiles([]string{"*"}): "*" enables every service, so nothing moves
// and the comparison covers every service and job; and sameAfterProfiles
// checks that WithProfiles changes nothing else in Decode's own result, so
// equality after it is equality before it.

var allProfiles = []string{"*"}

// reference decodes dict with compose-go; a panic in it (it has some on
// values the schema refuses) is returned as an error.
func reference(dict map[string]any, name, workingDir string, env types.Mapping) (p *types.Project, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("compose-go panics: %v", r)
		}
	}()
	opts := &loader.Options{
		SkipConsistencyCheck:   true,
		SkipResolveEnvironment: true,
		SkipResolveLabels:      true,
		Profiles:               allProfiles,
	}
	opts.SetProjectName(name, true)
	return loader.ModelToProject(dict, opts, types.ConfigDetails{WorkingDir: workingDir, Environment: env})
}

// outcome is what one side made of a model.
type outcome struct {
	raw  *types.Project // Decode's own result (nil for the reference)
	p    *types.Project // after WithProfiles("*")
	err  error
	json []byte
	jerr error

	wrote bool // Decode changed the model it read
}

// decodeBoth decodes a deep copy of dict each way.
func decodeBoth(dict map[string]any, name, wd string, env types.Mapping) (got, want outcome) {
	in := deepCopy(dict).(map[string]any)
	got.raw, got.err = Decode(in, name, wd, env)
	got.wrote = !reflect.DeepEqual(in, dict)
	if got.err == nil {
		got.p, got.err = got.raw.WithProfiles(allProfiles)
		if got.err == nil {
			got.json, got.jerr = got.p.MarshalJSON()
		}
	}
	want.p, want.err = reference(deepCopy(dict).(map[string]any), name, wd, env)
	if want.err == nil {
		sortSSH(want.p)
		want.json, want.jerr = want.p.MarshalJSON()
	}
	return got, want
}

// compare requires Decode and compose-go to agree on dict: both fail, or
// both succeed with DeepEqual projects and the same JSON. It returns
// Decode's outcome.
func compare(t testing.TB, what string, dict map[string]any) outcome {
	t.Helper()
	env := types.Mapping{"PWD": "/project", "HOME": "/home"}
	got, want := decodeBoth(dict, "project", "/project", env)
	checkSame(t, what, got, want)
	return got
}

// checkSame requires two outcomes to agree.
func checkSame(t testing.TB, what string, got, want outcome) {
	t.Helper()
	if got.wrote {
		t.Errorf("%s: Decode wrote into the model", what)
	}
	switch {
	case got.err != nil && want.err != nil:
		if msg := sameMessages(got.err, want.err); msg != "" {
			t.Errorf("%s: %s", what, msg)
		}
		return
	case got.err != nil:
		t.Errorf("%s: Decode fails, compose-go does not: %v", what, got.err)
		return
	case want.err != nil:
		t.Errorf("%s: compose-go fails, Decode does not: %v", what, want.err)
		return
	}
	if msg := sameAfterProfiles(got.raw, got.p); msg != "" {
		t.Errorf("%s: WithProfiles(*) changes Decode's project: %s", what, msg)
	}
	if fmt.Sprint(got.jerr) != fmt.Sprint(want.jerr) {
		t.Errorf("%s: MarshalJSON: Decode's %v, compose-go's %v", what, got.jerr, want.jerr)
	}
	if !bytes.Equal(got.json, want.json) {
		t.Errorf("%s: JSON differs:\n%s", what, firstDiff(string(want.json), string(got.json)))
	} else if !reflect.DeepEqual(got.p, want.p) {
		t.Errorf("%s: projects differ but print the same JSON:\n%s", what, deepDiff("project", reflect.ValueOf(want.p), reflect.ValueOf(got.p)))
	}
}

// sameMessages compares the lines of two decoding failures, in any order
// (compose-go's follows map iteration). compose-go's panics have no lines
// to compare; nor have its other failures (project post-steps).
func sameMessages(got, want error) string {
	const header = "decoding failed due to the following error(s):\n\n"
	w, ok := strings.CutPrefix(want.Error(), header)
	if !ok {
		return ""
	}
	g, ok := strings.CutPrefix(got.Error(), header)
	if !ok {
		return "Decode's error lacks docker compose's header: " + got.Error()
	}
	gl, wl := strings.Split(g, "\n"), strings.Split(w, "\n")
	slices.Sort(gl)
	slices.Sort(wl)
	if slices.Equal(gl, wl) {
		return ""
	}
	return fmt.Sprintf("errors differ:\n%s", firstDiff(strings.Join(wl, "\n"), strings.Join(gl, "\n")))
}

// sortSSH sorts the ssh keys of every build by ID: compose-go lists them
// in map order (types.SSHConfig.DecodeMapstructure), Decode sorts them.
// This is the one place where compose-go's result is not deterministic
// and DeepEqual would compare one of its draws.
func sortSSH(p *types.Project) {
	for _, s := range p.Services {
		if s.Build != nil {
			slices.SortStableFunc(s.Build.SSH, func(a, b types.SSHKey) int { return strings.Compare(a.ID, b.ID) })
		}
	}
	for _, j := range p.Jobs {
		if j.Build != nil {
			slices.SortStableFunc(j.Build.SSH, func(a, b types.SSHKey) int { return strings.Compare(a.ID, b.ID) })
		}
	}
}

// sameAfterProfiles returns what WithProfiles("*") changed in raw, besides
// what it always sets: Profiles, empty DisabledServices (and DisabledJobs
// when there are jobs), a non-nil Services.
func sameAfterProfiles(raw, after *types.Project) string {
	if raw.DisabledServices != nil || raw.DisabledJobs != nil || raw.Profiles != nil {
		// A model with a top-level "-" key fills these (mapstructure
		// reads `yaml:"-"` as the key "-"); WithProfiles merges them.
		return ""
	}
	a := *after
	a.Profiles, a.DisabledServices, a.DisabledJobs = nil, nil, nil
	if raw.Services == nil && len(a.Services) == 0 {
		a.Services = nil
	}
	if raw.Jobs == nil && len(a.Jobs) == 0 {
		a.Jobs = nil
	}
	if reflect.DeepEqual(raw, &a) {
		return ""
	}
	return deepDiff("project", reflect.ValueOf(raw), reflect.ValueOf(&a))
}

// deepCopy copies a model, so that each side gets its own (compose-go
// writes into it).
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if x == nil {
			return x
		}
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		if x == nil {
			return x
		}
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = deepCopy(e)
		}
		return l
	}
	return v
}

// firstDiff shows the first line where two texts differ.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) && i < len(gl); i++ {
		if wl[i] != gl[i] {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, clip(wl[i]), clip(gl[i]))
		}
	}
	return fmt.Sprintf("%d lines against %d", len(wl), len(gl))
}

func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

// deepDiff names the first place where two values are not DeepEqual.
func deepDiff(path string, a, b reflect.Value) string {
	if a.IsValid() != b.IsValid() {
		return fmt.Sprintf("%s: %v against %v", path, a, b)
	}
	if !a.IsValid() {
		return ""
	}
	if a.Type() != b.Type() {
		return fmt.Sprintf("%s: type %s against %s", path, a.Type(), b.Type())
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: nil %v against %v", path, a.IsNil(), b.IsNil())
		}
		if a.IsNil() {
			return ""
		}
		return deepDiff(path, a.Elem(), b.Elem())
	case reflect.Struct:
		for i := range a.NumField() {
			if d := deepDiff(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Slice, reflect.Map:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: nil %v against %v (len %d, %d)", path, a.IsNil(), b.IsNil(), a.Len(), b.Len())
		}
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: len %d against %d", path, a.Len(), b.Len())
		}
		if a.Kind() == reflect.Slice {
			for i := range a.Len() {
				if d := deepDiff(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i)); d != "" {
					return d
				}
			}
			return ""
		}
		for _, k := range a.MapKeys() {
			bv := b.MapIndex(k)
			if !bv.IsValid() {
				return fmt.Sprintf("%s: key %v missing", path, k)
			}
			if d := deepDiff(fmt.Sprintf("%s[%v]", path, k), a.MapIndex(k), bv); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(a.Interface(), b.Interface()) {
		return fmt.Sprintf("%s: %#v against %#v", path, a.Interface(), b.Interface())
	}
	return ""
}
