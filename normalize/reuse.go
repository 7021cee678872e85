package normalize

import (
	"fmt"
	"maps"
	"slices"
	"sync"
)

// ServiceCache remembers the normalized form of the services environments
// share. The environments of a project loaded together (lint, diff) merge
// their base file once (merge.Prefix), and every service no overlay writes
// is the very same mapping in each of their merged trees. Normalizing a
// service reads nothing outside it but the options (the canonical forms,
// defaults, checks, paths, resolved environment, implied dependencies and
// default network of a service depend on that service alone), so its
// normalized form is the same in each of those environments, and is made
// once: the first environment to reach a service claims it, and the others
// take its result when they have done their own services.
//
// Only services that normalized without error are shared: an environment
// whose own services fail, or that waited for a service whose environment
// failed, normalizes as if nothing were cached, so the error it reports is
// the one Model reports alone. The zero value is ready. The normalized
// services it hands out are shared by the models of several environments:
// they must not be modified (model.Decode only reads).
type ServiceCache struct {
	mu   sync.Mutex
	seen map[*map[string]any]*cachedService
	// derived holds what Derive made of each shared service, by its
	// normalized form (kept alive by seen)
	derived map[*map[string]any]any
	// waiting, when set (tests), is called before an environment waits for
	// services other environments claimed.
	waiting func()

	// Derive, when set, makes a value from a shared service's normalized
	// form alone (envs binds it to compose-go's types), once: the
	// environment that normalized the service calls it before the others
	// take the service, and Derived hands the value to each of them. A nil
	// value is none (the caller derives it on its own).
	Derive func(name string, svc map[string]any) any
}

// cachedService is one shared service, claimed by the first environment to
// reach it; done closes when that environment is through.
type cachedService struct {
	done chan struct{}
	src  map[string]any // kept alive: the key is its address
	// set before done closes; out is nil when the claimer failed
	out         map[string]any
	usesDefault bool
}

func (s *cachedService) ready() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// claim sorts the shared services of one environment, in one step so that
// an environment waits only for environments that claimed before it (no
// two wait for each other): those normalized already (reused), those
// another environment is normalizing (pending), and those now claimed by
// the caller (mine). A service whose claimer failed is in none of them:
// the caller normalizes it as its own without sharing it.
func (c *ServiceCache) claim(services map[string]map[string]any) (reused, pending, mine map[string]*cachedService) {
	reused, pending, mine = map[string]*cachedService{}, map[string]*cachedService{}, map[string]*cachedService{}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = map[*map[string]any]*cachedService{}
	}
	for name, svc := range services {
		s, ok := c.seen[key(svc)]
		switch {
		case !ok:
			s = &cachedService{done: make(chan struct{}), src: svc}
			c.seen[key(svc)] = s
			mine[name] = s
		case !s.ready():
			pending[name] = s
		case s.out != nil:
			reused[name] = s
		}
	}
	return reused, pending, mine
}

// release hands the services claimed in mine to the environments waiting
// for them: their normalized form from out, or, when out is nil (the
// claimer failed), none.
func (c *ServiceCache) release(mine map[string]*cachedService, out map[string]any) {
	if out != nil && c.Derive != nil {
		// derived before any service is released: a panic in Derive
		// (raised again here) leaves them all to model's deferred
		// release(mine, nil)
		claimed := make(map[string]any, len(mine))
		for name := range mine {
			if norm, ok := out[name].(map[string]any); ok {
				claimed[name] = norm
			}
		}
		parts := serviceParts(claimed)
		if parts == nil {
			parts = []map[string]any{claimed}
		}
		// each part derived on its own goroutine (Derive reads only the
		// service it is given)
		derived := make([]map[*map[string]any]any, len(parts))
		tasks := make([]func(), len(parts))
		for i, part := range parts {
			tasks[i] = func() {
				derived[i] = make(map[*map[string]any]any, len(part))
				for name, v := range part {
					norm := v.(map[string]any)
					if d := c.Derive(name, norm); d != nil {
						derived[i][key(norm)] = d
					}
				}
			}
		}
		runParts(tasks)
		c.mu.Lock()
		for _, d := range derived {
			if c.derived == nil {
				c.derived = d
			} else {
				maps.Copy(c.derived, d)
			}
		}
		c.mu.Unlock()
	}
	for name, s := range mine {
		if out != nil {
			if norm, ok := out[name].(map[string]any); ok {
				s.out, s.usesDefault = norm, connectedToDefault(norm)
			}
		}
		close(s.done)
	}
}

