package merge

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"sync"
	"testing"

	"github.com/composure-dev/composure/compose"
)

// checkPrefix merges every list of lists (all sharing their first
// document) through one Prefix and through Merge, and fails where they
// differ: the error, Tree, Origins. The lists are merged twice: one after
// the other, each tree snapshot taken right after its merge and compared
// again once the later ones are merged (a merge must not change another's
// values); and all at once, from a fresh Prefix, for the race detector.
func checkPrefix(t *testing.T, lists [][]*compose.Document) {
	t.Helper()
	type want struct {
		tree    map[string]any
		origins map[string]Origin
		err     string
	}
	wants := make([]want, len(lists))
	for i, docs := range lists {
		r, err := Merge(docs)
		if err != nil {
			wants[i].err = err.Error()
			continue
		}
		wants[i] = want{tree: r.Tree(), origins: r.Origins()}
	}
	check := func(phase string, i int, r *Result, err error) {
		t.Helper()
		name := docNames(lists[i])
		w := wants[i]
		if err != nil || w.err != "" {
			if fmt.Sprint(err) != w.err && !(err == nil && w.err == "") {
				t.Errorf("%s %s: error %v, Merge's %q", phase, name, err, w.err)
			}
			return
		}
		if !reflect.DeepEqual(r.Tree(), w.tree) {
			t.Errorf("%s %s: Tree differs from Merge's: %s", phase, name, firstDifference("", r.Tree(), w.tree))
		}
		// recomputed from the values, which later merges must not have changed
		if got := r.root.plain(); !reflect.DeepEqual(got, any(w.tree)) {
			t.Errorf("%s %s: values changed since the merge: %s", phase, name, firstDifference("", got, w.tree))
		}
		if !reflect.DeepEqual(r.Origins(), w.origins) {
			t.Errorf("%s %s: Origins differ from Merge's", phase, name)
		}
	}

	p := NewPrefix(lists[0][0])
	if _, err := p.First(); err == nil && p.acc != nil {
		// freezeTree freezes services concurrently: no value may be
		// reached from two places
		if path := sharedValue(p.acc); path != "" {
			t.Errorf("%s: a value is reached twice in the first file's merge, at %s", docNames(lists[0][:1]), path)
		}
	}
	results := make([]*Result, len(lists))
	errs := make([]error, len(lists))
	snapshots := make([]any, len(lists))
	for i, docs := range lists {
		results[i], errs[i] = p.Merge(docs[1:])
		if errs[i] == nil {
			snapshots[i] = deepCopy(results[i].Tree())
		}
	}
	for i := range lists {
		check("in turn", i, results[i], errs[i])
		if errs[i] == nil && !reflect.DeepEqual(deepCopy(results[i].Tree()), snapshots[i]) {
			t.Errorf("in turn %s: Tree changed by the later merges", docNames(lists[i]))
		}
	}

	p = NewPrefix(lists[0][0])
	var wg sync.WaitGroup
	for i, docs := range lists {
		wg.Go(func() {
			results[i], errs[i] = p.Merge(docs[1:])
			if errs[i] == nil {
				results[i].Tree()
			}
		})
	}
	wg.Wait()
	for i := range lists {
		check("in parallel", i, results[i], errs[i])
	}
}

func docNames(docs []*compose.Document) []string {
	var names []string
	for _, d := range docs {
		names = append(names, d.Name)
	}
	return names
}

