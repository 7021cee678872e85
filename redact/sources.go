package redact

import (
	"slices"
	"strconv"
	"strings"
)

// Var is a variable the compose files reference and the text it put into
// the config: its value, or the default its reference gives.
type Var struct {
	Name  string
	Value string
}

// Sources tells the policy which values of a printed config were
// interpolated from which variables, so that `ROOT_PW: ${DB_ROOT_PASSWORD}`
// or `url: postgres://app:${DB_PASSWORD}@db/app` is hidden even where
// nothing in the printed text looks secret. The loader fills it (see
// MergeSources); the policy asks only about strings that contain the text
// of a variable with a secret name.
type Sources interface {
	// Vars returns the variables the files reference, with their texts.
	Vars() []Var
	// From returns the variables the value at path of the printed config
	// (keys, list items by index) was written with, and whether where it
	// was written is known at all: a value the loader cannot place (one
	// normalization copied or added, one from a file it did not read) is
	// hidden whenever it holds the text of a secret variable.
	From(path []string) (names []string, known bool)
}

// secretVars returns the variables of src with secret names and a text
// worth hiding.
func (p *Policy) secretVars(src Sources) []Var {
	var out []Var
	for _, v := range src.Vars() {
		if p.SecretValue(v.Name, v.Value) {
			out = append(out, v)
		}
	}
	return out
}

// interpolated adds to secrets every occurrence in s, the value at path, of
// the text of a secret variable its written form referenced (or, when where
// it was written is unknown, of any secret variable).
func (p *Policy) interpolated(secrets []Secret, vars []Var, src Sources, path []string, s string) []Secret {
	var names []string
	asked, known := false, false
	for _, v := range vars {
		if !strings.Contains(s, v.Value) {
			continue
		}
		if !asked {
			names, known = src.From(path)
			asked = true
		}
		if known && !slices.Contains(names, v.Name) {
			continue
		}
		for from := 0; ; {
			i := strings.Index(s[from:], v.Value)
			if i < 0 {
				break
			}
			i += from
			secrets = append(secrets, Secret{Start: i, End: i + len(v.Value), What: "the value of ${" + v.Name + "}"})
			from = i + len(v.Value)
		}
	}
	return secrets
}

// scalarString formats a number or boolean as YAML prints it.
func scalarString(v any) string {
	switch x := v.(type) {
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return ""
}
