package redact

import (
	"path"
	"sort"
	"strings"
)

// Secret is a secret part of a value: bytes [Start, End) of it, and what
// it is ("the password of a URL"), for lint's messages.
type Secret struct {
	Start, End int
	What       string
	// Hash marks a password hash (htpasswd, bcrypt): hidden by --redact,
	// but not reported by hardcoded-secret, since a hash is how a password
	// is meant to be stored.
	Hash bool
}

// Hide returns s with the secret parts replaced by Mask (overlapping parts
// merged).
func Hide(s string, secrets []Secret) string {
	if len(secrets) == 0 {
		return s
	}
	if len(secrets) > 1 {
		secrets = append([]Secret(nil), secrets...)
		sort.Slice(secrets, func(i, j int) bool { return secrets[i].Start < secrets[j].Start })
	}
	var b strings.Builder
	b.Grow(len(s))
	at := 0
	for _, sec := range secrets {
		start, end := max(sec.Start, at), min(sec.End, len(s))
		if end <= start {
			continue
		}
		b.WriteString(s[at:start])
		b.WriteString(Mask)
		at = end
	}
	b.WriteString(s[at:])
	return b.String()
}

// Text returns the secret parts of a value found by its shape alone,
// whatever it is called: URL passwords and secret query parameters,
// NAME=VALUE pairs with a secret NAME (connection strings, PGPASSWORD=x in
// a command, --password=x), the value after a secret option (--password x,
// mysql's -px, redis-cli's -a x, curl's -u user:x), Authorization and API
// key headers, private keys (PEM), password hashes and tokens of
// well-known shapes (GitHub, GitLab, Slack, Stripe, AWS, Google, OpenAI,
// JWT...).
func (p *Policy) Text(s string) []Secret {
	if len(s) < 3 {
		return nil
	}
	var out []Secret
	out = urlSecrets(out, s)
	out = p.pairSecrets(out, s)
	out = pemSecrets(out, s)
	out = headerSecrets(out, s)
	out = hashSecrets(out, s)
	out = tokenSecrets(out, s)
	if strings.IndexByte(s, ' ') >= 0 && strings.IndexByte(s, '-') >= 0 {
		ws := splitWords(s, 0)
		for _, o := range p.optionSecrets(ws) {
			out = append(out, o.Secret)
		}
	}
	return out
}

// Named returns the secret parts of the value of an environment variable,
// label, build arg, extension key... called name: all of it when the name
// is secret (and the value is not a switch, a reference or a secret file's
// path), else what Text finds.
func (p *Policy) Named(name, value string) []Secret {
	if info := p.name(name); info.secret && !exempt(info, value) {
		return []Secret{{Start: 0, End: len(value), What: "the value of " + name}}
	}
	return p.Text(value)
}

// Args returns the secret parts of each argument of a command
// (command, entrypoint, healthcheck test): options are read across
// arguments (["--password", "x"]), and an argument holding a shell command
// ("mysqladmin ping -px") is read word by word.
func (p *Policy) Args(args []string) [][]Secret {
	out := make([][]Secret, len(args))
	var ws []word
	for i, a := range args {
		out[i] = p.Text(a)
		if strings.IndexFunc(a, isSpace) >= 0 {
			ws = append(ws, splitWords(a, i)...)
		} else if a != "" {
			ws = append(ws, word{arg: i, start: 0, end: len(a), text: a})
		}
	}
	for _, o := range p.optionSecrets(ws) {
		out[o.arg] = append(out[o.arg], o.Secret)
	}
	return out
}

// Content returns the secret parts of a file's content (a config's
// content): what Text finds, and the values of secret keys on lines of
// the form `key = value`, `key: value` or `"key": "value"`.
func (p *Policy) Content(s string) []Secret {
	out := p.Text(s)
	at := 0
	for at < len(s) {
		end := strings.IndexByte(s[at:], '\n')
		if end < 0 {
			end = len(s)
		} else {
			end += at
		}
		out = p.lineSecret(out, s, at, end)
		at = end + 1
	}
	return out
}

