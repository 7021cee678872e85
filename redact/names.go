package redact

import (
	"slices"
	"strings"
	"unicode"
)

// secretWords are the words that make a name secret wherever they stand:
// DB_PASS, API_KEY, GITHUB_TOKEN, ROOT_PW, OAUTH_CLIENT_SECRET. A word is a
// run of letters of the name (see words); trailing digits and a plural s
// do not count (PASSWORD2, SECRETS).
var secretWords = map[string]bool{
	"PASS": true, "PASSWD": true, "PASSWORD": true, "PASSPHRASE": true, "PWD": true, "PW": true,
	"SECRET": true, "TOKEN": true, "KEY": true, "APIKEY": true, "CREDENTIAL": true, "CREDS": true,
	"PSK": true, "SALT": true, "HTPASSWD": true, "AUTHORIZATION": true,
	// single-word option names of well-known servers and tools
	"REQUIREPASS": true, "MASTERAUTH": true, "MASTERPASS": true, "STOREPASS": true, "KEYPASS": true,
}

// secretSuffixes make a word secret when it ends with one of them: names
// written without separators (PGPASSWORD, DBPASSWORD, CLIENTSECRET,
// AUTHTOKEN, XAPIKEY). KEY and PASS are not among them: MONKEY, BYPASS.
var secretSuffixes = []string{"PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY",
	"CREDENTIAL", "PRIVATEKEY", "SECRETKEY", "SECRETACCESSKEY", "SIGNINGKEY", "MASTERKEY", "ENCRYPTIONKEY"}

// attributeWords name something about a secret that is not the secret: its
// file, its length, where it is sent, whether it is required. A name is not
// secret when one of them follows its last secret word: PASSWORD_FILE,
// PASSWORD_MIN_LENGTH, TOKEN_TTL, PASSWORD_RESET_URI, AWS_ACCESS_KEY_ID,
// JWT_SECRET_EXPIRES_IN. (SECRET_KEY_BASE and REFRESH_TOKEN stay secret.)
var attributeWords = map[string]bool{
	"FILE": true, "PATH": true, "DIR": true, "DIRECTORY": true, "FOLDER": true, "LOCATION": true, "MOUNT": true,
	"URL": true, "URI": true, "ENDPOINT": true, "HOST": true, "HOSTNAME": true, "PORT": true, "ADDR": true,
	"ADDRESS": true, "SERVER": true, "USER": true, "USERNAME": true, "LOGIN": true, "NAME": true, "ID": true,
	"LENGTH": true, "LEN": true, "MIN": true, "MAX": true, "MINIMUM": true, "MAXIMUM": true, "SIZE": true, "BITS": true,
	"TTL": true, "EXPIRY": true, "EXPIRE": true, "EXPIRES": true, "EXPIRATION": true, "EXPIRED": true, "LIFETIME": true,
	"LIFESPAN": true, "TIMEOUT": true, "AGE": true, "DURATION": true, "INTERVAL": true, "PERIOD": true, "VALIDITY": true,
	"ENABLED": true, "ENABLE": true, "DISABLED": true, "DISABLE": true, "REQUIRED": true, "REQUIRE": true, "ALLOWED": true,
	"POLICY": true, "TYPE": true, "KIND": true, "MODE": true, "FORMAT": true, "ALGORITHM": true, "ALGO": true, "ALG": true,
	"HEADER": true, "PARAM": true, "PARAMETER": true, "FIELD": true, "PREFIX": true, "SUFFIX": true, "SEPARATOR": true,
	"DELIMITER": true, "COUNT": true, "RETRIES": true, "ATTEMPTS": true, "LIMIT": true, "COMPLEXITY": true,
	"STRENGTH": true, "ROTATION": true, "VERSION": true, "PROVIDER": true, "BACKEND": true, "METHOD": true,
	"SCOPE": true, "AUDIENCE": true, "ISSUER": true, "CACHE": true, "STDIN": true, "PROMPT": true, "HINT": true,
	"STORE": true, "MANAGER": true, "ENGINE": true, "SOURCE": true, "REGION": true, "CHARS": true, "CHARSET": true,
	"ENCODING": true, "ENCRYPTION": true, "HASHER": true, "SCHEME": true, "PATTERN": true, "REGEX": true,
	"RULE": true, "VALIDATION": true, "VALIDATOR": true, "LEVEL": true, "EXTENSION": true, "EXT": true,
	"TEMPLATE": true, "CMD": true, "COMMAND": true, "SCRIPT": true, "AUTHENTICATION": true, "LABEL": true,
	"SERVICE": true, "REALM": true, "FILENAME": true, "FILEPATH": true, "PATHNAME": true, "GRANT": true,
}

