package envs

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/internal/testenv"
)

// TestPlainModel holds Loaded.Model (plainModel: the project encoded
// without indentation, `$` doubled in the decoded value) to what docker
// compose config --format json prints, decoded (EscapeDollar of
// MarshalJSON): on a project with `$` in values, keys and top-level
// extensions and every resource section, the generated projects and every
// oracle environment.
func TestPlainModel(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"compose.yaml": `name: dollars
x-top: "a$$b"
services:
  web:
    image: "nginx:$${TAG}"
    command: ["sh", "-c", "echo $$HOME $$$$"]
    labels:
      "price$$": "10$$"
      plain: "no dollar"
    environment:
      A: "x$$y"
    networks: [front]
    volumes: [data:/data]
    secrets: [s]
    configs: [c]
networks:
  front: {}
volumes:
  data: {}
secrets:
  s:
    file: ./s.txt
configs:
  c:
    content: "c$$"
`,
		"s.txt": "secret",
	}
	writeFiles(t, dir, files)
	cases := []differentialCase{{name: "dollars", dir: dir}}
	cases = append(cases, generatedCases(t)...)
	if shared, ok := testenv.Shared(); ok {
		cases = append(cases, corpusCases(t, shared)...)
	} else {
		t.Log("no ../shared: the corpus part is skipped (set COMPOSURE_SHARED)")
	}
	compared := 0
	for _, c := range cases {
		p, err := Discover(Options{Dir: c.dir, Files: c.files, Environ: environ(c.dir)})
		if err != nil {
			continue
		}
		l, err := p.Load(context.Background(), p.Envs[0], compose.NewCache(), LoadOptions{})
		if err != nil {
			if c.name == "dollars" {
				t.Fatal(err)
			}
			continue // refused: no model
		}
		js, err := l.Project.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var want map[string]any
		if err := json.Unmarshal(EscapeDollar(js), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(l.Model, want) {
			got, _ := json.Marshal(l.Model)
			w, _ := json.Marshal(want)
			t.Errorf("%s: the model differs:\n%s", c.name, firstLineDiff(got, w))
		}
		compared++
		if c.name == "dollars" {
			// keys are not interpolated: `$$` in one is doubled again
			labels := l.Model["services"].(map[string]any)["web"].(map[string]any)["labels"].(map[string]any)
			if labels["price$$$$"] != "10$$" || l.Model["x-top"] != "a$$b" {
				t.Errorf("labels = %v, x-top = %v", labels, l.Model["x-top"])
			}
		}
	}
	t.Logf("%d models compared", compared)
}
