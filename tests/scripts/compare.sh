#!/usr/bin/env bash
# compare.sh - scripts/compare on constructed runs: what it says before the
# table (environment, identical binaries, benchmarks in one run only,
# calibration), its exit status on a regression, on a changed machine and
# on bad input, and the flavors of one run.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/lib/fixtures.sh

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT

mkrun "$w/a.json" \
	"s|O2|s/f/slow|100 101 102 103 104 99 98" \
	"s|O2|s/f/fast|50 51 49 50.5 49.5 50 51" \
	"s|O2|s/f/gone|10 11 10 11 10 11 10" \
	"s|O3|s/f/fast|40 41 39 40.5 39.5 40 41"
# Identical binaries, one machine: the context and hashes of a real run.
jq '.context = {cpu_model: "EPYC", kernel: "Linux 6.18", bench_compiler: "gcc 12"}
	| .suites[].context = {binary_sha256: "abc"}' "$w/a.json" > "$w/a2.json" && mv "$w/a2.json" "$w/a.json"
jq '(.benchmarks[] | select(.run_name == "s/f/slow")) |= (.real_time += 0.5 | .cpu_time += 0.5)
	| .benchmarks |= map(select(.run_name != "s/f/gone"))' "$w/a.json" > "$w/b.json"
jq '.benchmarks += [.benchmarks[0] | .name = "s/f/new" | .run_name = "s/f/new"]' "$w/b.json" > "$w/b2.json" && mv "$w/b2.json" "$w/b.json"

out=$(scripts/compare "$w/a.json" "$w/a.json")
is "$?" 0 "a run compared with itself exits 0"
ok "$(printf '%s\n' "$out" | grep -c 'the same machine and build context')" -eq 1 "says the environments match"
ok "$(printf '%s\n' "$out" | grep -c 'identical binaries (same SHA-256)')" -eq 1 "and points out identical binaries"
out=$(scripts/compare "$w/a.json" "$w/b.json")
is "$?" 0 "half a nanosecond on 100 ns is no regression"
ok "$(printf '%s\n' "$out" | grep -c '^only in A: s/f/gone')" -eq 1 "benchmarks only in A are listed"
ok "$(printf '%s\n' "$out" | grep -c '^only in B: s/f/new')" -eq 1 "and only in B"
ok "$(printf '%s\n' "$out" | grep -cE '[0-9]+ faster, [0-9]+ slower')" -eq 1 "the summary counts faster and slower apart"

jq '(.benchmarks[] | select(.run_name == "s/f/fast" and .flavor == "O2")) |= (.real_time *= 1.5 | .cpu_time *= 1.5)' "$w/a.json" > "$w/slower.json"
fails "a 50% slowdown makes compare exit 1" 1 scripts/compare "$w/a.json" "$w/slower.json"
ok "$(scripts/compare "$w/a.json" "$w/slower.json" | grep 's/f/fast \[O2\]' | grep -c 'slower  REGRESSION')" -eq 1 \
	"and the benchmark is marked a regression"
scripts/compare "$w/a.json" "$w/slower.json" --json > "$w/c.json"
is "$(jq -r '.summary | "\(.slower) \(.regressions) \(.faster)"' "$w/c.json")" "1 1 0" "the JSON summary counts it"
jq '(.benchmarks[] | select(.run_name == "s/f/fast" and .flavor == "O2")) |= (.real_time *= 1.02 | .cpu_time *= 1.02)' "$w/a.json" > "$w/bit.json"
check "a 2% slowdown is under the 5% threshold" scripts/compare "$w/a.json" "$w/bit.json"
jq '(.benchmarks[] | select(.run_name == "s/f/fast" and .flavor == "O2")) |= (.real_time *= 1.07 | .cpu_time *= 1.07)' "$w/a.json" > "$w/seven.json"
check "a 7% slowdown whose interval reaches under 5% is not a regression" scripts/compare "$w/a.json" "$w/seven.json"

