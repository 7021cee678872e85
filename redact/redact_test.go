package redact

import (
	"flag"
	"fmt"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestWords(t *testing.T) {
	tests := []struct{ in, want string }{
		{"POSTGRES_PASSWORD", "POSTGRES PASSWORD"},
		{"dbPassword", "DB PASSWORD"},
		{"keyStorePassword", "KEY STORE PASSWORD"},
		{"APIKey", "API KEY"},
		{"X-Api-Key", "X API KEY"},
		{"traefik.http.middlewares.auth.basicauth.users", "TRAEFIK HTTP MIDDLEWARES AUTH BASICAUTH USERS"},
		{"PASSWORD2", "PASSWORD"},
		{"S3_SECRET", "S SECRET"},
		{"--db-password", "DB PASSWORD"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := strings.Join(words(nil, tt.in), " "); got != tt.want {
			t.Errorf("words(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSecretName(t *testing.T) {
	p := New("salt_extra", "DSN")
	secret := []string{
		"POSTGRES_PASSWORD", "MYSQL_ROOT_PASSWORD", "DB_PASS", "DB_PASSWD", "PGPASSWORD", "DBPASSWORD",
		"ROOT_PW", "DB_PWD", "ADMIN_PASSPHRASE", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "API_KEY",
		"api-key", "apiKey", "X-Api-Key", "SECRET_KEY_BASE", "OAUTH_CLIENT_SECRET", "REFRESH_TOKEN",
		"GOOGLE_APPLICATION_CREDENTIALS", "DOCKER_CREDS", "WIFI_PSK", "AUTH_SALT", "APP_KEY",
		"MEILI_MASTER_KEY", "N8N_ENCRYPTION_KEY", "SESSION_SECRETS", "authToken", "clientSecret",
		"requirepass", "masterauth", "JWT_PRIVATE_KEY", "SSH_KEY", "LICENSE_KEY", "CLIENTSECRET",
		"SENTRY_DSN", "HASH_SALT_EXTRA", "keyStorePassword", "STOREPASS", "AUTHORIZATION", "password",
		"MINIO_SECRET_KEY", "S3_SECRET_KEY", "awsSecretAccessKey", "SECRETACCESSKEY",
	}
	harmless := []string{
		"MONKEY", "KEYBOARD_LAYOUT", "LOG_LEVEL", "com.example.team", "POSTGRES_PASSWORD_FILE",
		"PASSWORD_MIN_LENGTH", "TOKEN_TTL", "PHOTOPRISM_PASSWORD_RESET_URI", "ACCESS_TOKEN_EXPIRE_MINUTES",
		"JWT_SECRET_EXPIRES_IN", "AWS_ACCESS_KEY_ID", "SECRETS_DIR", "PWD", "OLDPWD", "RECAPTCHA_SITE_KEY",
		"STRIPE_PUBLISHABLE_KEY", "JWT_PUBLIC_KEY", "CACHE_KEY_PREFIX", "ROUTING_KEY", "POSTGRES_USER",
		"TOKENIZERS_PARALLELISM", "SECRETARY_EMAIL", "BYPASS_CACHE", "COMPASS_URL", "PASSWORD_HASHERS",
		"TOKEN_URL", "KEYCLOAK_URL", "PASSWORD_ENCRYPTION", "SECRET_NAME", "KEY_ID", "POSTGRES_HOST_AUTH_METHOD",
		"PASSPORT_STRATEGY", "GPG_KEY_PATH", "PASSWORD_AUTHENTICATION", "SMTP_AUTH",
		"MINIO_ACCESS_KEY", "S3_ACCESS_KEY", "RUSTFS_ACCESS_KEY", "minioAccessKey",
		"LDAP_TLS_KEY_FILENAME", "OPENEMR_SETTING_oauth_password_grant", "SSL_KEY_FILEPATH",
	}
	for _, n := range secret {
		if !p.SecretName(n) {
			t.Errorf("SecretName(%q) = false, want true", n)
		}
	}
	for _, n := range harmless {
		if p.SecretName(n) {
			t.Errorf("SecretName(%q) = true, want false", n)
		}
	}
}

func TestSecretValue(t *testing.T) {
	p := New()
	tests := []struct {
		name, value string
		want        bool
	}{
		{"POSTGRES_PASSWORD", "example", true},
		{"DB_PASSWORD", "1234", true},
		{"DB_PASSWORD", "", false},
		{"DB_PASSWORD", "${DB_PASSWORD}", false},
		{"DB_PASSWORD", "$${DB_PASSWORD:-x}", false},
		{"DB_PASSWORD", "/run/secrets/db_password", false},
		// trigger.dev: the file the token is read from
		{"TRIGGER_WORKER_TOKEN", "file:///home/node/shared/worker_token", false},
		{"API_TOKEN", "file://host/share/token", true}, // not a local path
		{"ALLOW_EMPTY_PASSWORD", "yes", false},
		{"MYSQL_ALLOW_EMPTY_PASSWORD", "1", false},
		{"MYSQL_RANDOM_ROOT_PASSWORD", "true", false},
		{"MYSQL_RANDOM_ROOT_PASSWORD", "0", false},
		{"DB_PASSWORD", "1", true}, // not a flag name: a one-character password
		{"SMTP_PASSWORD", "on", false},
		{"LOG_LEVEL", "debug", false},
	}
	for _, tt := range tests {
		if got := p.SecretValue(tt.name, tt.value); got != tt.want {
			t.Errorf("SecretValue(%q, %q) = %v, want %v", tt.name, tt.value, got, tt.want)
		}
	}
}

// TestText holds the value scanners to what they hide; want is the value
// with the secret parts as ***.
func TestText(t *testing.T) {
	p := New()
	tests := []struct{ in, want string }{
		{"postgres://app:s3cret@db:5432/app", "postgres://app:***@db:5432/app"},
		{"postgres://u:p@ss@db/x", "postgres://u:***@db/x"},
		{"postgres://u:p ss@db/x", "postgres://u:***@db/x"},
		{"postgres://u:pa/ss@db/x", "postgres://u:***@db/x"},
		{"postgres://u:p#ss@db/x", "postgres://u:***@db/x"},
		{"postgres://u:pw@db/x?email=a@b.c", "postgres://u:***@db/x?email=a@b.c"},
		{"redis://:pw@cache:6379/0", "redis://:***@cache:6379/0"},
		{"mysql://root:1234@db", "mysql://root:***@db"},
		{"amqp://guest:guest@mq/ and http://u:p@h/", "amqp://guest:***@mq/ and http://u:***@h/"},
		{"https://ghp_0123456789abcdefghijklmnopqrstuvwxyzAB@github.com/o/r.git", "https://***@github.com/o/r.git"},
		{"https://x-access-token:tok123@github.com/o/r", "https://x-access-token:***@github.com/o/r"},
		{"postgres://app:${DB_PASSWORD}@db/app", "postgres://app:${DB_PASSWORD}@db/app"},
		{"postgres://${POSTGRES_USER:-app}@db-00000:5432/db", "postgres://${POSTGRES_USER:-app}@db-00000:5432/db"},
		{"postgres://${U:-app}:${P:-pw}@db/x", "postgres://${U:-app}:${P:-pw}@db/x"},
		{"postgres://${U:-app}:s3cret@db/x", "postgres://${U:-app}:***@db/x"},
		{"jdbc:postgresql://db:5432/app?user=app&password=s3cret&ssl=true", "jdbc:postgresql://db:5432/app?user=app&password=***&ssl=true"},
		{"https://api.example.com/v1?api_key=abc123&format=json", "https://api.example.com/v1?api_key=***&format=json"},
		{"Server=db;Database=app;User Id=sa;Password=my pass;", "Server=db;Database=app;User Id=sa;Password=***;"},
		{"Host=db;Username=app;Pwd=x1;Port=5432", "Host=db;Username=app;Pwd=***;Port=5432"},
		{"host=db user=app password=s3cret dbname=app", "host=db user=app password=*** dbname=app"},
		{"host=db password='a b' dbname=app", "host=db password='***' dbname=app"},
		{"username=u,password=p,vers=3.0", "username=u,password=***,vers=3.0"},
		{"PGPASSWORD=s3cret psql -h db -U app", "PGPASSWORD=*** psql -h db -U app"},
		{"sh -c 'mysqladmin ping -h localhost -psecret'", "sh -c 'mysqladmin ping -h localhost -p***'"},
		{"mysql -uroot -psecret app", "mysql -uroot -p*** app"},
		{"mysql -uroot -p app", "mysql -uroot -p app"},
		{"curl -H 'Authorization: Bearer abc.def' http://x", "curl -H 'Authorization: Bearer ***' http://x"},
		{"Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic ***"},
		{"X-Api-Key: k123", "X-Api-Key: ***"},
		{"curl -u admin:s3cret http://x", "curl -u admin:*** http://x"},
		{"redis-cli -a s3cret ping", "redis-cli -a *** ping"},
		{"server --password s3cret --port 80", "server --password *** --port 80"},
		{"server --password=s3cret", "server --password=***"},
		{"psql --no-password mydb", "psql --no-password mydb"},
		{"docker login -u me -p s3cret registry", "docker login -u me -p *** registry"},
		{"openssl rsa -passin pass:s3cret -in k.pem", "openssl rsa -passin pass:*** -in k.pem"},
		{"java -Djavax.net.ssl.keyStorePassword=changeit -jar app.jar", "java -Djavax.net.ssl.keyStorePassword=*** -jar app.jar"},
		{"admin:$$apr1$$H6uskkkW$$IgXLP6ewTrSuBkTrqE8wj/", "admin:***"},
		{"admin:$2y$05$H6uskkkWIgXLP6ewTrSuBkTrqE8wj/XLP6ewTr", "admin:***"},
		{"-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n", "-----BEGIN RSA PRIVATE KEY-----***-----END RSA PRIVATE KEY-----\n"},
		{"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"},
		{"token ghp_0123456789abcdefghijklmnopqrstuvwxyzAB here", "token *** here"},
		{"AKIAIOSFODNN7EXAMPLE", "***"},
		{"xoxb-123456789012-abcdefghijklmno", "***"},
		{"sk_live_0123456789abcdefghijklmn", "***"},
		{"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig_nature", "***"},
		{"glpat-0123456789abcdefghij", "***"},
		{"AIzaSyA0123456789abcdefghijklmnopqrstuv", "***"},
		// harmless
		{"https://example.com/path", "https://example.com/path"},
		{"https://user@example.com/", "https://user@example.com/"},
		{"https://medium.com/@someone", "https://medium.com/@someone"},
		{"http://host:8080/path/@user", "http://host:8080/path/@user"},
		{"http://localhost:8080 and admin@example.com", "http://localhost:8080 and admin@example.com"},
		{"postgres://app@db:5432/app", "postgres://app@db:5432/app"},
		{"key=value;other=thing", "key=value;other=thing"},
		{"TOKEN_TTL=3600", "TOKEN_TTL=3600"},
		{"ALLOW_EMPTY_PASSWORD=yes", "ALLOW_EMPTY_PASSWORD=yes"},
		{"mysqladmin ping -p$$MYSQL_ROOT_PASSWORD", "mysqladmin ping -p$$MYSQL_ROOT_PASSWORD"},
		{"pg_isready -U $${POSTGRES_USER:-app} -d db", "pg_isready -U $${POSTGRES_USER:-app} -d db"},
		{"sk-some-hyphenated-name-of-a-thing-long-enough", "sk-some-hyphenated-name-of-a-thing-long-enough"},
		{"registry.example.com/team0/app-00002:1.4.2", "registry.example.com/team0/app-00002:1.4.2"},
		{"--maxmemory 64mb", "--maxmemory 64mb"},
		{"Host(`example.com`) && PathPrefix(`/api`)", "Host(`example.com`) && PathPrefix(`/api`)"},
	}
	for _, tt := range tests {
		if got := Hide(tt.in, p.Text(tt.in)); got != tt.want {
			t.Errorf("Text(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestArgs(t *testing.T) {
	p := New()
	tests := []struct{ in, want []string }{
		{[]string{"--password", "s3cret", "--user", "app"}, []string{"--password", "***", "--user", "app"}},
		{[]string{"--password=s3cret"}, []string{"--password=***"}},
		{[]string{"CMD", "mysqladmin", "ping", "-h", "localhost", "-psecret"}, []string{"CMD", "mysqladmin", "ping", "-h", "localhost", "-p***"}},
		{[]string{"CMD-SHELL", "mysqladmin ping -uroot -psecret || exit 1"}, []string{"CMD-SHELL", "mysqladmin ping -uroot -p*** || exit 1"}},
		{[]string{"redis-server", "--requirepass", "s3cret"}, []string{"redis-server", "--requirepass", "***"}},
		{[]string{"redis-cli", "-a", "s3cret", "ping"}, []string{"redis-cli", "-a", "***", "ping"}},
		{[]string{"mongosh", "-u", "root", "-p", "s3cret"}, []string{"mongosh", "-u", "root", "-p", "***"}},
		{[]string{"--password-file", "/run/secrets/pw"}, []string{"--password-file", "/run/secrets/pw"}},
		{[]string{"--token-ttl", "3600"}, []string{"--token-ttl", "3600"}},
		{[]string{"--password", "--verbose"}, []string{"--password", "--verbose"}},
		{[]string{"mysql", "-p", "appdb"}, []string{"mysql", "-p", "appdb"}},
		{[]string{"psql", "-p", "5432"}, []string{"psql", "-p", "5432"}},
		{[]string{"CMD-SHELL", "/opt/mssql-tools/bin/sqlcmd -S localhost -U sa -P example_123 -Q 'SELECT 1' || exit 1"},
			[]string{"CMD-SHELL", "/opt/mssql-tools/bin/sqlcmd -S localhost -U sa -P *** -Q 'SELECT 1' || exit 1"}},
		{[]string{"--password", "$${DB_PASSWORD}"}, []string{"--password", "$${DB_PASSWORD}"}},
		// curl's long option (directus's rustfs healthcheck), as well as -u
		{[]string{"CMD-SHELL", "curl -fsS --user 'directus:rustfssecret' http://x/"}, []string{"CMD-SHELL", "curl -fsS --user 'directus:***' http://x/"}},
		{[]string{"curl", "--proxy-user", "me:s3cret", "http://x/"}, []string{"curl", "--proxy-user", "me:***", "http://x/"}},
		{[]string{"curl", "-u", "me:s3cret", "http://x/"}, []string{"curl", "-u", "me:***", "http://x/"}},
		// a key's file, not the key (dendrite's monolith command)
		{[]string{"--tls-cert=server.crt", "--tls-key=server.key"}, []string{"--tls-cert=server.crt", "--tls-key=server.key"}},
		{[]string{"--tls-key", "/etc/dendrite/server.key"}, []string{"--tls-key", "/etc/dendrite/server.key"}},
		{[]string{"--private-key", "key.pem"}, []string{"--private-key", "key.pem"}},
		{[]string{"--api-key", "k-3f9a8b7c6d5e"}, []string{"--api-key", "***"}},
	}
	for _, tt := range tests {
		secrets := p.Args(tt.in)
		got := make([]string, len(tt.in))
		for i, a := range tt.in {
			got[i] = Hide(a, secrets[i])
		}
		if strings.Join(got, "\x00") != strings.Join(tt.want, "\x00") {
			t.Errorf("Args(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestContent(t *testing.T) {
	p := New()
	in := "[db]\nhost = db\npassword = s3cret\n\"api_key\": \"abc\",\nuser: app\nsecret: ''\ntoken: ${TOKEN}\n  \"password\": null,\n"
	want := "[db]\nhost = db\npassword = ***\n\"api_key\": \"***\",\nuser: app\nsecret: ''\ntoken: ${TOKEN}\n  \"password\": null,\n"
	if got := Hide(in, p.Content(in)); got != want {
		t.Errorf("Content:\n got %q\nwant %q", got, want)
	}
}

// fakeSources says that every path ending in "interp" was written with
// ${DB_ROOT_PASSWORD}, whose text is hunter22, and references ${TAG}
// (hunter22 too) elsewhere.
type fakeSources struct{}

func (fakeSources) Vars() []Var {
	return []Var{{Name: "DB_ROOT_PASSWORD", Value: "hunter22"}, {Name: "TAG", Value: "hunter22"}}
}

func (fakeSources) From(path []string) ([]string, bool) {
	if len(path) > 0 && path[len(path)-1] == "interp" {
		return []string{"DB_ROOT_PASSWORD"}, true
	}
	return nil, true
}

// TestValue walks model values in their Go shape, as diff holds them,
// from any path: a whole service, one named value, one command.
func TestValue(t *testing.T) {
	p := New()
	tests := []struct {
		path []string
		in   any
		want string
	}{
		{[]string{"services", "web"}, map[string]any{
			"environment": map[string]any{"DB_PASS": "x", "LOG": "info", "interp": "hunter22"},
			"image":       "app:hunter22",
			"command":     []any{"--password", "y"},
			"labels":      map[string]any{"api-key": "k"},
			"healthcheck": map[string]any{"test": []any{"CMD", "mysqladmin", "-psecret"}},
		}, `map[command:[--password ***] environment:map[DB_PASS:*** LOG:info interp:***] healthcheck:map[test:[CMD mysqladmin -p***]] image:app:hunter22 labels:map[api-key:***]]`},
		{[]string{"services", "web", "environment", "DB_PASS"}, "x", "***"},
		{[]string{"services", "web", "environment", "DB_PASS_FILE"}, "/run/secrets/x", "/run/secrets/x"},
		{[]string{"services", "web", "environment", "URL"}, "redis://:pw@cache", "redis://:***@cache"},
		{[]string{"services", "web", "command"}, []any{"--token", "t"}, "[--token ***]"},
		{[]string{"secrets", "s", "content"}, "abc", "***"},
		{[]string{"x-secrets"}, map[string]any{"db_password": "x", "pin": 1234, "nested": map[string]any{"token": 5}}, "map[db_password:*** nested:map[token:***] pin:1234]"},
		{[]string{"x-secrets", "nested", "api_token"}, "x", "***"},
		{[]string{"volumes", "v", "driver_opts"}, map[string]any{"o": "username=u,password=p", "password": "q"}, "map[o:username=u,password=*** password:***]"},
	}
	for _, tt := range tests {
		got := p.Value(tt.path, tt.in, fakeSources{})
		if s := fmt.Sprint(got); s != tt.want {
			t.Errorf("Value(%q, %v)\n got %s\nwant %s", tt.path, tt.in, s, tt.want)
		}
	}
	// the input is left alone
	in := map[string]any{"environment": map[string]any{"DB_PASS": "x"}}
	p.Value([]string{"services", "web"}, in, nil)
	if in["environment"].(map[string]any)["DB_PASS"] != "x" {
		t.Error("Value modified its input")
	}
}
