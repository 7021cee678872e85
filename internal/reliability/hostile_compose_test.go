package reliability

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"unicode/utf16"

	"github.com/composure-dev/composure/internal/testenv"

	"github.com/composure-dev/composure/compose"
)

// load is what every command does with a compose file: read, parse, decode.
func load(path, name string) error {
	d, err := compose.ReadFile(path, name)
	if err != nil {
		return err
	}
	if d.Root == nil {
		return nil
	}
	_, err = d.Decode(d.Root, d.ExpansionBudget())
	return err
}

// billionLaughs is the classic alias bomb: 10 levels of 10 aliases, 10^10
// nodes once expanded.
func billionLaughs() []byte {
	var b strings.Builder
	b.WriteString("x-l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "x-l%d: &l%d [", i, i)
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]\n")
	}
	b.WriteString("services:\n  web:\n    image: nginx\n    command: *l9\n")
	return []byte(b.String())
}

// bigCompose writes a syntactically valid compose file of at least size
// bytes to path, without holding it in memory.
func bigCompose(t *testing.T, path string, size int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b bytes.Buffer
	b.WriteString("services:\n")
	var written int64
	for i := 0; written < size; i++ {
		fmt.Fprintf(&b, "  svc%07d:\n    image: nginx:1.27\n    environment:\n      A: b\n", i)
		if b.Len() > 1<<20 {
			n, err := f.Write(b.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			written += int64(n)
			b.Reset()
		}
	}
}

func utf16File(bigEndian bool) []byte {
	var order interface {
		AppendUint16([]byte, uint16) []byte
	}
	order = littleEndian{}
	if bigEndian {
		order = bigEndianOrder{}
	}
	src := order.AppendUint16(nil, 0xFEFF)
	for _, c := range utf16.Encode([]rune("services:\n  web:\n    image: nginx\n")) {
		src = order.AppendUint16(src, c)
	}
	return src
}

type littleEndian struct{}

func (littleEndian) AppendUint16(b []byte, v uint16) []byte { return append(b, byte(v), byte(v>>8)) }

type bigEndianOrder struct{}

func (bigEndianOrder) AppendUint16(b []byte, v uint16) []byte { return append(b, byte(v>>8), byte(v)) }

// TestHostileCompose feeds each hostile input of issue 6 to the compose
// loader and asserts a clear error (or a clean load), within the bound.
func TestHostileCompose(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	randomBytes := make([]byte, 1<<20)
	for i := range randomBytes {
		randomBytes[i] = byte(rng.Uint32())
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) string // returns the path to load
		want  string                                // "" means: loads without error
		bound bound
	}{
		{name: "billion laughs alias bomb", want: "alias bomb", setup: file(billionLaughs())},
		{name: "10,000-deep flow mappings", want: "nesting deeper than 1000 levels",
			setup: file([]byte("services: " + strings.Repeat("{a: ", 10000) + "1" + strings.Repeat("}", 10000) + "\n"))},
		{name: "10,000-deep flow sequences", want: "nesting deeper than 1000 levels",
			setup: file([]byte("services: " + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "\n"))},
		{name: "10,000-deep block sequences", want: "invalid YAML: exceeded max depth of 10000",
			setup: file([]byte("services:\n  " + strings.Repeat("- ", 10000) + "a\n"))},
		{name: "block mappings nested by indentation", want: "larger than the 32 MiB", setup: func(t *testing.T, dir string) string {
			// 10,000 levels need 50 MB of indentation: refused by size.
			var b strings.Builder
			for i := 0; i < 10000; i++ {
				b.WriteString(strings.Repeat(" ", i))
				b.WriteString("a:\n")
			}
			return file([]byte(b.String()))(t, dir)
		}},
		{name: "anchors nesting each other 1000 deep", want: "once expanded", setup: func(t *testing.T, dir string) string {
			var b strings.Builder
			b.WriteString("x-0: &a0 1\n")
			for i := 1; i <= 400; i++ {
				fmt.Fprintf(&b, "x-%d: &a%d %s*a%d%s\n", i, i, strings.Repeat("[", 990), i-1, strings.Repeat("]", 990))
			}
			return file([]byte(b.String()))(t, dir)
		}},
		{name: "100 MB file", want: "larger than the 32 MiB", setup: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "compose.yaml")
			bigCompose(t, p, 100<<20)
			return p
		}},
		{name: "3 MiB file, loads within the bounds", want: "", setup: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "compose.yaml")
			bigCompose(t, p, 3<<20)
			return p
		}},
		{name: "random binary data", want: "file is not valid UTF-8: save it as UTF-8", setup: file(randomBytes)},
		{name: "random valid UTF-8", want: "", setup: func(t *testing.T, dir string) string {
			// Random runes rarely form valid YAML: any clear error will do.
			var b strings.Builder
			for b.Len() < 64<<10 {
				b.WriteRune(rune(rng.IntN(0x10FFFF)))
			}
			return file([]byte(strings.ToValidUTF8(b.String(), "?")))(t, dir)
		}},
		{name: "invalid UTF-8", want: "3:15: file is not valid UTF-8", setup: file([]byte("services:\n  web:\n    image: ngi\xc3\x28nx\n"))},
		{name: "UTF-16 LE with a BOM", want: "1:1: file is UTF-16 encoded: save it as UTF-8", setup: file(utf16File(false))},
		{name: "UTF-16 BE with a BOM", want: "1:1: file is UTF-16 encoded: save it as UTF-8", setup: file(utf16File(true))},
		{name: "empty file", want: "", setup: file(nil)},
		{name: "${VAR:-${VAR2:-...}} 10,000 deep", want: "3:12: variable defaults nest 10000 deep",
			setup: file([]byte("services:\n  web:\n    image: " + deepDefaults(10000) + "\n"))},
		{name: "directory where a file is expected", want: "is a directory, not a compose file", setup: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "compose.yaml")
			if err := os.Mkdir(p, 0o755); err != nil {
				t.Fatal(err)
			}
			return p
		}},
		{name: "symlink loop", want: "too many levels of symbolic links", setup: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "compose.yaml")
			if err := os.Symlink("other.yaml", p); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("compose.yaml", filepath.Join(dir, "other.yaml")); err != nil {
				t.Fatal(err)
			}
			return p
		}},
		{name: "FIFO as the compose file", want: "is not a regular file", setup: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "compose.yaml")
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}},
		{name: "/dev/zero as the compose file", want: "is not a regular file", setup: func(*testing.T, string) string { return "/dev/zero" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.setup(t, t.TempDir())
			var err error
			m := measure(func() { err = load(path, "compose.yaml") })
			b := tt.bound
			if b == (bound{}) {
				b = defaultBound
			}
			m.check(t, tt.name, b)
			switch {
			case tt.name == "random valid UTF-8":
				if err != nil {
					checkUserError(t, err, "compose.yaml", "")
				}
			case tt.want == "":
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
			default:
				checkUserError(t, err, "compose.yaml", tt.want)
			}
		})
	}
}

