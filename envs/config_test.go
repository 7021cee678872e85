package envs

import (
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	src := `# composure settings
environments:
  default: [compose.yaml, compose.override.yaml]
  prod:
    files: [compose.yaml, compose.prod.yaml]
    env_files: prod.env
    profiles: [web]
    project_name: shop
rules:
  restart-policy: error
  image-tag: {severity: warning, allow: [latest]}
redact: [SALT, PIN]
`
	c, err := ParseConfig("composure.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range c.Environments {
		got = append(got, e.Name+"="+strings.Join(e.Files, ",")+"|"+strings.Join(e.EnvFiles, ",")+"|"+strings.Join(e.Profiles, ",")+"|"+e.ProjectName+"@"+e.Loc.String())
	}
	for _, r := range c.Rules {
		got = append(got, "rule "+r.ID+"@"+r.Loc.String())
	}
	got = append(got, "redact "+strings.Join(c.Redact, ","))
	want := []string{
		"default=compose.yaml,compose.override.yaml|||@composure.yaml:3:3",
		"prod=compose.yaml,compose.prod.yaml|prod.env|web|shop@composure.yaml:4:3",
		"rule restart-policy@composure.yaml:10:3",
		"rule image-tag@composure.yaml:11:3",
		"redact SALT,PIN",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"unknown top-level key", "environment:\n  prod: [a.yml]\n",
			`composure.yaml:1:1: unknown key "environment" in composure.yaml: expected one of "environments", "rules", "redact"`},
		{"unknown environment key", "environments:\n  prod:\n    file: [a.yml]\n",
			`composure.yaml:3:5: unknown key "file" in environment "prod": expected one of "files", "env_files", "profiles", "project_name"`},
		{"environments not a mapping", "environments: [a.yml]\n",
			`composure.yaml:1:15: "environments" must be a mapping of environment names to their files`},
		{"environment without files", "environments:\n  prod:\n    profiles: [web]\n",
			`composure.yaml:2:3: environment "prod" lists no files: add ` + "`files: [compose.yaml, ...]`"},
		{"files not strings", "environments:\n  prod:\n    files: [{a: b}]\n",
			`composure.yaml:3:13: "files" must be a list of strings`},
		{"rules not a mapping", "rules: [restart-policy]\n",
			`composure.yaml:1:8: "rules" must be a mapping of rule IDs to settings`},
		{"bad environment name", "environments:\n  \"pro d\": [a.yml]\n",
			`composure.yaml:2:3: environment name "pro d" is invalid: use letters, digits, '-' and '_'`},
		{"environment name read as a flag", "environments:\n  -x: [a.yml]\n",
			`composure.yaml:2:3: environment name "-x" would read as a flag on the command line: start it with a letter, a digit or '_'`},
		{"YAML error", "environments:\n  prod: [a.yml\n",
			`composure.yaml:1:1: invalid YAML: did not find expected ',' or ']'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig("composure.yaml", []byte(tt.src))
			if err == nil || err.Error() != tt.want {
				t.Errorf("got  %v\nwant %s", err, tt.want)
			}
		})
	}
}
