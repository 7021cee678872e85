package envs

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"
)

// selectServices narrows proj to the services named and what they depend
// on, as `docker compose config SERVICE...` does (docker/compose
// pkg/compose/loader.go, postProcessProject): a named service a profile
// disabled is enabled, and with it its profiles
// (Project.WithServicesEnabled); then only the named services and their
// dependencies stay enabled (Project.WithSelectedServices). Names are
// patterns, as docker compose reads them (`config 'web*'`). Load drops the
// resources no kept service uses afterwards. Without names proj is
// returned as is.
func selectServices(proj *types.Project, names []string, env string) (*types.Project, error) {
	if len(names) == 0 {
		return proj, nil
	}
	proj, err := proj.WithServicesEnabled(names...)
	if err != nil {
		return nil, err
	}
	// WithSelectedServices would say "no such service: x", without the
	// environment or what there is; say it here.
	for _, n := range names {
		if !matchesService(proj.Services, n) {
			return nil, &UnknownServiceError{Name: n, Env: env, Known: slices.Sorted(maps.Keys(proj.AllServices()))}
		}
	}
	return proj.WithSelectedServices(names)
}

// matchesService reports whether pattern names one of services, as
// compose-go's service lookup matches it (filepath.Match).
func matchesService(services types.Services, pattern string) bool {
	if _, ok := services[pattern]; ok {
		return true
	}
	for name := range services {
		if ok, _ := filepath.Match(pattern, name); ok {
			return true
		}
	}
	return false
}

// UnknownServiceError says a service named for selection is none of the
// environment's.
type UnknownServiceError struct {
	Name string // as given
	Env  string // the environment's name
	// Known are every service of the environment, those a profile
	// disables too, sorted.
	Known []string
}

func (e *UnknownServiceError) Error() string {
	return fmt.Sprintf("no such service %q in environment %q: its services are %s", e.Name, e.Env, quoteList(e.Known))
}
