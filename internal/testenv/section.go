package testenv

import (
	"os"
	"strings"
	"testing"
)

// Section holds a generated section of a document to want: the lines
// between `<!-- begin NAME -->` and `<!-- end NAME -->` in the file at path
// must be want, or the test fails naming the command that rewrites them
// (the test's own, with -update); with update set, Section writes want
// there instead. A file without the markers fails the test.
func Section(t testing.TB, path, name, want string, update bool, rerun string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	begin, end := "<!-- begin "+name+" -->\n", "<!-- end "+name+" -->\n"
	i := strings.Index(text, begin)
	j := strings.Index(text, end)
	if i < 0 || j < i+len(begin) {
		t.Errorf("%s: no %q and %q lines around the generated %s", path, strings.TrimSpace(begin), strings.TrimSpace(end), name)
		return
	}
	got := text[i+len(begin) : j]
	if got == want {
		return
	}
	if update {
		if err := os.WriteFile(path, []byte(text[:i+len(begin)]+want+text[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s: the %s section is stale (%s -update):\n--- in the file\n%s--- generated\n%s", path, name, rerun, got, want)
}