// Derived returns what Derive made of svc, a service of a model Model made
// through c; ok is false for a service c does not share.
func (c *ServiceCache) Derived(svc map[string]any) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.derived[key(svc)]
	return v, ok
}

// connectedToDefault reports whether normalized service svc is on the
// default network, as normalizeNetworks counts it.
func connectedToDefault(svc map[string]any) bool {
	if ownNetworking(svc) {
		return false
	}
	nets, _ := svc["networks"].(map[string]any)
	_, ok := nets["default"]
	return ok
}

// model is Model reusing the shared services others normalized: the rest
// of the tree goes through Model's steps, then the reused services join
// the result. ok is false where Model must normalize everything itself:
// no services mapping, extensions promoted to attributes, an error (so
// that it is the error Model finds alone), a waited-for service that
// failed.
func (c *ServiceCache) model(tree map[string]any, o Options) (_ map[string]any, ok bool, _ error) {
	services, isMap := tree["services"].(map[string]any)
	if !isMap || len(services) == 0 || hasAliases(services) {
		return nil, false, nil
	}
	shared := map[string]map[string]any{}
	for name, v := range services {
		if svc, isMap := v.(map[string]any); isMap && o.SharedService(name) {
			shared[name] = svc
		}
	}
	reused, pending, mine := c.claim(shared)
	released := false
	defer func() {
		if !released { // a panic on the way: the waiting environments must not wait forever
			c.release(mine, nil)
		}
	}()
	m := make(map[string]any, len(tree))
	for k, v := range tree {
		if k != "services" {
			m[k] = deepCopy(v)
		}
	}
	own := make(map[string]any, len(services)-len(reused)-len(pending))
	usesDefault := false
	for name, v := range services {
		if s, ok := reused[name]; ok {
			usesDefault = usesDefault || s.usesDefault
			continue
		}
		if _, ok := pending[name]; ok {
			continue
		}
		own[name] = deepCopy(v)
	}
	m["services"] = own
	schemaErr := make(chan error, 1)
	go func() { schemaErr <- (&normalizer{opts: o}).validateSchema(tree) }()
	n := &normalizer{opts: o, lenient: o.Uninterpolated, usesDefault: usesDefault}
	m, _, err := n.stepsInParts(m)
	serr := <-schemaErr
	if err != nil || serr != nil {
		c.release(mine, nil)
		released = true
		return nil, false, nil
	}
	out, _ := m["services"].(map[string]any)
	if out == nil {
		out = make(map[string]any, len(reused)+len(pending))
		m["services"] = out
	}
	c.release(mine, out)
	released = true
	for name, s := range reused {
		out[name] = s.out
	}
	// services other environments were normalizing: they may be on the
	// default network, which the steps declared only if a service they saw
	// is
	if len(pending) > 0 && c.waiting != nil {
		c.waiting()
	}
	late := false
	for _, name := range slices.Sorted(maps.Keys(pending)) {
		s := pending[name]
		<-s.done
		if s.out == nil {
			return nil, false, nil
		}
		out[name] = s.out
		late = late || s.usesDefault
	}
	if late && !o.SkipNormalization {
		declareDefaultNetwork(m)
	}
	return m, true, nil
}

// hasAliases reports whether a service sets an extension that Model
// promotes to an attribute (promoteAliases), which it then checks the
// schema of on the copy.
func hasAliases(services map[string]any) bool {
	return aliasSites(services, func(m map[string]any, from, _ string) bool {
		_, ok := m[from]
		return ok
	})
}

// declareDefaultNetwork declares the default network of normalized model m
// if it is not declared yet, named as nameResources names it.
func declareDefaultNetwork(m map[string]any) {
	networks, _ := m["networks"].(map[string]any)
	if _, ok := networks["default"]; ok {
		return
	}
	if networks == nil {
		networks = map[string]any{}
		m["networks"] = networks
	}
	networks["default"] = named(nil, fmt.Sprint(m["name"]), "default")
}
