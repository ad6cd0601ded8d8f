#!/usr/bin/env bash
# loops.sh - the three loop forms the harness claims compare all run, the
# native reference among them (it is registered apart from the case
# tables), with the same repetitions and their guard counters.
cd "$(dirname "$0")/../../.." || exit 2
. tests/lib/tap.sh

bin=$BUILD/O2/bench_harness
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
"$bin" --bench_profile=test --benchmark_filter='^harness/loop/' \
	--benchmark_out="$w/out.json" --benchmark_out_format=json >/dev/null 2>&1
is "$?" 0 "the loop forms run"
for f in native batched per_iteration; do
	n=$(jq --arg f "$f" '[.benchmarks[] | select(.run_type == "iteration"
		and (.run_name | startswith("harness/loop/" + $f + "/")))
		| select(.guard_invol_cs != null and .guard_cpu != null)]
		| length' "$w/out.json")
	is "$n" 10 "$f: ten repetitions, each with its guard counters"
done
done_testing
