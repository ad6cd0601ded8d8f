# fixtures.sh - synthetic runs for the script tests (sourced after tap.sh).

# raw_entries NAME VALUES: Google Benchmark iteration entries for one
# benchmark, one per value (ns), as JSON lines. VALUES are separated by
# spaces; ";" separates rounds ("100 101;102 103" is two rounds of two
# repetitions). Without any ";", every value is a round of its own.
raw_entries() {
	local name=$1 vals=$2
	jq -nc --arg n "$name" --arg vals "$vals" '
		($vals | if test(";") then split(";") else split(" ") | map(select(length > 0)) end
		 | map(split(" ") | map(select(length > 0) | tonumber))) as $rounds
		| $rounds | to_entries[] | .key as $k | .value as $reps
		| $reps | to_entries[]
		| {name: $n, run_name: $n, run_type: "iteration",
		   repetitions: ($reps | length), repetition_index: .key, round: ($k + 1),
		   threads: 1, iterations: 1000, real_time: .value, cpu_time: .value,
		   time_unit: "ns"}'
}

# mkrun FILE SPEC...: a run.json where each SPEC is "suite|flavor|name|VALUES"
# (VALUES as for raw_entries) optionally followed by "|counter=value" pairs
# added to every entry, and by "|STRUCTURE": a JSON object of the fields
# the shim writes (family, case, param; see st) added to every entry.
mkrun() {
	local out=$1 spec suite flavor name vals extra fields
	shift
	local tmp
	tmp=$(mktemp)
	for spec in "$@"; do
		IFS='|' read -r suite flavor name vals extra fields <<<"$spec"
		raw_entries "$name" "$vals" | jq -c --arg s "$suite" --arg f "$flavor" --arg extra "${extra:-}" \
			--argjson st "${fields:-{\}}" '
			. + {suite: $s, flavor: $f, status: "ok", base_name: .run_name}
			+ ($extra | split(",") | map(select(length > 0) | split("=")
			   | {(.[0]): (.[1] | tonumber)}) | add // {})
			+ $st' >> "$tmp"
	done
	jq -s '{schema: "bench-run/1", run_id: "synthetic", status: "complete",
		finished: "2026-01-01T00:00:00+00:00", context: {},
		suites: (map({suite, flavor}) | unique | map(. + {status: "ok",
			exit_code: 0, seconds: 1, raw: "raw/x.json", context: {},
			notes: [], benchmarks: 1})),
		benchmarks: .}' "$tmp" > "$out"
	rm -f "$tmp"
}

# st FAMILY CASE [PARAM_NAME VALUE]: the structure fields of one benchmark
# as the shim writes them, for mkrun's STRUCTURE: a fixture states them
# instead of leaving them to be read back from its name.
st() {
	jq -nc --arg f "$1" --arg c "$2" --arg pn "${3:-}" --arg pv "${4:-}" '
		{family: $f, case: $c}
		+ (if $pn == "" then {} else {param: {name: $pn, value: ($pv | tonumber)}} end)'
}

# harness_raw FILE: a real raw Google Benchmark JSON from the harness suite.
harness_raw() {
	"$BUILD/O2/bench_harness" --bench_profile=test --benchmark_out="$1" \
		--benchmark_out_format=json >/dev/null 2>&1
}

# run_dir_for DIR RAW SUITE FLAVOR: a run folder holding RAW as that suite's output.
run_dir_for() {
	local d=$1 raw=$2 suite=$3 flavor=$4
	mkdir -p "$d/raw" "$d/logs"
	[ -n "$raw" ] && cp "$raw" "$d/raw/$suite-$flavor.json"
	jq -nc --arg s "$suite" --arg f "$flavor" \
		'{suite: $s, flavor: $f, status: "ok", exit_code: 0, seconds: 1,
		  raw: "raw/\($s)-\($f).json"}' >> "$d/logs/suites.jsonl"
}
