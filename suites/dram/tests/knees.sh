#!/bin/bash
# knees.sh - the latency curve's knees are found where the curve bends,
# matched to hwloc's caches, and a last-level cache the curve contradicts
# is called out; the plot script draws from synthetic runs (the knees
# are benchstat's, worded by knees.jq).
. "$BENCH_TOP/tests/lib/tap.sh" 2>/dev/null ||
	. "$(dirname "$0")/../../../tests/lib/tap.sh"

HERE=$BENCH_TOP/suites/dram
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run_json OUT L1 L2 L3 "size:ns size:ns ..." [EXTRA_BENCHMARKS_JSON]
# A run with three repetitions per size of dram/chase/thp (ns, ns*1.02,
# ns*0.98) and the cache sizes in its context.
run_json() {
	local out=$1 l1=$2 l2=$3 l3=$4 pts=$5 extra=${6:-[]}
	jq -n --arg pts "$pts" --arg l1 "$l1" --arg l2 "$l2" --arg l3 "$l3" \
		--argjson extra "$extra" '
		def hb: if . % 1073741824 == 0 then "\(. / 1073741824)GiB"
			elif . % 1048576 == 0 then "\(. / 1048576)MiB"
			else "\(. / 1024)KiB" end;
		{context: {topo_l1_bytes: $l1, topo_l2_bytes: $l2,
			   topo_l3_bytes: $l3},
		 benchmarks: ([$pts | split(" ")[] | split(":")
			| {s: (.[0] | tonumber), ns: (.[1] | tonumber)}
			| . as $p | (1, 1.02, 0.98)
			| {name: "dram/chase/thp/size:\($p.s | hb)",
			   run_name: "dram/chase/thp/size:\($p.s | hb)",
			   run_type: "iteration", suite: "dram", flavor: "O2",
			   status: "ok", time_unit: "ns", family: "chase", case: "thp",
			   param: {name: "size", value: $p.s},
			   real_time: ($p.ns * .), cpu_time: ($p.ns * .)}]
			+ $extra)}' > "$out"
}

# curve SIZE_LO "ns ns ns ...": points at powers of two from SIZE_LO.
curve() {
	local s=$1 out=
	shift
	for v in $*; do
		out="$out${out:+ }$s:$v"
		s=$((s * 2))
	done
	printf '%s' "$out"
}

K=1024
M=1048576

# A healthy machine: L1 48 KiB, L2 1 MiB, L3 32 MiB, plateau from 64 MiB,
# with 10% wiggles inside the L1 plateau.
pts=$(curve 4096 1.0 1.1 0.95 1.05 4 4.1 4 4.2 12 12 12.5 12 13 13.5 100 105 108 110 112)
run_json "$tmp/good.json" $((48 * K)) $M $((32 * M)) "$pts"
check "plot runs on a healthy curve" "$HERE/plot" "$tmp/good.json" "$tmp/good"
ok -s "$tmp/good/dram-latency.svg" "latency plot drawn"
cap=$(cat "$tmp/good/dram-latency.caption" 2>/dev/null)
is "$(cut -f2,3 "$tmp/good/data/dram-knees.tsv" | tr '\t\n' '- ')" \
	"32768-65536 524288-1048576 33554432-67108864 " \
	"three knees: L1, L2, L3 boundaries (wiggles ignored)"
ok "$(grep -c 'L1 48KiB has a knee' <<<"$cap")" -eq 1 "L1 matched"
ok "$(grep -c 'L2 1MiB has a knee' <<<"$cap")" -eq 1 "L2 matched"
ok "$(grep -c 'L3 32MiB has a knee' <<<"$cap")" -eq 1 "L3 matched"
ok "$(grep -c 'from 64MiB' <<<"$cap")" -eq 1 "plateau from 64 MiB"
ok "$(grep -c 'agrees' <<<"$cap")" -eq 1 "no disagreement reported"
ok "$(grep -c DISAGREEMENT <<<"$cap")" -eq 0 "no disagreement word"

