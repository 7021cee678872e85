package lint

import (
	"testing"
)

// TestRunTogether: port-conflict compares two services when they can run
// at once: both always on, one always on and the other behind a profile,
// both behind a profile they share, or both enabled by the active
// profiles. Two services behind different profiles are alternatives,
// whichever profiles are active (OpenEMR's test harness, linted with
// --profile prod, got errors about its dev service).
func TestRunTogether(t *testing.T) {
	const alternatives = "services:\n" +
		"  app: {image: nginx:1.27.0, profiles: [prod], ports: ['8080:80']}\n" +
		"  app-dev: {image: nginx:1.27.0, profiles: [dev], ports: ['8080:80']}\n"
	const gated = "services:\n" +
		"  web: {image: nginx:1.27.0, ports: ['8080:80']}\n" +
		"  web-debug: {image: nginx:1.27.0, profiles: [debug], ports: ['8080:80']}\n"
	const shared = "services:\n" +
		"  a: {image: nginx:1.27.0, profiles: [tools, x], ports: ['8080:80']}\n" +
		"  b: {image: nginx:1.27.0, profiles: [tools], ports: ['8080:80']}\n"
	tests := []struct {
		name     string
		compose  string
		profiles string // COMPOSE_PROFILES
		want     int
	}{
		{"alternatives, no profile", alternatives, "", 0},
		{"alternatives, one of them active", alternatives, "prod", 0},
		{"alternatives, both active", alternatives, "prod,dev", 1},
		{"always on and gated", gated, "", 1},
		{"always on and gated, active", gated, "debug", 1},
		{"a profile shared", shared, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"compose.yaml": tt.compose}
			if tt.profiles != "" {
				files[".env"] = "COMPOSE_PROFILES=" + tt.profiles + "\n"
			}
			lp := loadProject(t, files)
			got := Run(Input{Files: lp.Files, Envs: lp.Envs, Only: []string{"port-conflict"}})
			if len(got) != tt.want {
				t.Errorf("%d port-conflict findings, want %d: %v", len(got), tt.want, got)
			}
		})
	}
}

// TestProfileNote: what a finding about gated services says it needs.
func TestProfileNote(t *testing.T) {
	const compose = "services:\n" +
		"  both: {image: x, profiles: [p1, p2]}\n" +
		"  other: {image: x, profiles: [p2, p3]}\n" +
		"  third: {image: x, profiles: [p4]}\n" +
		"  always: {image: x}\n"
	e := loadProject(t, map[string]string{"compose.yaml": compose}).Envs[0]
	for _, tt := range []struct {
		names []string
		want  string
	}{
		// Ghost's mailhog, in profiles ghost and split: either enables it
		{[]string{"both"}, ` (only with profile "p1" or "p2")`},
		{[]string{"both", "other"}, ` (only with profile "p2")`},
		{[]string{"both", "third"}, ` (only with profiles ("p1" or "p2") and "p4")`},
		{[]string{"always"}, ""},
	} {
		if got := e.profileNote(tt.names...); got != tt.want {
			t.Errorf("profileNote(%q) = %q, want %q", tt.names, got, tt.want)
		}
	}
}

// TestAnyProfileNote: a finding that holds when any one of its services
// runs (Ghost's build context, used by a service of profile split and one
// of profile ghost: either is enough).
func TestAnyProfileNote(t *testing.T) {
	const compose = "services:\n" +
		"  server: {image: x, profiles: [split]}\n" +
		"  ghost: {image: x, profiles: [ghost]}\n" +
		"  always: {image: x}\n"
	e := loadProject(t, map[string]string{"compose.yaml": compose}).Envs[0]
	if got, want := e.anyProfileNote("server", "ghost"), ` (only with profile "split" or "ghost")`; got != want {
		t.Errorf("anyProfileNote = %q, want %q", got, want)
	}
	if got := e.anyProfileNote("server", "always"); got != "" {
		t.Errorf("anyProfileNote with a service always on = %q, want none", got)
	}
}
