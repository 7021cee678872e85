package lint

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/dockerfile"
)

// A service waits for its dependency itself when what it runs first probes
// the dependency: wait-for-it, dockerize, wait-for, wait4x, a shell loop
// (`until pg_isready -h db; do sleep 1; done`), a management command
// (`python manage.py wait_for_db`). depends-on-healthcheck looks for them in
// the service's entrypoint and command, and in the entrypoint script its
// Dockerfile names, read from the build context.

// waiters are the patterns of a wait for one dependency; %s stands for the
// dependency's name (regexp-quoted).
var waiters = []string{
	`wait-for-it(\.sh)?\b[^;&|]*\b%s\b`,    // wait-for-it.sh db:5432 -- cmd
	`wait-for(\.sh)?\b[^;&|]*\b%s\b`,       // wait-for db:5432 -- cmd (eficode/wait-for)
	`dockerize\b[^;&|]*-wait[= ]\S*\b%s\b`, // dockerize -wait tcp://db:5432
	`wait4x\b[^;&|]*\b%s\b`,                // wait4x tcp db:5432
	`pg_isready\b[^;&|]*-h\s*%s\b`,         // until pg_isready -h db
	`mysqladmin\b[^;&|]*-h\s*%s\b`,         // mysqladmin ping -h db
	`\bnc\b[^;&|]*-z[^;&|]*\b%s\b`,         // nc -z db 5432
	`redis-cli\b[^;&|]*-h\s*%s\b`,          // redis-cli -h redis ping
	`curl\b[^;&|]*https?://%s\b`,           // until curl http://api:8080/health
	`/dev/tcp/%s/`,                         // bash </dev/tcp/db/5432
	`wait_for\w*\b[^;&|]*\b%s\b`,           // shell functions named wait_for...
	`\b(until|while)\b[^\n]*\b%s\b`,        // until <probe of db>; do sleep 1; done
}

// waitForRE finds management commands that wait for a kind of service
// without naming it: `manage.py wait_for_db`, `bin/wait-for-postgres`.
var waitForRE = regexp.MustCompile(`\bwait[_-]?for[_-]([a-z][a-z0-9]*)`)

// databaseWords name database services (their name or image).
var databaseWords = []string{"db", "database", "postgres", "postgis", "pg", "mysql", "mariadb", "mongo", "timescale", "cockroach", "mssql", "sqlserver", "oracle"}

// waitsFor reports whether text (what a service runs first) waits for
// dependency dep, whose config is depSvc. re holds the compiled patterns of
// each dependency, filled on first use.
func waitsFor(text, dep string, depSvc map[string]any, e *Env, re map[string][]*regexp.Regexp) bool {
	lower := strings.ToLower(text)
	for _, m := range waitForRE.FindAllStringSubmatch(lower, -1) {
		if kindMatches(m[1], dep, depSvc, e) {
			return true
		}
	}
	if !strings.Contains(text, dep) {
		return false
	}
	res, ok := re[dep]
	if !ok {
		q := regexp.QuoteMeta(dep)
		for _, w := range waiters {
			res = append(res, regexp.MustCompile(fmt.Sprintf(w, q)))
		}
		re[dep] = res
	}
	for _, r := range res {
		if r.MatchString(text) {
			return true
		}
	}
	return false
}

// kindMatches reports whether a `wait_for_<kind>` command waits for dep:
// kind names it (wait_for_redis, dep "redis" or "cache" running redis), or
// kind is a database and so is dep.
func kindMatches(kind, dep string, depSvc map[string]any, e *Env) bool {
	switch kind {
	case "it", "":
		return false // wait-for-it names its host
	}
	img, _ := e.Str(depSvc["image"])
	img = strings.ToLower(imageBase(img))
	name := strings.ToLower(dep)
	if strings.Contains(name, kind) || img != "" && strings.Contains(img, kind) {
		return true
	}
	if kind != "db" && kind != "database" {
		return false
	}
	for _, w := range databaseWords {
		if strings.Contains(name, w) || strings.Contains(img, w) {
			return true
		}
	}
	return false
}

