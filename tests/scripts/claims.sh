#!/usr/bin/env bash
# claims.sh - the verdict rules on constructed runs with known rounds:
# every claim kind, the effect floor, "not testable" apart from
# "inconclusive", unstable results, one round giving no interval.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/lib/fixtures.sh

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
bs=$BUILD/O2/tools/benchstat

# Values are rounds (one process each) unless ";" groups repetitions.
mkrun "$w/run.json" \
	"s|O2|s/f/slow|100 101 102 103 104 99 98" \
	"s|O2|s/f/fast|50 51 49 50.5 49.5 50 51" \
	"s|O2|s/f/fastish|90 91 89 90 91 90 89" \
	"s|O2|s/f/same|100.5 100 101 99.5 100 102 98" \
	"s|O2|s/f/edge|99 99.5 99 98.5 99 99.5 98.5" \
	"s|O2|s/f/noisy|60 140 70 130 50 150 100" \
	"s|O2|s/f/one_a|100 101 102;" \
	"s|O2|s/f/one_b|50 51 49;" \
	"s|O2|s/w/size:4096|10 10.1 10.2 9.9 9.8|lines=3" \
	"s|O2|s/w/size:65536|20 20.1 20.2 19.9 19.8|lines=3" \
	"s|O2|s/w/size:1048576|40 40.1 40.2 39.9 39.8|lines=6,want=6.2" \
	"s|O2|s/k/a|100 101 99 100 102" "s|O3|s/k/a|80 80.8 79.2 80 81.6" \
	"s|O2|s/k/b|100 101 99 100 102" "s|O3|s/k/b|125 126.25 123.75 125 127.5" \
	"s|O2|s/k/c|100 101 99 100 102" "s|O3|s/k/c|50 50.5 49.5 50 51"
check "synthetic run validates" scripts/validate "$w/run.json"

