#!/usr/bin/env bash
# aa.sh - the A/A self-test on constructed runs: identical binaries with
# ordinary noise pass; a difference beyond the threshold and a claim that
# flips are reported, and fail the test; scripts/aa records its result and
# the next run carries it.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/lib/fixtures.sh

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
bs=$BUILD/O2/tools/benchstat

mkrun "$w/a.json" "s|O2|s/f/slow|100 101 102 99 98" "s|O2|s/f/fast|50 51 49 50.5 49.5" \
	"s|O2|s/f/mid|80 81 79 80 81"
mkrun "$w/b.json" "s|O2|s/f/slow|101 100 99 102 100" "s|O2|s/f/fast|50.5 50 51 49 50" \
	"s|O2|s/f/mid|80 79 81 80.5 80"
cat > "$w/claims.json" <<'JSON'
{ "suite": "s", "claims": [
  { "id": "fast", "claim": "fast beats slow", "baseline": "s/f/slow", "candidate": "s/f/fast", "expect": "lower", "min_ratio": 1.5 },
  { "id": "mid", "claim": "mid beats slow by 10%", "baseline": "s/f/slow", "candidate": "s/f/mid", "expect": "lower", "min_ratio": 1.1 }
]}
JSON
out=$("$bs" aa "$w/a.json" "$w/b.json" "$w/claims.json")
is "$?" 0 "identical binaries with ordinary noise pass"
ok "$(printf '%s\n' "$out" | grep -c 'false-positive rate, significant and beyond 5%: 0 (0.0%')" -eq 1 \
	"with a false-positive rate of 0"
ok "$(printf '%s\n' "$out" | grep -c '2 in both runs, 0 flipped')" -eq 1 "and no claim flipped"

jq '(.benchmarks[] | select(.run_name == "s/f/mid")) |= (.real_time *= 1.3 | .cpu_time *= 1.3)' "$w/b.json" > "$w/c.json"
out=$("$bs" aa "$w/a.json" "$w/c.json" "$w/claims.json")
is "$?" 1 "a 30% difference between identical binaries fails the A/A test"
ok "$(printf '%s\n' "$out" | grep -c 'beyond 5%: 1 (33.3%')" -eq 1 "counted as a false positive"
ok "$(printf '%s\n' "$out" | grep -c 'FLIP s/mid: holds -> does not hold')" -eq 1 "and the claim that flipped is named"
"$bs" aa "$w/a.json" "$w/c.json" "$w/claims.json" --json > "$w/aa.json"
is "$(jq -r '"\(.compared) \(.beyond_threshold) \(.claim_flips | length) \(.passed)"' "$w/aa.json")" \
	"3 1 1 false" "the JSON says the same"

# scripts/aa end to end on the harness suite at the test profile: its
# result is recorded for the host and carried by the next run.
export RESULTS=$w/results SUITES=harness PROFILE=test
unset FLAVORS SYNC_DIR ROUNDS
scripts/aa >"$w/aa.out" 2>&1
rc=$?
ok "$rc" -le 1 "scripts/aa runs (exit $rc)"
host=$(hostname -s 2>/dev/null || echo host)
ok -s "$RESULTS/.aa/$host.json" "its result is kept for this host"
ok "$(grep -c 'A/A result:' "$w/aa.out")" -eq 1 "and it says where"
ok "$(ls -d "$RESULTS"/*/ | wc -l)" -eq 2 "from two independent runs"
scripts/run >/dev/null 2>&1
last=$(ls -d "$RESULTS"/*/ | tail -1)
ok "$(jq -r '.aa.compared' "$last/run.json")" -ge 1 "a later run carries the host's A/A result"
ok "$(grep -c 'A/A false-positive rate' "$last/index.html")" -eq 1 "and its report shows it"
done_testing
