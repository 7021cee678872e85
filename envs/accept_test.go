package envs

import (
	"context"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/internal/gen"
	"github.com/composure-dev/composure/internal/testenv"
	"github.com/composure-dev/composure/merge"
	"github.com/composure-dev/composure/normalize"
)

// TestAcceptExact holds Accepts to Load: an environment it accepts must
// load without an error, on every environment of the corpus, of lint's
// test projects (most of them refused), of generated projects, and of
// variants of them with one value replaced by one docker compose may
// refuse. It also says how many environments Accepts answers for, the
// ones lint then does not load.
func TestAcceptExact(t *testing.T) {
	var dirs []string
	for _, n := range []int{10, 100} {
		dir := t.TempDir()
		if err := gen.Write(dir, n); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	dirs = append(dirs, acceptFixtures(t)...)
	lintProjects, _ := filepath.Glob(filepath.Join("..", "lint", "testdata", "projects", "*"))
	dirs = append(dirs, lintProjects...)
	if shared, ok := testenv.Shared(); ok {
		projects := map[string]bool{}
		for _, c := range corpusCases(t, shared) {
			projects[c.dir] = true
		}
		for d := range projects {
			dirs = append(dirs, d)
		}
	} else {
		t.Log("no ../shared: the corpus part is skipped (set COMPOSURE_SHARED)")
	}
	slices.Sort(dirs)
	var st acceptStats
	for _, dir := range dirs {
		st.check(t, dir, dir, nil)
	}
	t.Logf("%d environments: %d accepted without a load, %d loaded, %d refused", st.envs, st.accepted, st.envs-st.accepted-st.refused, st.refused)
	for _, why := range slices.SortedFunc(maps.Keys(st.why), func(a, b string) int { return st.why[b] - st.why[a] }) {
		t.Logf("  not accepted but loads, %3d: %s", st.why[why], why)
	}

	// variants: one value of one file replaced
	n := 1500
	if testing.Short() {
		n = 150
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var vs acceptStats
	for i := 0; i < n; i++ {
		dir := dirs[rng.IntN(len(dirs))]
		variant, ok := mutateProject(t, dir, rng)
		if !ok {
			continue
		}
		// and with the profiles the tests' projects use
		var profiles []string
		switch rng.IntN(4) {
		case 0:
			profiles = []string{"COMPOSE_PROFILES=*"}
		case 1:
			profiles = []string{"COMPOSE_PROFILES=debug,dev"}
		}
		vs.check(t, variant, dir, profiles)
	}
	t.Logf("%d variants: %d environments, %d accepted without a load, %d refused", n, vs.envs, vs.accepted, vs.refused)
}

type acceptStats struct {
	envs, accepted, refused int
	why                     map[string]int // why loadable environments were not accepted
}

// check compares Accepts and Load on each environment of the project in
// dir (from says which project it was made from), with extra variables in
// the process environment.
func (st *acceptStats) check(t *testing.T, dir, from string, extra []string) {
	t.Helper()
	p, err := Discover(Options{Dir: dir, Environ: append(environ(dir), extra...), Warn: func(string) {}})
	if err != nil {
		return
	}
	cache := compose.NewCache()
	var acceptor normalize.Acceptor
	prefixes := map[string]*merge.Prefix{}
	for _, env := range p.Envs {
		st.envs++
		why := acceptLikeLint(p, env, cache, prefixes, &acceptor)
		accepted := why == ""
		_, err := p.Load(context.Background(), env, compose.NewCacheFS(p.fs), LoadOptions{NoModel: true})
		if err == nil && !accepted {
			if st.why == nil {
				st.why = map[string]int{}
			}
			st.why[generalize(why)]++
		}
		switch {
		case accepted && err != nil:
			t.Errorf("%s (from %s), environment %s: accepted, but Load says: %v", dir, from, env.Name, err)
		case accepted:
			st.accepted++
		case err != nil:
			st.refused++
		}
	}
}

// acceptLikeLint asks Accepts as lint does: with the raw merge of the
// environment's files, through a Prefix shared by the environments that
// start with the same file.
func acceptLikeLint(p *Project, env *Environment, cache *compose.Cache, prefixes map[string]*merge.Prefix, acceptor *normalize.Acceptor) string {
	docs, err := p.Docs(env, cache)
	if err != nil {
		return "no files"
	}
	if len(docs) == 1 {
		raw, err := merge.Merge(docs, merge.WithProjectDir(p.Dir))
		if err != nil {
			return "no merge"
		}
		return p.unsure(env, cache, raw, nil, acceptor)
	}
	pre := prefixes[env.Files[0]]
	if pre == nil {
		pre = merge.NewPrefix(docs[0], merge.WithProjectDir(p.Dir))
		prefixes[env.Files[0]] = pre
	}
	raw, err := pre.Merge(docs[1:])
	if err != nil {
		return "no merge"
	}
	first, err := pre.First()
	if err != nil {
		return "no merge"
	}
	return p.unsure(env, cache, raw, first, acceptor)
}

// generalize is a reason without the names of services and files.
func generalize(why string) string {
	parts := strings.Split(why, ": ")
	for i, p := range parts {
		if strings.HasPrefix(p, "services.") {
			parts[i] = "services.*"
		} else if strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml") {
			parts[i] = "FILE"
		}
	}
	return strings.Join(parts, ": ")
}

// badValues are values docker compose refuses somewhere, or reads
// otherwise than they look.
var badValues = []string{
	`5x`, `lots`, `-1`, `"80:80:80:80"`, `{a: b}`, `[x, y]`, `""`, `nope`, `"service:nope"`,
	`sometimes`, `1.5`, `"${UNSET_ACCEPT_VAR}"`, `"${ACCEPT_VAR:?required}"`, `99999999999`,
	`"::1:80:80"`, `"a b 'c"`, `yes`, `null`, `"/a:/b:/c:/d"`, `"$$"`, `":/data"`, `"${X:-a}:/data"`,
	`"0.0.0.0:80:80/sctp"`, `"1-3:80"`, `"db-00000"`, `"CMD"`, `["NOPE", "x"]`, `"10m"`, `"512M"`,
	`"host"`, `"service:db"`, `true`, `0`, `"1.5"`, `"~/x:/y"`, `"vol:/y:rw"`, `"x:/y:bogus"`,
}

var valueLine = regexp.MustCompile(`^(\s+(?:- )?(?:[A-Za-z0-9_.-]+: )?)(\S.*)$`)

// mutateProject copies the project in dir (its top-level files) with one
// value of one compose file replaced; false when it has none to replace.
func mutateProject(t *testing.T, dir string, rng *rand.Rand) (string, bool) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var compose []string
	for _, e := range entries {
		if e.Type().IsRegular() && (isComposeName(e.Name()) || strings.HasSuffix(e.Name(), ".yml") || strings.HasSuffix(e.Name(), ".yaml")) {
			compose = append(compose, e.Name())
		}
	}
	if len(compose) == 0 {
		return "", false
	}
	target := compose[rng.IntN(len(compose))]
	src, err := os.ReadFile(filepath.Join(dir, target))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	var candidates []int
	for i, l := range lines {
		if m := valueLine.FindStringSubmatch(l); m != nil && !strings.HasPrefix(m[2], "#") && !strings.HasPrefix(m[2], "&") && !strings.HasPrefix(m[2], "|") && !strings.HasPrefix(m[2], ">") {
			candidates = append(candidates, i)
		}
	}
	if len(candidates) == 0 {
		return "", false
	}
	i := candidates[rng.IntN(len(candidates))]
	m := valueLine.FindStringSubmatch(lines[i])
	lines[i] = m[1] + badValues[rng.IntN(len(badValues))]
	out := filepath.Join(t.TempDir(), filepath.Base(dir))
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == target {
			b = []byte(strings.Join(lines, "\n"))
		}
		if err := os.WriteFile(filepath.Join(out, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out, true
}

// acceptFixtures are projects whose every environment loads or fails on
// one thing the acceptor must see: env files missing, optional, broken.
func acceptFixtures(t *testing.T) []string {
	cases := map[string]map[string]string{
		"env-file-present":   {"compose.yaml": "services:\n  a:\n    image: a:1\n    env_file: a.env\n", "a.env": "A=1\n"},
		"env-file-missing":   {"compose.yaml": "services:\n  a:\n    image: a:1\n    env_file: [a.env]\n"},
		"env-file-optional":  {"compose.yaml": "services:\n  a:\n    image: a:1\n    env_file:\n      - path: a.env\n        required: false\n"},
		"env-file-broken":    {"compose.yaml": "services:\n  a:\n    image: a:1\n    env_file: a.env\n", "a.env": "A=\"unterminated\n"},
		"env-file-required":  {"compose.yaml": "services:\n  a:\n    image: a:1\n    env_file: a.env\n", "a.env": "A=${UNSET_IN_ENV_FILE:?is required}\n"},
		"env-file-raw":       {"compose.yaml": "services:\n  a:\n    image: a:1\n    env_file:\n      - path: a.env\n        format: raw\n", "a.env": "A=\"x\n"},
		"env-file-format":    {"compose.yaml": "services:\n  a:\n    image: a:1\n    env_file:\n      - path: a.env\n        format: nope\n", "a.env": "A=1\n"},
		"env-file-home":      {"compose.yaml": "services:\n  a:\n    image: a:1\n    env_file: ~/a.env\n"},
		"secret-file":        {"compose.yaml": "services:\n  a:\n    image: a:1\n    secrets: [s, {source: t, target: /t, mode: 0440}]\nsecrets:\n  s: {file: ./s.txt}\n  t: {environment: T}\n"},
		"secret-both":        {"compose.yaml": "services:\n  a:\n    image: a:1\n    secrets: [s]\nsecrets:\n  s: {file: ./s.txt, environment: S}\n"},
		"secret-none":        {"compose.yaml": "services:\n  a:\n    image: a:1\n    secrets: [s]\nsecrets:\n  s: {name: x}\n"},
		"secret-empty":       {"compose.yaml": "services:\n  a:\n    image: a:1\nsecrets:\n  s: {file: \"\"}\n"},
		"secret-undeclared":  {"compose.yaml": "services:\n  a:\n    image: a:1\n    secrets: [s]\n"},
		"secret-bad-mode":    {"compose.yaml": "services:\n  a:\n    image: a:1\n    secrets: [{source: s, mode: \"abc\"}]\nsecrets:\n  s: {file: ./s.txt}\n"},
		"secret-external":    {"compose.yaml": "services:\n  a:\n    image: a:1\n    secrets: [s]\nsecrets:\n  s: {external: true, file: ./s}\n"},
		"config-content":     {"compose.yaml": "services:\n  a:\n    image: a:1\n    configs: [c]\nconfigs:\n  c: {content: hello}\n"},
		"config-undeclared":  {"compose.yaml": "services:\n  a:\n    image: a:1\n    configs: [{source: c, target: /c}]\nconfigs:\n  d: {content: hello}\n"},
		"empty-base":         {"compose.yaml": "# all in the override\n", "compose.override.yaml": "services:\n  a:\n    image: a:1\n"},
		"mount-twice-clean":  {"compose.yaml": "services:\n  a:\n    image: a:1\n    volumes: [\"./a:/data/\", \"./b:/data\"]\n"},
		"mount-long":         {"compose.yaml": "services:\n  a:\n    image: a:1\n    volumes:\n      - {type: bind, source: ./a, target: /a, bind: {create_host_path: true}}\n      - {type: volume, source: v, target: /v, volume: {nocopy: true}}\nvolumes:\n  v:\n"},
		"mount-long-nosrc":   {"compose.yaml": "services:\n  a:\n    image: a:1\n    volumes:\n      - {type: bind, target: /a}\n"},
		"mount-long-undecl":  {"compose.yaml": "services:\n  a:\n    image: a:1\n    volumes:\n      - {type: volume, source: v, target: /v}\n"},
		"mount-long-twice":   {"compose.yaml": "services:\n  a:\n    image: a:1\n    volumes:\n      - {type: bind, source: ./a, target: /a}\n      - ./b:/a/\n"},
		"mount-long-tmpfs":   {"compose.yaml": "services:\n  a:\n    image: a:1\n    volumes:\n      - {type: tmpfs, target: /t, tmpfs: {size: lots}}\n"},
		"link":               {"compose.yaml": "services:\n  a:\n    image: a:1\n    links: [b:bee]\n  b:\n    image: b:1\n"},
		"link-undefined":     {"compose.yaml": "services:\n  a:\n    image: a:1\n    links: [c]\n"},
		"link-cycle":         {"compose.yaml": "services:\n  a:\n    image: a:1\n    links: [b]\n  b:\n    image: b:1\n    depends_on: [a]\n"},
		"mount-tmpfs-twice":  {"compose.yaml": "services:\n  a:\n    image: a:1\n    tmpfs: [/a]\n    volumes: [./b:/a]\n"},
		"ulimits":            {"compose.yaml": "services:\n  a:\n    image: a:1\n    ulimits:\n      nproc: 65535\n      nofile: {soft: \"20000\", hard: 40000}\n"},
		"ulimits-string":     {"compose.yaml": "services:\n  a:\n    image: a:1\n    ulimits:\n      nproc: lots\n"},
		"ulimits-soft-only":  {"compose.yaml": "services:\n  a:\n    image: a:1\n    ulimits:\n      nofile: {soft: 1}\n"},
		"logging-numbers":    {"compose.yaml": "services:\n  a:\n    image: a:1\n    logging:\n      options: {max-file: 3, max-size: 10m, tag: null}\n"},
		"first-step-per-env": {"compose.yaml": "services:\n  s:\n    image: s:1\n    restart: 5\n", "compose.override.yaml": "services:\n  s:\n    image: s:2\n", "compose.prod.yaml": "services:\n  s:\n    restart: always\n"},
		"deploy-mode":        {"compose.yaml": "services:\n  a:\n    image: a:1\n    deploy:\n      mode: replicated\n      replicas: 2\n      labels: [a=b]\n  b:\n    image: b:1\n    deploy: {mode: global, replicas: 2}\n  c:\n    image: c:1\n    deploy: {mode: sometimes}\n"},
		"env-file-override":  {"compose.yaml": "services:\n  a:\n    image: a:1\n", "compose.override.yaml": "services:\n  a:\n    env_file: b.env\n"},
		// an overlay that keeps, changes or nulls what its base file set
		"overlay-keeps-base":        {"compose.yaml": "services:\n  a:\n    image: a:1\n    restart: ${R:-always}\n    healthcheck: {test: [CMD, x], retries: 3}\n    ports: [\"${P:-80}:80\"]\n    labels: {a: b}\n", "compose.override.yaml": "services:\n  a:\n    image: a:2\n    environment: [A=1]\n"},
		"overlay-breaks-standalone": {"compose.yaml": "services:\n  a:\n    image: a:1\n    healthcheck: {test: [CMD, x], retries: 3}\n", "compose.override.yaml": "services:\n  a:\n    healthcheck: {retries: lots}\n"},
		"overlay-null-standalone":   {"compose.yaml": "services:\n  a:\n    image: a:1\n", "compose.override.yaml": "services:\n  a:\n    image: a:2\n    healthcheck:\n    restart:\n"},
		"overlay-breaks-reference":  {"compose.yaml": "services:\n  a:\n    image: a:1\n    networks: [n]\nnetworks:\n  n:\n", "compose.override.yaml": "services:\n  a:\n    networks: [m]\n"},
	}
	var dirs []string
	root := t.TempDir()
	for name, files := range cases {
		dir := filepath.Join(root, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for f, text := range files {
			if err := os.WriteFile(filepath.Join(dir, f), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		dirs = append(dirs, dir)
	}
	return dirs
}

// FuzzAcceptExact is TestAcceptExact's rule on a base file and an override
// written by the fuzzer: when Accepts says yes, Load loads. Seeds: those
// of FuzzDifferential.
func FuzzAcceptExact(f *testing.F) {
	seeds := differentialSeeds()
	for i, s := range seeds {
		f.Add(s, seeds[(i*7+3)%len(seeds)])
	}
	f.Fuzz(func(t *testing.T, base, override []byte) {
		if len(base)+len(override) > 16<<10 {
			t.Skip()
		}
		dir := t.TempDir()
		for name, src := range map[string][]byte{"compose.yaml": base, "compose.override.yaml": override} {
			if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		var st acceptStats
		st.check(t, dir, "fuzz", nil)
	})
}

// TestDocumentReferences: what makes the engine read other files is found
// in every service, behind anchors too; checkReferences skips a document
// only when there is none.
func TestDocumentReferences(t *testing.T) {
	for _, tt := range []struct {
		name, src string
		want      references
	}{
		{"none", "services:\n  a:\n    image: x:1\n", references{}},
		{"include", "include:\n  - other.yaml\nservices:\n  a:\n    image: x:1\n", references{includeOrExtends: true}},
		{"extends", "services:\n  a:\n    image: x:1\n  b:\n    extends: a\n", references{includeOrExtends: true}},
		{"env_file", "services:\n  a:\n    image: x:1\n    env_file: a.env\n", references{files: true}},
		{"label_file", "services:\n  a:\n    image: x:1\n    label_file: a.labels\n", references{files: true}},
		{"behind an anchor", "x-base: &base\n  env_file: a.env\nservices:\n  a:\n    <<: *base\n    image: x:1\n", references{files: true}},
		{"second document", "services:\n  a:\n    image: x:1\n---\nservices:\n  b:\n    extends: a\n", references{includeOrExtends: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := compose.Parse("compose.yaml", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := documentReferences(d); got != tt.want {
				t.Errorf("documentReferences = %+v, want %+v", got, tt.want)
			}
		})
	}
}