# One round per run gives a figure but no interval: never a regression.
mkrun "$w/one_a.json" "s|O2|s/f/x|100 101 102;"
mkrun "$w/one_b.json" "s|O2|s/f/x|200 201 202;"
out=$(scripts/compare "$w/one_a.json" "$w/one_b.json")
is "$?" 0 "repetitions of one process are not independent: no regression from them"
ok "$(printf '%s\n' "$out" | grep -c 'one process gives no interval')" -eq 1 "and compare says why"

# The environment differs: said above the table.
jq '.context.kernel = "Linux 6.19" | .suites[].context.binary_sha256 = "def"' "$w/a.json" > "$w/k.json"
out=$(scripts/compare "$w/a.json" "$w/k.json")
ok "$(printf '%s\n' "$out" | grep -c 'kernel .*Linux 6.18 | Linux 6.19')" -eq 1 "a different kernel is shown"
ok "$(printf '%s\n' "$out" | grep -c 'binaries that differ: s O2')" -eq 1 "and binaries that differ"

# The machine's calibration moved: slowdowns are not the code's.
cal='{"start": {"null_syscall_ns": {"median": 130}, "chase_ns": {"median": 250}},
      "end": {"null_syscall_ns": {"median": 135}, "chase_ns": {"median": 255}}}'
jq --argjson c "$cal" '.calibration = $c' "$w/a.json" > "$w/ca.json"
jq --argjson c "$cal" '.calibration = $c | .calibration.start.null_syscall_ns.median = 1500
	| .calibration.end.null_syscall_ns.median = 1400' "$w/slower.json" > "$w/cb.json"
out=$(scripts/compare "$w/ca.json" "$w/cb.json")
is "$?" 3 "when the machine changed, a slowdown exits 3, not 1"
ok "$(printf '%s\n' "$out" | grep -c 'the machine itself changed')" -eq 1 "saying the machine changed"
ok "$(printf '%s\n' "$out" | grep 'null_syscall_ns' | grep -c DIFFERS)" -eq 1 "naming the figure that moved"
jq --argjson c "$cal" '.calibration = $c' "$w/slower.json" > "$w/cc.json"
fails "with the same calibration it is a regression again" 1 scripts/compare "$w/ca.json" "$w/cc.json"

# Unstable results are shown, not judged.
jq '(.benchmarks[] | select(.run_name == "s/f/fast" and .flavor == "O2")) += {unstable: "drifts: test"}' \
	"$w/slower.json" > "$w/us.json"
out=$(scripts/compare "$w/a.json" "$w/us.json")
is "$?" 0 "an unstable result is not called a regression"
ok "$(printf '%s\n' "$out" | grep -c 'unstable: drifts: test')" -eq 1 "it is shown with its reason"

fails "compare of unrelated runs is an error" 2 scripts/compare "$w/a.json" <(mkrun /dev/stdout "t|O2|t/x|1 2 3")
fails "compare with a missing run is an error" 2 scripts/compare "$w/a.json" "$w/missing"
ok "$(scripts/compare "$w/a.json" "$w/missing" 2>&1 | grep -c 'no such run')" -eq 1 "saying so"
fails "a path that does not exist is not taken for a flavor" 2 scripts/compare "$w/a.json" results/nope
fails "a first run that does not exist is an error" 2 scripts/compare "$w/nope.json" "$w/a.json"
fails "a folder without run.json is an error" 2 scripts/compare "$w" "$w/a.json"
fails "a bad threshold is an error" 2 scripts/compare "$w/a.json" "$w/b.json" --threshold abc

# Flavors of one run.
out=$(scripts/compare "$w/a.json" O2)
is "$?" 0 "flavors against O2"
ok "$(printf '%s\n' "$out" | grep -cE '^O3 ')" -eq 1 "one line per flavor"
fails "an unknown baseline flavor is an error" 2 scripts/compare "$w/a.json" O9
done_testing
