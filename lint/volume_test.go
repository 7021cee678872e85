package lint

import (
	"testing"

	"github.com/compose-spec/compose-go/v2/format"
	"github.com/compose-spec/compose-go/v2/types"
)

// TestParseMountLikeComposeGo holds parseMount's own reading to
// format.ParseVolume's.
func TestParseMountLikeComposeGo(t *testing.T) {
	for _, spec := range []string{
		"", "a", "ab", "/a", "abc", "data:/d", "data:/d:ro", "data:/d:rw,ro", "data:/d:ro,rw", "data:/d:z,ro",
		"./src:/app", "../x:/y:ro", "~/x:/y", "~:/y", "/var/run/docker.sock:/var/run/docker.sock:ro",
		"//var/run/docker.sock:/s", "c:/data:/d", `C:\data:/d`, `\\.\pipe\docker_engine:/p`, "d:/data",
		"a:b", "a::b", "data:", ":/d", "data:/d:", "data:/d:ro:x", "${VOL:-data}:/d", "${HOME}/x:/y:ro",
		"é:/d", "données:/d", "x-y_z.1:/d:nocopy", "data:/d:rshared,ro", "/mnt:/mnt:rshared", "/mnt:/mnt:ro,shared",
		"./x:/x:rslave", "/a:/b:z,private",
	} {
		want, err := format.ParseVolume(spec)
		got, ok := parseMount(spec)
		if ok != (err == nil) {
			t.Errorf("parseMount(%q) ok = %v, ParseVolume error %v", spec, ok, err)
			continue
		}
		if !ok {
			continue
		}
		w := mount{source: want.Source, bind: want.Type == types.VolumeTypeBind, readOnly: want.ReadOnly}
		if want.Bind != nil {
			w.propagation = want.Bind.Propagation
		}
		if got != w {
			t.Errorf("parseMount(%q) = %+v, ParseVolume says %+v", spec, got, w)
		}
	}
}
