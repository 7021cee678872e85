package envs

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/composure-dev/composure/internal/testenv"
)

// FuzzDifferential loads a base file and an override, written by the
// fuzzer, with composure's engine and with compose-go's loader as docker
// compose config runs it: both refuse, or both give the same project
// (MarshalJSON bytes). Seeds: testdata/load and the corpus's small files.
func FuzzDifferential(f *testing.F) {
	seeds := differentialSeeds()
	for i, s := range seeds {
		f.Add(s, seeds[(i*7+3)%len(seeds)])
	}
	f.Fuzz(func(t *testing.T, base, override []byte) {
		if len(base)+len(override) > 16<<10 || bytes.Contains(base, []byte("include")) || bytes.Contains(override, []byte("include")) {
			// include and extends read other files: outside what a pair of
			// fuzzed files can say
			t.Skip()
		}
		if bytes.Contains(base, []byte("extends")) || bytes.Contains(override, []byte("extends")) {
			t.Skip()
		}
		dir := t.TempDir()
		b, o := filepath.Join(dir, "compose.yaml"), filepath.Join(dir, "compose.override.yaml")
		if err := os.WriteFile(b, base, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(o, override, 0o644); err != nil {
			t.Fatal(err)
		}
		compareLoads(t, differentialCase{name: "fuzz", dir: dir, files: []string{b, o}})
	})
}

// FuzzDifferentialInclude is FuzzDifferential through include: the base
// file, written by the fuzzer after an `include:` of a second file in a
// subdirectory, also written by the fuzzer. The included project is loaded
// on its own (schema checked, canonical forms, paths against its
// directory) before its resources join the base.
func FuzzDifferentialInclude(f *testing.F) {
	seeds := differentialSeeds()
	for i, s := range seeds {
		f.Add(s, seeds[(i*5+1)%len(seeds)])
	}
	f.Fuzz(func(t *testing.T, base, included []byte) {
		if len(base)+len(included) > 16<<10 || bytes.Contains(base, []byte("include")) || bytes.Contains(included, []byte("include")) ||
			bytes.Contains(base, []byte("extends")) || bytes.Contains(included, []byte("extends")) {
			t.Skip()
		}
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, "inc"), 0o755); err != nil {
			t.Fatal(err)
		}
		b := filepath.Join(dir, "compose.yaml")
		src := append([]byte("include:\n  - inc/compose.yaml\n"), base...)
		if err := os.WriteFile(b, src, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "inc", "compose.yaml"), included, 0o644); err != nil {
			t.Fatal(err)
		}
		compareLoads(t, differentialCase{name: "fuzz", dir: dir, files: []string{b}})
	})
}

// compareLoads loads c with composure's engine and with compose-go's
// loader: both refuse, or both give the same project.
func compareLoads(t *testing.T, c differentialCase) {
	done := make(chan struct{})
	var ours, ref []byte
	var oerr, rerr error
	go func() {
		defer close(done)
		ours, oerr = loadOurs(c)
		ref, rerr = loadReferenceRecovered(c)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Skip("compose-go took too long (alias expansion): not a difference")
	}
	switch {
	case oerr != nil && rerr != nil:
	case oerr != nil:
		if isComposureLimit(oerr) {
			return // a guard of composure's own (file size, alias bombs)
		}
		t.Fatalf("composure refuses what compose-go loads: %v", oerr)
	case rerr != nil:
		t.Fatalf("composure loads what compose-go refuses: %v", rerr)
	case !bytes.Equal(ours, ref):
		t.Fatalf("projects differ:\n%s", firstLineDiff(ours, ref))
	}
}

// loadReferenceRecovered is loadReference, with a panic of compose-go's
// an error: docker compose crashes on such a project (compose-go v2.16.2
// asserts that the including file's services are a mapping before its
// schema is checked: `services: 5432` beside an include), which refuses
// it as surely. composure must refuse it too, with an error at its place.
func loadReferenceRecovered(c differentialCase) (ref []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			ref, err = nil, fmt.Errorf("compose-go panics: %v", r)
		}
	}()
	return loadReference(c)
}

// differentialSeeds are the small files of testdata/load and of the
// corpus.
func differentialSeeds() [][]byte {
	var seeds [][]byte
	add := func(path string) {
		b, err := os.ReadFile(path)
		if err == nil && len(b) < 8<<10 {
			seeds = append(seeds, b)
		}
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "load", "*", "*.yaml"))
	for _, p := range files {
		add(p)
	}
	if shared, ok := testenv.Shared(); ok {
		more, _ := filepath.Glob(filepath.Join(shared, "corpus", "*", "*compose*.y*ml"))
		for _, p := range more {
			add(p)
		}
	}
	return seeds
}

// isComposureLimit reports an error from one of composure's own guards,
// which compose-go does not have.
func isComposureLimit(err error) bool {
	return bytesContainsAny(err.Error(), "aliases expand to more than", "aliases nest deeper", "larger than the")
}

func bytesContainsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
