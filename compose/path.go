package compose

import "strings"

// JoinPath spells a path of the merged tree as compose-go's tree.Path
// does, the syntax merge.Result.Origin and the locators take: keys joined
// by ".", a "." inside a key (but the first) written "👻", list items by
// their index.
func JoinPath(parts []string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('.')
			p = strings.ReplaceAll(p, ".", "👻")
		}
		b.WriteString(p)
	}
	return b.String()
}
