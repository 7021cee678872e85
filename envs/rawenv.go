package envs

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/compose-spec/compose-go/v2/dotenv"
)

// The `raw` env_file format (`env_file: [{path: x, format: raw}]`) is not
// part of compose-go: the docker compose CLI registers it at start-up with
// docker run --env-file semantics (docker/cli kvfile). composure registers
// the same parser so such files load as they do in docker compose. compose-go
// offers no other way to add a format than its registry.
func init() {
	dotenv.RegisterFormat("raw", parseRawEnv)
}

// parseRawEnv reads KEY=VALUE lines without quotes or interpolation: values
// are kept verbatim, `#` lines and blank lines are skipped, and a bare KEY
// takes its value from lookup (and is dropped when lookup has none).
func parseRawEnv(r io.Reader, filename string, vars map[string]string, lookup func(string) (string, bool)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if n == 1 {
			line = bytes.TrimPrefix(line, []byte("\xEF\xBB\xBF"))
		}
		if !utf8.Valid(line) {
			return fmt.Errorf("%s:%d: invalid UTF-8 in env file", filename, n)
		}
		text := strings.TrimLeftFunc(string(line), unicode.IsSpace)
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		key, value, hasValue := strings.Cut(text, "=")
		if key == "" {
			return fmt.Errorf("%s:%d: no variable name before %q", filename, n, "=")
		}
		if strings.ContainsFunc(key, unicode.IsSpace) {
			return fmt.Errorf("%s:%d: variable %q contains whitespace", filename, n, key)
		}
		if hasValue {
			vars[key] = strings.TrimSuffix(value, "\r")
			continue
		}
		if lookup != nil {
			if v, ok := lookup(key); ok {
				vars[key] = v
			}
		}
	}
	return sc.Err()
}
