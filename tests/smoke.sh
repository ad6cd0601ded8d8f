#!/usr/bin/env bash
# smoke.sh SUITE - run a suite binary at the test profile and check what it
# produced: it exits 0, every benchmark it lists ran or was skipped with a
# reason, none failed, its JSON merges into a run.json that validates, its
# claims file evaluates, its plots draw, it left no files behind and no
# system setting changed (tests/lib/settings.sh).
#
# FLAVOR (default O2) picks the build; under the sanitizer flavors (asan,
# tsan: bench.mk) the run must also end with no sanitizer report, and
# FILTER (a --benchmark_filter regex; tsan: the suite's TSAN_FILTER)
# limits which benchmarks must have run. A flavor that was not built
# because the compiler lacks its runtime is a SKIP.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
. tests/lib/tap.sh
. tests/lib/settings.sh

suite=${1:?usage: smoke.sh SUITE}
flavor=${FLAVOR:-O2}
filter=${FILTER:-}
bin=$BUILD/$flavor/bench_$suite
fargs=()
[ -n "$filter" ] && fargs=(--benchmark_filter="$filter")
san_run() { "$@"; }
case $flavor in
asan | tsan)
	if [ ! -x "$bin" ]; then
		why=$(tests/lib/san-probe.sh "$flavor")
		skip_all "$suite under $flavor: ${why:-not built}"
	fi
	. tests/lib/san.sh
	;;
esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run=$work/run
data=$work/data
mkdir -p "$run/raw" "$run/logs" "$data"

ok -x "$bin" "$suite: binary built"
log=$run/logs/$suite-O2.log
settings_before "$work"
san_run "$bin" --bench_profile=test --bench_data_dir="$data" "${fargs[@]}" \
	--benchmark_out="$run/raw/$suite-O2.json" --benchmark_out_format=json \
	>"$log" 2>&1
rc=$?
is "$rc" 0 "$suite: exits 0 at the test profile"
[ $rc -ne 0 ] && tail -20 "$log" | sed 's/^/#   /'
if [ "$flavor" = asan ] || [ "$flavor" = tsan ]; then
	reports=$(san_reports "$log")
	is "$reports" "" "$suite: no $flavor report"
	[ -n "$reports" ] && san_excerpt "$log"
fi

changed=$(settings_changed "$work")
is "$changed" "" "$suite: no system setting changed (sysctls, hugetlb, THP, cpufreq)"

listed=$("$bin" --bench_list --bench_profile=test 2>/dev/null | cut -f1 |
	{ if [ -n "$filter" ]; then grep -E "$filter"; else cat; fi; } | sort)
ok -n "$listed" "$suite: lists its benchmarks"
jq -nc --arg s "$suite" --argjson rc "$rc" \
	'{suite: $s, flavor: "O2", status: (if $rc == 0 then "ok" else "failed" end),
	  exit_code: $rc, seconds: 0, raw: "raw/\($s)-O2.json"}
	 + (if $rc != 0 then {reason: "exit \($rc)"} else {} end)' >"$run/logs/suites.jsonl"
check "$suite: results merge into a valid run.json" \
	"$BENCH_TOP/scripts/merge" "$run" --profile test
ran=$(jq -r '[.benchmarks[] | select(.run_type == "iteration") | .base_name]
	| unique[]' "$run/run.json" 2>/dev/null | sort)
missing=$(comm -23 <(echo "$listed") <(echo "$ran"))
is "$missing" "" "$suite: every listed benchmark has a result"
bad=$(jq -r '.benchmarks[] | select(.status == "failed") | "\(.name): \(.reason)"' "$run/run.json" 2>/dev/null)
is "$bad" "" "$suite: no benchmark failed"
noreason=$(jq -r '.benchmarks[] | select(.status == "skipped" and ((.reason // "") | length) < 5) | .name' "$run/run.json" 2>/dev/null)
is "$noreason" "" "$suite: every skip says why"
jq -r '.benchmarks[] | select(.status == "skipped") | "\(.name): \(.reason)"' "$run/run.json" 2>/dev/null |
	sort -u | head -10 | sed 's/^/# skipped here: /'
keys=$(jq -r '.context | [has("bench_flavor", "cpu_model", "kernel", "thp_mode",
	"hypervisor", "data_dir_fs", "bench_compiler", "bench_cflags", "bench_git_commit",
	"papi", "perf_event", "root", "binary_sha256", "code_sha256", "topo_caches")] | all' "$run/run.json")
is "$keys" true "$suite: context has the machine and build keys"
left=$(find "$data" -mindepth 1 | head -5)
is "$left" "" "$suite: leaves no files in the data directory"
if [ -f "suites/$suite/claims.json" ]; then
	check "$suite: claims.json evaluates" "$BUILD/O2/tools/benchstat" claims "$run/run.json" "suites/$suite/claims.json"
fi
if [ -x "suites/$suite/plot" ]; then
	check "$suite: plot script runs" env PL_SUITE="$suite" "suites/$suite/plot" "$run/run.json" "$run/plots"
fi
done_testing
