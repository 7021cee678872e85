package merge

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
var mergeTable = []pattern[mergeRule]{
	{"networks.*.ipam.config", ruleIPAMConfig},
	{"networks.*.labels", ruleKeyValueSequence},
	{"volumes.*.labels", ruleKeyValueSequence},
	{"secrets.*.labels", ruleKeyValueSequence},
	{"configs.*.labels", ruleKeyValueSequence},

	{"services.*.annotations", ruleKeyValueSequence},
	{"services.*.build", ruleBuild},
	{"services.*.build.args", ruleKeyValueSequence},
	{"services.*.build.additional_contexts", ruleKeyValueSequence},
	{"services.*.build.extra_hosts", ruleToSequence},
	{"services.*.build.labels", ruleKeyValueSequence},
	{"services.*.command", ruleOverride},
	{"services.*.depends_on", ruleDependsOn},
	{"services.*.dns", ruleToSequence},
	{"services.*.dns_opt", ruleToSequence},
	{"services.*.dns_search", ruleToSequence},
	{"services.*.entrypoint", ruleOverride},
	{"services.*.env_file", ruleToSequence},
	{"services.*.label_file", ruleToSequence},
	{"services.*.environment", ruleKeyValueSequence},
	{"services.*.extra_hosts", ruleToSequence},
	{"services.*.healthcheck.test", ruleOverride},
	{"services.*.labels", ruleKeyValueSequence},
	{"services.*.volumes.*.volume.labels", ruleKeyValueSequence},
	{"services.*.logging", ruleLogging},
	{"services.*.models", ruleModels},
	{"services.*.networks", ruleNetworks},
	{"services.*.sysctls", ruleKeyValueSequence},
	{"services.*.tmpfs", ruleToSequence},
	{"services.*.ulimits.*", ruleUlimit},
	{"services.*.deploy.labels", ruleKeyValueSequence},

	{"jobs.*.annotations", ruleKeyValueSequence},
	{"jobs.*.build", ruleBuild},
	{"jobs.*.build.args", ruleKeyValueSequence},
	{"jobs.*.build.additional_contexts", ruleKeyValueSequence},
	{"jobs.*.build.extra_hosts", ruleToSequence},
	{"jobs.*.build.labels", ruleKeyValueSequence},
	{"jobs.*.command", ruleOverride},
	{"jobs.*.depends_on", ruleDependsOn},
	{"jobs.*.dns", ruleToSequence},
	{"jobs.*.dns_opt", ruleToSequence},
	{"jobs.*.dns_search", ruleToSequence},
	{"jobs.*.entrypoint", ruleOverride},
	{"jobs.*.env_file", ruleToSequence},
	{"jobs.*.label_file", ruleToSequence},
	{"jobs.*.environment", ruleKeyValueSequence},
	{"jobs.*.extra_hosts", ruleToSequence},
	{"jobs.*.healthcheck.test", ruleOverride},
	{"jobs.*.labels", ruleKeyValueSequence},
	{"jobs.*.volumes.*.volume.labels", ruleKeyValueSequence},
	{"jobs.*.logging", ruleLogging},
	{"jobs.*.models", ruleModels},
	{"jobs.*.networks", ruleNetworks},
	{"jobs.*.sysctls", ruleKeyValueSequence},
	{"jobs.*.tmpfs", ruleToSequence},
	{"jobs.*.ulimits.*", ruleUlimit},
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
var uniqueTable = []pattern[indexer]{
	{"networks.*.labels", indexKeyValue},
	{"networks.*.ipam.options", indexKeyValue},
	{"services.*.annotations", indexKeyValue},
	{"services.*.build.args", indexKeyValue},
	{"services.*.build.additional_contexts", indexKeyValue},
	{"services.*.build.platform", indexKeyValue},
	{"services.*.build.tags", indexKeyValue},
	{"services.*.build.labels", indexKeyValue},
	{"services.*.cap_add", indexKeyValue},
	{"services.*.cap_drop", indexKeyValue},
	{"services.*.configs", indexMount},
	{"services.*.deploy.labels", indexKeyValue},
	{"services.*.dns", indexKeyValue},
	{"services.*.dns_opt", indexKeyValue},
	{"services.*.dns_search", indexKeyValue},
	{"services.*.environment", indexKeyValue},
	{"services.*.env_file", indexEnvFile},
	{"services.*.expose", indexExpose},
	{"services.*.labels", indexKeyValue},
	{"services.*.links", indexKeyValue},
	{"services.*.networks.*.aliases", indexKeyValue},
	{"services.*.networks.*.link_local_ips", indexKeyValue},
	{"services.*.ports", indexPort},
	{"services.*.profiles", indexKeyValue},
	{"services.*.secrets", indexSecretsMount},
	{"services.*.sysctls", indexKeyValue},
	{"services.*.tmpfs", indexKeyValue},
	{"services.*.volumes", indexVolume},
	{"services.*.devices", indexDevice},
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

var shapeTable = []pattern[shapeRule]{
	{"services.*.depends_on", shapeDependsOn},
	{"services.*.networks", shapeStringSliceToMap},
	{"services.*.models", shapeStringSliceToMap},
	{"services.*.build", shapeBuild},
	{"services.*.dns", shapeOmitEmpty},
	{"jobs.*.depends_on", shapeDependsOn},
	{"jobs.*.networks", shapeStringSliceToMap},
	{"jobs.*.models", shapeStringSliceToMap},
	{"jobs.*.build", shapeBuild},
	{"jobs.*.dns", shapeOmitEmpty},
}

// Compiled once; never written after package initialization.
var (
	mergeTrie  = compile(mergeTable)
	uniqueTrie = compile(uniqueTable)
	shapeTrie  = compile(shapeTable)
)
