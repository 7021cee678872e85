package normalize

import (
	"errors"
	"fmt"
	"reflect"
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
// (schema.Schema). compose-go's own schema.Validate returns the error's
// location only inside its message, and first copies the whole model
// through encoding/json; composure validates the plain tree directly (it
// holds only JSON types) and keeps the location apart, to place the error
// in the file.
//
// A valid project, the common case, is told by the quick checks alone
// (quickSchema: the schema document compiled as quickChecks, about a
// millisecond). The general validator is compiled (composeSchema: 15-20
// ms of CPU, half of it the library checking the schema against its
// metaschema) only when a check is unsure or finds a fault: it decides
// those and words the error as docker compose does.
var (
	quickOnce sync.Once
	// schemaDoc is the schema document, as the validator reads JSON.
	schemaDoc map[string]any
	// attrPointers are the JSON pointers of the schemas a service's
	// attribute must meet, by name: the service definition is the allOf
	// of container_spec and workload_spec, each a plain object of
	// properties (and x- extensions), with no other property allowed. A
	// service is valid exactly when each attribute is valid on its own
	// (quickService).
	attrPointers map[string][]string
	// quickRoot checks a whole project; quickProps a service's attributes,
	// index for index with attrPointers.
	quickRoot  *quickCheck
	quickProps map[string][]*quickCheck
	quickErr   error

	compiledOnce sync.Once
	compiled     *jsonschema.Schema
	serviceSch   *jsonschema.Schema // #/$defs/service
	// serviceProps are attrPointers compiled by the validator, index for
	// index.
	serviceProps map[string][]*jsonschema.Schema
	compileErr   error
)

// emptyServiceValid says the schema accepts a service with no attribute:
// the outline schemaErrors validates then leaves out the services whose
// names the schema accepts. attributeSchemas refuses a service definition
// that could require an attribute, so it always does (TestOutlineNames
// asks the validator).
var emptyServiceValid = true

// Prepare compiles the schema's quick checks in the background, so that
// the first check does not wait for them: call it before parsing the
// files to check.
func Prepare() {
	go func() { _ = quickSchema() }()
}

// quickSchema reads the schema document and compiles its quick checks.
func quickSchema() error {
	quickOnce.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(schema.Schema))
		if err != nil {
			quickErr = err
			return
		}
		m, ok := doc.(map[string]any)
		if !ok {
			quickErr = errors.New("the compose schema is not an object")
			return
		}
		if attrPointers, quickErr = attributeSchemas(m); quickErr != nil {
			return
		}
		qc := &quickCompiler{doc: m}
		quickRoot = qc.compile("#")
		quickProps = map[string][]*quickCheck{}
		for attr, ptrs := range attrPointers {
			for _, ptr := range ptrs {
				quickProps[attr] = append(quickProps[attr], qc.compile(ptr))
			}
		}
		if qc.err != nil {
			quickErr = qc.err
			return
		}
		schemaDoc = m
	})
	return quickErr
}

// SchemaDocument is the compose specification's JSON schema as compose-go
// embeds it, parsed once (numbers as json.Number), for the rules that
// walk it. Callers must not modify it.
func SchemaDocument() (map[string]any, error) {
	if err := quickSchema(); err != nil {
		return nil, err
	}
	return schemaDoc, nil
}