cat > "$w/claims.json" <<'JSON'
{ "suite": "s", "claims": [
  { "id": "holds", "claim": "fast beats slow", "baseline": "s/f/slow", "candidate": "s/f/fast", "expect": "lower", "min_ratio": 1.5 },
  { "id": "too-small", "claim": "fastish is 2x", "baseline": "s/f/slow", "candidate": "s/f/fastish", "expect": "lower", "min_ratio": 2 },
  { "id": "wrong-way", "claim": "slow beats fast", "baseline": "s/f/fast", "candidate": "s/f/slow", "expect": "lower", "min_ratio": 1.05 },
  { "id": "floor", "claim": "edge beats slow by 5%", "baseline": "s/f/slow", "candidate": "s/f/edge", "expect": "lower", "min_ratio": 1.05 },
  { "id": "noisy", "claim": "noisy beats slow", "baseline": "s/f/slow", "candidate": "s/f/noisy", "expect": "lower", "min_ratio": 1.05 },
  { "id": "one-round", "claim": "one round", "baseline": "s/f/one_a", "candidate": "s/f/one_b", "expect": "lower", "min_ratio": 1.5 },
  { "id": "same", "claim": "same is the same", "baseline": "s/f/slow", "candidate": "s/f/same", "expect": "same", "tolerance": 0.05 },
  { "id": "not-same", "claim": "fast is the same as slow", "baseline": "s/f/slow", "candidate": "s/f/fast", "expect": "same", "tolerance": 0.05 },
  { "id": "higher", "claim": "slow is higher", "baseline": "s/f/fast", "candidate": "s/f/slow", "expect": "higher", "min_ratio": 1.5 },
  { "id": "upper", "claim": "fast beats slow by at most 1.5x", "baseline": "s/f/slow", "candidate": "s/f/fast", "expect": "lower", "min_ratio": 1.05, "max_ratio": 1.5 },
  { "id": "max", "claim": "largest size", "kind": "value", "benchmark": "s/w/size:{max}", "metric": "real_time", "min": 39, "max": 41 },
  { "id": "min", "claim": "smallest size", "kind": "value", "benchmark": "s/w/size:{min}", "metric": "real_time", "min": 39, "max": 41 },
  { "id": "value-edge", "claim": "largest size under 40.05", "kind": "value", "benchmark": "s/w/size:{max}", "metric": "real_time", "max": 40.05 },
  { "id": "near", "claim": "lines near want", "kind": "value", "benchmark": "s/w/size:{max}", "metric": "lines", "near_metric": "want", "tolerance": 0.05 },
  { "id": "gm", "claim": "O3 geomean", "kind": "geomean", "benchmarks": "^s/k/", "baseline_flavor": "O2", "candidate_flavor": "O3", "expect": "lower", "min_ratio": 1.05 },
  { "id": "gm-max", "claim": "O3 geomean at most 1.1x", "kind": "geomean", "benchmarks": "^s/k/", "baseline_flavor": "O2", "candidate_flavor": "O3", "expect": "lower", "min_ratio": 1.02, "max_ratio": 1.1 },
  { "id": "any-slower", "claim": "O3 slower somewhere", "kind": "any", "benchmarks": "^s/k/", "baseline_flavor": "O2", "candidate_flavor": "O3", "expect": "higher", "min_ratio": 1.05 },
  { "id": "any-none", "claim": "O3 2x slower somewhere", "kind": "any", "benchmarks": "^s/k/", "baseline_flavor": "O2", "candidate_flavor": "O3", "expect": "higher", "min_ratio": 2 },
  { "id": "flavored", "claim": "selector with flavor", "baseline": {"name": "s/k/a", "flavor": "O2"}, "candidate": {"name": "s/k/a", "flavor": "O3"}, "expect": "lower", "min_ratio": 1.05 },
  { "id": "absent", "claim": "not in this run", "baseline": "s/x/none", "candidate": "s/f/fast", "min_ratio": 1.05 }
]}
JSON
"$bs" claims "$w/run.json" "$w/claims.json" --json > "$w/v.json"
is "$?" 0 "claims evaluate"
v() { jq -r --arg id "$1" '.[] | select(.id == $id) | .verdict' "${2:-$w/v.json}"; }
f() { jq -r --arg id "$1" --arg k "$2" '.[] | select(.id == $id) | .[$k] // empty' "${3:-$w/v.json}"; }
is "$(v holds)" "holds" "a 2x difference holds against a 1.5x claim"
is "$(v too-small)" "does not hold" "a 1.1x difference does not hold against a 2x claim: the interval excludes it"
is "$(v wrong-way)" "does not hold" "a difference the other way does not hold"
is "$(v floor)" "does not hold" "a 2% gain does not hold against a 5% effect floor"
is "$(v noisy)" "inconclusive" "a gain too noisy to place against the floor is inconclusive"
is "$(v one-round)" "inconclusive" "one round gives no interval, whatever the gap"
ok "$(f one-round reason | grep -c 'one process')" -eq 1 "and says why"
ok -z "$(f one-round ci_low)" "with no interval in the verdict"
is "$(v same)" "holds" "within tolerance is the same"
is "$(v not-same)" "does not hold" "far outside the tolerance is not the same"
is "$(v higher)" "holds" "expect higher"
is "$(v upper)" "does not hold" "above the claimed maximum does not hold"
is "$(v max)" "holds" "{max} picks the largest argument"
is "$(v min)" "does not hold" "{min} picks the smallest"
is "$(v value-edge)" "inconclusive" "a value whose interval straddles its bound is inconclusive"
is "$(v near)" "holds" "a counter near another counter"
is "$(v gm)" "holds" "geometric mean over flavors"
is "$(f gm ratio | awk '{ printf "%.6f", $1 }')" \
	"$(awk 'BEGIN { printf "%.6f", exp((log(100/80) + log(100/125) + log(100/50)) / 3) }')" \
	"the geometric mean of the per-round ratios"
is "$(v gm-max)" "does not hold" "a geometric mean above its claimed maximum"
is "$(v any-slower)" "holds" "one kernel slower is enough for 'any'"
is "$(v any-none)" "does not hold" "'any' does not hold only when every kernel's interval excludes it"
is "$(v flavored)" "holds" "selectors can name a flavor"
is "$(jq '[.[] | select(.id == "absent")] | length' "$w/v.json")" 0 "claims whose benchmarks did not run are left out"
out=$("$bs" claims "$w/run.json" "$w/claims.json")
ok "$(printf '%s\n' "$out" | grep -c '(1 not run)')" -eq 1 "and counted as not run"
is "$(f holds rounds)" 7 "a verdict says how many rounds it rests on"
is "$(jq -r '.[] | select(.id == "floor") | .tested_against.min' "$w/v.json")" 1.05 "and the bound it was tested against"

