package refactor

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/dupes"
)

// TestRewriteCases covers inputs the golden cases do not: each rewrite must
// equal want and load, with compose-go, to the same effective config.
func TestRewriteCases(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		src  string
		want string
	}{
		{
			name: "block scalar with blank lines and a trailing comment",
			src: `services:
  a:
    image: app:1
    restart: always
    entrypoint: |
      set -e

      exec app
    user: "1000"
    # a note on a
  b:
    image: app:1
    restart: always
    entrypoint: |
      set -e

      exec app
    user: "1000"
    command: b
`,
			want: `x-default-app: &default-app
  image: app:1
  restart: always
  entrypoint: |
    set -e

    exec app
  user: "1000"

services:
  a:
    <<: *default-app
    # a note on a
  b:
    <<: *default-app
    command: b
`,
		},
		{
			// docker compose merges a file's YAML documents in order; each
			// gets the anchors of its own groups (anchors never cross
			// documents), above its services: and below its header
			name: "every YAML document, each with its anchors",
			src: `# the file's header
services:
  api-a:
    image: api:1
    restart: always
    user: "1000"
    init: true
    working_dir: /app
    stop_grace_period: 30s
  api-b:
    image: api:1
    restart: always
    user: "1000"
    init: true
    working_dir: /app
    stop_grace_period: 30s
---
# the second document's header
services:
  api-a:
    command: serve
  worker-a:
    image: worker:1
    restart: always
    user: "1000"
    init: true
    working_dir: /app
    stop_grace_period: 30s
  worker-b:
    image: worker:1
    restart: always
    user: "1000"
    init: true
    working_dir: /app
    stop_grace_period: 30s
`,
			want: `# the file's header

x-api: &api
  image: api:1
  restart: always
  user: "1000"
  init: true
  working_dir: /app
  stop_grace_period: 30s

services:
  api-a:
    <<: *api
  api-b:
    <<: *api
---
# the second document's header

x-worker: &worker
  image: worker:1
  restart: always
  user: "1000"
  init: true
  working_dir: /app
  stop_grace_period: 30s

services:
  api-a:
    command: serve
  worker-a:
    <<: *worker
  worker-b:
    <<: *worker
`,
		},
		{
			name: "tagged entries and anchors inside services stay",
			src: `services:
  a:
    image: app:1
    restart: always
    healthcheck:
      test: ["CMD", "true"]
      interval: 5s
    init: true
    environment: &env
      A: "1"
    ports: !reset []
  b:
    image: app:1
    restart: always
    healthcheck:
      test: ["CMD", "true"]
      interval: 5s
    init: true
    environment: *env
    ports: !reset []
`,
			want: `x-default-app: &default-app
  image: app:1
  restart: always
  healthcheck:
    test: ["CMD", "true"]
    interval: 5s
  init: true

services:
  a:
    <<: *default-app
    environment: &env
      A: "1"
    ports: !reset []
  b:
    <<: *default-app
    environment: *env
    ports: !reset []
`,
		},
		{
			name: "first-service on a quoted key with a comment",
			opts: Options{Style: StyleFirstService, Name: "base"},
			src: `services:
  "api-a":   # the first
    image: api:2
    restart: always
    healthcheck:
      test: ["CMD", "true"]
      interval: 5s
    init: true
    command: a
  api-b:
    image: api:2
    restart: always
    healthcheck:
      test: ["CMD", "true"]
      interval: 5s
    init: true
    command: b
`,
			want: `services:
  "api-a": &base   # the first
    image: api:2
    restart: always
    healthcheck:
      test: ["CMD", "true"]
      interval: 5s
    init: true
    command: a
  api-b:
    <<: *base
    command: b
`,
		},
		{
			name: "first-service falls back where the first has keys the others lack",
			opts: Options{Style: StyleFirstService},
			src: `services:
  api-a:
    image: api:2
    restart: always
    healthcheck:
      test: ["CMD", "true"]
      interval: 5s
    init: true
    stop_grace_period: 5s
  api-b:
    image: api:2
    restart: always
    healthcheck:
      test: ["CMD", "true"]
      interval: 5s
    init: true
    command: b
`,
			want: `x-api: &api
  image: api:2
  restart: always
  healthcheck:
    test: ["CMD", "true"]
    interval: 5s
  init: true

services:
  api-a:
    <<: *api
    stop_grace_period: 5s
  api-b:
    <<: *api
    command: b
`,
		},
		{
			name: "flow collections closing at the key's indentation",
			src: `services:
  a:
    image: app:1
    command: [
      "serve", "--port=80"
    ]
    environment: {
      A: "1"
    }
    restart: always
    healthcheck:
      test: ["CMD", "true"]
      interval: 5s
    user: a
  b:
    image: app:1
    command: ["serve", "--port=80"]
    environment: {A: "1"}
    restart: always
    healthcheck:
      test: ["CMD", "true"]
      interval: 5s
    user: b
`,
			want: `x-default-app: &default-app
  image: app:1
  command: [
    "serve", "--port=80"
  ]
  environment: {
    A: "1"
  }
  restart: always
  healthcheck:
    test: ["CMD", "true"]
    interval: 5s

services:
  a:
    <<: *default-app
    user: a
  b:
    <<: *default-app
    user: b
`,
		},
		{
			name: "quoted scalar continued at the key's indentation",
			src:  "services:\n  a:\n    image: app:1\n    command: \"run\n    it\"\n    restart: always\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: 5s\n    user: a\n  b:\n    image: app:1\n    command: \"run\n    it\"\n    restart: always\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: 5s\n    user: b\n",
			want: "x-default-app: &default-app\n  image: app:1\n  command: \"run\n  it\"\n  restart: always\n  healthcheck:\n    test: [\"CMD\", \"true\"]\n    interval: 5s\n\nservices:\n  a:\n    <<: *default-app\n    user: a\n  b:\n    <<: *default-app\n    user: b\n",
		},
		{
			name: "existing merge gets the new anchor in front",
			src: `x-log: &log
  logging:
    driver: local
services:
  w-1:
    <<: *log
    image: w:1
    restart: always
    user: "1000"
    init: true
    tty: true
  w-2:
    <<: [*log]
    image: w:1
    restart: always
    user: "1000"
    init: true
    tty: true
  other:
    <<: *log
    image: other:1
`,
			want: `x-log: &log
  logging:
    driver: local

x-w: &w
  image: w:1
  restart: always
  user: "1000"
  init: true
  tty: true

services:
  w-1:
    <<: [*w, *log]
  w-2:
    <<: [*w, *log]
`[0:0] + `x-log: &log
  logging:
    driver: local

x-w: &w
  image: w:1
  restart: always
  user: "1000"
  init: true
  tty: true

services:
  w-1:
    <<: [*w, *log]
  w-2:
    <<: [*w, *log]
  other:
    <<: *log
    image: other:1
`,
		},
		{
			name: "non-ASCII and no final newline",
			src:  "services:\n  cafe-a:\n    image: \"café/app:1\"\n    restart: always\n    user: \"1000\"\n    labels:\n      owner: josé\n      team: ñ\n    command: a\n  cafe-b:\n    image: café/app:1\n    restart: always\n    user: \"1000\"\n    labels:\n      team: ñ\n      owner: josé\n    command: b",
			want: "x-cafe: &cafe\n  image: \"café/app:1\"\n  restart: always\n  user: \"1000\"\n  labels:\n    owner: josé\n    team: ñ\n\nservices:\n  cafe-a:\n    <<: *cafe\n    command: a\n  cafe-b:\n    <<: *cafe\n    command: b",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "compose.yaml")
			if err := os.WriteFile(path, []byte(tt.src), 0o644); err != nil {
				t.Fatal(err)
			}
			d, err := compose.ReadFile(path, "compose.yaml")
			if err != nil {
				t.Fatal(err)
			}
			r, err := Rewrite(d, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if string(r.After) != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", r.After, tt.want)
			}
			if err := proveInDir(t, path, r); err != nil {
				t.Errorf("proof: %v", err)
			}
		})
	}
}

