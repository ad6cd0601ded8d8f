#!/usr/bin/env bash
# cleanup.sh - the suite binary leaves nothing in its data directory: after
# a normal run, after benchmarks that fail or skip because a write is
# refused (a file-size limit, with SIGXFSZ ignored so writes return
# EFBIG), and after SIGTERM in the middle of a run.
set -u
BUILD=${BUILD:-build}
bin=$BUILD/O2/bench_syscall
n=0
fails=0
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
	fi
}
left() {
	find "$1" -mindepth 1 | head -5
}

if [ ! -x "$bin" ]; then
	echo "1..0 # SKIP $bin not built"
	exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
files='combine/cached/pread|crossing/pread_cached|fsync/fsync/|runtime/c/read_1m'

"$bin" --bench_profile=test --bench_data_dir="$dir" \
	--benchmark_filter="$files" --benchmark_format=json \
	>"$dir.json" 2>/dev/null
rc=$?
ok $rc "a test-profile run of the file-making benchmarks succeeds"
ok "$(jq '[.benchmarks[] | select(.error_occurred)] | length' "$dir.json")" \
	"and none of them failed or skipped"
[ -z "$(left "$dir")" ]
ok $? "nothing left after a normal run"

# 256 KiB at most per file: the scan file (2 MiB), the runtime's 1 MiB
# file and the 64 KiB appends beyond the fourth all hit the limit.
(
	trap '' XFSZ
	ulimit -f 256
	exec "$bin" --bench_profile=test --bench_data_dir="$dir" \
		--benchmark_filter="$files" --benchmark_format=json
) >"$dir.json" 2>/dev/null
rc=$?
ok $((rc == 1 ? 0 : 1)) "refused writes make the run fail (status $rc)"
ok $((1 - $(jq '[.benchmarks[] | select(.error_message // "" |
	startswith("failed"))] | length > 0' "$dir.json" | grep -c true))) \
	"a benchmark failed mid-run"
ok $((1 - $(jq '[.benchmarks[] | select(.error_message // "" |
	startswith("skipped: cannot create"))] | length > 0' "$dir.json" |
	grep -c true))) "a benchmark skipped at set-up"
[ -z "$(left "$dir")" ]
ok $? "nothing left after failures: $(left "$dir" | tr '\n' ' ')"

# SIGTERM while fsync appends are running (the quick profile's take
# a second or more).
"$bin" --bench_profile=quick --bench_data_dir="$dir" \
	--benchmark_filter='fsync/fdatasync' >/dev/null 2>&1 &
pid=$!
for _ in $(seq 50); do
	[ -n "$(left "$dir")" ] && break
	sleep 0.1
done
[ -n "$(left "$dir")" ]
ok $? "a file exists while the benchmark runs"
kill -TERM $pid
wait $pid
rc=$?
ok $((rc == 143 ? 0 : 1)) "SIGTERM ends the run (status $rc)"
[ -z "$(left "$dir")" ]
ok $? "nothing left after SIGTERM: $(left "$dir" | tr '\n' ' ')"

rm -f "$dir.json"
echo "1..$n"
[ $fails -eq 0 ]