// publicKeyWords make the KEY that follows them a name, not a secret:
// RECAPTCHA_SITE_KEY, STRIPE_PUBLISHABLE_KEY, JWT_PUBLIC_KEY (a public key
// is meant to be read), CACHE_KEY, ROUTING_KEY, PARTITION_KEY, and
// MINIO_ACCESS_KEY or S3_ACCESS_KEY, the user name of a key pair whose
// secret is the SECRET_KEY beside it. A secret word before them keeps the
// name secret: AWS_SECRET_ACCESS_KEY.
var publicKeyWords = map[string]bool{
	"PUBLIC": true, "ACCESS": true, "PUB": true, "PUBLISHABLE": true, "SITE": true, "CACHE": true, "SORT": true, "PARTITION": true,
	"ROUTING": true, "FOREIGN": true, "LOCK": true, "IDEMPOTENCY": true, "OBJECT": true,
	"SHORTCUT": true, "HOT": true, "DEDUP": true, "SHARD": true, "RANGE": true, "INDEX": true, "GROUP": true,
	"MESSAGE": true, "EVENT": true, "STREAM": true, "TOPIC": true, "QUEUE": true, "LOOKUP": true, "MAP": true,
}

// flagWords before a name's secret word make it a switch about the secret
// rather than the secret (MYSQL_ALLOW_EMPTY_PASSWORD, MYSQL_RANDOM_ROOT_PASSWORD,
// --no-password): their values 0 and 1 are not hidden, and as a command-line
// option they take no argument.
var flagWords = map[string]bool{
	"NO": true, "ASK": true, "PROMPT": true, "SKIP": true, "WITHOUT": true, "ALLOW": true, "EMPTY": true,
	"RANDOM": true, "REQUIRE": true, "FORCE": true, "USE": true, "ENABLE": true, "DISABLE": true, "GENERATE": true,
}

// words splits a name into upper-case words at every character that is not
// a letter, and at case changes: dbPassword, keyStorePassword and APIKey are
// DB PASSWORD, KEY STORE PASSWORD and API KEY. Digits end a word and are
// dropped: POSTGRES_PASSWORD2 is POSTGRES PASSWORD. It appends to dst.
func words(dst []string, name string) []string {
	start := -1 // byte index of the current word
	var prev rune
	prevAt := 0 // byte index of prev
	flush := func(end int) {
		if start >= 0 && end > start {
			dst = append(dst, strings.ToUpper(name[start:end]))
		}
		start = -1
	}
	for i, r := range name {
		if !unicode.IsLetter(r) {
			flush(i)
			prev = r
			continue
		}
		switch {
		case start < 0:
			start = i
		case unicode.IsUpper(r) && unicode.IsLower(prev):
			flush(i) // dbPassword
			start = i
		case unicode.IsLower(r) && unicode.IsUpper(prev) && prevAt > start:
			flush(prevAt) // APIKey: the K starts the next word
			start = prevAt
		}
		prev, prevAt = r, i
	}
	flush(len(name))
	return dst
}

// secretWord reports whether the word w makes a name secret.
func secretWord(w string) bool {
	if secretWords[w] {
		return true
	}
	if len(w) > 1 && w[len(w)-1] == 'S' && secretWords[w[:len(w)-1]] {
		return true // SECRETS, TOKENS, KEYS, CREDENTIALS
	}
	singular := strings.TrimSuffix(w, "S")
	for _, s := range secretSuffixes {
		if strings.HasSuffix(w, s) || strings.HasSuffix(singular, s) {
			return true
		}
	}
	return false
}

// nameInfo is what the words of a name say.
type nameInfo struct {
	secret bool // the name holds a secret
	flag   bool // a flag word comes before its secret word
}

