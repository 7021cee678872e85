package fastload

import (
	"fmt"
	"strings"
)

// keyConverter is loader.convertToStringKeysRecursive without its cost: the
// upstream function formats the dotted key prefix of every node with
// fmt.Sprintf although it is only used in the error message, so this one
// keeps the path on a stack and formats it only on error. Results, including
// the nil slice an empty sequence becomes, are the same.
type keyConverter struct {
	stack []keySeg
}

type keySeg struct {
	key   string
	index int
	isIdx bool
}

func (c *keyConverter) convert(value any) (any, error) {
	switch v := value.(type) {
	case map[string]any:
		for key, entry := range v {
			c.stack = append(c.stack, keySeg{key: key})
			converted, err := c.convert(entry)
			c.stack = c.stack[:len(c.stack)-1]
			if err != nil {
				return nil, err
			}
			v[key] = converted
		}
		return v, nil
	case map[any]any:
		dict := make(map[string]any)
		for key, entry := range v {
			str, ok := key.(string)
			if !ok {
				return nil, c.invalidKey(key)
			}
			c.stack = append(c.stack, keySeg{key: str})
			converted, err := c.convert(entry)
			c.stack = c.stack[:len(c.stack)-1]
			if err != nil {
				return nil, err
			}
			dict[str] = converted
		}
		return dict, nil
	case []any:
		var list []any
		for i, entry := range v {
			c.stack = append(c.stack, keySeg{index: i, isIdx: true})
			converted, err := c.convert(entry)
			c.stack = c.stack[:len(c.stack)-1]
			if err != nil {
				return nil, err
			}
			list = append(list, converted)
		}
		return list, nil
	}
	return value, nil
}

// prefix renders the stack as upstream's keyPrefix: "a.b[0].c".
func (c *keyConverter) prefix() string {
	var b strings.Builder
	for i, s := range c.stack {
		switch {
		case s.isIdx:
			fmt.Fprintf(&b, "[%d]", s.index)
		case i == 0:
			b.WriteString(s.key)
		default:
			b.WriteString(".")
			b.WriteString(s.key)
		}
	}
	return b.String()
}

// invalidKey is loader.formatInvalidKeyError.
func (c *keyConverter) invalidKey(key any) error {
	location := "at top level"
	if p := c.prefix(); p != "" {
		location = fmt.Sprintf("in %s", p)
	}
	return fmt.Errorf("non-string key %s: %#v", location, key)
}
