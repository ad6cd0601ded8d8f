#!/usr/bin/env bash
# cleanup.sh - the suite binary leaves nothing in its data directory: after
# a normal run, after benchmarks that fail or skip because a write is
# refused (a file-size limit, with SIGXFSZ ignored so writes return
# EFBIG), and after SIGTERM in the middle of a run.
set -u
cd "$(dirname "$0")/../../.." || exit 2
. tests/lib/tap.sh
bin=$BUILD/O2/bench_syscall
left() {
	find "$1" -mindepth 1 | head -5
}

ok -x "$bin" "the suite binary is built"
[ -x "$bin" ] || { done_testing; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir" "$dir.json"' EXIT
files='combine/cached/pread|crossing/pread_cached|fsync/fsync/|runtime/c/read_1m'

"$bin" --bench_profile=test --bench_data_dir="$dir" \
	--benchmark_filter="$files" --benchmark_format=json \
	>"$dir.json" 2>/dev/null
rc=$?
is "$rc" 0 "a test-profile run of the file-making benchmarks succeeds"
is "$(jq '[.benchmarks[] | select(.error_occurred)] | length' "$dir.json")" 0 \
	"and none of them failed or skipped"
is "$(left "$dir")" "" "nothing left after a normal run"

# 256 KiB at most per file: the scan file (2 MiB), the runtime's 1 MiB
# file and the 64 KiB appends beyond the fourth all hit the limit.
(
	trap '' XFSZ
	ulimit -f 256
	exec "$bin" --bench_profile=test --bench_data_dir="$dir" \
		--benchmark_filter="$files" --benchmark_format=json
) >"$dir.json" 2>/dev/null
rc=$?
is "$rc" 1 "refused writes make the run fail"
is "$(jq '[.benchmarks[] | select(.error_message // "" |
	startswith("failed"))] | length > 0' "$dir.json")" true \
	"a benchmark failed mid-run"
is "$(jq '[.benchmarks[] | select(.error_message // "" |
	startswith("skipped: cannot create"))] | length > 0' "$dir.json")" true \
	"a benchmark skipped at set-up"
is "$(left "$dir")" "" "nothing left after failures"

# SIGTERM while fsync appends are running (a quick repetition takes about
# 10 ms: repeated enough to last seconds).
"$bin" --bench_profile=quick --bench_data_dir="$dir" \
	--benchmark_filter='fsync/fdatasync' --benchmark_repetitions=1000 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 50); do
	[ -n "$(left "$dir")" ] && break
	sleep 0.1
done
ok -n "$(left "$dir")" "a file exists while the benchmark runs"
kill -TERM $pid
wait $pid
is "$?" 143 "SIGTERM ends the run"
is "$(left "$dir")" "" "nothing left after SIGTERM"
done_testing