// deepDefaults nests n variable defaults: ${V0:-${V1:-...x}}.
func deepDefaults(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "${V%d:-", i)
	}
	b.WriteString("x")
	b.WriteString(strings.Repeat("}", n))
	return b.String()
}

func file(src []byte) func(t *testing.T, dir string) string {
	return func(t *testing.T, dir string) string {
		p := filepath.Join(dir, "compose.yaml")
		if err := os.WriteFile(p, src, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
}

// TestHostileUnreadable checks the message for a file the user may not
// read. Tests run as root here, and chmod 000 does not stop root: then the
// check runs in a child process of this test binary under uid 65534
// (nobody), where the permission bits apply, and root itself must read the
// file as docker compose would.
func TestHostileUnreadable(t *testing.T) {
	if p := os.Getenv("COMPOSURE_UNREADABLE"); p != "" {
		// The child: report what loading the file says.
		err := load(p, "compose.yaml")
		fmt.Printf("RESULT %v\n", err)
		return
	}
	dir, err := os.MkdirTemp("", "composure-unreadable-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(p, []byte("services:\n  web:\n    image: nginx\n"), 0o000); err != nil {
		t.Fatal(err)
	}
	const want = "compose.yaml: permission denied: make the file readable"
	if os.Geteuid() != 0 {
		err := load(p, "compose.yaml")
		if err == nil || err.Error() != want {
			t.Fatalf("got %v, want %q", err, want)
		}
		return
	}
	if err := load(p, "compose.yaml"); err != nil {
		t.Errorf("root reads a mode 000 file (as docker compose does), got %v", err)
	}
	out := testenv.RunAsNobody(t, dir, "TestHostileUnreadable", append(os.Environ(), "COMPOSURE_UNREADABLE="+p, "COMPOSURE_SHARED=/nonexistent"))
	if !bytes.Contains(out, []byte("RESULT "+want+"\n")) {
		t.Errorf("as nobody: got\n%s\nwant RESULT %s", out, want)
	}
}
