#!/usr/bin/env bash
# merge.sh - scripts/merge and scripts/validate: strict JSON out of Google
# Benchmark's output, repairs recorded, parameters parsed, schema checked.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/lib/fixtures.sh

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
harness_raw "$w/raw.json"
ok -s "$w/raw.json" "the harness suite writes raw JSON"
total=$(jq '.benchmarks | length' "$w/raw.json")

# A clean merge.
run_dir_for "$w/clean" "$w/raw.json" harness O2
check "a clean merge succeeds" scripts/merge "$w/clean" --profile test
check "and validates" scripts/validate "$w/clean/run.json"
is "$(jq '.benchmarks | length' "$w/clean/run.json")" "$total" "every entry is kept"
is "$(jq -r '[.benchmarks[] | .suite + "/" + .flavor + "/" + .status] | unique | join(",")' "$w/clean/run.json")" \
	"harness/O2/ok" "entries gain suite, flavor and status"
is "$(jq -c '[.benchmarks[] | select(.run_name == "harness/syscall_counter/getppid/calls:16")][0].param' "$w/clean/run.json")" \
	'{"name":"calls","value":16}' "the argument is parsed from the name"
is "$(jq -r '.suites[0].status + " " + (.suites[0].notes | length | tostring)' "$w/clean/run.json")" \
	"ok 0" "no notes for a clean file"
is "$(jq -r '.context.bench_flavor' "$w/clean/run.json")" "O2" "the binary's context is kept"
same=$(diff <(jq -S '.benchmarks | map(del(.flavor, .round, .rerun, .unstable))' "$w/clean/run.json") \
	<(jq -S '.benchmarks' "$w/raw.json") >/dev/null && echo yes)
is "$same" yes "every field the binary wrote is unchanged"
is "$(jq -c '[.benchmarks[] | select(.base_name == "harness/syscall_counter/getppid/calls:16")][0] | [.family, .case, .timed_on]' "$w/raw.json")" \
	'["syscall_counter","getppid","cpu_time"]' "the binary writes each entry's structure itself"

# Merging again keeps what only the run knew.
jq '.status = "partial" | .started = "2026-01-01T00:00:00+00:00" | .args = ["--benchmark_filter=x"]' \
	"$w/clean/run.json" > "$w/clean/run.json.new" && mv "$w/clean/run.json.new" "$w/clean/run.json"
scripts/merge "$w/clean" 2>/dev/null
is "$(jq -c '[.status, .started, .profile, .args]' "$w/clean/run.json")" \
	'["partial","2026-01-01T00:00:00+00:00","test",["--benchmark_filter=x"]]' \
	"a second merge keeps status, start, profile and flags"

# Bare NaN and Infinity, as Google Benchmark writes them.
sed -E '0,/"iterations": /s/"iterations": /"weird": NaN,\n      "worse": -Infinity,\n      "iterations": /' "$w/raw.json" > "$w/nan.json"
ok "$(grep -c 'NaN' "$w/nan.json")" -ge 1 "fixture has a bare NaN"
run_dir_for "$w/nan" "$w/nan.json" harness O2
check "NaN and Infinity are repaired" scripts/merge "$w/nan" 2>/dev/null
check "the result validates" scripts/validate "$w/nan/run.json"
is "$(jq -c '[.benchmarks[] | select(has("weird"))][0] | [.weird, .worse]' "$w/nan/run.json")" \
	"[null,null]" "they become null"
is "$(jq -r '.suites[0].notes[0]' "$w/nan/run.json")" \
	"replaced 2 NaN/Infinity values with null" "and the note says what was done"
is "$(jq -r '.suites[0].status' "$w/nan/run.json")" "repaired" "the suite is marked repaired"

# Cut short, as a crash leaves it.
size=$(stat -c %s "$w/raw.json")
head -c $((size * 9 / 10)) "$w/raw.json" > "$w/cut.json"
run_dir_for "$w/cut" "$w/cut.json" harness O2
check "a file cut short is repaired" scripts/merge "$w/cut" 2>/dev/null
check "the result validates" scripts/validate "$w/cut/run.json"
kept=$(jq '.benchmarks | length' "$w/cut/run.json")
ok "$kept" -gt 0 "complete entries are kept ($kept)"
ok "$kept" -lt "$total" "the partial one is dropped"
ok "$(jq -r '.suites[0].notes[0]' "$w/cut/run.json" | grep -c 'cut short')" -eq 1 "and the note says so"

