package subst

import (
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/compose-spec/compose-go/v2/template"
	"github.com/sirupsen/logrus"
)

// warnings counts the warnings the library logs (through nested
// substitutions, or when called with logging on).
var warnings atomic.Int64

type warnHook struct{}

func (warnHook) Levels() []logrus.Level { return []logrus.Level{logrus.WarnLevel} }

func (warnHook) Fire(*logrus.Entry) error {
	warnings.Add(1)
	return nil
}

func TestMain(m *testing.M) {
	logrus.SetOutput(io.Discard)
	logrus.AddHook(warnHook{})
	os.Exit(m.Run())
}

// env is the lookup of the differential tests. JUNK is unset but its lookup
// returns a non-empty value, which the library uses in some cases.
var env = map[string]string{
	"A":                "a",
	"B":                "",
	"C":                "x$y",
	"D":                "${A}",
	"E":                "}",
	"a":                "lower",
	"_":                "underscore",
	"A1":               "a1",
	"AB":               "ab",
	"POSTGRES_VERSION": "16.4",
	"TAG":              "2.0",
	"EMPTY":            "",
}

// recorder returns a lookup on env and the set of names it was asked for.
func recorder() (func(string) (string, bool), *[]string) {
	var names []string
	return func(name string) (string, bool) {
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
		if name == "JUNK" {
			return "junk", false
		}
		v, ok := env[name]
		return v, ok
	}, &names
}

func TestFast(t *testing.T) {
	tests := []struct {
		in, out string
		ok      bool
	}{
		{"", "", true},
		{"plain", "plain", true},
		{"$$", "$", true},
		{"a$$b", "a$b", true},
		{"$$$$", "$$", true},
		{"$${A}", "${A}", true},
		{"$$A", "$A", true},
		{"$$$A", "$a", true},
		{"$A", "a", true},
		{"x$A-y", "xa-y", true},
		{"$A1", "a1", true},
		{"$AB", "ab", true},
		{"$a", "lower", true},
		{"$_", "underscore", true},
		{"$B", "", true},
		{"$C", "x$y", true},
		{"$D", "${A}", true},
		{"${A}", "a", true},
		{"${A}${B}${C}", "ax$y", true},
		{"${AB}c", "abc", true},
		{"${A}}", "a}", true},
		{"${A:-x}", "a", true},
		{"${B:-x}", "x", true},
		{"${U:-x}", "x", true},
		{"${U:-}", "", true},
		{"${A-x}", "a", true},
		{"${B-x}", "", true},
		{"${U-x}", "x", true},
		{"${A:+x}", "x", true},
		{"${B:+x}", "", true},
		{"${U:+x}", "", true},
		{"${A+x}", "x", true},
		{"${B+x}", "x", true},
		{"${U+x}", "", true},
		{"${JUNK+x}", "junk", true},
		{"${JUNK:+x}", "junk", true},
		{"${A:?x}", "a", true},
		{"${A?x}", "a", true},
		{"${B?x}", "", true},
		{"${A-x:?y}", "a", true},
		{"${U-x:?y}", "x:?y", true},
		{"${U:-x-y}", "x-y", true},
		{"${U-x}y}", "xy}", true},
		{"${U:-x} ${A}", "x a", true},
		{"${U:-x}:${U:-y}", "x:y", true},
		{"$1", "$1", true},
		{"$ a", "$ a", true},
		{"a$", "a$", true},
		{"$-", "$-", true},
		{"$}", "$}", true},
		{"postgres:${POSTGRES_VERSION:-16.4}-bookworm", "postgres:16.4-bookworm", true},
		{"img:${TAG:-1}", "img:2.0", true},

		// Give-ups.
		{"$U", "", false},
		{"${U}", "", false},
		{"x $U y", "", false},
		{"${B:?x}", "", false},
		{"${U?x}", "", false},
		{"${U:?x}", "", false},
		{"${A:x}", "", false},
		{"${A", "", false},
		{"${A:-x", "", false},
		{"${A:-x\n}", "", false},
		{"${}", "", false},
		{"${1}", "", false},
		{"$", "$", true},
		{"${", "", false},
		{"${A:-$B}", "", false},
		{"${A:-${B}}", "", false},
		{"${A:-{x}}", "", false},
		{"$Aé", "", false},
		{"${Aé}", "", false},
		{"$é", "", false},
		{"$\u017f", "", false},
		{"$A\u212a", "", false},
		{"${A }", "", false},
	}
	for _, tt := range tests {
		lookup, _ := recorder()
		out, ok := Fast(tt.in, lookup)
		if ok != tt.ok || (ok && out != tt.out) {
			t.Errorf("Fast(%q) = %q, %v; want %q, %v", tt.in, out, ok, tt.out, tt.ok)
		}
	}
}