// readDocs reads files (relative to dir) as their environment names them.
func readDocs(t *testing.T, dir string, files []string) []*compose.Document {
	t.Helper()
	var docs []*compose.Document
	for _, f := range files {
		d, err := compose.ReadFile(filepath.Join(dir, f), f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	return docs
}

// combinations are the file lists an environment's files suggest for a
// shared first file: the first alone, with each later file, and with all
// of them in both orders.
func combinations(files []string) [][]string {
	out := [][]string{files[:1]}
	rest := files[1:]
	for _, f := range rest {
		out = append(out, []string{files[0], f})
	}
	if len(rest) > 1 {
		out = append(out, files)
		rev := []string{files[0]}
		for i := len(rest) - 1; i >= 0; i-- {
			rev = append(rev, rest[i])
		}
		out = append(out, rev)
	}
	return out
}

// TestPrefixCorpus holds Prefix.Merge to Merge for every environment of the
// corpus (the environments of a project sharing their first file merged
// from one Prefix) and for the file combinations of each testdata case.
func TestPrefixCorpus(t *testing.T) {
	t.Run("testdata", func(t *testing.T) {
		for _, env := range testdataEnvironments(t) {
			t.Run(env.name, func(t *testing.T) {
				var lists [][]*compose.Document
				for _, files := range combinations(env.files) {
					lists = append(lists, readDocs(t, env.dir, files))
				}
				checkPrefix(t, lists)
			})
		}
	})
	t.Run("corpus", func(t *testing.T) {
		groups := map[string][]environment{}
		for _, env := range corpusEnvironments(t) {
			if len(env.files) == 0 {
				continue
			}
			k := filepath.Join(env.dir, env.files[0])
			groups[k] = append(groups[k], env)
		}
		keys := sortedMapKeys(groups)
		if len(keys) == 0 {
			t.Fatal("no corpus environment")
		}
		for _, k := range keys {
			envs := groups[k]
			t.Run(envs[0].name, func(t *testing.T) {
				// one document per file, as lint reads them
				read := map[string]*compose.Document{}
				var lists [][]*compose.Document
				for _, env := range envs {
					var docs []*compose.Document
					for _, f := range env.files {
						d, ok := read[f]
						if !ok {
							d = readDocs(t, env.dir, []string{f})[0]
							read[f] = d
						}
						docs = append(docs, d)
					}
					lists = append(lists, docs)
				}
				// the first file alone too
				lists = append(lists, lists[0][:1])
				checkPrefix(t, lists)
			})
		}
	})
}

// TestPrefixMutations covers the paths where merging a later file writes
// into what the first one set: each case's later files are merged after
// the first one alone, each on its own and all together, in both orders.
func TestPrefixMutations(t *testing.T) {
	for _, c := range []struct {
		name  string
		files map[string]string // 1-*.yaml is the first file, 2-*.yaml ... the later ones, others are included or extended
	}{
		{
			name: "reset and override",
			files: map[string]string{
				"1-base.yaml":     "services:\n  web:\n    image: a\n    ports: [\"80:80\", \"81:81\"]\n    environment: {A: \"1\", B: \"2\"}\n    depends_on: [db]\n    healthcheck:\n      test: [CMD, a]\n      interval: 1s\n      retries: 3\n  db:\n    image: d\n    volumes: [data:/data]\nvolumes:\n  data:\n",
				"2-reset.yaml":    "services:\n  web:\n    ports: !reset []\n    depends_on: !reset\n    healthcheck:\n      interval: !reset\n",
				"3-override.yaml": "services:\n  web:\n    environment: !override {C: \"3\"}\n    healthcheck: !override\n      test: [CMD, b]\n  db: !reset\n",
				"4-whole.yaml":    "services: !override\n  only:\n    image: o\nvolumes: !reset\n",
			},
		},
		{
			name: "extends",
			files: map[string]string{
				"1-base.yaml":  "services:\n  app:\n    extends: {file: common.yaml, service: common}\n    image: a\n  worker:\n    extends: app\n    command: work\n",
				"2-same.yaml":  "services:\n  app:\n    environment: [B=2]\n  job:\n    extends: {file: common.yaml, service: common}\n    ports: [\"90:90\"]\n",
				"3-local.yaml": "services:\n  base:\n    image: b\n    labels: [x=1]\n  worker:\n    extends: base\n    labels: [y=2]\n",
				"common.yaml":  "services:\n  common:\n    image: c\n    environment: {A: \"1\"}\n    ports: [\"80:80\"]\n    depends_on: [db]\n  db:\n    image: d\n",
			},
		},
		{
			name: "include",
			files: map[string]string{
				"1-base.yaml":     "include: [inc.yaml]\nservices:\n  web:\n    image: w\n    depends_on: [db]\n",
				"2-more.yaml":     "include: [other.yaml]\nservices:\n  web:\n    environment: [A=1]\n",
				"3-conflict.yaml": "include:\n  - path: inc2.yaml\nservices:\n  db:\n    image: d2\n    ports: [\"5432:5432\"]\n",
				"inc.yaml":        "services:\n  db:\n    image: d\n    volumes: [data:/var/lib/data]\nvolumes:\n  data:\n",
				"other.yaml":      "services:\n  cache:\n    image: c\n",
				"inc2.yaml":       "services:\n  db:\n    image: d3\n    environment: {X: \"1\"}\n",
			},
		},
		{
			name: "depends_on forms",
			files: map[string]string{
				"1-base.yaml": "services:\n  web:\n    depends_on: [db, cache]\n  api:\n    depends_on:\n      db: {condition: service_healthy}\n  db: {image: d}\n  cache: {image: c}\n",
				"2-list.yaml": "services:\n  web:\n    depends_on: [queue]\n  api:\n    depends_on: [cache]\n",
				"3-long.yaml": "services:\n  web:\n    depends_on:\n      db: {condition: service_healthy, restart: true}\n  api:\n    depends_on:\n      db: {required: false}\n",
				"4-null.yaml": "services:\n  web:\n    depends_on:\n  api:\n    image: a\n",
			},
		},
		{
			name: "ports and volumes unicity",
			files: map[string]string{
				"1-base.yaml": "services:\n  web:\n    ports: [\"8080:80\", \"9090:90\", {target: 70, published: \"7070\"}]\n    volumes: [data:/data, ./conf:/etc/conf, {type: bind, source: ./x, target: /x}]\n    expose: [\"1\", \"2\"]\n    secrets: [s]\n",
				"2-dup.yaml":  "services:\n  web:\n    ports: [\"8080:80\", \"6060:60\", {target: 70, published: \"7070\", protocol: tcp}]\n    volumes: [/srv/data:/data, {type: bind, source: ./y, target: /x}]\n    expose: [\"2\", \"3\"]\n",
				"3-more.yaml": "services:\n  web:\n    ports: [\"9090:90\"]\n    volumes: [./other:/etc/conf]\n    secrets: [{source: s, target: /run/secrets/s}]\n",
			},
		},
		{
			name: "build",
			files: map[string]string{
				"1-base.yaml":   "services:\n  a:\n    build: ./a\n  b:\n    build:\n      context: ./b\n      args: [X=1]\n      extra_hosts: [\"h:1.2.3.4\"]\n",
				"2-map.yaml":    "services:\n  a:\n    build: {dockerfile: Other}\n  b:\n    build:\n      args: {Y: \"2\", X: \"3\"}\n",
				"3-string.yaml": "services:\n  a:\n    build: ./a2\n  b:\n    build: ./b2\n",
			},
		},
		{
			name: "key-value lists, networks, logging, ulimits, ipam, dns",
			files: map[string]string{
				"1-base.yaml":  "services:\n  web:\n    environment: [A=1, B=2]\n    labels: {l1: a}\n    networks: [front]\n    logging: {driver: syslog, options: {a: \"1\"}}\n    ulimits: {nofile: {soft: 1, hard: 2}, nproc: 5}\n    dns: [1.1.1.1, \"\"]\n    extra_hosts: [\"a:1.1.1.1\"]\n    command: [a, b]\nnetworks:\n  front:\n    ipam:\n      config: [{subnet: 10.0.0.0/24, gateway: 10.0.0.1}]\n",
				"2-over.yaml":  "services:\n  web:\n    environment: {B: \"3\", C: \"4\"}\n    labels: [l2=b]\n    networks:\n      back: {aliases: [b]}\n      front: {aliases: [f]}\n    logging: {driver: syslog, options: {b: \"2\"}}\n    ulimits: {nofile: {soft: 3}, nproc: 6}\n    dns: [8.8.8.8]\n    extra_hosts: [\"b:2.2.2.2\"]\n    command: c\nnetworks:\n  front:\n    ipam:\n      config: [{subnet: 10.0.0.0/24, ip_range: 10.0.0.0/28}, {subnet: 10.1.0.0/24}]\n",
				"3-other.yaml": "services:\n  web:\n    logging: {driver: local}\n    networks: [side]\n    environment: [A=9]\n",
			},
		},
		{
			name: "several documents in the first file",
			files: map[string]string{
				"1-base.yaml": "services:\n  web:\n    image: a\n    ports: [\"80:80\"]\n---\nservices:\n  web:\n    ports: [\"81:81\"]\n    depends_on: [db]\n  db: {image: d}\n",
				"2-over.yaml": "services:\n  web:\n    ports: [\"82:82\"]\n    depends_on: [cache]\n",
			},
		},
		{
			name: "a later file that fails",
			files: map[string]string{
				"1-base.yaml":  "services:\n  web:\n    ports: [\"80:80\"]\n    image: a\n",
				"2-bad.yaml":   "services:\n  web:\n    ports: {a: 1}\n",
				"3-good.yaml":  "services:\n  web:\n    image: b\n",
				"4-cycle.yaml": "services:\n  web:\n    extends: web\n",
			},
		},
		{
			name: "a later file that does not decode",
			files: map[string]string{
				"1-base.yaml": "services:\n  web:\n    image: a\n",
				"2-bomb.yaml": bomb(),
				"3-bad.yaml":  "services:\n  web:\n    ports: {a: 1}\n",
			},
		},
		{
			name: "a first file that fails",
			files: map[string]string{
				"1-base.yaml": "services:\n  web:\n    extends: nowhere\n",
				"2-over.yaml": "services:\n  web:\n    image: b\n",
				"3-bomb.yaml": bomb(),
			},
		},
		{
			name: "an empty first file",
			files: map[string]string{
				"1-base.yaml": "{}\n",
				"2-over.yaml": "services:\n  web:\n    depends_on: [db]\n    ports: [\"80:80\", \"80:80\"]\n",
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			var files []string
			for name, src := range c.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
				if name[0] >= '1' && name[0] <= '9' {
					files = append(files, name)
				}
			}
			sort.Strings(files)
			docs := readDocs(t, dir, files)
			byName := map[string]*compose.Document{}
			for _, d := range docs {
				byName[d.Name] = d
			}
			var lists [][]*compose.Document
			for _, names := range combinations(files) {
				var l []*compose.Document
				for _, n := range names {
					l = append(l, byName[n])
				}
				lists = append(lists, l)
			}
			checkPrefix(t, lists)
		})
	}
}

// TestPrefixWithoutPath merges documents that were never read from disk,
// and a list whose later file has the path (the project directory is then
// that file's: Merge decides it).
func TestPrefixWithoutPath(t *testing.T) {
	docs := parseDocs(t, "services:\n  web:\n    ports: [\"80:80\"]\n", "services:\n  web:\n    ports: [\"81:81\"]\n")
	dir := t.TempDir()
	f := filepath.Join(dir, "compose.prod.yaml")
	if err := os.WriteFile(f, []byte("services:\n  web:\n    image: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	onDisk, err := compose.ReadFile(f, "compose.prod.yaml")
	if err != nil {
		t.Fatal(err)
	}
	checkPrefix(t, [][]*compose.Document{docs, docs[:1], {docs[0], onDisk}})
}

// sharedValue is the path of a value reached twice below x ("" when none).
func sharedValue(x *val) string {
	seen := map[*val]bool{}
	var walk func(x *val, path string) string
	walk = func(x *val, path string) string {
		if x == nil {
			return ""
		}
		if seen[x] {
			return path
		}
		seen[x] = true
		for _, k := range sortedMapKeys(x.m) {
			if p := walk(x.m[k], path+"."+k); p != "" {
				return p
			}
		}
		for i, e := range x.s {
			if p := walk(e, fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
		return ""
	}
	return walk(x, "")
}

// TestSharedValue: the guard of checkPrefix finds a value reached twice.
func TestSharedValue(t *testing.T) {
	leaf := &val{kind: kScalar, v: "x"}
	tree := &val{kind: kMap, m: map[string]*val{
		"a": {kind: kSeq, s: []*val{leaf}},
		"b": leaf,
	}}
	if got := sharedValue(tree); got != ".b" {
		t.Errorf("sharedValue = %q, want .b", got)
	}
	delete(tree.m, "b")
	if got := sharedValue(tree); got != "" {
		t.Errorf("sharedValue = %q without sharing", got)
	}
}
