package normalize

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/compose-spec/compose-go/v2/paths"
	"github.com/compose-spec/compose-go/v2/utils"

	"github.com/composure-dev/composure/compose"
)

// TestIsWindowsAbs holds isWindowsAbs to compose-go's paths.IsWindowsAbs.
func TestIsWindowsAbs(t *testing.T) {
	for _, p := range []string{"", "C:", `C:\`, `c:/x`, `C:x`, `\\`, `\\server\share`, `//x/y`, `\\.\pipe\x`,
		`\??`, `\??\`, `\??\C:`, `\??\C:\x`, `\x`, `/x`, "x", "./x", "~/x", `\?`, "é:/x", `\/`} {
		if got, want := isWindowsAbs(p), paths.IsWindowsAbs(p); got != want {
			t.Errorf("%q: %v, compose-go %v", p, got, want)
		}
	}
}

func FuzzIsWindowsAbs(f *testing.F) {
	f.Add(`\??\C:\x`)
	f.Fuzz(func(t *testing.T, p string) {
		if got, want := isWindowsAbs(p), paths.IsWindowsAbs(p); got != want {
			t.Errorf("%q: %v, compose-go %v", p, got, want)
		}
	})
}

// TestResolveSymlink holds resolveSymlink to utils.ResolveSymbolicLink.
func TestResolveSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	if err := os.MkdirAll(filepath.Join(real, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(dir, "link", "sub"), filepath.Join(dir, "real", "sub"), filepath.Join(dir, "missing"), dir} {
		got, gerr := resolveSymlink(compose.OS{}, p)
		want, werr := utils.ResolveSymbolicLink(p)
		if got != want || (gerr == nil) != (werr == nil) {
			t.Errorf("%s: %q %v, compose-go %q %v", p, got, gerr, want, werr)
		}
	}
}
