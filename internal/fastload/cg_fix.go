// Code in this file is copied from github.com/compose-spec/compose-go/v2@v2.16.2
// (loader/fix.go and loader/omitEmpty.go), Copyright 2020 The Compose Specification Authors, Apache License 2.0.
// Changed: OmitEmpty renamed omitEmptyModel; tree.Path.Matches replaced by pathmatch.Matches.

package fastload

import (
	"github.com/compose-spec/compose-go/v2/tree"

	"github.com/composure-dev/composure/internal/fastload/internal/pathmatch"
)

// fixEmptyNotNull is a workaround for https://github.com/xeipuuv/gojsonschema/issues/141
// as go-yaml `[]` will load as a `[]any(nil)`, which is not the same as an empty array
func fixEmptyNotNull(value any) interface{} {
	switch v := value.(type) {
	case []any:
		if v == nil {
			return []any{}
		}
		for i, e := range v {
			v[i] = fixEmptyNotNull(e)
		}
	case map[string]any:
		for k, e := range v {
			v[k] = fixEmptyNotNull(e)
		}
	}
	return value
}

var omitempty = []tree.Path{
	"services.*.dns",
	"jobs.*.dns",
}

// omitEmptyModel is loader.OmitEmpty: it removes empty attributes which are irrelevant when unset
func omitEmptyModel(yaml map[string]any) map[string]any {
	cleaned := omitEmpty(yaml, tree.NewPath())
	return cleaned.(map[string]any)
}

func omitEmpty(data any, p tree.Path) any {
	switch v := data.(type) {
	case map[string]any:
		for k, e := range v {
			if isEmpty(e) && mustOmit(p) {
				delete(v, k)
				continue
			}

			v[k] = omitEmpty(e, p.Next(k))
		}
		return v
	case []any:
		c := make([]any, 0, len(v))
		for _, e := range v {
			if isEmpty(e) && mustOmit(p) {
				continue
			}

			c = append(c, omitEmpty(e, p.Next("[]")))
		}
		return c
	default:
		return data
	}
}

func mustOmit(p tree.Path) bool {
	for _, pattern := range omitempty {
		if pathmatch.Matches(string(p), string(pattern)) {
			return true
		}
	}
	return false
}

func isEmpty(e any) bool {
	if e == nil {
		return true
	}
	if v, ok := e.(string); ok && v == "" {
		return true
	}
	return false
}