# The VM case: hwloc says 300 MiB of L3, the curve is at DRAM by 16 MiB.
pts=$(curve 4096 1 1 1 1 4 4 4 4 12 12 12 12 150 152 155 158 160 162 165 170)
run_json "$tmp/vm.json" $((48 * K)) $M $((300 * M)) "$pts"
check "plot runs on the VM curve" "$HERE/plot" "$tmp/vm.json" "$tmp/vm"
cap=$(cat "$tmp/vm/dram-latency.caption" 2>/dev/null)
ok "$(grep -c 'DISAGREEMENT' <<<"$cap")" -eq 1 "the 300 MiB L3 is called out"
ok "$(grep -c 'L3 300MiB has no knee near it' <<<"$cap")" -eq 1 \
	"no knee near the reported L3"
ok "$(grep -c 'from 16MiB' <<<"$cap")" -eq 1 "plateau from 16 MiB"
ok "$(grep -c 'Knees near no reported cache: 8MiB->16MiB' <<<"$cap")" -eq 1 \
	"the knee the curve shows instead is named"

# The detection itself (a smeared rise counts once, small rises are not
# knees) is benchstat's, tested in tests/scripts/series.sh; the data file
# holds what benchstat found.
is "$(cut -f6 "$tmp/good/data/dram-knees.tsv" | head -1 | awk '{ printf "%.2f", $1 }')" \
	"$(awk 'BEGIN { printf "%.2f", 4 / 1.05 }')" "the knee's ratio is the rise it measured"
# Allocation plot from names carrying a suffix after the size.
extra=$(jq -n '[("malloc", "mmap", "arena") as $k | (4, 64, 2048) as $s
	| {name: "dram/alloc/\($k)/size:\($s)B/iterations:1",
	   run_name: "dram/alloc/\($k)/size:\($s)B/iterations:1",
	   run_type: "iteration", suite: "dram", flavor: "O2", status: "ok",
	   family: "alloc", case: $k,
	   time_unit: "ns", param: {name: "size", value: $s},
	   real_time: 1000, cpu_time: 1000, items_per_second: 1e6,
	   rss_ratio: (if $k == "mmap" then 4096 / $s else 1 end),
	   page_ratio: (4096 / $s)}]')
run_json "$tmp/alloc.json" $((48 * K)) $M $((32 * M)) "$(curve 4096 1 1)" "$extra"
check "plot runs with allocation results" "$HERE/plot" "$tmp/alloc.json" "$tmp/alloc"
ok -s "$tmp/alloc/dram-alloc.svg" "RSS overhead plot drawn"
is "$(cut -f1,2 "$tmp/alloc/data/dram-alloc-mmap.tsv" | tr '\t\n' ': ')" \
	"4:1024 64:64 2048:2 " "RSS overhead per object size"

# Backings without root: bars drawn, adjacency said to be unknown.
extra=$(jq -n '[("chase", "scan") as $f | ("huge", "inorder", "shuffled") as $k
	| {name: "dram/backing/\($f)/\($k)/size:256MiB", family: "backing", case: "\($f)/\($k)",
	   run_name: "dram/backing/\($f)/\($k)/size:256MiB",
	   run_type: "iteration", suite: "dram", flavor: "O2", status: "ok",
	   time_unit: "ns", real_time: 150, cpu_time: 150,
	   bytes_per_second: 2e10, huge_share: 0}]')
run_json "$tmp/back.json" $((48 * K)) $M $((32 * M)) "$(curve 4096 1 1)" "$extra"
check "plot runs with backings and no pagemap" "$HERE/plot" "$tmp/back.json" "$tmp/back"
is "$(wc -l < "$tmp/back/data/dram-backing-chase.tsv")" 3 "three backing bars"
ok "$(grep -c 'not measured' "$tmp/back/dram-backing-chase.caption")" -eq 1 \
	"the caption says adjacency was not measured"

# A run that is not JSON: the script says so and fails.
echo 'not json' > "$tmp/bad.json"
"$HERE/plot" "$tmp/bad.json" "$tmp/bad" >/dev/null 2>&1
ok $? -ne 0 "an unreadable run fails the plot script"

# Nothing of the suite in the run: nothing drawn, no error.
jq -n '{context: {}, benchmarks: []}' > "$tmp/empty.json"
check "plot runs on an empty run" "$HERE/plot" "$tmp/empty.json" "$tmp/empty"
ok "$(ls "$tmp/empty"/*.svg 2>/dev/null | wc -l)" -eq 0 "no plots drawn"

done_testing
