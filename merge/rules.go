package merge

import "github.com/composure-dev/composure/internal/pathtrie"

// The tables below are compose-go v2.16.2's, copied as literals:
// override/merge.go (mergeSpecials), override/uncity.go (unique) and the
// conversions of transform/canonical.go that change the shape of a value
// (list -> mapping) and so decide what later files merge into.

// mergeRule names a function of override/merge.go.
type mergeRule uint8

const (
	ruleNone mergeRule = iota
	ruleOverride
	ruleKeyValueSequence
	ruleToSequence
	ruleBuild
	ruleDependsOn
	ruleModels
	ruleNetworks
	ruleLogging
	ruleUlimit
	ruleIPAMConfig
)

// mergeTable is override/merge.go's mergeSpecials.
var mergeTable = []pathtrie.Pattern[mergeRule]{
	{Path: "networks.*.ipam.config", Rule: ruleIPAMConfig},
	{Path: "networks.*.labels", Rule: ruleKeyValueSequence},
	{Path: "volumes.*.labels", Rule: ruleKeyValueSequence},
	{Path: "secrets.*.labels", Rule: ruleKeyValueSequence},
	{Path: "configs.*.labels", Rule: ruleKeyValueSequence},

	{Path: "services.*.annotations", Rule: ruleKeyValueSequence},
	{Path: "services.*.build", Rule: ruleBuild},
	{Path: "services.*.build.args", Rule: ruleKeyValueSequence},
	{Path: "services.*.build.additional_contexts", Rule: ruleKeyValueSequence},
	{Path: "services.*.build.extra_hosts", Rule: ruleToSequence},
	{Path: "services.*.build.labels", Rule: ruleKeyValueSequence},
	{Path: "services.*.command", Rule: ruleOverride},
	{Path: "services.*.depends_on", Rule: ruleDependsOn},
	{Path: "services.*.dns", Rule: ruleToSequence},
	{Path: "services.*.dns_opt", Rule: ruleToSequence},
	{Path: "services.*.dns_search", Rule: ruleToSequence},
	{Path: "services.*.entrypoint", Rule: ruleOverride},
	{Path: "services.*.env_file", Rule: ruleToSequence},
	{Path: "services.*.label_file", Rule: ruleToSequence},
	{Path: "services.*.environment", Rule: ruleKeyValueSequence},
	{Path: "services.*.extra_hosts", Rule: ruleToSequence},
	{Path: "services.*.healthcheck.test", Rule: ruleOverride},
	{Path: "services.*.labels", Rule: ruleKeyValueSequence},
	{Path: "services.*.volumes.*.volume.labels", Rule: ruleKeyValueSequence},
	{Path: "services.*.logging", Rule: ruleLogging},
	{Path: "services.*.models", Rule: ruleModels},
	{Path: "services.*.networks", Rule: ruleNetworks},
	{Path: "services.*.sysctls", Rule: ruleKeyValueSequence},
	{Path: "services.*.tmpfs", Rule: ruleToSequence},
	{Path: "services.*.ulimits.*", Rule: ruleUlimit},
	{Path: "services.*.deploy.labels", Rule: ruleKeyValueSequence},

	{Path: "jobs.*.annotations", Rule: ruleKeyValueSequence},
	{Path: "jobs.*.build", Rule: ruleBuild},
	{Path: "jobs.*.build.args", Rule: ruleKeyValueSequence},
	{Path: "jobs.*.build.additional_contexts", Rule: ruleKeyValueSequence},
	{Path: "jobs.*.build.extra_hosts", Rule: ruleToSequence},
	{Path: "jobs.*.build.labels", Rule: ruleKeyValueSequence},
	{Path: "jobs.*.command", Rule: ruleOverride},
	{Path: "jobs.*.depends_on", Rule: ruleDependsOn},
	{Path: "jobs.*.dns", Rule: ruleToSequence},
	{Path: "jobs.*.dns_opt", Rule: ruleToSequence},
	{Path: "jobs.*.dns_search", Rule: ruleToSequence},
	{Path: "jobs.*.entrypoint", Rule: ruleOverride},
	{Path: "jobs.*.env_file", Rule: ruleToSequence},
	{Path: "jobs.*.label_file", Rule: ruleToSequence},
	{Path: "jobs.*.environment", Rule: ruleKeyValueSequence},
	{Path: "jobs.*.extra_hosts", Rule: ruleToSequence},
	{Path: "jobs.*.healthcheck.test", Rule: ruleOverride},
	{Path: "jobs.*.labels", Rule: ruleKeyValueSequence},
	{Path: "jobs.*.volumes.*.volume.labels", Rule: ruleKeyValueSequence},
	{Path: "jobs.*.logging", Rule: ruleLogging},
	{Path: "jobs.*.models", Rule: ruleModels},
	{Path: "jobs.*.networks", Rule: ruleNetworks},
	{Path: "jobs.*.sysctls", Rule: ruleKeyValueSequence},
	{Path: "jobs.*.tmpfs", Rule: ruleToSequence},
	{Path: "jobs.*.ulimits.*", Rule: ruleUlimit},
}