// classifyName reads a name: secret when one of its words is secret and no
// attribute word follows the last one (nor a public-key word precedes a
// final KEY). PWD and OLDPWD alone are the shell's working directories.
func classifyName(name string) nameInfo {
	var buf [12]string
	ws := words(buf[:0], name)
	last := -1
	for i, w := range ws {
		if secretWord(w) {
			last = i
		}
	}
	if last < 0 {
		return nameInfo{}
	}
	if len(ws) == 1 && (ws[0] == "PWD" || ws[0] == "OLDPWD") {
		return nameInfo{}
	}
	for _, w := range ws[last+1:] {
		if attributeWords[w] || len(w) > 1 && w[len(w)-1] == 'S' && attributeWords[w[:len(w)-1]] {
			return nameInfo{}
		}
	}
	if w := ws[last]; (w == "KEY" || w == "KEYS") && last > 0 && publicKeyWords[ws[last-1]] &&
		!slices.ContainsFunc(ws[:last-1], secretWord) {
		return nameInfo{}
	}
	info := nameInfo{secret: true}
	for _, w := range ws[:last] {
		if flagWords[w] {
			info.flag = true
		}
	}
	return info
}

// isBoolWord reports whether v is one of YAML's and docker compose's
// boolean spellings.
func isBoolWord(v string) bool {
	switch strings.ToLower(v) {
	case "true", "false", "yes", "no", "on", "off":
		return true
	}
	return false
}

// isReference reports whether v is nothing but a variable reference: $X,
// ${X}, ${X:-default} or the same escaped with $$ (as docker compose config
// prints them): the value is not in the text.
func isReference(v string) bool {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "$$") {
		v = v[1:]
	}
	if !strings.HasPrefix(v, "$") {
		return false
	}
	v = v[1:]
	if strings.HasPrefix(v, "{") {
		return strings.HasSuffix(v, "}") && strings.Count(v, "}") == 1 && len(v) > 2
	}
	if v == "" {
		return false
	}
	for _, r := range v {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// exempt reports whether value, given to something called name, holds no
// secret even though the name is secret: nothing (null), a switch (true,
// yes, or 0 and 1 for a flag name), a variable reference, or the path of a
// file (the mounted secret /run/secrets/db_password, a certificate bundle).
func exempt(info nameInfo, value string) bool {
	v := strings.TrimSpace(value)
	switch {
	case v == "", isBoolWord(v), isReference(v), isNullWord(v):
		return true
	case info.flag && (v == "0" || v == "1"):
		return true
	case isPath(v):
		return true
	}
	return false
}

// isNullWord reports whether v says "no value" (JSON's null in a config's
// content, YAML's ~).
func isNullWord(v string) bool {
	switch strings.ToLower(v) {
	case "null", "nil", "none", "~":
		return true
	}
	return false
}

// isPath reports whether v is a file path: absolute, or relative from .,
// .. or ~, or a file: URL naming one (trigger.dev's
// `TRIGGER_WORKER_TOKEN: file:///home/node/shared/worker_token`, the file
// the token is read from), with no white space.
func isPath(v string) bool {
	if rest, ok := strings.CutPrefix(v, "file://"); ok && strings.HasPrefix(rest, "/") {
		v = rest
	}
	if strings.IndexAny(v, " \t\n") >= 0 {
		return false
	}
	if !(strings.HasPrefix(v, "/") || strings.HasPrefix(v, "./") || strings.HasPrefix(v, "../") || strings.HasPrefix(v, "~/")) {
		return keyFileName(v)
	}
	return len(v) > 1
}

// keyFileName reports whether v is the bare name of a key or certificate
// file (dendrite's --tls-key=server.key, key.pem): a name and one of the
// extensions such files have, which a secret's own text does not end with.
func keyFileName(v string) bool {
	name, ext, ok := strings.Cut(v, ".")
	if !ok || name == "" || strings.ContainsAny(v, "/\\:@=") {
		return false
	}
	ext = strings.ToLower(ext[strings.LastIndexByte(ext, '.')+1:])
	switch ext {
	case "key", "pem", "crt", "cert", "cer", "der", "p12", "pfx", "jks", "keystore", "csr", "pub", "gpg", "asc":
		return true
	}
	return false
}
