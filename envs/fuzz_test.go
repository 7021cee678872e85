package envs

import (
	"bytes"
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
		c := differentialCase{name: "fuzz", dir: dir, files: []string{b, o}}
		done := make(chan struct{})
		var ours, ref []byte
		var oerr, rerr error
		go func() {
			defer close(done)
			ours, oerr = loadOurs(c)
			ref, rerr = loadReference(c)
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
	})
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
