#!/usr/bin/env bash
# crossing.sh - the crossing cases report the syscalls of the loop they
# time, as the harness counted them: exactly one per call, none for the
# vDSO, and every pread of read_fit's sweep.
cd "$(dirname "$0")/../../.." || exit 2
. tests/lib/tap.sh

bin=$BUILD/O2/bench_syscall
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
"$bin" --bench_profile=test --bench_data_dir="$w" --benchmark_filter=crossing \
	--benchmark_out="$w/out.json" --benchmark_out_format=json >/dev/null 2>&1
is "$?" 0 "the crossing cases run and verify"
s() { jq -r --arg n "$1" '[.benchmarks[] | select(.run_name == $n)][0].syscalls // "absent"' "$w/out.json"; }
if [ "$(s syscall/crossing/getppid)" = absent ]; then
	why=$(jq -r '.benchmarks[0].label' "$w/out.json")
	ok "$(printf '%s\n' "$why" | grep -c 'not counted: syscalls')" -eq 1 \
		"syscalls not countable here, and the label says why"
	ok 1 "# SKIP exact syscalls per call: $why"
else
	for n in getppid clock_gettime_syscall read_devzero write_devnull pread_cached/size:4KiB; do
		is "$(s "syscall/crossing/$n")" 1 "$n: one syscall per call"
	done
	is "$(s syscall/crossing/clock_gettime_vdso)" 0 "vDSO clock read: no syscall"
	# test profile: 1 B, 4 KiB, 64 KiB at 256, 64 and 4 calls.
	is "$(s syscall/crossing/read_fit)" 324 "read_fit: every pread of the sweep"
fi
done_testing
