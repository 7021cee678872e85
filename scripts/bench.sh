#!/usr/bin/env bash
# bench.sh reruns composure's benchmarks and prints them as the markdown of
# docs/benchmarks.md: machine, commands, one table per operation and size,
# the compose-go baseline and, when dclint is installed, dclint's time on the
# same generated files.
#
#   scripts/bench.sh                 # all sizes, 3 iterations each
#   BENCH='Config|ComposeGo' BENCHTIME=1x scripts/bench.sh
#   COUNT=3 scripts/bench.sh         # repeat, the table keeps the fastest run
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH=${BENCH:-.}
BENCHTIME=${BENCHTIME:-3x}
COUNT=${COUNT:-1}
PKGS=${PKGS:-./internal/bench/...}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "## Machine"
echo
echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') ($(nproc) cores)"
echo "- memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
echo "- $(go version)"
echo "- load average when started: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD)"
echo
cmd="go test $PKGS -run '^\$' -bench '$BENCH' -benchmem -benchtime $BENCHTIME -count $COUNT -timeout 60m"
echo "## Go benchmarks"
echo
echo '```'
echo "$cmd"
echo '```'
echo
eval "$cmd" > "$tmp/bench.txt" 2>&1 || { cat "$tmp/bench.txt" >&2; exit 1; }
echo "| benchmark | services | wall time/op | CPU time/op | alloc/op | allocs/op |"
echo "|---|---:|---:|---:|---:|---:|"
# Keep the run with the least CPU time per benchmark when COUNT > 1.
awk '
function dur(ns) { return ns >= 1e9 ? sprintf("%.2f s", ns / 1e9) : sprintf("%.1f ms", ns / 1e6) }
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	split(name, parts, "/services=")
	ns = ""; cpu = ""; b = ""; a = ""
	for (i = 3; i < NF; i++) {
		if ($(i+1) == "ns/op") ns = $i
		if ($(i+1) == "cpu-ns/op") cpu = $i
		if ($(i+1) == "B/op") b = $i
		if ($(i+1) == "allocs/op") a = $i
	}
	if (!(name in best) || cpu + 0 < best[name] + 0) { best[name] = cpu; wall[name] = ns; bytes[name] = b; allocs[name] = a; op[name] = parts[1]; n[name] = parts[2] }
	if (!(name in seen)) { seen[name] = 1; order[++count] = name }
}
END {
	for (k = 1; k <= count; k++) {
		m = order[k]
		printf "| %s | %s | %s | %s | %.1f MB | %d |\n", substr(op[m], 10), n[m], dur(wall[m]), dur(best[m]), bytes[m] / 1e6, allocs[m]
		if (op[m] == "BenchmarkComposeGo") { base[n[m]] = best[m]; basew[n[m]] = wall[m] }
		if (op[m] == "BenchmarkConfig") { conf[n[m]] = best[m]; confw[n[m]] = wall[m] }
	}
	printed = 0
	for (s = 100; s <= 100000; s *= 10) if ((s in conf) && (s in base)) {
		if (!printed) {
			print ""
			print "| services | compose-go (docker compose config) CPU | composure config CPU | ratio (CPU) | ratio (wall) |"
			print "|---:|---:|---:|---:|---:|"
			printed = 1
		}
		printf "| %s | %s | %s | %.2f | %.2f |\n", s, dur(base[s]), dur(conf[s]), conf[s] / base[s], confw[s] / basew[s]
	}
}' "$tmp/bench.txt"
echo

if command -v dclint > /dev/null; then
	echo
	echo "## dclint $(dclint --version) on the same files"
	echo
	echo "| services | wall time (best of 3) | files linted |"
	echo "|---:|---:|---|"
	for n in ${DCLINT_SIZES:-1000 10000}; do
		go run ./internal/gen/cmd -n "$n" -o "$tmp/gen$n"
		best=""
		for _ in 1 2 3; do
			start=$(date +%s.%N)
			(cd "$tmp/gen$n" && dclint docker-compose.yml docker-compose.override.yml docker-compose.prod.yml docker-compose.admin.yml -f compact --color false > "$tmp/dclint$n.out" 2>&1) || true
			t=$(echo "$(date +%s.%N) - $start" | bc)
			if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
		done
		printf "| %s | %.2f s | 4 (%s) |\n" "$n" "$best" "$(grep -c 'resource exhaustion' "$tmp/dclint$n.out" || true) refused as an alias bomb"
	done
fi