echo '{"suite": "s", "claims": [{"id": "x", "claim": "x", "kind": "nonsense"}]}' > "$w/bad.json"
fails "an unknown claim kind is an error" 2 "$bs" claims "$w/run.json" "$w/bad.json"
echo '{"claims": ' > "$w/bad2.json"
fails "a malformed claims file is an error" 2 "$bs" claims "$w/run.json" "$w/bad2.json"
echo '{"suite": "s", "claims": [{"id": "x", "claim": "x", "baseline": "s/f/slow", "candidate": "s/f/fast", "expect": "lower"}]}' > "$w/nofloor.json"
fails "a compare claim without an effect floor is an error" 2 "$bs" claims "$w/run.json" "$w/nofloor.json"
ok "$("$bs" claims "$w/run.json" "$w/nofloor.json" 2>&1 | grep -c 'effect floor')" -eq 1 "saying so"
sed 's/"lower"}/"lower", "min_ratio": 1}/' "$w/nofloor.json" > "$w/one.json"
fails "nor with min_ratio 1: its verdict would follow the sign of noise" 2 "$bs" claims "$w/run.json" "$w/one.json"

# Not testable (the machine could not measure it) is not inconclusive.
jq '(.benchmarks[] | select(.run_name == "s/f/fast")) |= (.status = "skipped" | .reason = "needs root")' \
	"$w/run.json" > "$w/skip.json"
"$bs" claims "$w/skip.json" "$w/claims.json" --json > "$w/vs.json"
is "$(v holds "$w/vs.json")" "not testable" "a skipped benchmark makes its claim not testable"
ok "$(f holds reason "$w/vs.json" | grep -c 'needs root')" -eq 1 "with the skip reason"
jq '.context.counter_lines = "unavailable: no such counter here" | (.benchmarks[] | select(.run_name == "s/w/size:1048576")) |= del(.lines)' \
	"$w/run.json" > "$w/nocounter.json"
"$bs" claims "$w/nocounter.json" "$w/claims.json" --json > "$w/vn.json"
is "$(v near "$w/vn.json")" "not testable" "an unavailable counter makes its claim not testable"
ok "$(f near reason "$w/vn.json" | grep -c 'no such counter here')" -eq 1 "with the counter's reason"

# A claim resting on an unstable result is inconclusive, with the reason.
jq '(.benchmarks[] | select(.run_name == "s/f/fast")) |= (.unstable = "drifts: made up for the test")' \
	"$w/run.json" > "$w/unst.json"
"$bs" claims "$w/unst.json" "$w/claims.json" --json > "$w/vu.json"
is "$(v holds "$w/vu.json")" "inconclusive" "an unstable result makes its claim inconclusive"
ok "$(f holds reason "$w/vu.json" | grep -c 'made up for the test')" -eq 1 "with the guard's reason"

# Text sizes: of the suite compared, never of another suite's binary.
jq '.suites = [
	{suite: "s", flavor: "O2", text_bytes: 1000}, {suite: "s", flavor: "O3", text_bytes: 1200},
	{suite: "t", flavor: "O2", text_bytes: 5000}] | .suites[] += {status: "ok", exit_code: 0,
	seconds: 1, raw: "r", context: {}, notes: [], benchmarks: 1}
	| .benchmarks |= map(select(.run_name | startswith("s/k/")))' "$w/run.json" > "$w/text.json"
"$bs" flavors "$w/text.json" --baseline O2 --json > "$w/ft.json"
is "$(jq -r '.flavors[0].text_ratio' "$w/ft.json")" 1.2 "text size against the baseline, of the same suite"
cat > "$w/tclaims.json" <<'JSON'
{ "suite": "s", "claims": [
  { "id": "grows", "claim": "O3 grows text", "kind": "text_size", "suite": "s", "baseline_flavor": "O2", "candidate_flavor": "O3", "min_ratio": 1.05 },
  { "id": "shrinks", "claim": "O3 shrinks text", "kind": "text_size", "suite": "s", "baseline_flavor": "O2", "candidate_flavor": "O3", "expect": "lower", "min_ratio": 1.05 }
]}
JSON
"$bs" claims "$w/text.json" "$w/tclaims.json" --json > "$w/tv.json"
is "$(jq -r '[.[].verdict] | join(",")' "$w/tv.json")" "holds,does not hold" "text_size claims"

# Flavors within a run, paired by round.
"$bs" flavors "$w/run.json" --baseline O2 --json > "$w/f.json"
is "$(jq -r '.flavors[0] | "\(.faster) \(.slower) \(.best) \(.worst)"' "$w/f.json")" "2 1 s/k/c s/k/b" \
	"faster, slower, best and worst"
is "$(jq -r '.benchmarks[0].paired' "$w/f.json")" true "flavors of one run are paired by round"
done_testing
