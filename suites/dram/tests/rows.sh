#!/usr/bin/env bash
# rows.sh - the row-locality controls run and check themselves at the test
# profile: the sparse windows chase one line every 512 B (the chase is
# proved one cycle through those lines at set-up, and stays in it), the
# dense window and the whole-buffer chase beside them.
cd "$(dirname "$0")/../../.." || exit 2
. tests/lib/tap.sh

bin=$BUILD/O2/bench_dram
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
"$bin" --bench_profile=test --benchmark_filter='dram/rows/(chase_random|window)' \
	--benchmark_out="$w/out.json" --benchmark_out_format=json >"$w/log" 2>&1
is "$?" 0 "the window cases run and verify at the test profile"
# rep NAME FIELD: the field of NAME's repetition, or "absent".
rep() {
	jq -r --arg n "$1" --arg f "$2" '[.benchmarks[] | select(.run_name == $n
		and .run_type == "iteration")][0] | .[$f] // "absent"' "$w/out.json"
}
for n in window/window:8KiB window_sparse/window:8KiB chase_random; do
	ok "$(rep "dram/rows/$n" error_occurred)" = absent "$n ran: $(rep "dram/rows/$n" error_message)"
done
sparse=dram/rows/window_sparse/window:8KiB
case $(rep $sparse label) in
*"one line every 512 B"*) ok 1 "the sparse window says how sparse it is" ;;
*) ok 0 "the sparse window says how sparse it is: $(rep $sparse label)" ;;
esac
ok "$(rep $sparse huge_share)" = 1 "on huge pages, as the control needs"
ok "$(rep $sparse guard_migrations)" = 0 "guard counters on every row (no migration)"
done_testing
