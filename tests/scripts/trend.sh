#!/usr/bin/env bash
# trend.sh - benchstat trend on constructed runs: machines told apart by
# their context, runs ordered by start, and the step fit's change points:
# a 15% step found at the right run, no step in a flat noisy series nor
# for a change under the threshold, unstable results left out, a drop in
# throughput a regression.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/lib/fixtures.sh

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
bs=$BUILD/O2/tools/benchstat

# run N STARTED HOST STEP SMALL: a run of three rounds. s/f/step is 100 ns
# times STEP, s/f/small 100 ns times SMALL, s/f/flat 100 ns with 1% of
# noise that differs from run to run, s/f/rate a throughput counter.
run() {
	local n=$1 started=$2 host=$3 step=$4 small=$5 noise
	noise=$(awk -v n="$n" 'BEGIN { print 1 + ((n * 7) % 5 - 2) / 200 }')
	mkrun "$w/r$n/run.json" \
		"s|O2|s/f/step|$(awk -v s="$step" 'BEGIN { printf "%g %g;%g %g;%g %g", 100*s, 101*s, 99*s, 100*s, 100.5*s, 99.5*s }')" \
		"s|O2|s/f/small|$(awk -v s="$small" 'BEGIN { printf "%g %g;%g %g;%g %g", 100*s, 101*s, 99*s, 100*s, 100.5*s, 99.5*s }')" \
		"s|O2|s/f/flat|$(awk -v s="$noise" 'BEGIN { printf "%g %g;%g %g;%g %g", 100*s, 101*s, 99*s, 100*s, 100.5*s, 99.5*s }')" \
		"s|O2|s/f/rate|100 101;99 100;100.5 99.5|bytes_per_second=$(awk -v s="$step" 'BEGIN { print 1e9 / s }')"
	jq --arg s "$started" --arg h "$host" '.run_id = "run-\($s)" | .started = $s | .host = $h
		| .context = {cpu_model: "CPU \($h)  ", topo_cores: "2", mem_total_bytes: "1073741824",
			      kernel: "Linux 6.18", hypervisor: "KVM", host_name: $h}' \
		"$w/r$n/run.json" > "$w/t" && mv "$w/t" "$w/r$n/run.json"
}
mkdir -p "$w"/r{1,2,3,4,5,6}
run 1 2026-01-01T00:00:00+00:00 a 1 1
run 2 2026-01-02T00:00:00+00:00 a 1 1
run 3 2026-01-03T00:00:00+00:00 a 1.15 1.03
run 4 2026-01-04T00:00:00+00:00 a 1.15 1.03
run 5 2026-01-05T00:00:00+00:00 a 1.15 1.03
run 6 2026-01-02T12:00:00+00:00 b 0.7 0.7

# Arguments in no particular order: the runs are ordered by their start.
"$bs" trend "$w"/r{5,1,6,3,2,4}/run.json --json > "$w/t.json"
is "$?" 0 "benchstat trend reads six runs"
is "$(jq '.machines | length' "$w/t.json")" 2 "two machines, told apart by their context"
is "$(jq -r '.machines[0].runs | map(.folder) | join(" ")' "$w/t.json")" "r1 r2 r3 r4 r5" \
	"the first machine's runs, ordered by start, named by their folder"
is "$(jq -r '.machines[0].identity | "\(.cpu_model)|\(.host)|\(.cores)"' "$w/t.json")" "CPU a|a|2" \
	"its identity from the context, padding trimmed"
ok "$(jq -r '.machines[0].id' "$w/t.json")" != "$(jq -r '.machines[1].id' "$w/t.json")" \
	"each machine has its own id"
series() { jq -c --arg n "$1" '.machines[0].series[] | select(.name == $n)' "$w/t.json"; }
is "$(series s/f/step | jq -c '[.steps[] | .run, .previous_run, .regression]')" "[2,1,true]" \
	"a 15% slowdown is one change point, between the second and third runs, a regression"
is "$(series s/f/step | jq '.steps[0].ratio * 100 | round')" 115 "of 1.15x"
is "$(series s/f/step | jq '.levels | length')" 2 "the fit has two levels"
is "$(series s/f/flat | jq '.steps | length')" 0 "no change point in a flat series with 1% of noise"
is "$(series s/f/small | jq '.steps | length')" 0 "nor for a 3% change, under the 5% threshold"
"$bs" trend "$w"/r{1,2,3,4,5}/run.json --json --metric bytes_per_second > "$w/rate.json"
is "$(jq -c '.machines[0].series[] | select(.name == "s/f/rate") | [.metric, .higher_is_better, (.steps[] | .regression, .change)]' "$w/rate.json")" \
	'["bytes_per_second",true,true,"worse"]' "less throughput is a regression too"
is "$(series s/f/step | jq '[.points[] | select(.ci_low < .value and .ci_high > .value)] | length')" 5 \
	"every point carries the interval from its rounds"
is "$(series s/f/step | jq -c '[.points[].rounds] | unique')" "[3]" "and how many rounds it rests on"

# An unstable result does not make a change point.
jq '(.benchmarks[] | select(.run_name == "s/f/flat")) |= (.real_time *= 1.5 | .cpu_time *= 1.5
	| .unstable = "contended: real time ran 1.5x its CPU time")' "$w/r4/run.json" > "$w/t" && mv "$w/t" "$w/r4/run.json"
"$bs" trend "$w"/r{1,2,3,4,5}/run.json --json > "$w/t.json"
is "$(series s/f/flat | jq '.steps | length')" 0 "an unstable point is left out of the fit"
is "$(series s/f/flat | jq -r '.points[3].unstable')" "contended: real time ran 1.5x its CPU time" \
	"and shown with its reason"

# One round: a figure without an interval; a skipped benchmark: its reason.
mkdir -p "$w/one"
mkrun "$w/one/run.json" "s|O2|s/f/step|100 101 102;"
jq '.benchmarks += [.benchmarks[0] | .run_name = "s/f/gone" | .name = "s/f/gone"
	| .status = "skipped" | .reason = "no io_uring: Operation not permitted"]' \
	"$w/one/run.json" > "$w/t" && mv "$w/t" "$w/one/run.json"
"$bs" trend "$w/one/run.json" --json > "$w/t.json"
is "$(jq '.machines[0].series[0].points[0] | [.value, has("ci_low")] | tostring' "$w/t.json")" '"[101,false]"' \
	"one round gives the median of its repetitions, without an interval"
is "$(jq -r '.machines[0].series[] | select(.name == "s/f/gone") | .points[0] | "\(.status): \(.reason)"' "$w/t.json")" \
	"skipped: no io_uring: Operation not permitted" "a skipped benchmark keeps its reason"

out=$("$bs" trend "$w"/r{1,2,3,4,5}/run.json)
ok "$(grep -c 's/f/step .*+15.0% at run-2026-01-03.*REGRESSION' <<<"$out")" -eq 1 \
	"the text form lists the change point"
fails "no runs: exit 2" 2 "$bs" trend
echo '{}' > "$w/bad.json"
fails "a file that is not a run: exit 2" 2 "$bs" trend "$w/bad.json"
done_testing
