package compose

import (
	"reflect"
	"testing"

	"github.com/compose-spec/compose-go/v2/format"
)

// volumeSpecs are short volumes of every form docker compose reads.
var volumeSpecs = []string{
	"", "a", "/d", "/data", "./data:/data", "data:/data", "data:/data:ro", "data:/data:rw,nocopy",
	"./a:/b:ro,z", "./a:/b:Z,rshared", "~/x:/y", `C:\data:/data`, `c:/data:/data:ro`, `\\.\pipe\x:/p`,
	"${DATA:-./d}:/data", "${DATA:-/a:/b}:/data:ro", "${A:-${B:-/x}}:/y", "${OPEN:/x", "x:${Y}",
	":/data", "a::b", "a:b:", "a:b:c:d", "/a:/b:ro:extra", "é:/x", "ééé", "a:b:unknown,ro", "::",
	"/a:/b:private", "/a:/b:slave,rslave", "vol:/x:nocopy,ro", "$:/x", "}:/x", "${}:/x",
	"\xff:/x", "a\xffb:/y:ro", "/a:\xfe\xff", "\xff", "\xff:", "é\xff:/x", "a\x00b:/c", "/a:/b\x00ro",
	"C\xff:/x", "\xc3:/x", "C::/x", "a:C:/x", "ab:/c", "é:/x:ro",
}

// TestParseVolume holds ParseVolume to compose-go's format.ParseVolume:
// the same volume and the same error for every spec.
func TestParseVolume(t *testing.T) {
	for _, spec := range volumeSpecs {
		checkVolume(t, spec)
	}
}

func checkVolume(t *testing.T, spec string) {
	t.Helper()
	got, gerr := ParseVolume(spec)
	want, werr := format.ParseVolume(spec)
	if (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
		t.Fatalf("%q: error %v, compose-go %v", spec, gerr, werr)
	}
	if gerr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: %+v, compose-go %+v", spec, got, want)
	}
}

func FuzzParseVolume(f *testing.F) {
	for _, s := range volumeSpecs {
		f.Add(s)
	}
	f.Fuzz(checkVolume)
}

func BenchmarkParseVolume(b *testing.B) {
	specs := []string{"./config/app-00002:/etc/app:ro", "cache:/var/cache/app", "db-00000-data:/var/lib/postgresql/data", "${SRC:-./src}:/app"}
	for b.Loop() {
		for _, s := range specs {
			if _, err := ParseVolume(s); err != nil {
				b.Fatal(err)
			}
		}
	}
}
