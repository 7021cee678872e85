package model

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// decodeCases are models with what compose-go makes of them, each in
// testdata/decode/<name>.golden: the project's non-zero fields one per
// line, or the errors with their paths. Every case is also decoded by
// compose-go and must come out the same (or fail in both).
var decodeCases = []struct {
	name  string
	model string         // YAML
	typed map[string]any // values YAML cannot write, set at dotted paths
}{
	// x- keys move to Extensions, except among user-defined names.
	{name: "extensions at every level", model: `
x-top: {a: 1}
services:
  web:
    x-svc: 1
    deploy: {x-deploy: 2, resources: {x-res: 3, limits: {x-lim: 4}}}
    ports: [{target: 80, x-port: 5}]
    healthcheck: {x-hc: 6, test: [CMD, "true"]}
    build: {context: ., x-build: 7}
    logging: {driver: json-file, x-log: 8}
networks:
  front: {x-net: 9, ipam: {x-ipam: 10}}
volumes:
  data: {x-vol: 11}
`},
	{name: "x- names stay names", model: `
services:
  x-web: {image: nginx}
  app: {image: app, depends_on: {x-web: {condition: service_started, required: true}}}
volumes: {x-data: {}}
networks: {x-front: {}}
secrets: {x-s: {file: ./s}}
configs: {x-c: {file: ./c}}
`},
	// compose-go's userDefinedKeys forgets models and jobs: their x- names
	// move under "#extensions", which becomes a model and a job of that name.
	{name: "x- names of models and jobs become extensions", model: `
services: {}
models: {x-llm: {model: ai/smollm2}, llm: {model: ai/x}}
jobs: {x-job: {image: busybox}}
`},
	// Maps the types decode themselves get "#extensions" as one more key,
	// its value printed by fmt.
	{name: "x- keys in labels and environment", model: `
services:
  web:
    labels: {x-team: core, app: web}
    environment: {x-env: 3, A: "1"}
    networks: {x-net: {}, default: null}
`},
	// IPAMPool's Extensions is tagged `yaml:",inline"`: its key is
	// "Extensions" (any case), and x- keys are lost.
	{name: "ipam pool extensions", model: `
networks:
  n:
    ipam:
      config:
        - {subnet: 10.0.0.0/24, x-pool: lost, extensions: {kept: true}}
`},
	{name: "fields without yaml tags", model: `
services:
  web:
    blkio_config:
      weight_device: [{path: /dev/sda, weight: 10}]
      device_read_bps: [{Path: /dev/sdb, rate: 1024}]
    deploy:
      resources:
        reservations:
          generic_resources: [{discrete_resource_spec: {kind: gpu, value: 2}}]
`},
	{name: "keys in another case", model: `
services:
  web: {Image: ignored, image: nginx, CONTAINER_NAME: web-1, Privileged: true}
`},
	// ModelToProject deletes "name"; a "NAME" key then names the project.
	{name: "project name key", model: `
name: ignored
NAME: from-model
services: {}
`},
	// mapstructure reads `yaml:"-"` as the key "-".
	{name: "dash key", model: `
"-": /elsewhere
services: {}
`},
	{name: "dash key in a service", model: `
services:
  web: {image: nginx, "-": {team: core}}
`},
	{name: "embedded structs", model: `
services:
  web:
    image: nginx
    tty: true
    depends_on: {db: {condition: service_healthy, required: true, restart: true}}
    pre_start:
      - {image: busybox, command: [echo, hi], per_replica: true, x-hook: 1}
jobs:
  migrate: {image: app, triggers: {manual: true, schedule: [{cron: "0 * * * *"}]}}
`},
	{name: "pointers", model: `
services:
  web:
    scale: "2"
    init: "yes"
    healthcheck: {retries: 3, interval: 10s, disable: false}
    networks: {default: null, back: {aliases: [api]}}
    ulimits: {nofile: {soft: 1024, hard: 2048}, nproc: 512}
`},
	{name: "types that decode themselves", model: `
services:
  web:
    command: echo "hello world"
    entrypoint: [/bin/sh, -c]
    environment: [A=1, B, C=]
    labels: [a=1, b]
    extra_hosts: ["host=1.2.3.4", "other:[::1]"]
    dns: 8.8.8.8
    expose: [80, "443"]
    mem_limit: 512m
    cpus: 1.5
    stop_grace_period: 1m30s
    healthcheck: {test: curl -f http://localhost, timeout: 100ms}
    build: {context: ., ssh: {default: null, key: /k}}
    deploy: {resources: {reservations: {devices: [{count: all, capabilities: [gpu]}]}}}
    secrets: [{source: s, mode: 0440}]
    logging: {options: {max-size: 10m, max-file: 3}}
`},
	// Durations behind a pointer are decoded twice: the second time from
	// their own String().
	{name: "durations", model: `
services:
  web:
    stop_grace_period: 1.5us
    healthcheck: {interval: 90m, timeout: 0, start_period: -5s}
    deploy: {update_config: {delay: 2h}}
`},
	{name: "casts", model: `
services:
  web:
    privileged: "on"
    read_only: "FALSE"
    cpu_count: "3"
    cpu_percent: "12.5"
    cpus: "0.25"
    container_name: 42
    scale: 2.9
    blkio_config: {weight: 70000}
`},
	{name: "services and jobs are named by their key", model: `
services:
  web: {name: other, image: nginx}
  web.v2: {image: nginx}
jobs:
  j: {name: other, image: busybox}
`},
	// The loader stores a secret's environment value as x-#value; a hook
	// makes it the content. A config's content is set by the loader itself.
	{name: "secret content from its environment", model: `
secrets:
  s: {environment: TOKEN, x-#value: s3cret}
  t: {environment: TOKEN, x-#value: s3cret, x-other: 1}
  u: {environment: TOKEN, x-#value: s3cret, content: written}
configs:
  c: {environment: TOKEN, content: s3cret}
`},
	{name: "typed values of the canonical transform", model: `
services:
  web:
    ports: [{target: 0, published: "8080", protocol: tcp, mode: ingress}]
    volumes: [{type: bind, source: /src, target: /dst, bind: {create_host_path: false}}]
`, typed: map[string]any{
		"services.web.ports.0.target":                  uint32(80),
		"services.web.volumes.0.bind.create_host_path": types.OptOut(true),
		"services.web.cpu_count":                       int64(4),
		"services.web.cpus":                            float32(0.5),
		"services.web.healthcheck":                     map[string]any{"retries": uint64(3)},
		"services.web.blkio_config":                    map[string]any{"weight": int64(300)},
		"services.web.environment":                     map[string]any{"N": int64(1)},
		"services.web.umask":                           uint64(18),
		"services.web.mem_limit":                       int64(128),
		"services.web.oom_kill_disable":                types.OptOut(false),
		"services.web.stdin_open":                      types.External(true),
		"services.web.ports.0.x-typed":                 uint8(1),
	}},
	{name: "empty is not nil", model: `
services:
  web: {command: [], environment: {}, networks: {}, ports: [], labels: []}
networks: {}
`},

	// Errors: a path for merge's origins, docker compose's message.
	{name: "error unit bytes", model: `
services:
  web: {mem_limit: abc}
`},
	{name: "error kinds", model: `
services:
  web.v2:
    ports: "80"
    deploy: fast
    healthcheck: {retries: -1}
    privileged: maybe
    cpu_count: abc
    scale: x
    image: [nginx]
    cap_add: [NET_ADMIN, {a: 1}]
    ulimits: {nofile: {soft: 1, hard: "2"}}
`},
	{name: "error int64 into a string", typed: map[string]any{
		"services.web.image": int64(1),
	}},
	{name: "error strings of unsigned fields", model: `
services:
  web: {healthcheck: {retries: "3"}}
`},
	// compose-go panics on these (type assertions, a nil or non-mapping
	// service); Decode reports them.
	{name: "error values compose-go panics on", model: `
services:
  web:
    healthcheck: {test: [CMD, 1]}
    command: [echo, true]
    ulimits: {nofile: {soft: "1"}}
  db: null
  cache: redis
`},
	{name: "error services as a list", model: `
services: [web]
`},
}

