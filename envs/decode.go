package envs

import (
	"errors"
	"maps"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/model"
	"github.com/composure-dev/composure/normalize"
)

// decodeProject binds the normalized model to compose-go's types
// (model.Decode); values that do not fit their field are reported each at
// its place, in docker compose's words.
//
// With shared (environments loaded together with NoModel: lint's), a
// service whose normalized form the environments share is bound once, by
// the environment that normalized it (bindService): a service binds from
// its own mapping alone, so its binding is the same in each of them. The
// bound services then share their slices and maps between the projects;
// the steps after binding copy what they change (resolveEnvFiles,
// resolveLabelFiles, convertWindowsPaths, CheckConsistency's scale).
func (l *Loaded) decodeProject(dict map[string]any, dir string, environment types.Mapping, shared *normalize.ServiceCache) (*types.Project, error) {
	services, _ := dict["services"].(map[string]any)
	var bound map[string]any // (boxed: a ServiceConfig is copied once, into the project)
	if shared != nil && len(services) > 0 {
		rest := make(map[string]any, len(services))
		for name, v := range services {
			if svc, ok := v.(map[string]any); ok {
				if b, ok := shared.Derived(svc); ok {
					if bound == nil {
						bound = map[string]any{}
					}
					bound[name] = b
					continue
				}
			}
			rest[name] = v
		}
		if len(bound) > 0 {
			dict = maps.Clone(dict)
			dict["services"] = rest
		}
	}
	p, err := model.Decode(dict, l.Name, dir, environment)
	var es model.Errors
	if errors.As(err, &es) {
		list := make(compose.ErrorList, len(es))
		for i, e := range es {
			at, _ := l.locate(e.Path)
			list[i] = &compose.Error{Location: at, Msg: e.Error(), Err: e}
		}
		return nil, list
	}
	if err != nil || len(bound) == 0 {
		return p, err
	}
	if p.Services == nil {
		p.Services = types.Services{}
	}
	for name, b := range bound {
		p.Services[name] = b.(types.ServiceConfig)
	}
	return p, nil
}

// bindService binds one service's normalized mapping as decodeProject
// binds it among the others, for normalize.ServiceCache.Derive: nil when
// it does not bind (the environments report the error each).
func bindService(name string, svc map[string]any) any {
	p, err := model.Decode(map[string]any{"services": map[string]any{name: svc}}, "", "", nil)
	if err != nil {
		return nil
	}
	s, ok := p.Services[name]
	if !ok {
		return nil
	}
	return s
}
