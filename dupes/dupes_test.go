package dupes

import (
	"reflect"
	"testing"
	"time"

	"github.com/composure-dev/composure/internal/gen"

	"github.com/composure-dev/composure/compose"
)

type wantGroup struct {
	kind     Kind
	services []string
	shared   []string
	anchor   string
}

func groupsOf(gs []Group) []wantGroup {
	var out []wantGroup
	for _, g := range gs {
		out = append(out, wantGroup{g.Kind, g.Services, g.Shared, g.Anchor})
	}
	return out
}

func parse(t testing.TB, name, src string) *compose.Document {
	t.Helper()
	d, err := compose.Parse(name, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestFind(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		minShared int
		want      []wantGroup
	}{
		{
			name: "identical entries whatever the style",
			src: `services:
  a:
    image: "app:1"
    environment: {B: "2", A: 1}
    ports: ["80:80"]
    restart: 'always'
    command: a
  b:
    restart: always
    image: app:1
    ports:
      - 80:80
    environment:
      A: 1
      B: "2"
    command: b
`,
			minShared: 4,
			want:      []wantGroup{{New, []string{"a", "b"}, []string{"image", "environment", "ports", "restart"}, ""}},
		},
		{
			// docker compose merges a file's YAML documents in order; each
			// is read, and a group stays within one (anchors do too)
			name: "every YAML document, groups within each",
			src: `services:
  a:
    image: app
    restart: always
    user: app
    init: true
---
x-base: &base
  image: app
  restart: always
  user: app
  init: true
services:
  b:
    image: app
    restart: always
    user: app
    init: true
  c:
    image: app
    restart: always
    user: app
    init: true
---
services:
  d:
    image: app
    restart: always
    user: app
    init: true
  e:
    image: app
    restart: always
    user: app
    init: true
`,
			minShared: 4,
			want: []wantGroup{
				{Reuse, []string{"b", "c"}, []string{"image", "restart", "user", "init"}, "base"},
				{New, []string{"d", "e"}, []string{"image", "restart", "user", "init"}, ""},
			},
		},
		{
			name: "below min-shared",
			src: `services:
  a: {image: x}
  b:
    image: app
    restart: always
    user: app
  c:
    image: app
    restart: always
    user: app
`,
			minShared: 4,
		},
		{
			name: "nested difference keeps the whole key per service",
			src: `services:
  a:
    image: app
    restart: always
    user: app
    init: true
    environment:
      A: "1"
      B: "2"
  b:
    image: app
    restart: always
    user: app
    init: true
    environment:
      A: "1"
      B: "3"
`,
			minShared: 4,
			want:      []wantGroup{{New, []string{"a", "b"}, []string{"image", "restart", "user", "init"}, ""}},
		},
		{
			name: "tagged entries stay per service",
			src: `services:
  a:
    image: app
    restart: always
    user: app
    init: true
    ports: !reset []
  b:
    image: app
    restart: always
    user: app
    init: true
    ports: !reset []
`,
			minShared: 4,
			want:      []wantGroup{{New, []string{"a", "b"}, []string{"image", "restart", "user", "init"}, ""}},
		},
		{
			name: "bigger group wins over a pair sharing more",
			src: `services:
  a:
    image: app
    restart: always
    user: app
    init: true
    tty: true
    stdin_open: true
  b:
    image: app
    restart: always
    user: app
    init: true
    tty: true
    stdin_open: true
  c:
    image: app
    restart: always
    user: app
    init: true
  d:
    image: app
    restart: always
    user: app
    init: true
`,
			minShared: 4,
			want:      []wantGroup{{New, []string{"a", "b", "c", "d"}, []string{"image", "restart", "user", "init"}, ""}},
		},
		{
			name: "extend the anchor its users merge",
			src: `x-base: &base
  image: app
services:
  a:
    <<: *base
    restart: always
    user: app
    init: true
    tty: true
    command: a
  b:
    <<: *base
    restart: always
    user: app
    init: true
    tty: true
    command: b
`,
			minShared: 4,
			want:      []wantGroup{{Extend, []string{"a", "b"}, []string{"restart", "user", "init", "tty"}, "base"}},
		},
		{
			name: "anchor used elsewhere is not extended",
			src: `x-base: &base
  image: app
services:
  a:
    <<: *base
    restart: always
    user: app
    init: true
    tty: true
  b:
    <<: *base
    restart: always
    user: app
    init: true
    tty: true
  c:
    <<: *base
`,
			minShared: 4,
			want:      []wantGroup{{New, []string{"a", "b"}, []string{"restart", "user", "init", "tty"}, ""}},
		},
		{
			name: "aliases and merge keys mean what they expand to",
			src: `x-env: &env
  A: "1"
x-hc: &hc
  interval: 10s
  timeout: 5s
services:
  a:
    image: app
    environment: *env
    healthcheck:
      <<: *hc
      retries: 3
    labels: [*env]
    command: a
  b:
    image: app
    environment:
      A: "1"
    healthcheck: {retries: 3, timeout: 5s, interval: 10s}
    labels:
      - A: "1"
    command: b
`,
			minShared: 4,
			want:      []wantGroup{{New, []string{"a", "b"}, []string{"image", "environment", "healthcheck", "labels"}, ""}},
		},
		{
			name: "same text, different types differ",
			src: `services:
  a:
    image: app
    restart: always
    user: 1000
    init: true
    cpus: 1
    tty: true
  b:
    image: app
    restart: always
    user: "1000"
    init: "true"
    cpus: 1.0
    tty: true
`,
			minShared: 3,
			want:      []wantGroup{{New, []string{"a", "b"}, []string{"image", "restart", "tty"}, ""}},
		},
		{
			name: "keys decoding alike: the last one counts",
			src: `services:
  a:
    image: app
    restart: always
    user: app
    labels:
      1: x
      01: y
  b:
    image: app
    restart: always
    user: app
    labels:
      1: y
`,
			minShared: 4,
			want:      []wantGroup{{New, []string{"a", "b"}, []string{"image", "restart", "user", "labels"}, ""}},
		},
		{
			name: "reuse an anchor a service repeats",
			src: `x-base: &base
  image: app
  restart: always
  user: app
  init: true
services:
  a:
    <<: *base
  b:
    image: app
    user: app
    restart: always
    init: true
    command: b
`,
			minShared: 4,
			want:      []wantGroup{{Reuse, []string{"b"}, []string{"image", "user", "restart", "init"}, "base"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := groupsOf(Find(parse(t, "compose.yaml", tt.src), tt.minShared))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestFindAcross(t *testing.T) {
	a := parse(t, "compose.yaml", `services:
  web:
    image: app
    restart: always
    user: app
    init: true
  db:
    image: postgres
`)
	b := parse(t, "compose.admin.yaml", `services:
  backup:
    image: app
    restart: always
    user: app
    init: true
    command: backup
  db:
    image: postgres
    restart: always
`)
	got := groupsOf(FindAcross([]*compose.Document{a, b}, 4))
	want := []wantGroup{{Across, []string{"web", "backup"}, []string{"image", "restart", "user", "init"}, ""}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	// Services in later YAML documents are read too; one a later document
	// overrides is left out, as one a later file overrides.
	c := parse(t, "compose.jobs.yaml", `services:
  report:
    image: app
    restart: always
    user: app
    init: true
---
services:
  report:
    command: weekly
`)
	got = groupsOf(FindAcross([]*compose.Document{a, c}, 4))
	if len(got) != 0 {
		t.Errorf("a service its file's second document overrides was grouped: %+v", got)
	}
	d := parse(t, "compose.jobs.yaml", `services:
  other:
    image: postgres
---
services:
  report:
    image: app
    restart: always
    user: app
    init: true
`)
	got = groupsOf(FindAcross([]*compose.Document{a, d}, 4))
	want = []wantGroup{{Across, []string{"web", "report"}, []string{"image", "restart", "user", "init"}, ""}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("second document: got  %+v\nwant %+v", got, want)
	}
}

func TestEntrySpans(t *testing.T) {
	src := `services:
  a:
    # the image
    image: app
    environment:
      A: 1
      # B: 2

    command: >
      run
      it
    user: app # inline
`
	d := parse(t, "f.yaml", src)
	svc, _, _ := d.Lookup("services.a")
	got := EntrySpans(d, svc)
	want := []Lines{{3, 4}, {5, 7}, {9, 11}, {12, 12}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestFindScales(t *testing.T) {
	d := parse(t, "big.yaml", string(gen.Families(2000)))
	start := time.Now()
	gs := Find(d, 4)
	if len(gs) != 400 {
		t.Fatalf("got %d groups, want 400", len(gs))
	}
	for _, g := range gs {
		if len(g.Services) != 5 || len(g.Shared) != 8 {
			t.Fatalf("group %v shares %v", g.Services, g.Shared)
		}
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("Find took %v on 2000 services", el)
	}
}

func BenchmarkFind(b *testing.B) {
	d := parse(b, "big.yaml", string(gen.Families(10000)))
	b.ResetTimer()
	for b.Loop() {
		Find(d, 4)
	}
}

func TestFlowSpans(t *testing.T) {
	src := `services:
  a:
    command: [
      "run", "it's ]",
      'x''y' # a ] comment
    ]
    environment: !override {
      A: 1
    }
    user: app
`
	d := parse(t, "f.yaml", src)
	svc, _, _ := d.Lookup("services.a")
	got := EntrySpans(d, svc)
	want := []Lines{{3, 6}, {7, 9}, {10, 10}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// BenchmarkFindGenerated runs Find as lint's duplicate-service rule does, on
// each file of the generated 1,000-service project: few of its services
// share entries, so reading the entries is most of the work.
func BenchmarkFindGenerated(b *testing.B) {
	files := gen.Files(1000)
	var docs []*compose.Document
	for _, name := range []string{gen.Base, gen.Override, gen.Prod, gen.Admin} {
		docs = append(docs, parse(b, name, string(files[name])))
	}
	groups := 0
	for b.Loop() {
		groups = 0
		for _, d := range docs {
			groups += len(Find(d, DefaultMinShared))
		}
	}
	b.ReportMetric(float64(groups), "groups")
}
