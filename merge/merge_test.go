package merge

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/format"
	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
)

// mergeCase merges base (compose.yaml) and override (compose.override.yaml)
// and expects the tree want (YAML) and the origins listed.
type mergeCase struct {
	name     string
	base     string
	override string
	want     string
	origins  map[string]string // path -> "file:line:col[ via *a at file:line:col]" or "default"
}

func parseDocs(t testing.TB, srcs ...string) []*compose.Document {
	t.Helper()
	names := []string{"compose.yaml", "compose.override.yaml", "compose.prod.yaml"}
	var docs []*compose.Document
	for i, src := range srcs {
		d, err := compose.Parse(names[i], []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	return docs
}

func assertMerge(t *testing.T, c mergeCase) {
	t.Helper()
	r, err := Merge(parseDocs(t, c.base, c.override))
	if err != nil {
		t.Fatalf("merge: %v", err)
	}
	var want map[string]any
	if err := yaml.Unmarshal([]byte(c.want), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.Tree(), want) {
		got, _ := yaml.Marshal(r.Tree())
		t.Errorf("tree:\n%s\nwant:\n%s", got, c.want)
	}
	for path, w := range c.origins {
		o, ok := r.Origins()[path]
		if !ok {
			t.Errorf("no origin for %s", path)
			continue
		}
		if o.String() != w {
			t.Errorf("origin of %s = %s, want %s", path, o, w)
		}
	}
}

func TestMergeRules(t *testing.T) {
	for _, c := range []mergeCase{
		{
			name:     "scalars of the override win",
			base:     "services:\n  test:\n    image: foo\n    scale: 1\n",
			override: "services:\n  test:\n    image: bar\n",
			want:     "services:\n  test:\n    image: bar\n    scale: 1\n",
			origins: map[string]string{
				"services.test.image": "compose.override.yaml:3:12",
				"services.test.scale": "compose.yaml:4:12",
				"services.test":       "compose.yaml:2:3",
			},
		},
		{
			name:     "null in the override keeps the base value",
			base:     "services:\n  test:\n    image: foo\n",
			override: "services:\n  test:\n    image:\n",
			want:     "services:\n  test:\n    image: foo\n",
			origins:  map[string]string{"services.test.image": "compose.yaml:3:12"},
		},
		{
			name:     "command is replaced, not appended",
			base:     "services:\n  test:\n    command: [a, b]\n",
			override: "services:\n  test:\n    command: [c]\n",
			want:     "services:\n  test:\n    command: [c]\n",
			origins:  map[string]string{"services.test.command.0": "compose.override.yaml:3:15"},
		},
		{
			name:     "healthcheck test is replaced, other keys merged",
			base:     "services:\n  test:\n    healthcheck:\n      test: [CMD, a]\n      interval: 10s\n",
			override: "services:\n  test:\n    healthcheck:\n      test: [CMD, b]\n",
			want:     "services:\n  test:\n    healthcheck:\n      test: [CMD, b]\n      interval: 10s\n",
			origins: map[string]string{
				"services.test.healthcheck.test.1":   "compose.override.yaml:4:19",
				"services.test.healthcheck.interval": "compose.yaml:5:17",
			},
		},
		{
			name:     "environment mapping and list merge by key, override in place",
			base:     "services:\n  test:\n    environment:\n      A: one\n      B: two\n",
			override: "services:\n  test:\n    environment:\n      - B=three\n      - C=four\n",
			want:     "services:\n  test:\n    environment: [A=one, B=three, C=four]\n",
			origins: map[string]string{
				"services.test.environment.0": "compose.yaml:4:10",
				"services.test.environment.1": "compose.override.yaml:4:9",
				"services.test.environment.B": "compose.override.yaml:4:9",
				"services.test.environment.C": "compose.override.yaml:5:9",
			},
		},
		{
			name:     "labels with dotted keys",
			base:     "services:\n  test:\n    labels:\n      com.example.a: x\n",
			override: "services:\n  test:\n    labels:\n      com.example.b: y\n",
			want:     "services:\n  test:\n    labels: [com.example.a=x, com.example.b=y]\n",
			origins: map[string]string{
				"services.test.labels.com👻example👻a": "compose.yaml:4:22",
				"services.test.labels.com👻example👻b": "compose.override.yaml:4:22",
			},
		},
		{
			name:     "ports unique by published and target, the last wins",
			base:     "services:\n  test:\n    ports:\n      - \"8080:80\"\n      - \"9090:90\"\n",
			override: "services:\n  test:\n    ports:\n      - \"8080:80\"\n      - \"7070:70\"\n",
			want:     "services:\n  test:\n    ports: [\"8080:80\", \"9090:90\", \"7070:70\"]\n",
			origins: map[string]string{
				"services.test.ports.0": "compose.yaml:4:9",
				"services.test.ports.2": "compose.override.yaml:5:9",
			},
		},
		{
			name:     "volumes unique by target, the override's mount replaces in place",
			base:     "services:\n  test:\n    volumes:\n      - data:/data\n      - ./conf:/etc/conf\n",
			override: "services:\n  test:\n    volumes:\n      - /srv/data:/data\n",
			want:     "services:\n  test:\n    volumes: [\"/srv/data:/data\", \"./conf:/etc/conf\"]\n",
			origins: map[string]string{
				"services.test.volumes.0": "compose.override.yaml:4:9",
				"services.test.volumes.1": "compose.yaml:5:9",
			},
		},
		{
			name:     "depends_on list becomes a mapping with default condition",
			base:     "services:\n  test:\n    depends_on: [db]\n  db:\n    image: x\n",
			override: "services:\n  test:\n    depends_on:\n      db:\n        condition: service_healthy\n",
			want:     "services:\n  test:\n    depends_on:\n      db: {condition: service_healthy, required: true}\n  db:\n    image: x\n",
			origins: map[string]string{
				"services.test.depends_on.db":           "compose.yaml:3:18",
				"services.test.depends_on.db.condition": "compose.override.yaml:5:20",
				"services.test.depends_on.db.required":  "default",
			},
		},
		{
			name:     "depends_on only in the base is converted too",
			base:     "services:\n  test:\n    depends_on:\n      - db\n",
			override: "services:\n  test:\n    image: x\n",
			want:     "services:\n  test:\n    image: x\n    depends_on:\n      db: {condition: service_started, required: true}\n",
			origins: map[string]string{
				"services.test.depends_on.db":           "compose.yaml:4:9",
				"services.test.depends_on.db.condition": "default",
			},
		},
		{
			name:     "networks list and mapping merge as a mapping",
			base:     "services:\n  test:\n    networks: [front]\n",
			override: "services:\n  test:\n    networks:\n      back:\n        aliases: [b]\n",
			want:     "services:\n  test:\n    networks:\n      front:\n      back: {aliases: [b]}\n",
			origins: map[string]string{
				"services.test.networks.front":          "compose.yaml:3:16",
				"services.test.networks.back":           "compose.override.yaml:4:7",
				"services.test.networks.back.aliases.0": "compose.override.yaml:5:19",
			},
		},
		{
			name:     "build string becomes the context of a mapping",
			base:     "services:\n  test:\n    build: ./app\n",
			override: "services:\n  test:\n    build:\n      dockerfile: Other\n",
			want:     "services:\n  test:\n    build: {context: ./app, dockerfile: Other}\n",
			origins: map[string]string{
				"services.test.build.context":    "compose.yaml:3:12",
				"services.test.build.dockerfile": "compose.override.yaml:4:19",
			},
		},
		{
			name:     "logging with the same driver merges options",
			base:     "services:\n  test:\n    logging:\n      driver: syslog\n      options:\n        a: \"1\"\n",
			override: "services:\n  test:\n    logging:\n      driver: syslog\n      options:\n        b: \"2\"\n",
			want:     "services:\n  test:\n    logging:\n      driver: syslog\n      options: {a: \"1\", b: \"2\"}\n",
			origins:  map[string]string{"services.test.logging.options.a": "compose.yaml:6:12"},
		},
		{
			name:     "logging with another driver replaces everything",
			base:     "services:\n  test:\n    logging:\n      driver: local\n      options:\n        max-size: 10m\n",
			override: "services:\n  test:\n    logging:\n      driver: syslog\n      options:\n        address: tcp://x\n",
			want:     "services:\n  test:\n    logging:\n      driver: syslog\n      options: {address: tcp://x}\n",
			origins:  map[string]string{"services.test.logging.driver": "compose.override.yaml:4:15"},
		},
		{
			name:     "ulimits: a number replaces a soft/hard mapping",
			base:     "services:\n  test:\n    ulimits:\n      nofile: {soft: 1, hard: 2}\n      nproc: {soft: 3, hard: 4}\n",
			override: "services:\n  test:\n    ulimits:\n      nofile: 10\n      nproc: {hard: 5}\n",
			want:     "services:\n  test:\n    ulimits:\n      nofile: 10\n      nproc: {soft: 3, hard: 5}\n",
			origins: map[string]string{
				"services.test.ulimits.nofile":     "compose.override.yaml:4:15",
				"services.test.ulimits.nproc.soft": "compose.yaml:5:21",
			},
		},
		{
			name:     "!reset drops the value, !override replaces it",
			base:     "services:\n  test:\n    ports: [\"80:80\"]\n    environment: {A: \"1\", B: \"2\"}\n",
			override: "services:\n  test:\n    ports: !reset []\n    environment: !override\n      C: \"3\"\n",
			want:     "services:\n  test:\n    environment: {C: \"3\"}\n",
			origins:  map[string]string{"services.test.environment.C": "compose.override.yaml:5:10"},
		},
		{
			name:     "dns sequences append without duplicates",
			base:     "services:\n  test:\n    dns: 1.1.1.1\n",
			override: "services:\n  test:\n    dns: [1.1.1.1, 8.8.8.8]\n",
			want:     "services:\n  test:\n    dns: [1.1.1.1, 8.8.8.8]\n",
			origins: map[string]string{
				"services.test.dns.0": "compose.yaml:3:10",
				"services.test.dns.1": "compose.override.yaml:3:20",
			},
		},
		{
			name: "merge keys: local keys win, the first merged source wins, origins inside the anchor",
			base: `x-a: &a
  image: a
  restart: always
x-b: &b
  image: b
  user: bob
services:
  test:
    <<: [*a, *b]
    restart: "no"
`,
			override: "services:\n  other:\n    image: c\n",
			want:     "x-a: {image: a, restart: always}\nx-b: {image: b, user: bob}\nservices:\n  test: {image: a, restart: \"no\", user: bob}\n  other: {image: c}\n",
			origins: map[string]string{
				"services.test.image":   "compose.yaml:2:10 via *a at compose.yaml:9:10",
				"services.test.user":    "compose.yaml:6:9 via *b at compose.yaml:9:14",
				"services.test.restart": "compose.yaml:10:14",
			},
		},
		{
			name: "an alias as a value: origins in the anchor, the alias site in Via",
			base: `x-env: &env
  LOG: info
services:
  test:
    environment: *env
`,
			override: "services:\n  test:\n    image: x\n",
			want:     "x-env: {LOG: info}\nservices:\n  test: {image: x, environment: {LOG: info}}\n",
			origins: map[string]string{
				"services.test.environment":     "compose.yaml:1:8 via *env at compose.yaml:5:18",
				"services.test.environment.LOG": "compose.yaml:2:8 via *env at compose.yaml:5:18",
			},
		},
		{
			name:     "null override of networks keeps the base (compose-go merge_null_test)",
			base:     "services:\n  test:\n    image: foo\n    networks: [runtime]\n",
			override: "services:\n  test:\n    networks: null\n",
			want:     "services:\n  test:\n    image: foo\n    networks: {runtime: null}\n",
			origins:  map[string]string{"services.test.networks.runtime": "compose.yaml:4:16"},
		},
		{
			name:     "null override of depends_on keeps the base with defaults",
			base:     "services:\n  test:\n    image: foo\n    depends_on: [runtime]\n",
			override: "services:\n  test:\n    depends_on: null\n",
			want:     "services:\n  test:\n    image: foo\n    depends_on: {runtime: {condition: service_started, required: true}}\n",
			origins: map[string]string{
				"services.test.depends_on.runtime":          "compose.yaml:4:18",
				"services.test.depends_on.runtime.required": "default",
			},
		},
		{
			name:     "key-value lists: the last entry for a key wins (compose-go merge_dedup_test)",
			base:     "services:\n  test:\n    image: foo\n    environment:\n      - MODE=release\n",
			override: "services:\n  test:\n    environment:\n      - MODE=debug\n      - MODE=release\n",
			want:     "services:\n  test:\n    image: foo\n    environment: [MODE=release]\n",
			origins:  map[string]string{"services.test.environment.MODE": "compose.override.yaml:5:9"},
		},
		{
			name:     "sequences drop identical duplicates",
			base:     "services:\n  test:\n    cap_add: [NET_ADMIN]\n    volumes:\n      - {type: volume, source: data, target: /data}\n",
			override: "services:\n  test:\n    cap_add: [NET_ADMIN, SYS_PTRACE]\n    volumes:\n      - {type: volume, source: data, target: /data}\n",
			want:     "services:\n  test:\n    cap_add: [NET_ADMIN, SYS_PTRACE]\n    volumes:\n      - {type: volume, source: data, target: /data}\n",
			origins: map[string]string{
				"services.test.cap_add.0":        "compose.yaml:3:15",
				"services.test.cap_add.1":        "compose.override.yaml:3:26",
				"services.test.volumes.0.source": "compose.yaml:5:32",
			},
		},
		{
			name:     "extra_hosts mapping and list merge as a list (compose-go merge_extra_hosts_test)",
			base:     "services:\n  test:\n    image: foo\n    extra_hosts:\n      \"example.com\": \"1.2.3.4\"\n",
			override: "services:\n  test:\n    extra_hosts:\n      - localhost=127.0.0.1\n      - example.com=1.2.3.4\n      - example.com=4.3.2.1\n",
			want:     "services:\n  test:\n    image: foo\n    extra_hosts: [example.com=1.2.3.4, localhost=127.0.0.1, example.com=4.3.2.1]\n",
			origins: map[string]string{
				"services.test.extra_hosts.0": "compose.yaml:5:22",
				"services.test.extra_hosts.2": "compose.override.yaml:6:9",
			},
		},
		{
			name:     "numeric label values become KEY=VALUE strings (compose-go merge_labels_test)",
			base:     "services:\n  test:\n    labels:\n      FOO: 1\n",
			override: "services:\n  test:\n    labels:\n      FOO: 3\n",
			want:     "services:\n  test:\n    labels: [FOO=3]\n",
			origins:  map[string]string{"services.test.labels.FOO": "compose.override.yaml:4:12"},
		},
	} {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) { assertMerge(t, c) })
	}
}

