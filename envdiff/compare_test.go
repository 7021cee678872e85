package envdiff

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/merge"
)

// summary renders changes one per line as "kind path", for compact wants.
func summary(r Report) []string {
	out := make([]string, 0, len(r.Changes))
	for _, c := range r.Changes {
		out = append(out, fmt.Sprintf("%s %s", c.Kind, c.Path))
	}
	return out
}

// TestCompareLoaded compares pairs of compose files as the loader resolves
// them: what docker compose treats as the same shows no difference.
func TestCompareLoaded(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		want     []string
	}{
		{
			name: "identical",
			from: "services:\n  web:\n    image: nginx\n",
			to:   "services:\n  web:\n    image: nginx\n",
		},
		{
			name: "ports reordered",
			from: "services:\n  web:\n    image: nginx\n    ports: ['127.0.0.1:8080:80', '443:443']\n",
			to:   "services:\n  web:\n    image: nginx\n    ports: ['443:443', '127.0.0.1:8080:80']\n",
		},
		{
			name: "environment entry moved within its list",
			from: "services:\n  web:\n    image: nginx\n    environment: [A=1, B=2, C=3]\n",
			to:   "services:\n  web:\n    image: nginx\n    environment: [C=3, A=1, B=2]\n",
		},
		{
			name: "environment list and map spellings",
			from: "services:\n  web:\n    image: nginx\n    environment: [A=1, B=2]\n",
			to:   "services:\n  web:\n    image: nginx\n    environment: {B: '2', A: 1}\n",
		},
		{
			name: "inline service and the same through an anchor: only the x- block differs",
			from: "services:\n  web:\n    image: nginx\n    restart: always\n    environment: {A: '1'}\n    ports: ['8080:80']\n",
			to: "x-base: &base\n  image: nginx\n  restart: always\n  environment: {A: '1'}\n" +
				"services:\n  web:\n    <<: *base\n    ports: ['8080:80']\n",
			want: []string{"added x-base"},
		},
		{
			name: "a change in a top-level x- block",
			from: "x-deploy: {region: eu-west-1}\nservices:\n  web:\n    image: nginx\n",
			to:   "x-deploy: {region: us-east-1}\nservices:\n  web:\n    image: nginx\n",
			want: []string{"changed x-deploy.region"},
		},
		{
			name: "published port as string and number",
			from: "services:\n  web:\n    image: nginx\n    ports: [{target: 80, published: '8080'}]\n",
			to:   "services:\n  web:\n    image: nginx\n    ports: [{target: 80, published: 8080}]\n",
		},
		{
			name: "port rebinding is a removal and an addition",
			from: "services:\n  web:\n    image: nginx\n    ports: ['127.0.0.1:8080:80']\n",
			to:   "services:\n  web:\n    image: nginx\n    ports: ['127.0.0.1:9090:80']\n",
			want: []string{
				"removed services.web.ports[127.0.0.1:8080:80/tcp]",
				"added services.web.ports[127.0.0.1:9090:80/tcp]",
			},
		},
		{
			name: "port mode change inside one identity",
			from: "services:\n  web:\n    image: nginx\n    ports: [{target: 80, published: '80', mode: ingress}]\n",
			to:   "services:\n  web:\n    image: nginx\n    ports: [{target: 80, published: '80', mode: host}]\n",
			want: []string{"changed services.web.ports[80:80/tcp].mode"},
		},
		{
			name: "environment added and changed",
			from: "services:\n  web:\n    image: nginx\n    environment: [DEBUG=1]\n",
			to:   "services:\n  web:\n    image: nginx\n    environment: [DEBUG=0, PRODUCTION=true]\n",
			want: []string{
				"changed services.web.environment.DEBUG",
				"added services.web.environment.PRODUCTION",
			},
		},
		// docker compose's JSON writes an unset command or entrypoint as null
		{
			name: "a command set on one side is added, not changed from null",
			from: "services:\n  web:\n    image: nginx\n",
			to:   "services:\n  web:\n    image: nginx\n    command: [a]\n    entrypoint: sh\n",
			want: []string{"added services.web.command", "added services.web.entrypoint"},
		},
		{
			name: "a command set empty is set",
			from: "services:\n  web:\n    image: nginx\n",
			to:   "services:\n  web:\n    image: nginx\n    command: []\n",
			want: []string{"added services.web.command"},
		},
		{
			name: "a command removed",
			from: "services:\n  web:\n    image: nginx\n    command: [a]\n",
			to:   "services:\n  web:\n    image: nginx\n",
			want: []string{"removed services.web.command"},
		},
		{
			name: "command order matters",
			from: "services:\n  web:\n    image: nginx\n    command: [a, b]\n",
			to:   "services:\n  web:\n    image: nginx\n    command: [b, a]\n",
			want: []string{"changed services.web.command"},
		},
		{
			name: "healthcheck test and dns order matter, cap_add order does not",
			from: "services:\n  web:\n    image: nginx\n    dns: [1.1.1.1, 8.8.8.8]\n    cap_add: [A, B]\n    healthcheck: {test: [CMD, a, b]}\n",
			to:   "services:\n  web:\n    image: nginx\n    dns: [8.8.8.8, 1.1.1.1]\n    cap_add: [B, A]\n    healthcheck: {test: [CMD, b, a]}\n",
			want: []string{"changed services.web.dns", "changed services.web.healthcheck.test"},
		},
		{
			name: "hooks run in order",
			from: "services:\n  web:\n    image: nginx\n    post_start: [{command: [a]}, {command: [b]}]\n    pre_stop: [{command: [c]}, {command: [d]}]\n",
			to:   "services:\n  web:\n    image: nginx\n    post_start: [{command: [b]}, {command: [a]}]\n    pre_stop: [{command: [d]}, {command: [c]}]\n",
			want: []string{"changed services.web.post_start", "changed services.web.pre_stop"},
		},
		{
			name: "dns_search and dns_opt order",
			from: "services:\n  web:\n    image: nginx\n    dns_search: [a.example, b.example]\n    dns_opt: [ndots:2, rotate]\n",
			to:   "services:\n  web:\n    image: nginx\n    dns_search: [b.example, a.example]\n    dns_opt: [rotate, ndots:2]\n",
			want: []string{"changed services.web.dns_opt", "changed services.web.dns_search"},
		},
		{
			name: "set items by value",
			from: "services:\n  web:\n    image: nginx\n    cap_add: [NET_ADMIN, SYS_TIME]\n",
			to:   "services:\n  web:\n    image: nginx\n    cap_add: [SYS_TIME, SYS_PTRACE]\n",
			want: []string{
				"removed services.web.cap_add[NET_ADMIN]",
				"added services.web.cap_add[SYS_PTRACE]",
			},
		},
		{
			name: "labels with dots in the key",
			from: "services:\n  web:\n    image: nginx\n    labels: [traefik.enable=true]\n",
			to:   "services:\n  web:\n    image: nginx\n    labels: {traefik.enable: 'false'}\n",
			want: []string{`changed services.web.labels."traefik.enable"`},
		},
		{
			name: "volumes by target",
			from: "services:\n  db:\n    image: pg\n    volumes: ['data:/var/lib/pg', '/tmp:/tmp']\nvolumes:\n  data: {}\n",
			to:   "services:\n  db:\n    image: pg\n    volumes: ['/tmp:/tmp', 'other:/var/lib/pg']\nvolumes:\n  other: {}\n",
			want: []string{
				"changed services.db.volumes[/var/lib/pg].source",
				"removed volumes.data",
				"added volumes.other",
			},
		},
		{
			name: "secrets short and long syntax",
			from: "services:\n  web:\n    image: nginx\n    secrets: [pw]\nsecrets:\n  pw: {environment: PW}\n",
			to:   "services:\n  web:\n    image: nginx\n    secrets: [{source: pw, target: /run/secrets/pw}]\nsecrets:\n  pw: {environment: PW}\n",
		},
		{
			name: "extra_hosts list and map spellings",
			from: "services:\n  web:\n    image: nginx\n    extra_hosts: ['a=10.0.0.1', 'b=10.0.0.2']\n",
			to:   "services:\n  web:\n    image: nginx\n    extra_hosts: {b: 10.0.0.2, a: 10.0.0.1}\n",
		},
		{
			name: "service added is one change",
			from: "services:\n  web:\n    image: nginx\n",
			to:   "services:\n  web:\n    image: nginx\n  worker:\n    image: app\n    environment: [A=1]\n",
			want: []string{"added services.worker"},
		},
		{
			name: "sorted by path, web before web-2",
			from: "services:\n  web-2:\n    image: a\n  web:\n    image: a\n",
			to:   "services:\n  web-2:\n    image: b\n  web:\n    image: b\n    restart: always\n",
			want: []string{
				"changed services.web.image",
				"added services.web.restart",
				"changed services.web-2.image",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"from.yaml": tt.from, "to.yaml": tt.to})
			r := Compare(Side{Name: "from", Model: loadModel(t, dir, nil, "from.yaml")},
				Side{Name: "to", Model: loadModel(t, dir, nil, "to.yaml")})
			got := summary(r)
			if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("changes:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestCompareSpellings runs the identity rules on models written by hand,
// with the spellings the loader would normally have normalized away, so the
// rules themselves are tested and not only the loader.
func TestCompareSpellings(t *testing.T) {
	tests := []struct {
		name     string
		from, to string // JSON models
		want     []string
	}{
		{
			name: "short and long ports",
			from: `{"services":{"web":{"ports":["127.0.0.1:8080:80/tcp","53:53/udp"]}}}`,
			to:   `{"services":{"web":{"ports":[{"target":53,"published":"53","protocol":"udp"},{"host_ip":"127.0.0.1","target":80,"published":8080}]}}}`,
			want: []string{
				// The long form carries fields the short form has not: those
				// are differences inside the item, never a new item.
				"changed services.web.ports[127.0.0.1:8080:80/tcp]",
				"changed services.web.ports[53:53/udp]",
			},
		},
		{
			name: "environment map and list",
			from: `{"services":{"web":{"environment":{"A":"1","B":null}}}}`,
			to:   `{"services":{"web":{"environment":["B","A=1"]}}}`,
		},
		{
			name: "depends_on list and map",
			from: `{"services":{"web":{"depends_on":["db"]}}}`,
			to:   `{"services":{"web":{"depends_on":{"db":{"condition":"service_started","required":true}}}}}`,
		},
		{
			name: "networks list and map",
			from: `{"services":{"web":{"networks":["front","back"]}}}`,
			to:   `{"services":{"web":{"networks":{"back":null,"front":null}}}}`,
		},
		{
			name: "extra_hosts colon, equals and lists of addresses",
			from: `{"services":{"web":{"extra_hosts":["h:10.0.0.1","g=10.0.0.3","h=10.0.0.2"]}}}`,
			to:   `{"services":{"web":{"extra_hosts":{"g":["10.0.0.3"],"h":["10.0.0.1","10.0.0.2"]}}}}`,
		},
		{
			name: "extra_hosts: the addresses of one host in another order",
			from: `{"services":{"web":{"extra_hosts":["h:10.0.0.1","h=10.0.0.2"]}}}`,
			to:   `{"services":{"web":{"extra_hosts":{"h":["10.0.0.2","10.0.0.1"]}}}}`,
			want: []string{"changed services.web.extra_hosts.h"},
		},
		{
			name: "build args by key",
			from: `{"services":{"web":{"build":{"args":["V=1","W=2"]}}}}`,
			to:   `{"services":{"web":{"build":{"args":{"W":"2","V":"3"}}}}}`,
			want: []string{"changed services.web.build.args.V"},
		},
		{
			name: "duplicate set items keep their count",
			from: `{"services":{"web":{"cap_add":["a","a"]}}}`,
			to:   `{"services":{"web":{"cap_add":["a"]}}}`,
			want: []string{"removed services.web.cap_add[a#2]"},
		},
		{
			name: "numbers and strings",
			from: `{"services":{"web":{"deploy":{"replicas":2},"read_only":true}}}`,
			to:   `{"services":{"web":{"deploy":{"replicas":"2"},"read_only":"true"}}}`,
		},
		{
			name: "entrypoint order",
			from: `{"services":{"web":{"entrypoint":["/wait-for-it.sh","db:5432","--","run"]}}}`,
			to:   `{"services":{"web":{"entrypoint":["/wait-for-it.sh","--","db:5432","run"]}}}`,
			want: []string{"changed services.web.entrypoint"},
		},
		{
			name: "ipam config by subnet",
			from: `{"networks":{"n":{"ipam":{"config":[{"subnet":"10.0.0.0/24"},{"subnet":"10.1.0.0/24","gateway":"10.1.0.1"}]}}}}`,
			to:   `{"networks":{"n":{"ipam":{"config":[{"subnet":"10.1.0.0/24","gateway":"10.1.0.254"},{"subnet":"10.0.0.0/24"}]}}}}`,
			want: []string{"changed networks.n.ipam.config[10.1.0.0/24].gateway"},
		},
		{
			name: "type change",
			from: `{"services":{"web":{"build":"."}}}`,
			to:   `{"services":{"web":{"build":{"context":"."}}}}`,
			want: []string{"changed services.web.build"},
		},
		{
			name: "null and absent differ",
			from: `{"services":{"web":{"networks":{"front":null}}}}`,
			to:   `{"services":{"web":{"networks":{}}}}`,
			want: []string{"removed services.web.networks.front"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Compare(Side{Name: "from", Model: decode(t, tt.from)}, Side{Name: "to", Model: decode(t, tt.to)})
			got := summary(r)
			if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("changes:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func decode(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCompareValuesAndOrigins checks the values shown for each side (in the
// model's shape, KEY=VALUE entries as their value) and that origins are
// asked for with the model's path of each side.
func TestCompareValuesAndOrigins(t *testing.T) {
	from := decode(t, `{"services":{"web":{"environment":["A=1"],"ports":[{"target":80,"published":"80"},{"target":443,"published":"443"}]}}}`)
	to := decode(t, `{"services":{"web":{"environment":{"A":"2"},"ports":[{"target":443,"published":"8443"},{"target":80,"published":"80"}]}}}`)
	var asked []string
	origin := func(file string) func(string) (merge.Origin, bool) {
		return func(p string) (merge.Origin, bool) {
			asked = append(asked, file+" "+p)
			return merge.Origin{Location: compose.Location{File: file, Pos: compose.Pos{Line: len(p), Col: 1}}}, true
		}
	}
	r := Compare(Side{Name: "a", Model: from, Origin: origin("a.yml")}, Side{Name: "b", Model: to, Origin: origin("b.yml")})
	var got []string
	for _, c := range r.Changes {
		fb, _ := json.Marshal(c.From)
		tb, _ := json.Marshal(c.To)
		got = append(got, fmt.Sprintf("%s %s %s %s %v %v", c.Kind, c.Path, fb, tb, c.FromOrigin, c.ToOrigin))
	}
	want := []string{
		`changed services.web.environment.A "1" "2" a.yml:26:1 b.yml:26:1`,
		`removed services.web.ports[443:443/tcp] {"published":"443","target":443} null a.yml:20:1 <nil>`,
		`added services.web.ports[8443:443/tcp] null {"published":"8443","target":443} <nil> b.yml:20:1`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("changes:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	slices.Sort(asked)
	wantAsked := []string{
		"a.yml services.web.environment.0",
		"a.yml services.web.ports.1",
		"b.yml services.web.environment.A",
		"b.yml services.web.ports.0",
	}
	if !slices.Equal(asked, wantAsked) {
		t.Errorf("origin paths:\n got %q\nwant %q", asked, wantAsked)
	}
}

func TestPathString(t *testing.T) {
	tests := []struct {
		p    Path
		want string
	}{
		{Path{{Key: "services"}, {Key: "web"}, {Key: "ports"}, {Key: "127.0.0.1:8080:80/tcp", Item: true}}, "services.web.ports[127.0.0.1:8080:80/tcp]"},
		{Path{{Key: "services"}, {Key: "web"}, {Key: "labels"}, {Key: "traefik.enable"}}, `services.web.labels."traefik.enable"`},
		{Path{{Key: "services"}, {Key: "web"}, {Key: "volumes"}, {Key: "/data", Item: true}, {Key: "source"}}, "services.web.volumes[/data].source"},
		{Path{{Key: "x"}, {Key: `a]b\c`, Item: true}}, `x[a\]b\\c]`},
		{Path{{Key: "x"}, {Key: ""}}, `x.""`},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("String() = %s, want %s", got, tt.want)
		}
	}
}

// TestMergeOriginsPrefix checks that a revision's prefix goes in front of
// every file an origin names, the alias sites included, and that values
// no file wrote have no origin.
func TestMergeOriginsPrefix(t *testing.T) {
	src := "x-base: &base\n  image: nginx\nservices:\n  web: *base\n  db:\n    image: pg\n    depends_on: [web]\n"
	d, err := compose.Parse("compose.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	m, err := merge.Merge([]*compose.Document{d})
	if err != nil {
		t.Fatal(err)
	}
	origin := MergeOrigins(m, "HEAD~1:")
	tests := []struct{ path, want string }{
		{"services.web.image", "HEAD~1:compose.yaml:2:10 via *base at HEAD~1:compose.yaml:4:8"},
		{"services.db.image", "HEAD~1:compose.yaml:6:12"},
		{"services.db.depends_on.web.condition", ""},
	}
	for _, tt := range tests {
		got := ""
		if o, ok := origin(tt.path); ok {
			got = o.String()
		}
		if got != tt.want {
			t.Errorf("%s: origin %q, want %q", tt.path, got, tt.want)
		}
	}
	if o, _ := m.Origin("services.web.image"); o.Via[0].File != "compose.yaml" {
		t.Errorf("the merge result's origin was changed: %v", o)
	}
}

// TestScalarsWrittenDifferently checks where envdiff's comparison differs
// from compose.PlainEqual on purpose. The fast path that skips values
// written the same way is PlainEqual itself, strict (80 is not "80"); the
// loader's loose equality of scalars lives in the canonical forms
// (scalar), which decide for values written differently: 80 and "80" are
// no change. Among canonical values, a keyed list never equals a mapping
// spelled alike.
func TestScalarsWrittenDifferently(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		changes  int
	}{
		{"number and string", `{"services":{"web":{"ports":[{"target":80,"published":"8080"}]}}}`,
			`{"services":{"web":{"ports":[{"target":"80","published":8080}]}}}`, 0},
		{"bool and string", `{"services":{"web":{"tty":true,"x-n":1.0}}}`, `{"services":{"web":{"tty":"true","x-n":"1"}}}`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to := decode(t, tt.from), decode(t, tt.to)
			if compose.PlainEqual(from, to) {
				t.Fatalf("the sides are written the same way: nothing tested")
			}
			if r := Compare(Side{Name: "a", Model: from}, Side{Name: "b", Model: to}); len(r.Changes) != tt.changes {
				t.Errorf("%d changes, want %d: %v", len(r.Changes), tt.changes, r.Changes)
			}
		})
	}
	if equal(keyed{"k": "k"}, map[string]any{"k": "k"}) || equal(map[string]any{"k": "k"}, keyed{"k": "k"}) {
		t.Errorf("a keyed list equals a mapping")
	}
	if !equal(map[string]any{"l": keyed{"k": map[string]any{"a": "1"}}}, map[string]any{"l": keyed{"k": map[string]any{"a": "1"}}}) {
		t.Errorf("equal keyed lists differ")
	}
}