// imageBase is the repository's last path element: postgres for
// docker.io/library/postgres:16.
func imageBase(ref string) string {
	name, _, _ := splitImage(ref)
	return name[strings.LastIndex(name, "/")+1:]
}

// waiterText is what service svc runs before its main process: its
// entrypoint and command (its image's, when its Dockerfile is local and
// compose sets none), the entrypoint script that Dockerfile copies from the
// build context, and the docker-compose-wait variables (WAIT_HOSTS). Each
// `$VAR` the service's environment sets is also read with its value, so
// `wait-for-it "$DB_HOST:5432"` with DB_HOST=db waits for db.
func waiterText(e *Env, svc map[string]any) string {
	var b strings.Builder
	// each of entrypoint and command as written (a shell script keeps its
	// lines) and as words
	text := func(v any) (string, []string) {
		switch x := v.(type) {
		case string:
			s, _ := e.Interpolate(x)
			return s, strings.Fields(s)
		case []any:
			var out []string
			for _, it := range x {
				if s, ok := e.Str(it); ok {
					out = append(out, s)
				}
			}
			return strings.Join(out, " "), out
		}
		return "", nil
	}
	entrypoint, hasEntrypoint := svc["entrypoint"]
	command, hasCommand := svc["command"]
	epText, epArgv := text(entrypoint)
	cmdText, cmdArgv := text(command)
	if df, ctx, target := localDockerfile(e, svc); df != nil {
		ep, cmd := imageCommand(df, target)
		if !hasEntrypoint {
			epText, epArgv = strings.Join(ep, " "), ep
			if !hasCommand {
				cmdText, cmdArgv = strings.Join(cmd, " "), cmd
			}
		}
		for _, src := range scriptTexts(df, target, ctx, epArgv, cmdArgv) {
			b.WriteString(src + "\n")
		}
	}
	b.WriteString(epText + "\n" + cmdText + "\n")
	for _, k := range []string{"WAIT_HOSTS", "WAIT_PATHS"} {
		if v, ok := serviceVar(e, svc, k); ok {
			b.WriteString("wait-for " + strings.ReplaceAll(v, ",", " ") + "\n")
		}
	}
	out := b.String()
	if _, vars := svc["environment"]; vars && strings.Contains(out, "$") {
		out += expandEnv(out, func(k string) (string, bool) { return serviceVar(e, svc, k) })
	}
	return out
}

// serviceVar returns variable k of the environment svc sets, interpolated
// (KEY: value and KEY=value forms).
func serviceVar(e *Env, svc map[string]any, k string) (string, bool) {
	switch x := svc["environment"].(type) {
	case map[string]any:
		if v, ok := x[k]; ok {
			return e.Str(v)
		}
	case []any:
		for _, it := range x {
			if s, ok := it.(string); ok && strings.HasPrefix(s, k+"=") {
				return e.Str(s[len(k)+1:])
			}
		}
	}
	return "", false
}

