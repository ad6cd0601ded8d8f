#!/usr/bin/env bash
# calibrate.sh - tools/calibrate writes the caches and the machine's state
# as the schema says; a suite binary sizes its sweeps from the file it is
# given (--bench_caches), measures for itself without one, and refuses a
# file that is not a calibration.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh

cal=$BUILD/O2/tools/calibrate
bin=$BUILD/O2/bench_cacheline
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT

fails "an unknown argument: exit 2" 2 "$cal" --bogus
fails "--max below 64KiB: exit 2" 2 "$cal" --max=1K
fails "--max with --state: exit 2" 2 "$cal" --state --max=8M
fails "an output in a missing directory: exit 2" 2 "$cal" -o "$w/no/such/dir/c.json"

check "caches: measures up to 32 MiB" "$cal" --max=32M -o "$w/c.json"
is "$(jq -r .schema "$w/c.json")" "bench-caches/1" "schema"
is "$(jq '[.points[].bytes] | . == (sort | unique) and .[0] == 4096' "$w/c.json")" true \
	"points ascend from 4 KiB"
is "$(jq '[.points[] | (.ns > 0) and (.samples | length) == 5] | all' "$w/c.json")" true \
	"every point: a latency and its five samples"
is "$(jq '.points[-1].bytes <= 33554432' "$w/c.json")" true "no point beyond --max"
is "$(jq 'if .llc_bytes then .llc_bytes == .levels[-1].bytes and .reached_memory
	else (.note | test("memory")) and (.reached_memory | not) end' "$w/c.json")" true \
	"the last level is the last boundary, or the note says why there is none"
is "$(jq '[.hwloc, .sysfs, .disagreement, .pages] | map(type == "string") | all' "$w/c.json")" true \
	"hwloc's and sysfs's figures and the disagreement, as text"
ok "$(ls "$w" | grep -c tmp)" -eq 0 "no temporary file left"

check "state: measures" "$cal" --state -o "$w/s.json"
is "$(jq -r .schema "$w/s.json")" "bench-state/1" "state schema"
is "$(jq '[.null_syscall, .compute] | map((.median > 0) and (.samples | length) == 7
	and (.cpu_samples | length) == 7) | all' "$w/s.json")" true \
	"null syscall and compute: medians, 7 samples, wall and CPU"
is "$(jq '.chase.skipped // "" | type == "string"' "$w/s.json")" true "chase: measured or skipped"
is "$(jq 'if .chase.skipped then true else .chase.median > 0 and .chase.bytes == 268435456 end' "$w/s.json")" true \
	"chase: 256 MiB, ns per load"

# A suite binary given the file sizes from it, and says so in its context.
jq -n '{schema: "bench-caches/1", llc_bytes: 2097152, reached_memory: true,
	memory_ns: 120, levels: [{bytes: 49152, ns: 1.1}, {bytes: 2097152, ns: 15}]}' >"$w/fixed.json"
"$bin" --bench_caches="$w/fixed.json" --bench_list | cut -f1 >"$w/list"
is "$(grep -c '^cacheline/hot/rx/scattered/size:8MiB$' "$w/list")" 1 "the sweep ends at 4x the file's 2 MiB"
is "$(grep -c '^cacheline/aos_soa/aos/size:1MiB$' "$w/list")" 1 "aos_soa's middle size is half of it"
"$bin" --bench_caches="$w/fixed.json" --benchmark_filter='aos_soa/aos/size:16KiB' \
	--benchmark_min_time=0.001 --benchmark_repetitions=1 --benchmark_out="$w/f.json" \
	--benchmark_out_format=json >/dev/null 2>&1
is "$(jq -r .context.topo_llc_bytes "$w/f.json")" 2097152 "the context records the LLC used"
is "$(jq -r .context.topo_llc_source "$w/f.json")" "measured ($w/fixed.json)" "and where it came from"
is "$(jq -r '.context.topo_caches_measured' "$w/f.json")" "48KiB 1.1ns, 2MiB 15.0ns; memory 120ns" \
	"and the measured levels"
"$bin" --benchmark_filter='aos_soa/aos/size:16KiB' --benchmark_min_time=0.001 \
	--benchmark_repetitions=1 --benchmark_out="$w/m.json" --benchmark_out_format=json >/dev/null 2>&1
is "$(jq -r .context.topo_llc_source "$w/m.json" | grep -cE '^(measured|sysfs|hwloc)')" 1 \
	"without a file the binary measures (or says why it fell back)"
is "$(jq -r '.context | has("topo_cache_disagreement") and has("topo_caches_sysfs")' "$w/m.json")" true \
	"and records the disagreement check and sysfs's figures"

echo '{"schema": "bench-run/1"}' >"$w/bad.json"
fails "a file that is not a calibration: exit 2" 2 "$bin" --bench_caches="$w/bad.json" --bench_list
done_testing
