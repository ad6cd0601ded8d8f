#!/usr/bin/env bash
# series.sh - the numbers plots draw come from the analysis tool: series
# points in order of their argument with the interval from the rounds, and
# the knees of a latency curve (a smeared rise counts once, small rises
# are not knees, the plateau starts where every larger size is at least
# half the top); every metric at once for bench.jq's series(); a flavor
# comparison restricted to one suite.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/lib/fixtures.sh

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
bs=$BUILD/O2/tools/benchstat

specs=()
s=4096
for v in 1.0 1.1 0.95 1.05 4 4.1 4 4.2 12 12 12.5 12 13 13.5 100 105 108 110 112; do
	specs+=("dram|O2|dram/chase/thp/size:$s|$v $v $v")
	s=$((s * 2))
done
specs+=("dram|O2|dram/other/x|5 5 5")
mkrun "$w/run.json" "${specs[@]}"
jq '.benchmarks[] |= (. + {base_name: .run_name}
	| if (.run_name | test("size:")) then .param = {name: "size",
	  value: (.run_name | capture("size:(?<s>[0-9]+)").s | tonumber)} else . end)' \
	"$w/run.json" > "$w/r.json"

"$bs" series "$w/r.json" --match '^dram/chase/thp/' > "$w/s.json"
is "$?" 0 "series of a curve"
is "$(jq 'length' "$w/s.json")" 19 "one point per size"
is "$(jq -c '[.[0:3][] | .param]' "$w/s.json")" "[4096,8192,16384]" "in the order of the argument"
is "$(jq -c '.[4] | [.median, .rounds, (.ci_low == .ci_high)]' "$w/s.json")" "[4,3,true]" \
	"median, rounds, and the interval of identical rounds is a point"
fails "series needs --match" 2 "$bs" series "$w/r.json"
fails "a bad regex is an error" 2 "$bs" series "$w/r.json" --match '('

"$bs" knees "$w/r.json" --match '^dram/chase/thp/' > "$w/k.json"
is "$(jq -c '[.[0].knees[] | [.from_size, .to_size]]' "$w/k.json")" \
	"[[32768,65536],[524288,1048576],[33554432,67108864]]" "three knees, the wiggles ignored"
is "$(jq '.[0].plateau_from' "$w/k.json")" 67108864 "the plateau starts at 64 MiB"

# A rise smeared over two steps counts once, at its steepest.
specs=()
s=1024
for v in 1 1 1.5 6 7 7; do specs+=("d|O2|d/c/size:$s|$v $v $v"); s=$((s * 2)); done
mkrun "$w/smear.json" "${specs[@]}"
jq '.benchmarks[] |= (. + {base_name: .run_name, param: {name: "size",
	value: (.run_name | capture("size:(?<s>[0-9]+)").s | tonumber)}})' "$w/smear.json" > "$w/sm.json"
is "$("$bs" knees "$w/sm.json" --match '^d/c/' | jq -c '[.[0].knees[] | [.from_size, .to_size]]')" \
	"[[4096,8192]]" "a smeared rise gives one knee, at its steepest step"
# Rises under 30% are not knees.
mkrun "$w/flat.json" "d|O2|d/c/size:1|10 10" "d|O2|d/c/size:2|12 12" "d|O2|d/c/size:4|11 11"
jq '.benchmarks[] |= (. + {base_name: .run_name, param: {name: "size",
	value: (.run_name | capture("size:(?<s>[0-9]+)").s | tonumber)}})' "$w/flat.json" > "$w/fl.json"
is "$("$bs" knees "$w/fl.json" --match '^d/c/' | jq -c '.[0].knees')" "[]" "rises under 30% are not knees"

# --metric all: every metric of each point, times in ns, what bench.jq's
# series() selects for the plots.
jq '.benchmarks[] |= if .param.value == 4096 then . + {time_unit: "us", bytes_per_second: 7} else . end' "$w/r.json" > "$w/u.json"
"$bs" series "$w/u.json" --match . --metric all > "$w/all.json"
is "$(jq -c '.[] | select(.param == 4096) | .metrics | [.real_time.median, .bytes_per_second.median, has("iterations")]' "$w/all.json")" \
	"[1000,7,false]" "every metric, times in ns, structure fields left out"
is "$(jq -r -L scripts/lib --slurpfile series "$w/all.json" 'include "bench";
	series("^dram/chase/thp/size:8192$"; "cpu_time"; "O2") | .[0].median' "$w/u.json")" 1.1 \
	"bench.jq's series() reads benchstat's points"

# flavors --match: the geomean over one suite's benchmarks only.
mkrun "$w/fv.json" "a|O2|a/x|10 10 10" "a|O3|a/x|5 5 5" "b|O2|b/y|10 10 10" "b|O3|b/y|20 20 20"
is "$("$bs" flavors "$w/fv.json" --baseline O2 --match '^a/' --json | jq -c '[.flavors[0].benchmarks, .flavors[0].best]')" \
	'[1,"a/x"]' "flavors --match compares the matching benchmarks only"
done_testing
