package lint

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/composure-dev/composure/internal/testenv"

	"github.com/composure-dev/composure/diag"
)

// TestDclintFixtures lints dclint's own rule fixtures (../shared/corpus/
// dclint-fixtures, whose MANIFEST says which files are correct) with the
// composure rule that covers the same ground, and checks composure agrees,
// or disagrees where docs/corpus-report.md says why.
func TestDclintFixtures(t *testing.T) {
	dir := filepath.Join(testenv.SharedDir(t), "corpus", "dclint-fixtures", "spec-inline")
	tests := []struct {
		file, rule string
		want       bool // composure reports the rule
	}{
		// no-duplicate-container-names-rule
		{"no-duplicate-container-names-rule/yamlWithDuplicateContainerNames.yml", "container-name-conflict", true},
		{"no-duplicate-container-names-rule/yamlWithUniqueContainerNames.yml", "container-name-conflict", false},
		// no-duplicate-exported-ports-rule
		{"no-duplicate-exported-ports-rule/yamlWithDuplicatePorts.yml", "port-conflict", true},
		{"no-duplicate-exported-ports-rule/yamlWithUniquePorts.yml", "port-conflict", false},
		{"no-duplicate-exported-ports-rule/yamlWithDifferentProtocols.yml", "port-conflict", false},
		// dclint: violation. composure: a host range for one container port
		// is a pool the engine picks a free port from, so no conflict.
		{"no-duplicate-exported-ports-rule/yamlWithRangeOverlap.yml", "port-conflict", false},
		// no-version-field-rule
		{"no-version-field-rule/yamlWithVersion.yml", "obsolete-version", true},
		{"no-version-field-rule/yamlWithoutVersion.yml", "obsolete-version", false},
		// require-quotes-in-ports-rule
		// dclint: violation (8080:80 unquoted). composure reports only the
		// mappings a YAML 1.1 reader takes for base-60 numbers (22:22):
		// every YAML reader takes 8080:80 for the string it is.
		{"require-quotes-in-ports-rule/yamlWithoutQuotes.yml", "unquoted-port", false},
		{"require-quotes-in-ports-rule/yamlWithDoubleQuotes.yml", "unquoted-port", false},
		{"require-quotes-in-ports-rule/yamlWithSingleQuotes.yml", "unquoted-port", false},
		{"require-quotes-in-ports-rule/yamlWithoutPorts.yml", "unquoted-port", false},
		// service-image-require-explicit-tag-rule
		{"service-image-require-explicit-tag-rule/yamlWithoutTag.yml", "image-tag", true},
		{"service-image-require-explicit-tag-rule/yamlWithLatestTag.yml", "image-tag", true},
		{"service-image-require-explicit-tag-rule/yamlWithStableTag.yml", "image-tag", true},
		{"service-image-require-explicit-tag-rule/yamlWithProhibitedTags.yml", "image-tag", true},
		{"service-image-require-explicit-tag-rule/yamlWithSpecificVersion.yml", "image-tag", false},
		// dclint: violation only with its custom prohibitedTags option;
		// composure flags the floating "unstable" and "preview" by default.
		{"service-image-require-explicit-tag-rule/yamlWithCustomTags.yml", "image-tag", true},
		// no-build-and-image-rule: dclint flags build + image; docker compose
		// builds and tags the image, which is the recommended way to name a
		// build. composure does not flag it (image-tag only asks for a tag).
		{"no-build-and-image-rule/yamlWithBuildAndImage.yml", "image-tag", false},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			fs, _ := lintFile(t, path)
			got := slices.ContainsFunc(fs, func(f diag.Finding) bool { return f.Rule == tt.rule })
			if got != tt.want {
				t.Errorf("%s: %s reported = %v, want %v\n%s", tt.file, tt.rule, got, tt.want, render(fs))
			}
		})
	}
}