func TestDecodeCases(t *testing.T) {
	for _, tc := range decodeCases {
		t.Run(tc.name, func(t *testing.T) {
			m := map[string]any{}
			if err := yaml.Unmarshal([]byte(tc.model), &m); err != nil {
				t.Fatal(err)
			}
			for path, v := range tc.typed {
				setPath(t, m, path, v)
			}
			o := compare(t, tc.name, m)
			var got string
			if o.err != nil {
				got = describeError(o.err)
			} else {
				got = strings.Join(dump("", reflect.ValueOf(o.raw).Elem(), false), "\n") + "\n"
			}
			golden := filepath.Join("testdata", "decode", fileName(tc.name)+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./model -update)", err)
			}
			if got != string(want) {
				t.Errorf("%s:\n%s", golden, firstDiff(string(want), got))
			}
		})
	}
}

// fileName spells a case's name as a file name: letters, digits and dashes.
func fileName(name string) string {
	f := strings.FieldsFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})
	return strings.Join(f, "-")
}

// describeError writes Decode's errors one per line, with their paths.
func describeError(err error) string {
	var es Errors
	if !errors.As(err, &es) {
		return "error (not Errors): " + err.Error() + "\n"
	}
	var b strings.Builder
	for _, e := range es {
		fmt.Fprintf(&b, "error at %s\n  %s\n", e.Path, e.Error())
	}
	return b.String()
}

