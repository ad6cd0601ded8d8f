#!/usr/bin/env bash
# claims.sh - verdicts of every claim kind on synthetic runs with known
# samples, scripts/compare's exit status on a regression, and the flavor
# comparison.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/lib/fixtures.sh

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
bs=$BUILD/O2/tools/benchstat

mkrun "$w/run.json" \
	"s|O2|s/f/slow|100 101 102 103 104 99 98" \
	"s|O2|s/f/fast|50 51 49 50.5 49.5 50 51" \
	"s|O2|s/f/fastish|90 91 89 90 91 90 89" \
	"s|O2|s/f/same|100.5 100 101 99.5 100 102 98" \
	"s|O2|s/f/few_a|100 101 102" \
	"s|O2|s/f/few_b|50 51 49" \
	"s|O2|s/w/size:4096|10 10.1 10.2 9.9 9.8|lines=3" \
	"s|O2|s/w/size:65536|20 20.1 20.2 19.9 19.8|lines=3" \
	"s|O2|s/w/size:1048576|40 40.1 40.2 39.9 39.8|lines=6,want=6.2" \
	"s|O2|s/k/a|100 101 99 100 102" "s|O3|s/k/a|80 81 79 80 82" \
	"s|O2|s/k/b|100 101 99 100 102" "s|O3|s/k/b|125 126 124 125 127" \
	"s|O2|s/k/c|100 101 99 100 102" "s|O3|s/k/c|50 51 49 50 52"
check "synthetic run validates" scripts/validate "$w/run.json"

cat > "$w/claims.json" <<'JSON'
{ "suite": "s", "claims": [
  { "id": "holds", "claim": "fast beats slow", "baseline": "s/f/slow", "candidate": "s/f/fast", "expect": "lower", "min_ratio": 1.5 },
  { "id": "too-small", "claim": "fastish is 2x", "baseline": "s/f/slow", "candidate": "s/f/fastish", "expect": "lower", "min_ratio": 2 },
  { "id": "wrong-way", "claim": "slow beats fast", "baseline": "s/f/fast", "candidate": "s/f/slow", "expect": "lower" },
  { "id": "few", "claim": "three repetitions", "baseline": "s/f/few_a", "candidate": "s/f/few_b", "expect": "lower" },
  { "id": "same", "claim": "same is the same", "baseline": "s/f/slow", "candidate": "s/f/same", "expect": "same", "tolerance": 0.05 },
  { "id": "higher", "claim": "slow is higher", "baseline": "s/f/fast", "candidate": "s/f/slow", "expect": "higher", "min_ratio": 1.5 },
  { "id": "max", "claim": "largest size", "kind": "value", "benchmark": "s/w/size:{max}", "metric": "real_time", "min": 39, "max": 41 },
  { "id": "min", "claim": "smallest size", "kind": "value", "benchmark": "s/w/size:{min}", "metric": "real_time", "min": 39, "max": 41 },
  { "id": "near", "claim": "lines near want", "kind": "value", "benchmark": "s/w/size:{max}", "metric": "lines", "near_metric": "want", "tolerance": 0.05 },
  { "id": "gm", "claim": "O3 geomean", "kind": "geomean", "benchmarks": "^s/k/", "baseline_flavor": "O2", "candidate_flavor": "O3", "expect": "lower" },
  { "id": "gm-max", "claim": "O3 geomean at most 1.1x", "kind": "geomean", "benchmarks": "^s/k/", "baseline_flavor": "O2", "candidate_flavor": "O3", "expect": "lower", "max_ratio": 1.1 },
  { "id": "any-slower", "claim": "O3 slower somewhere", "kind": "any", "benchmarks": "^s/k/", "baseline_flavor": "O2", "candidate_flavor": "O3", "expect": "higher" },
  { "id": "flavored", "claim": "selector with flavor", "baseline": {"name": "s/k/a", "flavor": "O2"}, "candidate": {"name": "s/k/a", "flavor": "O3"}, "expect": "lower" },
  { "id": "absent", "claim": "not in this run", "baseline": "s/x/none", "candidate": "s/f/fast" }
]}
JSON
"$bs" claims "$w/run.json" "$w/claims.json" --json > "$w/v.json"
is "$?" 0 "claims evaluate"
v() { jq -r --arg id "$1" '.[] | select(.id == $id) | .verdict' "$w/v.json"; }
is "$(v holds)" "holds" "a 2x difference holds against a 1.5x claim"
is "$(v too-small)" "does not hold" "a 1.1x difference does not hold against a 2x claim"
is "$(v wrong-way)" "does not hold" "a significant difference the other way does not hold"
is "$(v few)" "inconclusive" "three repetitions each are inconclusive, whatever the gap"
ok "$(jq -r '.[] | select(.id == "few") | .detail' "$w/v.json" | grep -c 'only 3 and 3')" -eq 1 "and say why"
is "$(v same)" "holds" "within tolerance is the same"
is "$(v higher)" "holds" "expect higher"
is "$(v max)" "holds" "{max} picks the largest argument"
is "$(v min)" "does not hold" "{min} picks the smallest"
is "$(v near)" "holds" "a counter near another counter"
is "$(v gm)" "holds" "geometric mean over flavors"
is "$(jq -r '.[] | select(.id == "gm") | .ratio * 1000 | round' "$w/v.json")" \
	"$(awk 'BEGIN { printf "%d", 1000 * exp((log(100/80) + log(100/125) + log(100/50)) / 3) + 0.5 }')" \
	"the geometric mean of the median ratios"
