// Package bench holds composure's benchmarks on generated projects (see
// internal/gen) of 100, 1,000 and 10,000 services; it has no code of its
// own. Run them with scripts/bench.sh, which prints the tables of
// docs/benchmarks.md, or directly:
//
//	go test ./internal/bench -run '^$' -bench . -benchmem
package bench