// TestRewriteSkipsBrokenGroup damages one group's spans, as a layout the
// line edits mishandle would, and checks that the other groups are still
// folded and the broken one is reported, not written.
func TestRewriteSkipsBrokenGroup(t *testing.T) {
	src := `services:
  api-a:
    image: api:1
    restart: always
    healthcheck:
      test: ["CMD", "true"]
      interval: 5s
    init: true
    user: a
  api-b:
    image: api:1
    restart: always
    healthcheck:
      test: ["CMD", "true"]
      interval: 5s
    init: true
    user: b
  job-a:
    image: job:1
    restart: "no"
    logging:
      driver: local
      options: {max-size: 1m}
    init: true
    user: a
  job-b:
    image: job:1
    restart: "no"
    logging:
      driver: local
      options: {max-size: 1m}
    init: true
    user: b
`
	d, err := compose.Parse("compose.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	groups := dupes.Find(d, 4)
	if len(groups) != 2 {
		t.Fatalf("%d groups, want 2", len(groups))
	}
	slices.SortFunc(groups, func(a, b dupes.Group) int { return a.Members[0].Key.Line - b.Members[0].Key.Line })
	// Cut the last line off job-a's logging block.
	for i, e := range groups[1].Members[0].Entries {
		if e.Key == "logging" {
			groups[1].Members[0].Entries[i].Lines.End--
		}
	}
	r, err := rewriteAll(d, groups, Options{Style: StyleExtension})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Changes) != 1 || r.Changes[0].Services[0] != "api-a" {
		t.Errorf("changes %+v, want the api group only", r.Changes)
	}
	if len(r.Skipped) != 1 || r.Skipped[0].Services[0] != "job-a" || r.Skipped[0].Err == nil {
		t.Errorf("skipped %+v, want the job group with its error", r.Skipped)
	}
	if !strings.Contains(string(r.After), "x-api: &api") || !strings.Contains(string(r.After), "  job-a:\n    image: job:1\n") {
		t.Errorf("unexpected result:\n%s", r.After)
	}
}
