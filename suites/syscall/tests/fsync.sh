#!/usr/bin/env bash
# fsync.sh - appending and overwriting rows run at the test profile: one
# iteration of 20 records per repetition, each timed, the file's size and
# last record checked by the case itself (a wrong one fails the run).
cd "$(dirname "$0")/../../.." || exit 2
. tests/lib/tap.sh

bin=$BUILD/O2/bench_syscall
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
mkdir "$w/data"
"$bin" --bench_profile=test --bench_data_dir="$w/data" \
	--benchmark_filter='fsync/(overwrite/)?(none|fdatasync)/record:4KiB' \
	--benchmark_out="$w/out.json" --benchmark_out_format=json >"$w/log" 2>&1
is "$?" 0 "appending and overwriting rows run and verify"
rep() {
	jq -r --arg n "$1" --arg f "$2" '[.benchmarks[] | select((.run_name
		| startswith($n + "/")) and .run_type == "iteration")][0]
		| .[$f] // "absent"' "$w/out.json"
}
for v in fdatasync overwrite/fdatasync none overwrite/none; do
	n=syscall/fsync/$v/record:4KiB
	is "$(rep "$n" samples)" 20 "$v: 20 records timed one by one"
	is "$(rep "$n" iterations)" 1 "$v: one iteration per repetition"
done
case $(rep syscall/fsync/overwrite/fdatasync/record:4KiB label) in
*overwriting*) ok 1 "the overwriting row says so" ;;
*) ok 0 "the overwriting row says so" ;;
esac
case $(rep syscall/fsync/fdatasync/record:4KiB label) in
*appending*) ok 1 "the appending row says so" ;;
*) ok 0 "the appending row says so" ;;
esac
left=$(find "$w/data" -mindepth 1 | head -3)
is "$left" "" "no file left behind"
done_testing