// composeSchema compiles the schema for the general validator.
func composeSchema() (*jsonschema.Schema, error) {
	compiledOnce.Do(func() {
		if compileErr = quickSchema(); compileErr != nil {
			return
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource("compose-spec.json", schemaDoc); err != nil {
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
		if compiled, compileErr = c.Compile("compose-spec.json"); compileErr != nil {
			return
		}
		if serviceSch, compileErr = c.Compile("compose-spec.json#/$defs/service"); compileErr != nil {
			return
		}
		serviceProps = map[string][]*jsonschema.Schema{}
		for attr, ptrs := range attrPointers {
			for _, ptr := range ptrs {
				sch, err := c.Compile("compose-spec.json" + ptr)
				if err != nil {
					compileErr = err
					return
				}
				serviceProps[attr] = append(serviceProps[attr], sch)
			}
		}
	})
	return compiled, compileErr
}

// attributeSchemas returns the JSON pointers of the schemas of each
// attribute of a service, as the service definition and the parts it is
// the allOf of declare them (each a plain object of properties and x-
// extensions, no other property allowed). It refuses a schema of another
// shape (a later compose-spec may add a rule between attributes, or
// require an attribute), and composure then fails every run.
func attributeSchemas(doc map[string]any) (map[string][]string, error) {
	defs, _ := doc["$defs"].(map[string]any)
	svc, _ := defs["service"].(map[string]any)
	if svc["unevaluatedProperties"] != false {
		return nil, errors.New("the service definition is open to other properties: attributes cannot be checked one by one")
	}
	ptrs := map[string][]string{}
	// plain gathers the properties of the definition at ptr (#/$defs/...)
	var plain func(ptr string, def map[string]any, part bool) error
	plain = func(ptr string, def map[string]any, part bool) error {
		for k, v := range def {
			switch k {
			case "description", "properties", "unevaluatedProperties":
			case "type":
				if v != "object" {
					return fmt.Errorf("%s is not an object", ptr)
				}
			case "patternProperties":
				if pp, _ := v.(map[string]any); len(pp) != 1 || pp["^x-"] == nil {
					return fmt.Errorf("%s has patternProperties other than ^x-", ptr)
				}
			case "allOf":
				if part {
					return fmt.Errorf("%s nests an allOf", ptr)
				}
				all, _ := v.([]any)
				for _, sub := range all {
					ref, _ := sub.(map[string]any)["$ref"].(string)
					name, ok := strings.CutPrefix(ref, "#/$defs/")
					d, _ := defs[name].(map[string]any)
					if !ok || d == nil || len(sub.(map[string]any)) != 1 {
						return fmt.Errorf("%s has an allOf part other than a $ref to a definition", ptr)
					}
					if err := plain("#/$defs/"+name, d, true); err != nil {
						return err
					}
				}
			default:
				return fmt.Errorf("%s has %q: attributes cannot be checked one by one", ptr, k)
			}
		}
		attrs, _ := def["properties"].(map[string]any)
		for attr := range attrs {
			ptrs[attr] = append(ptrs[attr], ptr+"/properties/"+pointerEscape(attr))
		}
		return nil
	}
	if err := plain("#/$defs/service", svc, false); err != nil {
		return nil, err
	}
	return ptrs, nil
}

// pointerEscape escapes a JSON pointer token.
func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// quickService reports whether m is a valid service, checking each
// attribute against its own schema: much cheaper than the service
// definition as a whole (whose allOf and unevaluatedProperties make the
// validator track every property it evaluates). An attribute the quick
// check is unsure about is decided by the validator when withValidator
// (compiled by then), and counts as not valid otherwise. false says only
// that the whole definition must be checked, which gives the error docker
// compose words.
func quickService(m map[string]any, withValidator bool) bool {
	for k, v := range m {
		if !quickAttribute(k, v, withValidator) {
			return false
		}
	}
	return true
}

// quickAttribute is quickService for one attribute of a service.
func quickAttribute(k string, v any, withValidator bool) bool {
	if strings.HasPrefix(k, "x-") {
		return true
	}
	checks, ok := quickProps[k]
	if !ok {
		return false
	}
	for i, c := range checks {
		switch c.test(v) {
		case valid:
			continue
		case invalid:
			return false // exact: TestQuickCheck holds it to the validator
		}
		if !withValidator || serviceProps[k][i].Validate(v) != nil {
			return false
		}
	}
	return true
}

// serviceErr checks one service mapping against the service definition.
func serviceErr(m map[string]any) *jsonschema.ValidationError {
	if quickService(m, true) {
		return nil
	}
	return validationError(serviceSch.Validate(m))
}

// SchemaCache remembers the schema check of each shared service mapping
// (Options.SharedService) during one run: the environments of a project
// share the services no overlay touches (merge.Prefix hands them the very
// same mapping), so each is checked once. It holds the mappings it has
// seen, so none is freed and its address reused while the cache lives.
// The zero value is ready; nil checks every time.
type SchemaCache struct {
	mu   sync.Mutex
	seen map[*map[string]any]schemaResult
}

type schemaResult struct {
	m   map[string]any // kept alive: the key is its address
	err *jsonschema.ValidationError
}

// key is the identity of a mapping (the address of its runtime map).
func key(m map[string]any) *map[string]any {
	return (*map[string]any)(reflect.ValueOf(m).UnsafePointer())
}

// quick reports whether service m is valid by the quick checks alone, or
// was found valid before.
func (c *SchemaCache) quick(m map[string]any) bool {
	if c == nil {
		return quickService(m, false)
	}
	k := key(m)
	c.mu.Lock()
	r, ok := c.seen[k]
	c.mu.Unlock()
	if ok {
		return r.err == nil
	}
	if !quickService(m, false) {
		return false
	}
	c.remember(k, m, nil)
	return true
}

func (c *SchemaCache) remember(k *map[string]any, m map[string]any, err *jsonschema.ValidationError) {
	c.mu.Lock()
	if c.seen == nil {
		c.seen = map[*map[string]any]schemaResult{}
	}
	c.seen[k] = schemaResult{m: m, err: err}
	c.mu.Unlock()
}

func (c *SchemaCache) service(m map[string]any) *jsonschema.ValidationError {
	if c == nil {
		return serviceErr(m)
	}
	k := key(m)
	c.mu.Lock()
	r, ok := c.seen[k]
	c.mu.Unlock()
	if ok {
		return r.err
	}
	err := serviceErr(m)
	c.remember(k, m, err)
	return err
}

func validationError(err error) *jsonschema.ValidationError {
	var verr *jsonschema.ValidationError
	if errors.As(err, &verr) {
		return verr
	}
	return nil
}

// validateSchema checks m against the schema. Of the causes of a failure,
// the one docker compose reports is the deepest (an unknown property
// counting one level deeper than where it is); composure breaks ties by
// document order, so the same error comes every run.
func (n *normalizer) validateSchema(m map[string]any) error {
	if err := quickSchema(); err != nil {
		return fmt.Errorf("compiling the compose schema: %w", err)
	}
	if n.quickValid(m) {
		return nil
	}
	sch, err := composeSchema()
	if err != nil {
		return fmt.Errorf("compiling the compose schema: %w", err)
	}
	verr := n.schemaErrors(sch, m)
	if verr == nil {
		return nil
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

// schemaErrors validates m: the document with each service left empty
// (names, top-level keys, networks, volumes...), then each service on its
// own against the service definition, through the cache; the failures are
// gathered under one error whose causes are placed in the document.
func (n *normalizer) schemaErrors(sch *jsonschema.Schema, m map[string]any) *jsonschema.ValidationError {
	services, ok := m["services"].(map[string]any)
	if !ok {
		return validationError(sch.Validate(m))
	}
	var causes []*jsonschema.ValidationError
	if e := validationError(sch.Validate(outline(m, services))); e != nil {
		causes = append(causes, e)
	}
	for _, name := range sortedKeys(services) {
		svc, ok := services[name].(map[string]any)
		if !ok {
			// not a mapping: the whole document says so in its own words
			if e := validationError(sch.Validate(m)); e != nil {
				return e
			}
			continue
		}
		if e := n.serviceCache(name).service(svc); e != nil {
			causes = append(causes, under(e, "services", name))
		}
	}
	switch len(causes) {
	case 0:
		return nil
	case 1:
		return causes[0]
	}
	return &jsonschema.ValidationError{Causes: causes}
}

// quickValid reports whether the quick checks find m valid, every part of
// it surely; false sends m to the validator, part by part as
// schemaErrors checks it.
func (n *normalizer) quickValid(m map[string]any) bool {
	services, ok := m["services"].(map[string]any)
	if !ok {
		return quickRoot.test(m) == valid
	}
	if quickRoot.test(outline(m, services)) != valid {
		return false
	}
	for name, v := range services {
		svc, ok := v.(map[string]any)
		if !ok || !n.serviceCache(name).quick(svc) {
			return false
		}
	}
	return true
}

// outline is m with each service left empty: names, top-level keys,
// networks, volumes... Each service is checked on its own, so the outline
// needs only the names the schema refuses (an empty service being valid,
// a valid name adds nothing to the outline's errors).
func outline(m, services map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	empty := map[string]any{}
	for name := range services {
		if !emptyServiceValid || !plainServiceName(name) {
			empty[name] = map[string]any{}
		}
	}
	out["services"] = empty
	return out
}

// serviceCache is where the check of service name is kept: the run's
// cache for a service other environments share, none for the others
// (keeping it would only hold it in memory).
func (n *normalizer) serviceCache(name string) *SchemaCache {
	if n.opts.SharedService == nil || !n.opts.SharedService(name) {
		return nil
	}
	return n.opts.Schema
}

// plainServiceName reports whether name matches the schema's pattern of
// service names, ^[a-zA-Z0-9._-]+$.
func plainServiceName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// under is e placed below prefix in the document.
func under(e *jsonschema.ValidationError, prefix ...string) *jsonschema.ValidationError {
	c := *e
	c.InstanceLocation = append(slices.Clone(prefix), e.InstanceLocation...)
	c.Causes = make([]*jsonschema.ValidationError, len(e.Causes))
	for i, cause := range e.Causes {
		c.Causes[i] = under(cause, prefix...)
	}
	return &c
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
			specificity(c) == specificity(best) && better(c, best) {
			best = c
		}
	}
	return best
}

// better breaks a tie between two causes as deep as each other: one that
// says what is wrong with a value (a type, an enum, a pattern) over a
// "false schema" (a rule such as "no image with pull_policy: build", which
// docker compose may pick but which tells a reader nothing); then the one
// whose path sorts first.
func better(c, best *jsonschema.ValidationError) bool {
	_, cFalse := c.ErrorKind.(*kind.FalseSchema)
	_, bFalse := best.ErrorKind.(*kind.FalseSchema)
	if cFalse != bFalse {
		return bFalse
	}
	return slices.Compare(c.InstanceLocation, best.InstanceLocation) < 0
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