// shellVarRE finds $NAME, ${NAME} and ${NAME:-default} in a script.
var shellVarRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-=]([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// expandEnv replaces the variables of text that env sets (or that have a
// default) with their values.
func expandEnv(text string, env func(string) (string, bool)) string {
	return shellVarRE.ReplaceAllStringFunc(text, func(m string) string {
		sm := shellVarRE.FindStringSubmatch(m)
		name := sm[1] + sm[3]
		if v, ok := env(name); ok {
			return v
		}
		if sm[1] != "" && sm[2] != "" {
			return sm[2]
		}
		return m
	})
}

// localDockerfile parses the Dockerfile service svc builds from, when it is
// local: the file (a dockerfile_inline too), the build context and target.
func localDockerfile(e *Env, svc map[string]any) (*dockerfile.File, string, string) {
	var target string
	var src []byte
	b, _ := svc["build"].(map[string]any)
	if b != nil {
		target, _ = e.Str(b["target"])
		if v, has := b["dockerfile_inline"]; has {
			s, _ := e.Str(v)
			src = []byte(s)
		}
	}
	ctx, file, ok := buildPaths(e, svc)
	if src == nil {
		if !ok || file == "" {
			return nil, "", ""
		}
		if !filepath.IsAbs(file) {
			file = filepath.Join(ctx, file)
		}
		data, err := compose.ReadBounded(file)
		if err != nil {
			return nil, "", ""
		}
		src = data
	}
	f, err := dockerfile.Parse("Dockerfile", src)
	if err != nil {
		return nil, "", ""
	}
	return f, ctx, target
}

// stageChain returns the stages the image built for target (the final
// stage when "") is made of, from the target up to its first base.
func stageChain(f *dockerfile.File, target string) []*dockerfile.Stage {
	t := f.Final()
	if target != "" {
		if ts := f.Stage(target); ts != nil {
			t = ts
		}
	}
	var out []*dockerfile.Stage
	for ; t != nil; t = t.Parent {
		out = append(out, t)
	}
	return out
}

// imageCommand returns the ENTRYPOINT and CMD of the image built for target
// (as argv; the shell form is split into words).
func imageCommand(f *dockerfile.File, target string) (entrypoint, cmd []string) {
	var epSet, cmdSet bool
	for _, s := range stageChain(f, target) {
		for i := len(s.Instructions) - 1; i >= 0; i-- {
			switch c := s.Instructions[i].Command.(type) {
			case *instructions.EntrypointCommand:
				if !epSet {
					entrypoint, epSet = argv(c.ShellDependantCmdLine), true
				}
			case *instructions.CmdCommand:
				if !cmdSet {
					cmd, cmdSet = argv(c.ShellDependantCmdLine), true
				}
			}
		}
	}
	return entrypoint, cmd
}

func argv(c instructions.ShellDependantCmdLine) []string {
	if c.PrependShell {
		return strings.Fields(strings.Join(c.CmdLine, " "))
	}
	return c.CmdLine
}

// scriptsOf returns the words of argv that name a script the container
// runs: a path, or a file name ending in .sh.
func scriptsOf(argv []string) []string {
	var out []string
	for _, w := range argv {
		w = strings.Trim(w, `"'`)
		if strings.HasPrefix(w, "-") || strings.ContainsAny(w, "$=;&|<>") {
			continue
		}
		if strings.Contains(w, "/") || strings.HasSuffix(w, ".sh") {
			out = append(out, w)
		}
	}
	return out
}

// scriptTexts returns the text of each script of the build context ctx
// that the command lines argvs run in the image built for target (an
// entrypoint script the Dockerfile copies in).
func scriptTexts(f *dockerfile.File, target, ctx string, argvs ...[]string) []string {
	var out []string
	for _, argv := range argvs {
		for _, script := range scriptsOf(argv) {
			if src := contextFile(f, target, ctx, script); src != "" {
				out = append(out, src)
			}
		}
	}
	return out
}

// maxScript bounds the size of an entrypoint script composure reads.
const maxScript = 256 << 10

// contextFile returns the text of the file of the build context that the
// image built for target has at script (absolute, or relative to its
// WORKDIR), as a COPY or ADD from the context put it there; "" when no
// such copy is found or the file cannot be read.
func contextFile(f *dockerfile.File, target, ctx, script string) string {
	chain := stageChain(f, target)
	// Instructions in build order, from the first base stage.
	var ins []*dockerfile.Instruction
	for i := len(chain) - 1; i >= 0; i-- {
		ins = append(ins, chain[i].Instructions...)
	}
	workdir := "/"
	// ENV values so far: WORKDIR and the destination of a COPY may name
	// them (mealie: COPY ./docker/entry.sh $MEALIE_HOME/run.sh)
	env := map[string]string{}
	expand := func(s string) string { return f.Expand(s, env) }
	withDest := func(sd instructions.SourcesAndDest) instructions.SourcesAndDest {
		sd.DestPath = expand(sd.DestPath)
		return sd
	}
	var found string
	for _, in := range ins {
		switch c := in.Command.(type) {
		case *instructions.EnvCommand:
			f.SetEnv(env, in)
		case *instructions.WorkdirCommand:
			p := expand(c.Path)
			workdir = path.Join(workdir, p)
			if path.IsAbs(p) {
				workdir = path.Clean(p)
			}
		case *instructions.CopyCommand:
			if c.From == "" {
				if p := inContext(ctx, copiedFrom(withDest(c.SourcesAndDest), workdir, script)); p != "" {
					found = p
				}
			}
		case *instructions.AddCommand:
			if p := inContext(ctx, copiedFrom(withDest(c.SourcesAndDest), workdir, script)); p != "" {
				found = p
			}
		}
	}
	if found == "" {
		return ""
	}
	src, err := compose.ReadBounded(found)
	if err != nil || len(src) > maxScript {
		return ""
	}
	return string(src)
}

// inContext returns the file of build context ctx at rel, "" when rel is
// empty, leaves the context (BuildKit cannot copy it) or is no file.
func inContext(ctx, rel string) string {
	if rel == "" {
		return ""
	}
	full := filepath.Join(ctx, filepath.FromSlash(rel))
	r, err := filepath.Rel(ctx, full)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return ""
	}
	if st, err := os.Stat(full); err != nil || !st.Mode().IsRegular() {
		return ""
	}
	return full
}

// copiedFrom returns the context path a copy puts at script in the image
// (script relative to workdir when not absolute), or "". A file source
// lands at dest (or in it, when dest is a directory); a directory source's
// contents land in dest.
func copiedFrom(sd instructions.SourcesAndDest, workdir, script string) string {
	if !path.IsAbs(script) {
		script = path.Join(workdir, script)
	}
	dest := sd.DestPath
	dir := strings.HasSuffix(dest, "/") || len(sd.SourcePaths) > 1
	if !path.IsAbs(dest) {
		dest = path.Join(workdir, dest)
	}
	dest = path.Clean(dest)
	var srcs []string
	for _, s := range sd.SourcePaths {
		if !strings.ContainsAny(s, "*?[") && !strings.Contains(s, "://") {
			srcs = append(srcs, path.Clean(s))
		}
	}
	// a file: COPY entrypoint.sh /entrypoint.sh, COPY entrypoint.sh /usr/local/bin/
	for _, s := range srcs {
		if !dir && script == dest || dir && script == path.Join(dest, path.Base(s)) {
			return s
		}
	}
	// a directory: COPY . /app, COPY bin /app/bin, COPY docker/root /
	under := dest + "/"
	if dest == "/" {
		under = dest
	}
	for _, s := range srcs {
		if rest, ok := strings.CutPrefix(script, under); ok {
			return path.Join(s, rest)
		}
	}
	return ""
}

// clusterHealth reports whether service svc's healthcheck tests the state
// of a cluster (redis-cli cluster info, _cluster/health): such a service
// turns healthy only once the cluster forms, which may take the services
// that depend on it.
func clusterHealth(svc map[string]any) bool {
	hc, ok := svc["healthcheck"].(map[string]any)
	if !ok {
		return false
	}
	// a probe of the cluster's state (redis-cli cluster info,
	// cluster_state:ok, _cluster/health, etcdctl --cluster), not a status
	// endpoint with "cluster" in its path (SeaweedFS's /cluster/status)
	cluster := func(s string) bool {
		l := strings.ToLower(s)
		return slices.ContainsFunc([]string{"cluster info", "cluster_state", "_cluster/health", "--cluster"}, func(p string) bool { return strings.Contains(l, p) })
	}
	switch t := hc["test"].(type) {
	case string:
		return cluster(t)
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok && cluster(s) {
				return true
			}
		}
	}
	return false
}