// indexer names a function of override/uncity.go: how the items of a
// sequence are keyed so that a later item replaces an earlier one.
type indexer uint8

const (
	indexNone indexer = iota
	indexKeyValue
	indexVolume
	indexDevice
	indexExpose
	indexMount        // configs: mountIndexer("")
	indexSecretsMount // secrets: mountIndexer("/run/secrets")
	indexPort
	indexEnvFile
)

// uniqueTable is override/uncity.go's unique. compose-go assigns
// services.*.devices twice; the second (deviceMappingIndexer) is the one in
// effect, and the only one kept here.
var uniqueTable = []pathtrie.Pattern[indexer]{
	{Path: "networks.*.labels", Rule: indexKeyValue},
	{Path: "networks.*.ipam.options", Rule: indexKeyValue},
	{Path: "services.*.annotations", Rule: indexKeyValue},
	{Path: "services.*.build.args", Rule: indexKeyValue},
	{Path: "services.*.build.additional_contexts", Rule: indexKeyValue},
	{Path: "services.*.build.platform", Rule: indexKeyValue},
	{Path: "services.*.build.tags", Rule: indexKeyValue},
	{Path: "services.*.build.labels", Rule: indexKeyValue},
	{Path: "services.*.cap_add", Rule: indexKeyValue},
	{Path: "services.*.cap_drop", Rule: indexKeyValue},
	{Path: "services.*.configs", Rule: indexMount},
	{Path: "services.*.deploy.labels", Rule: indexKeyValue},
	{Path: "services.*.dns", Rule: indexKeyValue},
	{Path: "services.*.dns_opt", Rule: indexKeyValue},
	{Path: "services.*.dns_search", Rule: indexKeyValue},
	{Path: "services.*.environment", Rule: indexKeyValue},
	{Path: "services.*.env_file", Rule: indexEnvFile},
	{Path: "services.*.expose", Rule: indexExpose},
	{Path: "services.*.labels", Rule: indexKeyValue},
	{Path: "services.*.links", Rule: indexKeyValue},
	{Path: "services.*.networks.*.aliases", Rule: indexKeyValue},
	{Path: "services.*.networks.*.link_local_ips", Rule: indexKeyValue},
	{Path: "services.*.ports", Rule: indexPort},
	{Path: "services.*.profiles", Rule: indexKeyValue},
	{Path: "services.*.secrets", Rule: indexSecretsMount},
	{Path: "services.*.sysctls", Rule: indexKeyValue},
	{Path: "services.*.tmpfs", Rule: indexKeyValue},
	{Path: "services.*.volumes", Rule: indexVolume},
	{Path: "services.*.devices", Rule: indexDevice},
}

// shapeRule names a canonical conversion (transform/canonical.go) that
// composure applies to the merged tree after each file, as compose-go does,
// because later files merge into the converted shape and because the
// effective config is printed in it: these are the paths whose generated
// parts are defaults.
type shapeRule uint8

const (
	shapeNone             shapeRule = iota
	shapeDependsOn                  // list -> mapping, condition/required defaults
	shapeStringSliceToMap           // networks, models: list -> mapping of nulls
	shapeBuild                      // string -> {context: string}
	shapeOmitEmpty                  // dns: empty items dropped (loader/omitEmpty.go)
)

var shapeTable = []pathtrie.Pattern[shapeRule]{
	{Path: "services.*.depends_on", Rule: shapeDependsOn},
	{Path: "services.*.networks", Rule: shapeStringSliceToMap},
	{Path: "services.*.models", Rule: shapeStringSliceToMap},
	{Path: "services.*.build", Rule: shapeBuild},
	{Path: "services.*.dns", Rule: shapeOmitEmpty},
	{Path: "jobs.*.depends_on", Rule: shapeDependsOn},
	{Path: "jobs.*.networks", Rule: shapeStringSliceToMap},
	{Path: "jobs.*.models", Rule: shapeStringSliceToMap},
	{Path: "jobs.*.build", Rule: shapeBuild},
	{Path: "jobs.*.dns", Rule: shapeOmitEmpty},
}

// Compiled once; never written after package initialization.
var (
	mergeTrie  = pathtrie.Compile(mergeTable)
	uniqueTrie = pathtrie.Compile(uniqueTable)
	shapeTrie  = pathtrie.Compile(shapeTable)
)
