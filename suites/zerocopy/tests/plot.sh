#!/usr/bin/env bash
# plot.sh - the zerocopy plot script on a synthetic run: it finds the
# crossover where two CPU curves cross (interpolated on a log scale) and
# says "none" where they do not, draws every plot whose benchmarks are
# there, and passes benchmark names to gnuplot as data only (a name with
# backticks and $(...) runs nothing). Curves and table rows are the
# benchmarks' family and case as the shim writes them, not their names:
# some names below say otherwise on purpose.
set -u
cd "$(dirname "$0")/../../.." || exit 2
. tests/lib/tap.sh
command -v gnuplot >/dev/null || skip_all "gnuplot is not installed"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
canary=$dir/canary

# entry NAME SIZE COUNTERS-JSON FAMILY CASE: two rounds of one repetition
# each.
entry() {
	jq -nc --arg n "$1" --argjson s "$2" --argjson c "$3" --arg f "$4" --arg k "$5" '
		range(1; 3) as $r
		| {name: "\($n)/real_time/threads:2",
		   run_name: "\($n)/real_time/threads:2", base_name: $n,
		   run_type: "iteration", repetitions: 1, repetition_index: 0,
		   round: $r, threads: 2, iterations: 100, real_time: 10,
		   cpu_time: 5, time_unit: "us", suite: "zerocopy",
		   flavor: "O2", status: "ok", family: $f, case: $k,
		   param: {name: "size", value: $s}} + $c'
}

{
	# send() falls from 10 to 2 ms per GiB, MSG_ZEROCOPY from 5 to 4:
	# the difference goes 5, 2, -2 at 1, 4, 64 KiB: a crossing halfway
	# (log scale) between 4 and 64 KiB, at 16 KiB. The MSG_ZEROCOPY
	# entries are named as io_uring send_zc: their fields say what they are.
	entry zerocopy/copy/size:1KiB 1024 '{"tx_cpu_ms_per_GiB": 10, "rx_cpu_ms_per_GiB": 9, "bytes_per_second": 1e8}' copy ""
	entry zerocopy/copy/size:4KiB 4096 '{"tx_cpu_ms_per_GiB": 8, "rx_cpu_ms_per_GiB": 8, "bytes_per_second": 2e8}' copy ""
	entry zerocopy/copy/size:64KiB 65536 '{"tx_cpu_ms_per_GiB": 2, "rx_cpu_ms_per_GiB": 2, "bytes_per_second": 1e9, "rx_syscalls_per_GiB": 16384, "tx_syscalls_per_GiB": 16384}' copy ""
	entry zerocopy/send/uring_send_zc/size:1KiB 1024 '{"tx_cpu_ms_per_GiB": 5, "bytes_per_second": 1e8, "tx_zc_share": 0}' send msg_zerocopy
	entry zerocopy/send/uring_send_zc/size:4KiB 4096 '{"tx_cpu_ms_per_GiB": 6, "bytes_per_second": 2e8, "tx_zc_share": 0}' send msg_zerocopy
	entry zerocopy/send/uring_send_zc/size:64KiB 65536 '{"tx_cpu_ms_per_GiB": 4, "bytes_per_second": 9e8, "tx_zc_share": 0, "tx_syscalls_per_GiB": 32768}' send msg_zerocopy
	# Whole-page receivers that never cross: tcp_zc costs more throughout.
	entry zerocopy/recv/aligned/read/size:4KiB 4096 '{"rx_cpu_ms_per_GiB": 3, "bytes_per_second": 1e8}' recv aligned/read
	entry zerocopy/recv/aligned/read/size:64KiB 65536 '{"rx_cpu_ms_per_GiB": 2, "bytes_per_second": 1e9}' recv aligned/read
	entry zerocopy/recv/aligned/tcp_zc/size:4KiB 4096 '{"rx_cpu_ms_per_GiB": 9, "bytes_per_second": 1e8, "rx_mapped_share": 1}' recv aligned/tcp_zc
	entry zerocopy/recv/aligned/tcp_zc/size:64KiB 65536 '{"rx_cpu_ms_per_GiB": 5, "bytes_per_second": 1e9, "rx_mapped_share": 1}' recv aligned/tcp_zc
	# splice, named as read to /dev/null.
	entry zerocopy/recv/read_devnull/size:64KiB 65536 '{"rx_cpu_ms_per_GiB": 1, "bytes_per_second": 1e9, "rx_syscalls_per_GiB": 32768}' recv splice
	# A hostile name and case: a results folder is untrusted input.
	entry "zerocopy/matrix/lo/\$(touch $canary)/\`touch $canary\`\"/size:64KiB" 65536 '{"bytes_per_second": 5e8, "rx_mapped_share": 0.5}' \
		matrix "lo/\$(touch $canary)/\`touch $canary\`\""
} | jq -s '{schema: "bench-run/1", run_id: "synthetic", status: "complete",
	context: {}, suites: [{suite: "zerocopy", flavor: "O2", status: "ok"}],
	benchmarks: .}' >"$dir/run.json"

check "the plot script runs on the synthetic run" \
	env PL_SUITE=zerocopy suites/zerocopy/plot "$dir/run.json" "$dir/plots"
for p in send-cpu send-throughput recv-cpu recv-throughput mapped zc-sent \
	syscalls matrix; do
	ok -s "$dir/plots/zerocopy-$p.svg" "zerocopy-$p.svg is drawn"
done
ok ! -e "$dir/plots/zerocopy-tls-cpu.svg" "a plot with no benchmarks is left out"
cap=$(cat "$dir/plots/zerocopy-send-cpu.caption" 2>/dev/null)
ok "$(grep -c 'send() cross: 16.0 KiB' <<<"$cap")" -eq 1 \
	"the send-side crossover is interpolated at 16 KiB"
ok "$(grep -c '>crossover<' "$dir/plots/zerocopy-send-cpu.svg")" -eq 1 \
	"the crossover is marked on the plot"
ok "$(grep -c '>crossover<' "$dir/plots/zerocopy-recv-cpu.svg")" -eq 0 \
	"and not where nothing crosses"
cap=$(cat "$dir/plots/zerocopy-recv-cpu.caption" 2>/dev/null)
ok "$(grep -c 'none in the sizes this run swept' <<<"$cap")" -eq 1 \
	"curves that do not cross say so"
is "$(tr '\t\n' ' ;' < "$dir/plots/data/zerocopy-syscalls.tsv")" \
	"copy 16384 16384;recv/splice 32768 -;send/msg_zerocopy - 32768;" \
	"system calls per family and case, whatever the names say"
ok ! -s "$dir/plots/data/zerocopy-send-throughput-usendzc.tsv" -a \
	-s "$dir/plots/data/zerocopy-send-throughput-mzc.tsv" \
	"a curve is the family and case its points carry"
ok ! -e "$canary" "a benchmark name runs nothing"
done_testing