is "$(v gm-max)" "does not hold" "a geometric mean above its claimed maximum"
is "$(v any-slower)" "holds" "one kernel slower is enough for 'any'"
is "$(v flavored)" "holds" "selectors can name a flavor"
is "$(jq '[.[] | select(.id == "absent")] | length' "$w/v.json")" 0 "claims whose benchmarks did not run are left out"
out=$("$bs" claims "$w/run.json" "$w/claims.json")
ok "$(printf '%s\n' "$out" | grep -c '(1 not run)')" -eq 1 "and counted as not run"

echo '{"suite": "s", "claims": [{"id": "x", "kind": "nonsense"}]}' > "$w/bad.json"
fails "an unknown claim kind is an error" 2 "$bs" claims "$w/run.json" "$w/bad.json"
echo '{"claims": ' > "$w/bad2.json"
fails "a malformed claims file is an error" 2 "$bs" claims "$w/run.json" "$w/bad2.json"

# A skipped benchmark makes its claim inconclusive, with the reason.
jq '(.benchmarks[] | select(.run_name == "s/f/fast")) |= (.status = "skipped" | .reason = "needs root")' \
	"$w/run.json" > "$w/skip.json"
"$bs" claims "$w/skip.json" "$w/claims.json" --json > "$w/vs.json"
is "$(jq -r '.[] | select(.id == "holds") | .verdict' "$w/vs.json")" inconclusive "a skipped benchmark is inconclusive"
ok "$(jq -r '.[] | select(.id == "holds") | .detail' "$w/vs.json" | grep -c 'needs root')" -eq 1 "with the skip reason"

# compare: same run, slower run.
check "a run compared with itself" scripts/compare "$w/run.json" "$w/run.json"
jq '(.benchmarks[] | select(.run_name == "s/f/fast") | .real_time) |= . * 1.5' "$w/run.json" > "$w/slower.json"
fails "a 50% slowdown makes compare exit 1" 1 scripts/compare "$w/run.json" "$w/slower.json"
ok "$(scripts/compare "$w/run.json" "$w/slower.json" | grep 's/f/fast' | grep -c slower)" -eq 1 \
	"and the benchmark is marked slower"
jq '(.benchmarks[] | select(.run_name == "s/f/fast") | .real_time) |= . * 1.02' "$w/run.json" > "$w/bit.json"
check "a 2% slowdown is under the 5% threshold" scripts/compare "$w/run.json" "$w/bit.json"
fails "compare of unrelated runs is an error" 2 scripts/compare "$w/run.json" <(mkrun /dev/stdout "t|O2|t/x|1 2 3")
fails "compare of a missing run is an error" 2 scripts/compare "$w/run.json" "$w/missing"

# flavors within a run.
out=$(scripts/compare "$w/run.json" O2)
is "$?" 0 "flavors against O2"
ok "$(printf '%s\n' "$out" | grep -E '^O3 ' | grep -c '3 ')" -eq 1 "one line per flavor, over 3 benchmarks"
"$bs" flavors "$w/run.json" --baseline O2 --json > "$w/f.json"
is "$(jq -r '.flavors[0] | "\(.faster) \(.slower) \(.best) \(.worst)"' "$w/f.json")" "2 1 s/k/c s/k/b" \
	"faster, slower, best and worst"

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
  { "id": "grows", "claim": "O3 grows text", "kind": "text_size", "suite": "s", "baseline_flavor": "O2", "candidate_flavor": "O3" },
  { "id": "shrinks", "claim": "O3 shrinks text", "kind": "text_size", "suite": "s", "baseline_flavor": "O2", "candidate_flavor": "O3", "expect": "lower" }
]}
JSON
"$bs" claims "$w/text.json" "$w/tclaims.json" --json > "$w/tv.json"
is "$(jq -r '[.[].verdict] | join(",")' "$w/tv.json")" "holds,does not hold" "text_size claims"
done_testing
