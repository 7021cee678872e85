package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// redactCase is one value of the redaction table: where it is written in
// compose.prod.yaml and what of it is secret ("" for a harmless value,
// which every output must show as it is).
type redactCase struct {
	place  string // env, label, deploy-label, arg, hook-env, x, command, test, config, interp
	key    string // the name (env, labels, args, x-...), or "" for commands
	value  string // the value as written (YAML double-quoted string), or the command items
	secret string // the secret part, absent from every output; "" for a harmless value
	show   string // for a harmless value, what the outputs show ("" = value)
}

// redactCases are at least 60 secret-bearing values and 30 harmless ones,
// each secret unique so that its absence means it was hidden.
var redactCases = []redactCase{
	// secret by name
	{"env", "POSTGRES_PASSWORD", "Sn01pg", "Sn01pg", ""},
	{"env", "DB_PASS", "Sn02dbpass", "Sn02dbpass", ""},
	{"env", "PGPASSWORD", "Sn03pgpw", "Sn03pgpw", ""},
	{"env", "MYSQL_ROOT_PASSWORD", "Sn04root", "Sn04root", ""},
	{"env", "ROOT_PW", "Sn05rootpw", "Sn05rootpw", ""},
	{"env", "DB_PWD", "Sn06dbpwd", "Sn06dbpwd", ""},
	{"env", "API_KEY", "Sn07apikey", "Sn07apikey", ""},
	{"env", "GITHUB_TOKEN", "Sn08ghtoken", "Sn08ghtoken", ""},
	{"env", "SECRET_KEY_BASE", "Sn09keybase", "Sn09keybase", ""},
	{"env", "AWS_SECRET_ACCESS_KEY", "Sn10awssecret", "Sn10awssecret", ""},
	{"env", "OAUTH_CLIENT_SECRET", "Sn11oauth", "Sn11oauth", ""},
	{"env", "apiKey", "Sn12camel", "Sn12camel", ""},
	{"env", "dbPassword", "Sn13camelpw", "Sn13camelpw", ""},
	{"env", "REFRESH_TOKEN", "Sn14refresh", "Sn14refresh", ""},
	{"env", "SMTP_PASSWD", "Sn15smtp", "Sn15smtp", ""},
	{"env", "WIFI_PSK", "Sn16psk", "Sn16psk", ""},
	{"env", "AUTH_SALT", "Sn17salt", "Sn17salt", ""},
	{"env", "APP_KEY", "Sn18appkey", "Sn18appkey", ""},
	{"env", "N8N_ENCRYPTION_KEY", "Sn19enckey", "Sn19enckey", ""},
	{"env", "SESSION_SECRETS", "Sn20sessions", "Sn20sessions", ""},
	{"env", "CLIENTSECRET", "Sn21clientsecret", "Sn21clientsecret", ""},
	{"env", "GOOGLE_APPLICATION_CREDENTIALS", "Sn22creds", "Sn22creds", ""},
	{"env", "ADMIN_PASSPHRASE", "Sn23phrase", "Sn23phrase", ""},
	{"env", "DB_PIN_PASSWORD", "1234", "1234", ""},
	// secret by shape, under innocent names
	{"env", "DATABASE_URL", "postgres://app:Sv01url@db:5432/app", "Sv01url", ""},
	{"env", "AT_URL", "postgres://u:Sv02p@ss@db/x", "Sv02p@ss", ""},
	{"env", "SPACE_URL", "postgres://u:Sv03 pass@db/x", "Sv03 pass", ""},
	{"env", "REDIS_URL", "redis://:Sv04redis@cache:6379/0", "Sv04redis", ""},
	{"env", "QUERY", "https://api.example.com/v1?password=Sv05query&format=json", "Sv05query", ""},
	{"env", "API_QUERY", "https://api.example.com/v1?api_key=Sv06apiq", "Sv06apiq", ""},
	{"env", "CONNECTION", "Server=db;Database=app;User Id=sa;Password=Sv07 conn;", "Sv07 conn", ""},
	{"env", "ODBC", "Driver=x;Uid=sa;Pwd=Sv08pwd;Port=1433", "Sv08pwd", ""},
	{"env", "LIBPQ", "host=db user=app password=Sv09libpq dbname=app", "Sv09libpq", ""},
	{"env", "MOUNT_OPTS", "username=u,password=Sv10cifs,vers=3.0", "Sv10cifs", ""},
	{"env", "GH", "ghp_Sv11abcdefghijklmnopqrstuvwxyz0123", "Sv11abcdefghijklmnopqrstuvwxyz0123", ""},
	{"env", "GH_PAT", "github_pat_Sv12ABCDEFGHIJKLMNOPQRSTUVWXYZ0123", "Sv12ABCDEFGHIJKLMNOPQRSTUVWXYZ0123", ""},
	{"env", "GL", "glpat-Sv13abcdefghijklmnop", "Sv13abcdefghijklmnop", ""},
	{"env", "SLACK", "xoxb-Sv14-0123456789-abcdef", "Sv14-0123456789-abcdef", ""},
	{"env", "STRIPE", "sk_live_Sv15abcdefghijklmnop", "Sv15abcdefghijklmnop", ""},
	{"env", "AWS_ID", "AKIASV16EXAMPLE12345", "AKIASV16EXAMPLE12345", ""},
	{"env", "GOOGLE", "AIzaSv17abcdefghijklmnopqrstuvwxyz01234", "Sv17abcdefghijklmnopqrstuvwxyz01234", ""},
	{"env", "JWT", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJTdjE4In0.Sv18sig", "eyJzdWIiOiJTdjE4In0", ""},
	{"env", "NPM", "npm_Sv19abcdefghijklmnopqrstuvwxyz012345", "Sv19abcdefghijklmnopqrstuvwxyz012345", ""},
	{"env", "HF", "hf_Sv20abcdefghijklmnopqrstuvwxyz01", "Sv20abcdefghijklmnopqrstuvwxyz01", ""},
	{"env", "OPENAI", "sk-proj-Sv21abcdefghijklmnopqrstuvwxyz0123", "Sv21abcdefghijklmnopqrstuvwxyz0123", ""},
	{"env", "PEM", "-----BEGIN RSA PRIVATE KEY-----\nSv22pembody\n-----END RSA PRIVATE KEY-----\n", "Sv22pembody", ""},
	{"env", "GIT_REMOTE", "https://ghp_Sv23abcdefghijklmnopqrstuvwxyz0123@github.com/o/r.git", "Sv23abcdefghijklmnopqrstuvwxyz0123", ""},
	{"label", "traefik.http.middlewares.auth.basicauth.users", "admin:$$apr1$$Sv24salt$$IgXLP6ewTrSuBkTrqE8wj/", "Sv24salt", ""},
	{"label", "traefik.http.middlewares.h.headers.customrequestheaders.Authorization", "Bearer Sv25bearer", "Sv25bearer", ""},
	{"label", "note", "curl -H 'X-Api-Key: Sv26header' http://x", "Sv26header", ""},
	{"label", "bcrypt", "admin:$$2y$$05$$Sv27bcryptIgXLP6ewTrSuBkTrqE8wj/XLP6ewTr", "Sv27bcrypt", ""},
	// secret by place
	{"deploy-label", "com.example.api-key", "Sp01deploy", "Sp01deploy", ""},
	{"arg", "NPM_TOKEN", "Sp02npmtoken", "Sp02npmtoken", ""},
	{"hook-env", "MIGRATE_PASSWORD", "Sp03hook", "Sp03hook", ""},
	{"x", "db_password", "Sp04xblock", "Sp04xblock", ""},
	{"config", "", "[db]\nhost = db\npassword = Sp05config\n", "Sp05config", ""},
	{"env", "KEY", "Sp06barekey", "Sp06barekey", ""},
	// secret options in commands
	{"command", "", `["serve", "--password", "Sc01pw"]`, "Sc01pw", ""},
	{"command", "", `["serve", "--db-password=Sc02eq"]`, "Sc02eq", ""},
	{"command", "", `["redis-server", "--requirepass", "Sc03redis"]`, "Sc03redis", ""},
	{"command", "", `["sh", "-c", "redis-cli -a Sc04cli ping"]`, "Sc04cli", ""},
	{"command", "", `["mongosh", "-u", "root", "-p", "Sc05mongo"]`, "Sc05mongo", ""},
	{"command", "", `["curl", "-u", "admin:Sc06curl", "http://x"]`, "Sc06curl", ""},
	{"command", "", `["openssl", "rsa", "-passin", "pass:Sc07ssl"]`, "Sc07ssl", ""},
	{"command", "", `["sh", "-c", "PGPASSWORD=Sc08pg psql -h db"]`, "Sc08pg", ""},
	{"test", "", `["CMD", "mysqladmin", "ping", "-uroot", "-pSc09mysql"]`, "Sc09mysql", ""},
	{"test", "", `["CMD-SHELL", "mysqladmin ping -h localhost -pSc10shell || exit 1"]`, "Sc10shell", ""},
	{"test", "", `["CMD-SHELL", "sqlcmd -S localhost -U sa -P Sc11sql -Q 'SELECT 1'"]`, "Sc11sql", ""},
	// secret by origin: interpolated from .env under innocent names
	{"interp", "ROOT", "${DB_ROOT_PASSWORD}", "Si01hunter", ""},
	{"interp", "CONN", "root/${DB_ROOT_PASSWORD}/x", "Si01hunter", ""},
	{"interp", "TOKEN_COPY_AS_PLAIN", "pre-${UPLOAD_TOKEN}", "Si02upload", ""},
	{"interp", "DEFAULTED", "${UNSET_SECRET_KEY:-Si03default}", "Si03default", ""},

	// harmless: every output shows them as they are
	{"env", "MONKEY", "banana", "", ""},
	{"env", "KEYBOARD_LAYOUT", "us", "", ""},
	{"env", "LOG_LEVEL", "debug", "", ""},
	{"env", "PASSWORD_MIN_LENGTH", "12", "", ""},
	{"env", "TOKEN_TTL", "3600", "", ""},
	{"env", "ALLOW_EMPTY_PASSWORD", "yes", "", ""},
	{"env", "MYSQL_RANDOM_ROOT_PASSWORD", "true", "", ""},
	{"env", "POSTGRES_PASSWORD_FILE", "/run/secrets/db_password", "", ""},
	{"env", "PHOTOPRISM_PASSWORD_RESET_URI", "https://photos.example.com/reset", "", ""},
	{"env", "AWS_ACCESS_KEY_ID", "harmless-key-id", "", ""},
	{"env", "SECRETS_DIR", "/var/secrets", "", ""},
	{"env", "RECAPTCHA_SITE_KEY", "site-key-public", "", ""},
	{"env", "CACHE_KEY_PREFIX", "myapp", "", ""},
	{"env", "TOKENIZERS_PARALLELISM", "false", "", ""},
	{"env", "POSTGRES_USER", "appuser", "", ""},
	{"env", "PLAIN_DB_URL", "postgres://app@db:5432/app", "", ""},
	{"env", "HOMEPAGE", "https://medium.com/@someone", "", ""},
	{"env", "PORTAL", "http://host:8080/path/@user", "", ""},
	{"env", "CONTACT", "admin@example.com", "", ""},
	{"env", "PWD", "/srv/app", "", ""},
	{"env", "PASSWORD_HASHERS", "argon2", "", ""},
	{"env", "JWT_SECRET_EXPIRES_IN", "7d", "", ""},
	{"env", "REGISTRY_AUTH_TOKEN_SERVICE", "container_registry", "", ""},
	{"env", "CERT", "-----BEGIN CERTIFICATE-----\nHarmlessCertBody\n-----END CERTIFICATE-----\n", "", "HarmlessCertBody"},
	{"env", "OPTS", "key=value;other=thing", "", ""},
	{"env", "POSTGRES_HOST_AUTH_METHOD", "scram-sha-256", "", ""},
	{"label", "com.example.team", "platform", "", ""},
	{"label", "traefik.http.routers.web.rule", "Host(`example.com`)", "", ""},
	{"arg", "NODE_ENV", "production", "", ""},
	{"x", "region", "eu-west-1", "", ""},
	{"command", "", `["redis-server", "--maxmemory", "64mb"]`, "", "64mb"},
	{"command", "", `["psql", "-p", "5432", "-U", "app"]`, "", "5432"},
	{"command", "", `["server", "--password-file", "/run/secrets/pw"]`, "", "/run/secrets/pw"},
	{"command", "", `["psql", "--no-password", "appdb"]`, "", "appdb"},
	{"test", "", `["CMD", "mysqladmin", "ping", "-p$$MYSQL_ROOT_PASSWORD"]`, "", "-p$$MYSQL_ROOT_PASSWORD"},
	{"test", "", `["CMD-SHELL", "pg_isready -U app -d db"]`, "", "pg_isready -U app -d db"},
	{"interp", "IMAGE_TAG_COPY", "${APP_TAG}", "", "Hz01apptag"},
}

// yq quotes a string for a YAML double-quoted scalar.
func yq(s string) string { return fmt.Sprintf("%q", s) }

// redactProject writes the table as a project: compose.yaml is a bare
// service, compose.prod.yaml adds every value (so diff shows them all as
// added), .env holds the interpolated variables.
func redactProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var env, labels, deploy, args, hook, x []string
	var b strings.Builder
	services := 0
	for _, c := range redactCases {
		line := "        " + yq(c.key) + ": " + yq(c.value)
		switch c.place {
		case "env":
			env = append(env, line)
		case "interp":
			env = append(env, "        "+yq(c.key)+": "+yq(c.value))
		case "label":
			labels = append(labels, line)
		case "deploy-label":
			deploy = append(deploy, "          "+yq(c.key)+": "+yq(c.value))
		case "arg":
			args = append(args, line)
		case "hook-env":
			hook = append(hook, "            "+yq(c.key)+": "+yq(c.value))
		case "x":
			x = append(x, "  "+yq(c.key)+": "+yq(c.value))
		case "command":
			fmt.Fprintf(&b, "  cmd%d:\n    image: example/cmd:1.0\n    command: %s\n", services, c.value)
			services++
		case "test":
			fmt.Fprintf(&b, "  cmd%d:\n    image: example/cmd:1.0\n    healthcheck:\n      test: %s\n", services, c.value)
			services++
		}
	}
	var config string
	for _, c := range redactCases {
		if c.place == "config" {
			config = c.value
		}
	}
	prod := "services:\n  app:\n    environment:\n" + strings.Join(env, "\n") +
		"\n    labels:\n" + strings.Join(labels, "\n") +
		"\n    deploy:\n      labels:\n" + strings.Join(deploy, "\n") +
		"\n    build:\n      context: .\n      args:\n" + strings.Join(args, "\n") +
		"\n    pre_start:\n      - image: migrate/migrate:4\n        environment:\n" + strings.Join(hook, "\n") +
		"\n    configs: [appcfg]\n" + b.String() +
		"configs:\n  appcfg:\n    content: " + yq(config) + "\n" +
		"x-secrets:\n" + strings.Join(x, "\n") + "\n"
	files := map[string]string{
		"compose.yaml":      "services:\n  app:\n    image: example/app:1.0\n",
		"compose.prod.yaml": prod,
		".env":              "DB_ROOT_PASSWORD=Si01hunter\nUPLOAD_TOKEN=Si02upload\nAPP_TAG=Hz01apptag\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestRedactTable pushes every value of redactCases through every output
// that prints values: config (YAML, JSON, with --origin), diff (text,
// JSON, Markdown, GitHub) and config --variables (table, JSON, YAML). No
// secret may show anywhere; every harmless value shows everywhere the
// config is printed.
func TestRedactTable(t *testing.T) {
	secrets, harmless := 0, 0
	for _, c := range redactCases {
		if c.secret != "" {
			secrets++
		} else {
			harmless++
		}
	}
	if secrets < 60 || harmless < 30 {
		t.Fatalf("the table has %d secret and %d harmless values, want at least 60 and 30", secrets, harmless)
	}
	dir := redactProject(t)
	// Without --redact, every secret shows: the project really holds them.
	_, plain, stderr := runCLI(t, nil, "-C", dir, "config", "prod")
	for _, c := range redactCases {
		if c.secret != "" && !strings.Contains(plain, strings.ReplaceAll(c.secret, "\n", `\n`)) && !strings.Contains(plain, c.secret) {
			t.Errorf("config prod without --redact lacks %q: the case tests nothing\n%s", c.secret, stderr)
		}
	}
	outputs := map[string][]string{
		"config yaml":           {"config", "prod", "--redact"},
		"config json":           {"config", "prod", "--redact", "--format", "json"},
		"config origin":         {"config", "prod", "--redact", "--origin"},
		"config origin json":    {"config", "prod", "--redact", "--origin", "--format", "json"},
		"diff text":             {"diff", "default", "prod", "--redact"},
		"diff json":             {"diff", "default", "prod", "--redact", "--format", "json"},
		"diff markdown":         {"diff", "default", "prod", "--redact", "--format", "markdown"},
		"diff github":           {"diff", "default", "prod", "--redact", "--format", "github"},
		"diff all":              {"diff", "--all", "--redact"},
		"config variables":      {"config", "prod", "--variables", "--redact"},
		"config variables json": {"config", "prod", "--variables", "--redact", "--format", "json"},
		"config variables yaml": {"config", "prod", "--variables", "--redact", "--format", "yaml"},
	}
	names := make([]string, 0, len(outputs))
	for n := range outputs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		code, out, stderr := runCLI(t, nil, append([]string{"-C", dir}, outputs[name]...)...)
		if code != 0 {
			t.Errorf("%s: exit %d: %s", name, code, stderr)
			continue
		}
		for _, c := range redactCases {
			switch {
			case c.secret != "":
				if strings.Contains(out, c.secret) {
					t.Errorf("%s shows the secret %q (%s %s)", name, c.secret, c.place, c.key)
				}
			case strings.HasPrefix(name, "config variables"):
			case c.place == "x" && strings.HasPrefix(name, "diff"):
				// diff leaves top-level extensions out: their effect shows
				// where they are merged
			default:
				want := c.show
				if want == "" {
					want = c.value
				}
				if !strings.Contains(out, want) && !strings.Contains(out, strings.ReplaceAll(want, "\n", `\n`)) {
					t.Errorf("%s does not show the harmless %q (%s %s)", name, want, c.place, c.key)
				}
			}
		}
	}
}