// corpus holds the templates of the differential test and the fuzz seeds.
var corpus = []string{
	"", "plain", "no dollar at all: {}", "$", "$$", "$$$", "$$$$", "a$", "$ ", "$1", "$1A", "$-", "$}", "${", "${}",
	"${ }", "${1}", "${-}", "${A", "${A:", "${A:-", "${A:-x", "${A-x", "${A:x}", "${A:}", "${A: -x}", "${A }",
	"$A", "$B", "$C", "$D", "$E", "$U", "$a", "$_", "$A1", "$AB", "$ABC", "$A_B", "$A$B", "$A$$B", "$$A", "$${A}",
	"${A}", "${B}", "${C}", "${D}", "${E}", "${U}", "${a}", "${_}", "${A1}", "${A}${B}", "${A}$B", "${A}}",
	"${A}}}", "{${A}}", "${A}-${AB}", "x${A}y", "${A} ${B} ${C}",
	"${A:-x}", "${B:-x}", "${U:-x}", "${A-x}", "${B-x}", "${U-x}", "${A:+x}", "${B:+x}", "${U:+x}", "${A+x}",
	"${B+x}", "${U+x}", "${A:?x}", "${B:?x}", "${U:?x}", "${A?x}", "${B?x}", "${U?x}", "${A:-}", "${U:-}",
	"${U-}", "${A:+}", "${A+}", "${A:?}", "${U:?}", "${JUNK+x}", "${JUNK:+x}", "${JUNK-x}", "${JUNK:-x}",
	"${JUNK}", "$JUNK", "${EMPTY:-default}",
	"${A-x:?y}", "${U-x:?y}", "${U:-x-y}", "${U-x:-y}", "${U+x}y}", "${A+x}y}", "${U-x}y}", "${U-x}}",
	"${U:-x} ${A}", "${U:-x} ${U}", "${U:-x}:${U:-y}", "${U:-x}$A", "${U:-x}$$", "${U:-x}$", "${U:-x}$}",
	"${U:-x}${A:-y}", "${U:-x}\n${A}", "${U:-x\n}", "${U:-x}\n}", "${U:-x}${", "${U:-x} ${B:?e}",
	"${U:-x} $U", "${A:-x}}${B}", "${U:-x}{y}", "${U:-x} {${A}}",
	"${A:-$B}", "${U:-$A}", "${U:-${A}}", "${U:-${B:-z}}", "${A:-${U}}", "${U:-{x}}", "${U:-}x}", "${U:-x}}y}",
	"${U:-$$}", "${U?$U}", "${U:?${U}}",
	"$Aé", "$é", "é$A", "${Aé}", "${é}", "${A:-é}", "${U:-é}", "$\u017f", "$A\u017f", "${\u017f}", "$\u212a",
	"$A\u212a", "${A\u212a}", "${U:-\xff}", "$A\xff", "\xff$A",
	"postgres:${POSTGRES_VERSION:-16.4}-bookworm", "${RESTART_POLICY:-unless-stopped}",
	"registry.example.com/team0/app:${TAG:-1.4.2}", "postgres://${POSTGRES_USER:-app}@db:5432/db",
	"${HOST:-localhost}:${PORT:-5432}", "echo $$HOME && ${A}", "${A}\n${B}\n$C",
}

// differential checks Fast against the library on s, when Fast is ok.
func differential(t *testing.T, s string) (ok bool) {
	t.Helper()
	fastLookup, fastNames := recorder()
	out, ok := Fast(s, fastLookup)
	if !ok {
		return false
	}

	libLookup, libNames := recorder()
	before := warnings.Load()
	want, err := template.SubstituteWithOptions(s, libLookup, template.WithoutLogging)
	if err != nil {
		t.Fatalf("Fast(%q) = %q, true; the library fails: %v", s, out, err)
	}
	if out != want {
		t.Fatalf("Fast(%q) = %q; the library gives %q", s, out, want)
	}
	slices.Sort(*fastNames)
	slices.Sort(*libNames)
	if !slices.Equal(*fastNames, *libNames) {
		t.Fatalf("Fast(%q) looked up %q; the library %q", s, *fastNames, *libNames)
	}

	// With logging on, the library warns about every unset bare variable:
	// there must be none.
	logLookup, _ := recorder()
	if _, err := template.SubstituteWithOptions(s, logLookup); err != nil {
		t.Fatalf("library with logging on %q: %v", s, err)
	}
	if n := warnings.Load() - before; n != 0 {
		t.Fatalf("Fast(%q) is ok but the library warns %d times", s, n)
	}
	return true
}

