package lint

import (
	"strings"
	"testing"
)

// TestShellSyntax: what docker compose's split of a string command (no
// shell; it stops at the first unquoted ; & | < >) does to shell syntax.
func TestShellSyntax(t *testing.T) {
	tests := []struct {
		command string
		block   bool
		want    string // a part of the message, "" for none
	}{
		{"kong migrations up && kong migrations finish", false, `stops at "&&"`},
		{"./bin/start-backend & ./bin/start-frontend", false, `stops at "&"`},
		{"echo a > /tmp/x", false, `stops at ">"`},
		{"cmd 2>&1", false, `stops at ">&"`},
		{"a; b", false, `stops at ";"`},
		{"# Enables the web UI\n--api", true, "`#` comment"},
		{"--api \\\n--docker", true, "continues nothing"},
		{"--api \\ --docker", true, "continues nothing"},
		// not shell syntax for the split
		{`sh -c "a && b; c > d"`, false, ""},
		{`grep -E 'a|b' "/etc/x;y"`, false, ""},
		{`find /tmp -exec rm {} \;`, false, ""},
		{"echo issue#42", false, ""},
		{`my\ app --flag`, false, ""},
		{"--api\n--docker", true, ""},
	}
	for _, tt := range tests {
		got := shellSyntax("command", tt.command, tt.block)
		if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
			t.Errorf("shellSyntax(%q) = %q, want one with %q", tt.command, got, tt.want)
		}
	}
}

// TestQuoteShort: messages quote a command cut to its first line and 57
// characters, never inside a character.
func TestQuoteShort(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"short", `"short"`},
		{"line one\nline two", `"line one..."`},
		{strings.Repeat("é", 61), `"` + strings.Repeat("é", 57) + `..."`},
	} {
		if got := quoteShort(tt.in); got != tt.want {
			t.Errorf("quoteShort(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
