package lint

import (
	"strings"
	"testing"
	"time"

	"github.com/composure-dev/composure/dockerfile"
	"github.com/composure-dev/composure/internal/testenv"
)

// TestDockerfileHostile lints Dockerfiles built to be slow or to crash a
// careless parser: tens of thousands of continuation lines, thousands of
// stages and RUNs, a long heredoc, unbalanced quotes and substitutions. Each
// must finish in well under the time limit (linear work) without a panic.
func TestDockerfileHostile(t *testing.T) {
	cases := map[string]string{
		"continuations": "FROM alpine:3.19.1\nRUN true" + strings.Repeat(" \\\n  && apk add --no-cache pkg", 20000) + "\n",
		"stages":        strings.Repeat("FROM alpine:3.19.1 AS s\nRUN apk add curl\nRUN echo\n", 3000),
		"heredoc":       "FROM alpine:3.19.1\nRUN <<EOF\n" + strings.Repeat("apk add x && echo \"$(date)\" 'a\n", 20000) + "EOF\n",
		"unbalanced":    "FROM alpine:3.19.1\nRUN echo \"$(( ${ `unterminated 'quote \\\n  $(((((\n",
		"comments":      "FROM alpine:3.19.1\nRUN echo a \\\n" + strings.Repeat("# comment\n\n", 20000) + "  b\n",
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			// CPU time: a loaded machine stretches wall time, not this
			start := testenv.CPUTime()
			f, err := dockerfile.Parse("Dockerfile", []byte(src))
			if err != nil {
				t.Logf("rejected: %v", err)
				return
			}
			Run(Input{Dockerfiles: []*Dockerfile{{File: f}}})
			if d := testenv.CPUTime() - start; d > 5*time.Second*testenv.RaceFactor {
				t.Errorf("took %v of CPU", d)
			}
		})
	}
}

// FuzzDockerfile checks that no input makes the parser or the rules panic.
func FuzzDockerfile(f *testing.F) {
	for _, s := range []string{
		"FROM python:3\nRUN pip install x\n",
		"# escape=`\nFROM a\nRUN b `\n c\n",
		"ARG V=1\nFROM node:${V}\nCOPY . .\nRUN npm ci\n",
		"FROM a AS b\nRUN <<EOF bash\nset -e\napt-get install -y x\nEOF\nFROM b\nUSER root\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		df, err := dockerfile.Parse("Dockerfile", []byte(src))
		if err != nil {
			return
		}
		Run(Input{Dockerfiles: []*Dockerfile{{File: df}}})
	})
}