// lineSecret reads s[start:end] as `key = value`, `key: value` or
// `"key": "value",`.
func (p *Policy) lineSecret(out []Secret, s string, start, end int) []Secret {
	line := s[start:end]
	i := 0
	for i < len(line) && (line[i] == ' ' || line[i] == '\t' || line[i] == '-') {
		i++
	}
	q := byte(0)
	if i < len(line) && (line[i] == '"' || line[i] == '\'') {
		q = line[i]
		i++
	}
	k := i
	for i < len(line) && isNameByte(line[i]) {
		i++
	}
	if i == k {
		return out
	}
	name := line[k:i]
	if q != 0 {
		if i >= len(line) || line[i] != q {
			return out
		}
		i++
	}
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if i >= len(line) || line[i] != '=' && line[i] != ':' {
		return out
	}
	i++
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	vs, ve := i, len(line)
	for ve > vs && (line[ve-1] == ' ' || line[ve-1] == '\t' || line[ve-1] == '\r' || line[ve-1] == ',' || line[ve-1] == ';') {
		ve--
	}
	if ve-vs >= 2 && (line[vs] == '"' || line[vs] == '\'') && line[ve-1] == line[vs] {
		vs, ve = vs+1, ve-1
	}
	if info := p.name(name); info.secret && ve > vs && !exempt(info, line[vs:ve]) {
		out = append(out, Secret{Start: start + vs, End: start + ve, What: "a " + name + " value"})
	}
	return out
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

func isNameByte(c byte) bool {
	return c == '_' || c == '-' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// urlSecrets finds the password (or a token written as the user) in the
// userinfo of each URL of s: scheme://user:password@host. The userinfo ends
// at the first @ followed by a host; a URL that is the whole value may
// hold spaces in its password, one inside text ends at white space.
// postgres://u:p@ss@db/x hides p@ss.
func urlSecrets(out []Secret, s string) []Secret {
	from := 0
	for {
		i := strings.Index(s[from:], "://")
		if i < 0 {
			return out
		}
		i += from
		from = i + 3
		// the scheme: a letter, then letters, digits, + . -
		j := i
		for j > 0 && (isAlnum(s[j-1]) || s[j-1] == '+' || s[j-1] == '.' || s[j-1] == '-') {
			j--
		}
		if j == i || !isLetter(s[j]) {
			continue
		}
		whole := strings.TrimSpace(s[:j]) == ""
		rest := s[from:]
		if !whole {
			if k := strings.IndexAny(rest, " \t\r\n\"'`<>"); k >= 0 {
				rest = rest[:k]
			}
		}
		userEnd := -1
		for k := 0; k < len(rest); k++ {
			if rest[k] != '@' {
				continue
			}
			if hostFollows(rest[k+1:]) {
				userEnd = k
				break
			}
		}
		if userEnd <= 0 {
			continue
		}
		info := rest[:userEnd]
		base := from
		if c := userColon(info); c >= 0 {
			user, pw := info[:c], info[c+1:]
			if strings.ContainsAny(user, "/?#") || pw == "" || isReference(pw) || portThenPath(pw) {
				continue
			}
			out = append(out, Secret{Start: base + c + 1, End: base + userEnd, What: "the password of a URL"})
		} else if tokenLike(info) {
			out = append(out, Secret{Start: base, End: base + userEnd, What: "a token in a URL"})
		}
		from = base + userEnd
	}
}

// userColon returns the index of the colon that ends the user of a URL's
// userinfo, or -1: the first colon outside a variable reference
// (${USER:-app} is a user with a default, not a user and a password).
func userColon(info string) int {
	depth := 0
	for i := 0; i < len(info); i++ {
		switch {
		case info[i] == '$' && i+1 < len(info) && info[i+1] == '{':
			depth++
			i++
		case info[i] == '}' && depth > 0:
			depth--
		case info[i] == ':' && depth == 0:
			return i
		}
	}
	return -1
}

// hostFollows reports whether s starts with a host (and port) followed by
// the end, a path, a query or a fragment: the @ before it ends a userinfo.
func hostFollows(s string) bool {
	n := 0
	for n < len(s) && (isAlnum(s[n]) || strings.IndexByte(".-_:[]%${}", s[n]) >= 0) {
		n++
	}
	if n == 0 {
		return false
	}
	return n == len(s) || strings.IndexByte("/?#,;", s[n]) >= 0
}

// portThenPath reports whether what follows the first colon of a userinfo
// candidate is a port followed by a path or words (host:8080/x/@user,
// localhost:8080 and admin@example.com): no password.
func portThenPath(pw string) bool {
	n := 0
	for n < len(pw) && pw[n] >= '0' && pw[n] <= '9' {
		n++
	}
	return n > 0 && n < len(pw) && (pw[n] == '/' || pw[n] == ' ')
}

// tokenLike reports whether a URL's user part is a token rather than a
// name: a well-known token shape, or 32 or more letters and digits of both
// kinds.
func tokenLike(s string) bool {
	if _, ok := knownToken(s); ok {
		return true
	}
	if len(s) < 32 {
		return false
	}
	letters, digits := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits = true
		case isLetter(c):
			letters = true
		case c == '_' || c == '-':
		default:
			return false
		}
	}
	return letters && digits
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isAlnum(c byte) bool  { return isLetter(c) || c >= '0' && c <= '9' }

// pairSecrets finds NAME=VALUE pairs with a secret NAME: in connection
// strings (Server=db;Password=x;), URL queries (?password=x&...), driver
// options (username=u,password=p), commands (PGPASSWORD=x psql,
// --password=x, -Djavax.net.ssl.keyStorePassword=x). A quoted value ends
// at its quote; others at white space, & , ; or a quote, except in a
// connection string (several NAME=VALUE; parts), where a value ends at ;.
func (p *Policy) pairSecrets(out []Secret, s string) []Secret {
	first := strings.IndexByte(s, '=')
	if first < 0 {
		return out
	}
	connString := strings.Count(s, ";") >= 2 && strings.Count(s, "=") >= 2 && !strings.Contains(s, "&&")
	for e := first; e >= 0 && e < len(s); {
		// the name before =
		k := e
		for k > 0 && isNameByte(s[k-1]) {
			k--
		}
		if k < e && (k == 0 || strings.IndexByte(" \t\r\n;&?,\"'({[|", s[k-1]) >= 0) {
			name := strings.TrimLeft(s[k:e], "-")
			vs := e + 1
			ve := vs
			if vs < len(s) && (s[vs] == '"' || s[vs] == '\'') {
				if q := strings.IndexByte(s[vs+1:], s[vs]); q >= 0 {
					vs, ve = vs+1, vs+1+q
				}
			}
			if ve == vs {
				stop := " \t\r\n&,;\"'"
				if connString {
					stop = ";\r\n\"'"
				}
				for ve < len(s) && strings.IndexByte(stop, s[ve]) < 0 {
					ve++
				}
			}
			info := p.name(name)
			switch u := strings.ToUpper(name); {
			case u == "KEY" || u == "KEYS":
				info.secret = false // key=value: a word too common alone
			case u == "PWD" && connString:
				info.secret = true // Pwd= of a connection string, not the shell's directory
			}
			if name != "" && ve > vs {
				if info.secret && !exempt(info, s[vs:ve]) {
					out = append(out, Secret{Start: vs, End: ve, What: "a " + name + "= value"})
				}
			}
		}
		next := strings.IndexByte(s[e+1:], '=')
		if next < 0 {
			break
		}
		e += 1 + next
	}
	return out
}

// pemSecrets finds the bodies of private keys written in PEM: the BEGIN
// and END lines stay, so the reader sees what was hidden.
func pemSecrets(out []Secret, s string) []Secret {
	from := 0
	for {
		i := strings.Index(s[from:], "-----BEGIN ")
		if i < 0 {
			return out
		}
		i += from
		h := strings.Index(s[i+11:], "-----")
		if h < 0 {
			return out
		}
		label := s[i+11 : i+11+h]
		bodyStart := i + 11 + h + 5
		end := strings.Index(s[bodyStart:], "-----END")
		if end < 0 {
			end = len(s) - bodyStart
		}
		from = bodyStart + end
		if !strings.Contains(label, "PRIVATE") && !strings.Contains(label, "ENCRYPTED") {
			continue // certificates and public keys are meant to be read
		}
		if end > 0 {
			out = append(out, Secret{Start: bodyStart, End: bodyStart + end, What: "a private key"})
		}
		if from >= len(s) {
			return out
		}
	}
}

// headers whose value is a credential; for authorization the scheme
// (Bearer, Basic, token) stays visible.
var secretHeaders = []string{"authorization:", "proxy-authorization:", "x-api-key:", "api-key:", "apikey:",
	"x-auth-token:", "private-token:", "x-access-token:", "x-vault-token:"}

// headerSecrets finds credential headers (Authorization: Bearer x) in s,
// case-insensitively; the value ends at a quote or a line break.
func headerSecrets(out []Secret, s string) []Secret {
	if len(s) < 12 || strings.IndexByte(s, ':') < 0 {
		return out
	}
	lower := ""
	for _, h := range secretHeaders {
		if lower == "" {
			lower = strings.ToLower(s)
		}
		from := 0
		for {
			i := strings.Index(lower[from:], h)
			if i < 0 {
				break
			}
			i += from
			from = i + len(h)
			if i > 0 && strings.IndexByte(" \t\r\n\"'=", s[i-1]) < 0 {
				continue // x-authorization:, https://x-access-token:...
			}
			v := from
			for v < len(s) && (s[v] == ' ' || s[v] == '\t') {
				v++
			}
			if h == "authorization:" || h == "proxy-authorization:" {
				// the scheme
				w := v
				for w < len(s) && isAlnum(s[w]) {
					w++
				}
				if w < len(s) && s[w] == ' ' && w > v {
					v = w + 1
				}
			}
			e := v
			for e < len(s) && strings.IndexByte("\"'\r\n", s[e]) < 0 {
				e++
			}
			if e > v && !isReference(s[v:e]) {
				out = append(out, Secret{Start: v, End: e, What: "the value of an " + strings.TrimSuffix(s[i:i+len(h)], ":") + " header"})
			}
		}
	}
	return out
}

// hashSecrets finds password hashes: htpasswd and crypt(3) forms ($apr1$,
// $2y$ bcrypt, $5$, $6$, $argon2id$, {SHA}), with $ written $$ as compose
// files and docker compose config spell it.
func hashSecrets(out []Secret, s string) []Secret {
	from := 0
	for {
		i := strings.IndexAny(s[from:], "${")
		if i < 0 {
			return out
		}
		i += from
		from = i + 1
		rest := s[i:]
		prefix := 0
		switch {
		case strings.HasPrefix(rest, "{SHA}"):
			prefix = 5
		default:
			r := strings.ReplaceAll(rest[:min(len(rest), 24)], "$$", "$")
			for _, p := range []string{"$apr1$", "$2a$", "$2b$", "$2y$", "$1$", "$5$", "$6$", "$argon2id$", "$argon2i$", "$y$"} {
				if strings.HasPrefix(r, p) {
					prefix = 1
				}
			}
		}
		if prefix == 0 {
			continue
		}
		e := i + prefix
		for e < len(s) && (isAlnum(s[e]) || strings.IndexByte("./$=+,", s[e]) >= 0) {
			e++
		}
		if e-i >= 20 {
			out = append(out, Secret{Start: i, End: e, What: "a password hash", Hash: true})
			from = e
		}
	}
}

// tokenShapes are credentials recognisable by their prefix, with the
// shortest length that counts (prefix included).
var tokenShapes = []struct {
	prefix string
	min    int
	what   string
}{
	{"github_pat_", 40, "a GitHub token"},
	{"ghp_", 36, "a GitHub token"}, {"gho_", 36, "a GitHub token"}, {"ghu_", 36, "a GitHub token"},
	{"ghs_", 36, "a GitHub token"}, {"ghr_", 36, "a GitHub token"},
	{"glpat-", 26, "a GitLab token"}, {"gldt-", 25, "a GitLab token"}, {"glrt-", 25, "a GitLab token"}, {"glptt-", 26, "a GitLab token"},
	{"xoxb-", 24, "a Slack token"}, {"xoxp-", 24, "a Slack token"}, {"xoxa-", 24, "a Slack token"},
	{"xoxr-", 24, "a Slack token"}, {"xoxs-", 24, "a Slack token"}, {"xapp-", 24, "a Slack token"},
	{"sk_live_", 24, "a Stripe key"}, {"rk_live_", 24, "a Stripe key"}, {"sk_test_", 24, "a Stripe key"}, {"rk_test_", 24, "a Stripe key"},
	{"AKIA", 20, "an AWS access key"}, {"ASIA", 20, "an AWS access key"},
	{"AIza", 39, "a Google API key"},
	{"sk-ant-", 40, "an Anthropic key"}, {"sk-proj-", 40, "an OpenAI key"}, {"sk-", 40, "an OpenAI key"},
	{"hf_", 30, "a Hugging Face token"}, {"npm_", 40, "an npm token"}, {"dckr_pat_", 24, "a Docker Hub token"},
	{"pypi-AgE", 60, "a PyPI token"}, {"dop_v1_", 64, "a DigitalOcean token"},
	{"shpat_", 38, "a Shopify token"}, {"shpss_", 38, "a Shopify token"}, {"glsa_", 40, "a Grafana token"},
	{"hvs.", 28, "a Vault token"}, {"SG.", 60, "a SendGrid key"},
}

// knownToken reports what the token-shaped word w is, if it is one.
func knownToken(w string) (string, bool) {
	if len(w) >= 30 && strings.HasPrefix(w, "eyJ") && strings.Count(w, ".") == 2 {
		if parts := strings.Split(w, "."); len(parts[0]) >= 10 && len(parts[1]) >= 10 {
			return "a JSON Web Token", true
		}
	}
	for _, t := range tokenShapes {
		if len(w) >= t.min && strings.HasPrefix(w, t.prefix) {
			switch t.prefix {
			case "AKIA", "ASIA":
				// exactly 16 upper-case letters and digits follow
				if len(w) != 20 || strings.ToUpper(w) != w {
					continue
				}
			case "sk-":
				if strings.Count(w, "-") > 3 {
					continue // sk-some-hyphenated-name-of-a-thing
				}
			}
			return t.what, true
		}
	}
	return "", false
}

// tokenSecrets finds tokens of well-known shapes among the words of s
// (runs of letters, digits, _ - and .).
func tokenSecrets(out []Secret, s string) []Secret {
	if len(s) < 20 {
		return out
	}
	for i := 0; i < len(s); {
		if !isNameByte(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isNameByte(s[j]) {
			j++
		}
		if j-i >= 20 {
			w := strings.TrimRight(s[i:j], ".-")
			if what, ok := knownToken(w); ok {
				out = append(out, Secret{Start: i, End: i + len(w), What: what})
			}
		}
		i = j
	}
	return out
}

// word is a word of a command: its text (quotes removed from the ends),
// where it is (argument arg, bytes [start, end) of it) and whether a
// command separator (; && || |) ends it.
type word struct {
	arg        int
	start, end int
	text       string
	sep        bool
}

// splitWords splits a shell command into words at white space, keeping
// quoted parts together and dropping the quotes around a whole word.
func splitWords(s string, arg int) []word {
	var out []word
	i := 0
	for i < len(s) {
		for i < len(s) && isSpace(rune(s[i])) {
			i++
		}
		if i >= len(s) {
			break
		}
		start := i
		var q byte
		for i < len(s) && (q != 0 || !isSpace(rune(s[i]))) {
			switch {
			case q != 0 && s[i] == q:
				q = 0
			case q == 0 && (s[i] == '"' || s[i] == '\''):
				q = s[i]
			}
			i++
		}
		w := word{arg: arg, start: start, end: i}
		for _, sep := range []string{";", "&&", "||", "|"} {
			if strings.HasSuffix(s[w.start:w.end], sep) {
				w.end -= len(sep)
				w.sep = true
				break
			}
		}
		if w.end-w.start >= 2 && (s[w.start] == '"' || s[w.start] == '\'') && s[w.end-1] == s[w.start] {
			w.start, w.end = w.start+1, w.end-1
		}
		w.text = s[w.start:w.end]
		if w.text == ";" || w.text == "&&" || w.text == "||" || w.text == "|" {
			if len(out) > 0 {
				out[len(out)-1].sep = true
			}
			continue
		}
		out = append(out, w)
		if w.start > start && strings.IndexFunc(w.text, isSpace) >= 0 {
			// sh -c 'mysqladmin ping -psecret': the words of the quoted
			// command too, after the quoted word as a whole (the value of
			// --password 'a b').
			out[len(out)-1].sep = true
			for _, in := range splitWords(w.text, arg) {
				in.start += w.start
				in.end += w.start
				out = append(out, in)
			}
		}
	}
	return out
}

// optionSecret is a secret found in argument arg.
type optionSecret struct {
	arg int
	Secret
}

// mysqlClients take their password stuck to -p (-pSECRET; a separate word
// is the database).
var mysqlClients = map[string]bool{"mysql": true, "mysqladmin": true, "mysqldump": true, "mysqlcheck": true,
	"mysqlimport": true, "mysqlshow": true, "mysqlpump": true, "mysqlsh": true, "mysqlslap": true,
	"mariadb": true, "mariadb-admin": true, "mariadb-dump": true, "mariadb-check": true,
	"mariadb-import": true, "mariadb-show": true, "mariadb-slap": true}

// passwordOptions are the clients whose short option takes a password as
// the next word: redis-cli -a SECRET, mongosh -p SECRET, sqlcmd -P SECRET,
// `docker login -p SECRET` (any login subcommand).
var passwordOptions = map[string]string{
	"redis-cli": "-a", "valkey-cli": "-a", "keydb-cli": "-a",
	"mongo": "-p", "mongosh": "-p", "mongodump": "-p", "mongorestore": "-p", "mongoexport": "-p",
	"mongoimport": "-p", "mongostat": "-p", "mongotop": "-p", "sshpass": "-p", "login": "-p",
	"sqlcmd": "-P", "bcp": "-P",
}

// optionSecrets finds the values of secret options among the words of a
// command: --password x and -storepass x (any option whose name is secret,
// unless it is a switch such as --no-password), and the client-specific
// short options above; curl's -u user:x; openssl's pass:x. A value that
// starts with - is the next option, not a value.
func (p *Policy) optionSecrets(ws []word) []optionSecret {
	var out []optionSecret
	var mysql, curl bool
	pwOpt := "" // the password option of the command's client
	for i, w := range ws {
		t := w.text
		base := path.Base(t)
		switch {
		case mysqlClients[base]:
			mysql = true
		case passwordOptions[base] != "":
			pwOpt = passwordOptions[base]
		case base == "curl":
			curl = true
		}
		var next *word
		if i+1 < len(ws) && !w.sep {
			next = &ws[i+1]
		}
		valueAt := func(v *word, what string) {
			if v != nil && v.text != "" && !strings.HasPrefix(v.text, "-") && !isReference(v.text) && !isPath(v.text) {
				out = append(out, optionSecret{v.arg, Secret{Start: v.start, End: v.end, What: what}})
			}
		}
		switch {
		// before the generic long option below, which would take --user
		case (t == "-u" || t == "--user" || t == "--proxy-user") && curl && next != nil:
			if c := strings.IndexByte(next.text, ':'); c >= 0 && c+1 < len(next.text) && !isReference(next.text[c+1:]) {
				out = append(out, optionSecret{next.arg, Secret{Start: next.start + c + 1, End: next.end, What: "the password of " + t}})
			}
		case strings.HasPrefix(t, "-") && len(t) > 2 && !strings.Contains(t, "="):
			name := strings.TrimLeft(t, "-")
			// -storepass x, -password x; but -psecret is mysql's -p with
			// its value, not an option called psecret.
			long := strings.HasPrefix(t, "--") || secretWords[strings.ToUpper(name)]
			if info := p.name(name); long && info.secret && !info.flag {
				valueAt(next, "the value of "+t)
			}
			if mysql && strings.HasPrefix(t, "-p") && !strings.HasPrefix(t, "--") && !isReference(t[2:]) {
				out = append(out, optionSecret{w.arg, Secret{Start: w.start + 2, End: w.end, What: "the password of -p"}})
			}
			if curl && strings.HasPrefix(t, "-u") && !strings.HasPrefix(t, "--") {
				if c := strings.IndexByte(t, ':'); c >= 0 && c+1 < len(t) && !isReference(t[c+1:]) {
					out = append(out, optionSecret{w.arg, Secret{Start: w.start + c + 1, End: w.end, What: "the password of -u"}})
				}
			}
		case pwOpt != "" && t == pwOpt:
			valueAt(next, "the password of "+t)
		case strings.HasPrefix(t, "pass:") && len(t) > 5 && i > 0 && strings.HasPrefix(ws[i-1].text, "-pass"):
			out = append(out, optionSecret{w.arg, Secret{Start: w.start + 5, End: w.end, What: "the password of " + ws[i-1].text}})
		}
		if w.sep {
			mysql, curl, pwOpt = false, false, ""
		}
	}
	return out
}
