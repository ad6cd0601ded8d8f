#!/usr/bin/env bash
# guards.sh - results the machine disturbed are marked unstable with the
# reason: drift, contention, preemption, a curve that contradicts itself,
# an implausible value; a re-run replaces what it re-ran; the marks are
# written into the run, which still validates.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/lib/fixtures.sh

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
bs=$BUILD/O2/tools/benchstat

# Two repetitions per round, in time order; "drift" slows every time.
mkrun "$w/run.json" \
	"s|O2|s/g/steady|100 102;101 99;100 101" \
	"s|O2|s/g/drift|100 104;108 112;116 120" \
	"s|O2|s/g/noisy|100 130;90 125;95 110" \
	"s|O2|s/c/size:1024|2 2 2" "s|O2|s/c/size:2048|5 5 5" \
	"s|O2|s/c/size:4096|9 9 9" "s|O2|s/c/size:8192|4 4 4" "s|O2|s/c/size:16384|20 20 20" \
	"s|O2|s/m/far|5000 5100 5050" \
	"s|O2|s/g/levels|105 103 108 101 109 102 107 104 106 100;135 133 138 131 139 132 137 134 136 130;165 163 168 161 169 162 167 164 166 160" \
	"s|O2|s/g/slows|$(seq -s ' ' 100 109);$(seq -s ' ' 110 119);$(seq -s ' ' 120 129)"
jq '(.benchmarks[] | select(.run_name == "s/g/steady")) |= (.real_time *= 1.6)' "$w/run.json" > "$w/cont.json"
jq '(.benchmarks[] | select(.run_name == "s/g/steady")) |= (.real_time *= 1.6 | .name += "/real_time" | .run_name += "/real_time")' \
	"$w/run.json" > "$w/rt.json"
jq '(.benchmarks[] | select(.run_name == "s/g/steady")) |= (.guard_invol_cs = 200 | .iterations = 10000000)' \
	"$w/run.json" > "$w/pre.json"
# The same switches in a loop that blocks by design, and in one whose
# threads fill every CPU: not judged as preemption.
jq '(.benchmarks[] | select(.run_name == "s/g/steady")) |= (.guard_vol_cs = 20000)' \
	"$w/pre.json" > "$w/block.json"
jq '.context.num_cpus = 2 | (.benchmarks[] | select(.run_name == "s/g/steady")) |= (.threads = 2)' \
	"$w/pre.json" > "$w/fill.json"
jq '.context.num_cpus = 4 | (.benchmarks[] | select(.run_name == "s/g/steady")) |= (.threads = 2)' \
	"$w/pre.json" > "$w/nofill.json"
cat > "$w/claims.json" <<'JSON'
{ "suite": "s", "claims": [],
  "guards": [
    { "id": "rises", "kind": "rises", "benchmarks": "s/c/size:{*}", "metric": "real_time", "tolerance": 0.1, "why": "a latency curve rises with size" },
    { "id": "memory", "kind": "max", "benchmarks": "s/m/{*}", "metric": "real_time", "max": 3000, "why": "a load slower than 3 us is not memory" }
  ] }
JSON
u() { "$bs" guards "$1" "$w/claims.json" --list | awk -F'\t' -v n="$2" '$3 == n { print $4 }'; }
ok -z "$(u "$w/run.json" s/g/steady)" "a steady benchmark is not marked"
ok "$(u "$w/run.json" s/g/drift | grep -c '^drifts: cpu_time rose over')" -eq 1 "a benchmark that slows every repetition drifts"
ok -z "$(u "$w/run.json" s/g/noisy)" "noise without a trend is not drift"
ok "$(u "$w/run.json" s/g/drift | grep -c 'p = 0.042 with its 3 rounds as blocks, the least 6 values in 3 rounds can give')" -eq 1 \
	"its p-value counts the rounds, not the repetitions, as independent"
# Three processes at three levels, rising by chance, their repetitions in
# no order: independent repetitions would make that a trend (p < 1e-7).
ok -z "$(u "$w/run.json" s/g/levels)" "rounds that differ in level are not a drift"
ok "$(u "$w/run.json" s/g/slows | grep -c 'rose over its 30 repetitions.*p = 0.0001 with its 3 rounds as blocks)')" -eq 1 \
	"repetitions that rise inside every round are"
ok "$(u "$w/cont.json" s/g/steady | grep -c '^contended: real time ran 1.60x')" -eq 1 \
	"real time far above CPU time is contention"
ok -z "$(u "$w/rt.json" s/g/steady/real_time)" "unless the benchmark is timed on real time (it waits by design)"
ok "$(u "$w/pre.json" s/g/steady | grep -c '^preempted: ')" -eq 1 "many involuntary context switches are preemption"
ok -z "$(u "$w/block.json" s/g/steady)" "not in a loop that blocks by design (its wake-ups preempt it)"
ok -z "$(u "$w/fill.json" s/g/steady)" "nor in one whose threads fill every CPU"
ok "$(u "$w/nofill.json" s/g/steady | grep -c '^preempted: ')" -eq 1 "but in one that leaves a CPU free"
ok "$(u "$w/run.json" s/c/size:4096 | grep -c 'contradicts its neighbour.*latency curve rises')" -eq 1 \
	"a point above a curve that must rise is marked"
ok "$(u "$w/run.json" s/c/size:8192 | grep -c 'contradicts its neighbour')" -eq 1 "and so is the point below it"
ok -z "$(u "$w/run.json" s/c/size:2048)" "the rest of the curve is not"
ok "$(u "$w/run.json" s/m/far | grep -c 'implausible: .*not memory')" -eq 1 "a value beyond a declared bound is implausible"

cp "$w/run.json" "$w/written.json"
check "guards --write annotates the run" "$bs" guards "$w/written.json" "$w/claims.json" --write
is "$(jq '[.benchmarks[] | select(.run_name == "s/g/drift" and .unstable)] | length' "$w/written.json")" 6 \
	"every repetition of an unstable benchmark carries the reason"
is "$(jq '.guards.unstable' "$w/written.json")" 5 "the run counts its unstable results"
check "the annotated run validates" scripts/validate "$w/written.json"
"$bs" guards "$w/written.json" "$w/claims.json" --write
is "$(jq '.guards.unstable' "$w/written.json")" 5 "annotating twice changes nothing"

# A re-run replaces what it re-ran; what it finds is what counts.
jq '.benchmarks += [.benchmarks[] | select(.run_name == "s/g/drift")
	| .rerun = true | .real_time = 100 + .repetition_index | .cpu_time = .real_time]' \
	"$w/run.json" > "$w/rerun.json"
ok -z "$(u "$w/rerun.json" s/g/drift)" "a clean re-run replaces a drifting result"
jq '.benchmarks += [.benchmarks[] | select(.run_name == "s/g/drift") | .rerun = true]' \
	"$w/run.json" > "$w/rerun2.json"
ok "$(u "$w/rerun2.json" s/g/drift | grep -c 'also in its re-run')" -eq 1 "one still unstable says so"

echo '{"suite": "s", "claims": [], "guards": [{"id": "x", "kind": "sideways", "benchmarks": "s/"}]}' > "$w/bad.json"
fails "an unknown guard kind is an error" 2 "$bs" guards "$w/run.json" "$w/bad.json"
done_testing
