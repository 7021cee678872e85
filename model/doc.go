// Package model binds a canonical compose model (the map[string]any
// compose-go's loader produces after normalization) into compose-go's
// types.Project, as loader.ModelToProject does before its post-steps, with
// the same result and without mapstructure.
//
// compose-go's binding is two passes: processExtensions moves the x- keys of
// every mapping whose keys are not user-defined names under "#extensions",
// then Transform runs mapstructure (tag "yaml", embedded structs squashed)
// with four decode hooks: service and job names from their keys, the
// types' own DecodeMapstructure methods, a few string and int casts, and a
// secret's content from its environment. Decode does both in one walk, from
// a decode plan per Go type computed once (codecOf), writing through
// pointers; it reads the model without changing it, and reports every value
// it cannot decode (Errors) with its path in the model and the line docker
// compose prints for it.
//
// # What compose-go does that one would not guess
//
// Decode reproduces all of these; testdata/decode has a case for each.
//
//   - x- keys stay where keys are names (services, volumes, networks,
//     secrets, configs, a service's depends_on), but compose-go's list of
//     such places lacks models and jobs: a model or job named x-something
//     moves under "#extensions", which becomes a model, or a job, of that
//     name, and the original is lost.
//   - x- keys in mappings the types decode themselves become one more entry
//     "#extensions", printed by fmt: labels {x-team: core} gives the label
//     "#extensions" = "map[x-team:core]", an environment variable likewise;
//     in a service's networks they become an attachment to a network named
//     "#extensions"; in extra_hosts, an error.
//   - An IPAM pool's Extensions field is tagged `yaml:",inline"`: its key is
//     "Extensions" (in any case), and its x- keys are dropped.
//   - mapstructure matches keys to fields regardless of case when no key
//     matches exactly: "Image" sets the image, unless "image" is there too.
//     With two spellings and no exact one, compose-go picks either at random;
//     Decode takes the least in byte order.
//   - ModelToProject deletes the model's "name" (the caller names the
//     project), so a key "NAME" then names it.
//   - Fields tagged `yaml:"-"` are read from the key "-": a top-level "-"
//     sets WorkingDir, Environment, DisabledServices and the like; a
//     service's "-" sets its CustomLabels.
//   - Fields without a yaml tag use their Go name, in any case:
//     weight_device items are read from path/weight, generic resources from
//     kind/value.
//   - A pointer whose type decodes itself (*types.Duration, *types.FileMode,
//     *types.UlimitsConfig) is decoded twice, the second time from the
//     decoded value: a duration is parsed again from its own String().
//   - The casts are few: strings become bool (also y/yes/on/n/no/off, with a
//     warning Decode does not print), int, int64, float32 and float64, and an
//     int becomes a string. So an int64, as interpolation leaves cpu_count,
//     cannot fill a string; a string cannot fill an unsigned field
//     (healthcheck retries "3"), while it can fill an int one (scale "3").
//     Floats are truncated into integers (scale 2.9 is 2), unsigned values
//     wrap (a blkio weight of 70000 is 4464), negative ones are refused.
//   - A service or job is named by its key, whatever its "name" says.
//   - A secret's value from the environment reaches the decoder as the
//     x- key "x-#value", which a hook turns into the key "Content": it sets
//     the content only when the secret has no "content" key.
//   - The canonical model is not plain YAML: ports and volumes written in
//     short syntax are parsed and encoded back, leaving uint32 targets and
//     types.OptOut flags, which decode by kind.
//   - processExtensions visits the mappings of a list, not those of a list
//     in a list; and tree.Path does not escape the first key, so a
//     top-level key with dots counts as several parts.
//   - compose-go panics, where Decode returns an error, on a healthcheck
//     test, command or entrypoint list holding a non-string, a ulimit whose
//     soft or hard limit is not an int, and a service or job that is null or
//     not a mapping.
//   - types.SSHConfig lists build ssh keys in map order, so compose-go's
//     order changes from run to run; Decode sorts them by id.
//
// Decode also differs where compose-go is not deterministic or not safe: its
// errors are sorted by path (compose-go's follow map order), and it never
// writes into the model (compose-go rewrites it in place, so a mapping that
// appears twice in a model would have its x- keys moved twice).
package model