# Cut inside the context: nothing to keep, still a valid run.json.
head -c 200 "$w/raw.json" > "$w/ctx.json"
run_dir_for "$w/ctx" "$w/ctx.json" harness O2
check "a file cut in its context still merges" scripts/merge "$w/ctx" 2>/dev/null
is "$(jq '.benchmarks | length' "$w/ctx/run.json")" 0 "with no benchmarks"
ok "$(jq -r '.suites[0].notes | join(" ")' "$w/ctx/run.json" | grep -c 'could not be repaired')" -eq 1 \
	"and a note"

# No output at all (the binary died before writing).
run_dir_for "$w/none" "" harness O2
check "a missing output file still merges" scripts/merge "$w/none" 2>/dev/null
is "$(jq -r '.suites[0].notes[0]' "$w/none/run.json")" "no output file: the binary wrote no results" \
	"and says so"

# A Google Benchmark file from elsewhere (no structure fields): parameters
# from the names, bytes, Google Benchmark suffixes, skips and failures.
jq '.benchmarks[0] |= del(.base_name, .param, .status, .reason, .suite, .family, .case, .timed_on, .description)
	| .benchmarks = [
	(.benchmarks[0] | .name = "s/f/c/size:64KiB" | .run_name = .name),
	(.benchmarks[0] | .name = "s/f/c/size:3MiB/real_time/threads:2" | .run_name = .name),
	(.benchmarks[0] | .name = "s/f/c/size:1536B/repeats:3" | .run_name = .name),
	(.benchmarks[0] | .name = "s/f/plain" | .run_name = .name),
	(.benchmarks[0] | .name = "s/f/sk" | .run_name = .name | .error_occurred = true | .error_message = "skipped: needs root (Operation not permitted)"),
	(.benchmarks[0] | .name = "s/f/bad" | .run_name = .name | .error_occurred = true | .error_message = "failed: checksum differs")]' \
	"$w/raw.json" > "$w/param.json"
run_dir_for "$w/param" "$w/param.json" s O2
check "synthetic names merge" scripts/merge "$w/param"
is "$(jq -c '[.benchmarks[0:4][] | .param.value]' "$w/param/run.json")" "[65536,3145728,1536,null]" \
	"sizes parse to bytes, suffixes are ignored, no argument no param"
is "$(jq -c '[.benchmarks[4] | .status, .reason]' "$w/param/run.json")" \
	'["skipped","needs root (Operation not permitted)"]' "a skip keeps its reason"
is "$(jq -c '[.benchmarks[5] | .status, .reason]' "$w/param/run.json")" \
	'["failed","checksum differs"]' "a failure keeps its reason"
is "$(jq -c '.suites[0] | [.skipped, .failed]' "$w/param/run.json")" "[1,1]" "the suite counts them"
is "$(jq -r '.benchmarks[1].base_name' "$w/param/run.json")" "s/f/c/size:3MiB" \
	"base_name drops Google Benchmark's suffixes"

# The binary's own structure wins over anything its names suggest.
jq '.benchmarks = [.benchmarks[0] | .name = "s/f/c/size:64KiB/real_time" | .run_name = .name
	| .base_name = "s/f/c/size:64KiB" | .param = {name: "size", value: 65536}]' \
	"$w/raw.json" > "$w/struct.json"
run_dir_for "$w/struct" "$w/struct.json" s O2
check "a file with structure merges" scripts/merge "$w/struct"
is "$(jq -c '.benchmarks[0] | [.base_name, .param.value]' "$w/struct/run.json")" '["s/f/c/size:64KiB",65536]' \
	"its structure is kept as written"

# validate refuses what the schema does not allow.
jq 'del(.schema)' "$w/clean/run.json" > "$w/bad1.json"
fails "validate: missing schema" 1 scripts/validate "$w/bad1.json"
jq '.benchmarks[0].status = "maybe"' "$w/clean/run.json" > "$w/bad2.json"
fails "validate: unknown status" 1 scripts/validate "$w/bad2.json"
jq '.benchmarks[0].status = "skipped" | del(.benchmarks[0].reason)' "$w/clean/run.json" > "$w/bad3.json"
fails "validate: a skip without a reason" 1 scripts/validate "$w/bad3.json"
jq '.benchmarks[0].suite = "ghost"' "$w/clean/run.json" > "$w/bad4.json"
fails "validate: a benchmark of a suite that did not run" 1 scripts/validate "$w/bad4.json"
echo '{"schema": ' > "$w/bad5.json"
fails "validate: not JSON at all" 2 scripts/validate "$w/bad5.json"
fails "merge: not a run folder" 2 scripts/merge "$w/nowhere"
done_testing
