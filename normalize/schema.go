package normalize

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/compose-spec/compose-go/v2/schema"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// The compose specification's JSON schema, as compose-go v2.16.2 embeds it
// (schema.Schema), compiled once. compose-go's own schema.Validate returns
// the error's location only inside its message, and first copies the whole
// model through encoding/json; composure validates the plain tree directly
// (it holds only JSON types) and keeps the location apart, to place the
// error in the file.
var (
	compiledOnce sync.Once
	compiled     *jsonschema.Schema
	compileErr   error
)

func composeSchema() (*jsonschema.Schema, error) {
	compiledOnce.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(schema.Schema))
		if err != nil {
			compileErr = err
			return
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource("compose-spec.json", doc); err != nil {
			compileErr = err
			return
		}
		// The schema's "duration" format is Go's time.ParseDuration.
		c.RegisterFormat(&jsonschema.Format{Name: "duration", Validate: func(v any) error {
			s, ok := v.(string)
			if !ok {
				return errors.New("expected string")
			}
			_, err := time.ParseDuration(s)
			return err
		}})
		compiled, compileErr = c.Compile("compose-spec.json")
	})
	return compiled, compileErr
}

// validateSchema checks m against the schema. Of the causes of a failure,
// the one docker compose reports is the deepest (an unknown property
// counting one level deeper than where it is); composure breaks ties by
// document order, so the same error comes every run.
func (n *normalizer) validateSchema(m map[string]any) error {
	sch, err := composeSchema()
	if err != nil {
		return fmt.Errorf("compiling the compose schema: %w", err)
	}
	err = sch.Validate(m)
	var verr *jsonschema.ValidationError
	if !errors.As(err, &verr) {
		return err
	}
	e := mostSpecific(verr)
	path := e.InstanceLocation
	if ap, ok := e.ErrorKind.(*kind.AdditionalProperties); ok && len(ap.Properties) > 0 {
		// Point at the first unknown key itself.
		props := slices.Clone(ap.Properties)
		slices.Sort(props)
		path = append(slices.Clone(path), props[0])
	}
	msg := schemaMessage(e)
	if _, ok := e.ErrorKind.(*kind.AdditionalProperties); ok && len(e.InstanceLocation) == 0 {
		msg = "top-level " + msg + ": services go under `services:` (version 1 files are not supported)"
	}
	return n.errorAt(path, msg)
}

// mostSpecific picks the cause docker compose reports.
func mostSpecific(err *jsonschema.ValidationError) *jsonschema.ValidationError {
	if len(err.Causes) == 0 {
		return err
	}
	var best *jsonschema.ValidationError
	for _, c := range err.Causes {
		c = mostSpecific(c)
		if best == nil || specificity(c) > specificity(best) ||
			specificity(c) == specificity(best) && slices.Compare(c.InstanceLocation, best.InstanceLocation) < 0 {
			best = c
		}
	}
	return best
}

func specificity(err *jsonschema.ValidationError) int {
	if _, ok := err.ErrorKind.(*kind.AdditionalProperties); ok {
		return len(err.InstanceLocation) + 1
	}
	return len(err.InstanceLocation)
}

// schemaMessage words a schema error as docker compose does: the dotted
// path, then what is wrong ("services.web.ports must be a array",
// "services.web additional properties 'posts' not allowed").
func schemaMessage(e *jsonschema.ValidationError) string {
	path := strings.Join(e.InstanceLocation, ".")
	switch k := e.ErrorKind.(type) {
	case *kind.Type:
		return fmt.Sprintf("%s must be a %s", path, typeNames(k.Want))
	case *kind.Minimum:
		return fmt.Sprintf("%s must be greater than or equal to %s", path, k.Want.Num())
	case *kind.Maximum:
		return fmt.Sprintf("%s must be less than or equal to %s", path, k.Want.Num())
	case *kind.AdditionalProperties:
		props := slices.Clone(k.Properties)
		slices.Sort(props) // the validator lists them in map order
		k = &kind.AdditionalProperties{Properties: props}
		return strings.TrimSpace(path + " " + k.LocalizedString(message.NewPrinter(language.English)))
	}
	return strings.TrimSpace(path + " " + e.ErrorKind.LocalizedString(message.NewPrinter(language.English)))
}

// typeNames lists the JSON types a value may have, in the schema's words
// but for "object", which compose users know as a mapping.
func typeNames(want []string) string {
	names := make([]string, len(want))
	for i, w := range want {
		if w == "object" {
			w = "mapping"
		}
		names[i] = w
	}
	if len(names) == 1 {
		return names[0]
	}
	slices.Sort(names)
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