func TestMergeExtendsSameFile(t *testing.T) {
	r, err := Merge(parseDocs(t, `services:
  base:
    image: app
    environment:
      A: "1"
  web:
    extends: base
    environment:
      B: "2"
`))
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"services.web.image":         "compose.yaml:3:12",
		"services.web.environment.A": "compose.yaml:5:10",
		"services.web.environment.B": "compose.yaml:9:10",
	} {
		if o, _ := r.Origin(path); o.String() != want {
			t.Errorf("origin of %s = %s, want %s", path, o, want)
		}
	}
	if _, ok := r.Tree()["services"].(map[string]any)["web"].(map[string]any)["extends"]; ok {
		t.Error("extends left in the merged service")
	}
}

func TestMergeErrors(t *testing.T) {
	for _, c := range []struct {
		name, base, override, want string
	}{
		{"mapping over a sequence", "services:\n  a:\n    ports: [\"80\"]\n", "services:\n  a:\n    ports: {x: 1}\n",
			"compose.override.yaml:3:12: cannot override services.a.ports: a mapping cannot replace a sequence"},
		{"extends an unknown service", "services:\n  a:\n    extends: nope\n", "services:\n  b:\n    image: x\n",
			"compose.yaml:3:14: cannot extend service \"a\" in compose.yaml: service \"nope\" not found"},
		{"alias bomb", bomb(), "services: {}\n", "aliases expand to more than"},
		// compose-go deletes `version` after each file, then finds nothing
		// (FuzzDifferential)
		{"only a version", "", "version: A", "compose.yaml:1:1: empty compose file: define at least `services:`"},
		{"only a version, twice", "version: '3'\n", "version: '3.8'\n", "compose.yaml:1:1: empty compose file"},
		// compose-go fails the same way: its canonical step refuses a null
		// depends_on (testdata/diff/null-base).
		{"null depends_on", "services:\n  a:\n    depends_on: null\n", "services:\n  a:\n    depends_on: [b]\n",
			"compose.yaml:3:17: services.a.depends_on: depends_on must be a list or a mapping of services"},
	} {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			_, err := Merge(parseDocs(t, c.base, c.override))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			var ce *compose.Error
			if !errors.As(err, &ce) {
				t.Errorf("error %T is not a *compose.Error", err)
			}
		})
	}
}