// mentions reports whether text names host as a word (db, db:5432).
func mentions(text, host string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], host)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(host)
		if (j == 0 || !hostChar(text[j-1])) && (end == len(text) || !hostChar(text[end])) {
			return true
		}
		i = j + 1
	}
}

func hostChar(c byte) bool {
	return c == '-' || c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// proxyImages are reverse proxies: they forward to services that may come
// up later.
var proxyImages = []string{"nginx", "nginx-unprivileged", "openresty", "traefik", "caddy", "haproxy", "envoy", "httpd", "apache", "varnish"}

// isProxy reports whether service name (config svc) runs a reverse proxy:
// its image (a known proxy, or one whose name says proxy: budibase/proxy,
// nginx-proxy), or its name when it builds one (plane-proxy).
func isProxy(e *Env, name string, svc map[string]any) bool {
	if img, ok := e.Str(svc["image"]); ok && img != "" {
		// the repository's last segment, or the tag of a repository of
		// many images (budibase:proxy-latest)
		_, tag, _ := splitImage(strings.ToLower(img))
		base := strings.ToLower(imageBase(img))
		words := strings.FieldsFunc(base+" "+tag, func(r rune) bool { return r == '-' || r == '_' || r == '.' || r == ' ' })
		return slices.Contains(proxyImages, base) || slices.Contains(words, "proxy")
	}
	n := strings.ToLower(name)
	return slices.ContainsFunc([]string{"proxy", "nginx", "traefik", "caddy", "haproxy", "envoy"}, func(p string) bool { return strings.Contains(n, p) })
}

// companionImages work on a reverse proxy's container (docker-gen writes
// its configuration, acme-companion its certificates): they need the
// container, not its health, which they may be what makes possible.
var companionImages = []string{"acme-companion", "letsencrypt-nginx-proxy-companion", "docker-letsencrypt-nginx-proxy-companion", "docker-gen"}

// isProxyCompanion reports whether svc runs such a companion (by its
// image's last path segment).
func isProxyCompanion(e *Env, svc map[string]any) bool {
	img, ok := e.Str(svc["image"])
	return ok && img != "" && slices.Contains(companionImages, strings.ToLower(imageBase(img)))
}

// adminImages are web consoles of databases, brokers and search clusters:
// they connect when a user opens them, or retry until the server answers
// (Kibana's "server is not ready yet"), and show an error until it is up.
var adminImages = []string{"pgadmin4", "pgadmin", "phpmyadmin", "adminer", "phpldapadmin", "redis-commander", "redisinsight",
	"mongo-express", "kafka-ui", "kafdrop", "akhq", "pgweb", "cloudbeaver", "dbgate", "kibana", "opensearch-dashboards"}

// isAdminUI reports whether service name (config svc) runs such a console:
// its image's last path segment, or Redpanda's console
// (redpandadata/console); without an image (it builds), its name
// (docker-elk's kibana), as isProxy and backingService read it.
func isAdminUI(e *Env, name string, svc map[string]any) bool {
	img, ok := e.Str(svc["image"])
	if !ok || img == "" {
		return slices.Contains(adminImages, strings.ToLower(name))
	}
	ref, _, _ := splitImage(strings.ToLower(img))
	return slices.Contains(adminImages, imageBase(ref)) || strings.HasSuffix(ref, "redpandadata/console")
}

// backingPrefixes and backingWords name the services an application
// needs ready before it starts: databases, caches, brokers, search and
// object stores. A word of a name that starts with one of backingPrefixes
// matches (postgresql, mongodb, redismod, rabbitmq); a word of
// backingWords matches alone or with a suffix of backingSuffixes: those
// are short or common words (db matches db1 and mongodb's words, not
// nocodb; vault, not vaultwarden).
var (
	backingPrefixes = []string{"database", "postgres", "postgis", "pgbouncer", "pgpool", "pgvector", "mysql", "mariadb", "mongo",
		"timescale", "cockroach", "mssql", "sqlserver", "clickhouse", "cassandra", "scylla", "neo4j", "influx", "couchbase", "couchdb",
		"arangodb", "rethinkdb", "surrealdb", "questdb", "redis", "valkey", "keydb", "dragonfly", "memcache", "rabbit", "kafka",
		"redpanda", "zookeeper", "pulsar", "activemq", "artemis", "mosquitto", "elastic", "opensearch", "meilisearch", "indexer",
		"typesense", "minio", "localstack", "consul", "openldap", "keycloak"}
	backingWords    = []string{"db", "pg", "oracle", "nats", "emqx", "solr", "etcd", "ldap", "vault", "search"}
	backingSuffixes = []string{"", "d", "db", "ql", "sql"}
	// notBacking are words that start like a store's and name something
	// else: PostgREST is an API server.
	notBacking = []string{"postgrest"}
)

// notBackingWords, as a word of a name, say that the service works on a
// store without being one: postgres-exporter, redis_exporter, db-migrator,
// elastic-agent, redis-cli.
var notBackingWords = []string{"exporter", "migrator", "migrate", "migration", "migrations", "backup", "backups", "ui", "admin",
	"dashboard", "dashboards", "commander", "express", "insight", "console", "agent", "operator", "client", "cli", "init", "setup"}

// backingService reports whether dependency name (config svc) is one an
// application needs ready: a word of its image's last path segment, or of
// its name when it builds, names a database, a cache, a broker, a search
// or object store (backingPrefixes, backingWords), and none says it is a
// tool for one (notBackingWords) or a console (isAdminUI). Words are
// split at every character other than a letter or a digit, with the
// digits they end with dropped (postgres16, db1).
func backingService(e *Env, name string, svc map[string]any) bool {
	what := name
	if img, ok := e.Str(svc["image"]); ok && img != "" {
		what = imageBase(img)
	}
	words := nameWords(what)
	if isAdminUI(e, name, svc) || slices.ContainsFunc(words, func(w string) bool { return slices.Contains(notBackingWords, w) }) {
		return false
	}
	return slices.ContainsFunc(words, func(w string) bool {
		if slices.Contains(notBacking, w) {
			return false
		}
		for _, b := range backingPrefixes {
			if strings.HasPrefix(w, b) {
				return true
			}
		}
		for _, b := range backingWords {
			if rest, ok := strings.CutPrefix(w, b); ok && slices.Contains(backingSuffixes, rest) {
				return true
			}
		}
		return false
	})
}

// nameWords splits an image or service name into its lower-case words, at
// every character other than a letter or a digit, each word without the
// digits it ends with (neo4j keeps its 4).
func nameWords(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		if w = strings.TrimRight(w, "0123456789"); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// jobNameWords, in a service's name, and jobCommandWords, as words of its
// entrypoint or command, name what a one-shot job does: create topics or
// buckets, run migrations, seed, set up.
var (
	jobNameWords    = []string{"create", "init", "migrat", "setup", "seed", "bootstrap", "provision"}
	jobCommandWords = []string{"create", "migrate", "seed"}
)

// oneShotJob reports whether service name (config svc) looks like a job
// that runs once and exits (lago's `rpk topic create` on the broker's
// image, a `createbuckets`, a `migrate`): it sets its own entrypoint or
// command, has no restart policy that keeps it running, no published port
// and no healthcheck, and its name or a word of its command names such a
// task. A service waits for a job with `condition:
// service_completed_successfully`, not for its health.
func oneShotJob(e *Env, name string, svc map[string]any) bool {
	for _, k := range []string{"healthcheck", "ports"} {
		if _, ok := svc[k]; ok {
			return false
		}
	}
	if r, ok := e.Str(svc["restart"]); ok && r != "" && r != "no" && !strings.HasPrefix(r, "on-failure") {
		return false
	}
	var words []string
	for _, k := range []string{"entrypoint", "command"} {
		switch x := svc[k].(type) {
		case string:
			s, _ := e.Interpolate(x)
			words = append(words, strings.Fields(s)...)
		case []any:
			for _, it := range x {
				if s, ok := e.Str(it); ok {
					words = append(words, strings.Fields(s)...)
				}
			}
		}
	}
	if len(words) == 0 {
		return false
	}
	lower := strings.ToLower(name)
	if slices.ContainsFunc(jobNameWords, func(w string) bool { return strings.Contains(lower, w) }) {
		return true
	}
	for _, w := range words {
		// rails db:migrate, manage.py migrate, rpk topic create
		w = strings.ToLower(w[strings.LastIndexByte(w, ':')+1:])
		if slices.Contains(jobCommandWords, w) {
			return true
		}
	}
	return false
}
