package envs

import (
	"errors"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/model"
)

// decodeProject binds the normalized model to compose-go's types
// (model.Decode); values that do not fit their field are reported each at
// its place, in docker compose's words.
func (l *Loaded) decodeProject(dict map[string]any, dir string, environment types.Mapping) (*types.Project, error) {
	p, err := model.Decode(dict, l.Name, dir, environment)
	var es model.Errors
	if !errors.As(err, &es) {
		return p, err
	}
	list := make(compose.ErrorList, len(es))
	for i, e := range es {
		at, _ := l.locate(e.Path)
		list[i] = &compose.Error{Location: at, Msg: e.Error(), Err: e}
	}
	return nil, list
}