// setPath sets a value at a dotted path of m (list items by index),
// making mappings on the way.
func setPath(t *testing.T, m map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	var cur any = m
	for i, p := range parts {
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[p] = v
				return
			}
			if _, ok := c[p]; !ok {
				c[p] = map[string]any{}
			}
			cur = c[p]
		case []any:
			var n int
			if _, err := fmt.Sscan(p, &n); err != nil || n >= len(c) {
				t.Fatalf("%s: no item %s", path, p)
			}
			if last {
				c[n] = v
				return
			}
			cur = c[n]
		default:
			t.Fatalf("%s: %s is not a collection", path, p)
		}
	}
}

// dump lists the non-zero values under v, one "path = value" per line,
// maps in key order. shown makes a zero value print too (map entries,
// list items, pointer targets), so that nil and empty stay apart.
func dump(path string, v reflect.Value, shown bool) []string {
	line := func(format string, args ...any) []string {
		return []string{path + " = " + fmt.Sprintf(format, args...)}
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			if shown {
				return line("nil")
			}
			return nil
		}
		if v.Kind() == reflect.Interface {
			return line("%#v", v.Elem().Interface())
		}
		return dump(path, v.Elem(), true)
	case reflect.Struct:
		var out []string
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			p := path + "." + f.Name
			if f.Anonymous {
				p = path
			}
			out = append(out, dump(strings.TrimPrefix(p, "."), v.Field(i), false)...)
		}
		if len(out) == 0 && shown {
			return line("{}")
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			if shown {
				return line("nil")
			}
			return nil
		}
		if v.Len() == 0 {
			return line("map{}")
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		var out []string
		for _, k := range keys {
			out = append(out, dump(fmt.Sprintf("%s[%q]", path, k.String()), v.MapIndex(k), true)...)
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			if shown {
				return line("nil")
			}
			return nil
		}
		if v.Len() == 0 {
			return line("[]")
		}
		var out []string
		for i := range v.Len() {
			out = append(out, dump(fmt.Sprintf("%s[%d]", path, i), v.Index(i), true)...)
		}
		return out
	}
	if v.IsZero() && !shown {
		return nil
	}
	if v.Kind() == reflect.String {
		return line("%q", v.String())
	}
	return line("%v", v.Interface())
}