func TestDifferential(t *testing.T) {
	okCount := 0
	for _, s := range corpus {
		if differential(t, s) {
			okCount++
		}
	}
	t.Logf("%d of %d templates on the fast path", okCount, len(corpus))
	if okCount < 100 {
		t.Errorf("only %d of %d templates on the fast path, want at least 100", okCount, len(corpus))
	}

	// The common shapes must all take the fast path.
	for _, s := range []string{
		"plain", "$$", "$A", "${A}", "${U:-x}", "${A:-x}", "${U-x}", "${A:+x}", "${U+x}", "${A:?x}", "${A?x}",
		"$1", "a$", "${U:-x} ${A}", "postgres:${POSTGRES_VERSION:-16.4}-bookworm",
		"${HOST:-localhost}:${PORT:-5432}", "echo $$HOME && ${A}",
	} {
		lookup, _ := recorder()
		if _, ok := Fast(s, lookup); !ok {
			t.Errorf("Fast(%q) gives up", s)
		}
	}
}

// TestDifferentialTokens checks Fast against the library on random strings
// made of the tokens that matter to the pattern, which take the fast path far
// more often than arbitrary bytes do.
func TestDifferentialTokens(t *testing.T) {
	tokens := []string{
		"$", "$", "$", "{", "}", "}", ":", "-", "+", "?", "A", "B", "C", "U", "a", "_", "1", "x", " ", "\n",
		"$$", "${", "${A}", "${U:-", "${A:+", "${B-", "é", "\u017f", "\u212a", "\xff",
	}
	n := 200000
	if testing.Short() {
		n = 20000
	}
	rng := rand.New(rand.NewPCG(1, 2))
	okCount := 0
	var b strings.Builder
	for range n {
		b.Reset()
		for range rng.IntN(12) {
			b.WriteString(tokens[rng.IntN(len(tokens))])
		}
		if differential(t, b.String()) {
			okCount++
		}
	}
	t.Logf("%d of %d random strings on the fast path", okCount, n)
	if okCount < n/10 {
		t.Errorf("only %d of %d random strings on the fast path", okCount, n)
	}
}

func FuzzFast(f *testing.F) {
	for _, s := range corpus {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		differential(t, s)
	})
}

func TestFastAllocs(t *testing.T) {
	lookup := func(name string) (string, bool) { v, ok := env[name]; return v, ok }
	for _, tc := range []struct {
		in     string
		allocs float64
	}{
		{"plain", 0},
		{"${A}", 0},
		{"${U:-unless-stopped}", 0},
		{"$1 and $$", 1},
		{"postgres:${POSTGRES_VERSION:-16.4}-bookworm", 1},
		{"${A}${AB}${A1}${A}${AB}${A1}${A}${AB}${A1}${A}", 2},
	} {
		if n := testing.AllocsPerRun(100, func() { Fast(tc.in, lookup) }); n > tc.allocs {
			t.Errorf("Fast(%q) allocates %v times, want at most %v", tc.in, n, tc.allocs)
		}
	}
}

var benchValues = []string{
	"postgres:${POSTGRES_VERSION:-16.4}-bookworm",
	"${RESTART_POLICY:-unless-stopped}",
	"registry.example.com/team0/app:${TAG:-1.4.2}",
	"postgres://${POSTGRES_USER:-app}@db:5432/db",
}

var benchEnv = map[string]string{"POSTGRES_VERSION": "17.0", "TAG": "2.0.1"}

func benchLookup(name string) (string, bool) {
	v, ok := benchEnv[name]
	return v, ok
}

var sink string

// The benchmarks run once per value (sub-benchmarks 0 to 3, in the order of
// benchValues), with POSTGRES_VERSION and TAG set and the others unset.
func BenchmarkFast(b *testing.B) {
	for i, s := range benchValues {
		b.Run(strconv.Itoa(i), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out, ok := Fast(s, benchLookup)
				if !ok {
					b.Fatalf("Fast(%q) gives up", s)
				}
				sink = out
			}
		})
	}
}

func BenchmarkLibrary(b *testing.B) {
	for i, s := range benchValues {
		b.Run(strconv.Itoa(i), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out, err := template.SubstituteWithOptions(s, benchLookup, template.WithoutLogging)
				if err != nil {
					b.Fatal(err)
				}
				sink = out
			}
		})
	}
}