// bomb is a billion-laughs file.
func bomb() string {
	var b strings.Builder
	b.WriteString("x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	prev := "a"
	for i := 0; i < 8; i++ {
		name := string(rune('b' + i))
		b.WriteString("x-" + name + ": &" + name + " [")
		for j := 0; j < 9; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*" + prev)
		}
		b.WriteString("]\n")
		prev = name
	}
	b.WriteString("services:\n  a:\n    command: *" + prev + "\n")
	return b.String()
}

func TestOriginNearestAncestor(t *testing.T) {
	r, err := Merge(parseDocs(t, "services:\n  web:\n    ports:\n      - \"80:80\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	o, ok := r.Origin("services.web.ports.0.published")
	if !ok || o.String() != "compose.yaml:4:9" {
		t.Errorf("Origin(ports.0.published) = %s, %v", o, ok)
	}
	if _, ok := r.Origin("volumes.data"); ok {
		t.Error("Origin of an absent top-level key found")
	}
}

// TestOriginEmptyValue: a value written as nothing (`data:`) is where
// its key is, not just after the colon, where yaml.v3 puts the null.
func TestOriginEmptyValue(t *testing.T) {
	r, err := Merge(parseDocs(t, "services:\n  web:\n    image: nginx\n    networks:\n      front:\nvolumes:\n  data:\n  quoted: \"\"\n  tilde: ~\n"))
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"volumes.data":                "compose.yaml:7:3",
		"services.web.networks.front": "compose.yaml:5:7",
		"volumes.quoted":              "compose.yaml:8:11", // written: the text
		"volumes.tilde":               "compose.yaml:9:10",
	} {
		if o, ok := r.Origin(path); !ok || o.String() != want {
			t.Errorf("Origin(%s) = %s, %v; want %s", path, o, ok, want)
		}
	}
}

func TestMergeExtendsOtherFile(t *testing.T) {
	dir := "testdata/diff/extends"
	r := mergeFiles(t, dir, []string{"1-compose.yaml", "2-compose.override.yaml"})
	for path, want := range map[string]string{
		"services.remote.image":                "common.yml:3:12",
		"services.remote.healthcheck.interval": "2-compose.override.yaml:7:17",
		"services.remote.healthcheck.test.0":   "common.yml:7:14",
		"services.worker.command":              "1-compose.yaml:16:14",
		"services.worker.image":                "1-compose.yaml:3:12",
	} {
		if got := r.Describe(path); got != want {
			t.Errorf("origin of %s = %s, want %s", path, got, want)
		}
	}
}

// TestOriginsAgree: the lazily built Origins map and Origin's walk of the
// tree give the same answer for every path.
func TestOriginsAgree(t *testing.T) {
	r := mergeFiles(t, "testdata/diff/shapes", []string{"1-compose.yaml", "2-compose.override.yaml"})
	if len(r.Origins()) < 50 {
		t.Fatalf("only %d origins", len(r.Origins()))
	}
	for path, want := range r.Origins() {
		got, ok := r.Origin(path)
		if !ok || got.String() != want.String() {
			t.Errorf("Origin(%q) = %v, %v; Origins has %v", path, got, ok, want)
		}
	}
}

func TestMergeWithInterpolation(t *testing.T) {
	base := "services:\n  web:\n    ports: [\"${PORT:-8080}:80\"]\n    deploy:\n      replicas: ${REPLICAS}\n"
	override := "services:\n  web:\n    ports: [\"8080:80\"]\n"
	lookup := func(name string) (string, bool) {
		if name == "REPLICAS" {
			return "3", true
		}
		return "", false
	}
	r, err := Merge(parseDocs(t, base, override), WithInterpolation(lookup))
	if err != nil {
		t.Fatal(err)
	}
	web := r.Tree()["services"].(map[string]any)["web"].(map[string]any)
	if got := web["ports"]; !reflect.DeepEqual(got, []any{"8080:80"}) {
		t.Errorf("ports = %#v, want the two equal once interpolated merged into one", got)
	}
	if got := web["deploy"].(map[string]any)["replicas"]; got != 3 {
		t.Errorf("replicas = %#v, want the int 3 (cast as compose-go does)", got)
	}
	if o, _ := r.Origin("services.web.ports.0"); o.String() != "compose.yaml:3:13" {
		t.Errorf("origin of the port = %s, want the base's text", o)
	}
	if o, _ := r.Origin("services.web.deploy.replicas"); o.String() != "compose.yaml:5:17" {
		t.Errorf("origin of replicas = %s", o)
	}
	raw, err := Merge(parseDocs(t, base, override))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(raw.Tree()["services"].(map[string]any)["web"].(map[string]any)["ports"].([]any)); n != 2 {
		t.Errorf("without interpolation %d ports, want 2", n)
	}
}

func TestMergeWithoutExtendsOrInclude(t *testing.T) {
	src := "services:\n  base:\n    image: app\n  web:\n    extends: base\n"
	r, err := Merge(parseDocs(t, src), WithoutExtends())
	if err != nil {
		t.Fatal(err)
	}
	web := r.Tree()["services"].(map[string]any)["web"].(map[string]any)
	if _, ok := web["image"]; ok {
		t.Error("WithoutExtends resolved extends")
	}
	if web["extends"] != "base" {
		t.Errorf("extends = %#v, want it left as written", web["extends"])
	}
	r, err = Merge(parseDocs(t, "include: [other.yaml]\nservices:\n  a:\n    image: x\n"), WithoutInclude())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Tree()["include"]; !ok {
		t.Error("WithoutInclude dropped include (compose-go's SkipInclude keeps it)")
	}
}

// TestVolumeTarget: the fast path agrees with format.ParseVolume.
func TestVolumeTarget(t *testing.T) {
	for _, s := range []string{"/data", "data:/data", "./conf:/etc/conf:ro", "data:/data:rw,z", "/a:/b:nocopy",
		"C:\\\\data:/data", "c:/data:/data", ":/x", "a::", "a:b:c:d", "${X}:/y", "~/x:/y"} {
		got, ok := volumeTarget(s)
		if !ok {
			continue
		}
		v, err := format.ParseVolume(s)
		if err != nil {
			t.Errorf("%q: fast path says %q, ParseVolume fails: %v", s, got, err)
			continue
		}
		if v.Target != got {
			t.Errorf("%q: fast path %q, ParseVolume %q", s, got, v.Target)
		}
	}
}
