#!/usr/bin/env bash
# run.sh - scripts/run end to end on the harness suite: a run folder per
# run, never overwritten; bad input refused before anything runs; a crash,
# a bad flag and Ctrl-C recorded without losing the suites that finished.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
# RERUN=0: a re-run of a result the busy test machine disturbed would
# change the shape these tests check (tests/scripts/drift.sh tests it).
export RESULTS=$w/results SUITES=harness PROFILE=test RERUN=0
unset FLAVORS SYNC_DIR ROUNDS REPS

out=$(scripts/run 2>&1)
rc=$?
is "$rc" 0 "a test-profile run of the harness suite succeeds"
[ $rc -ne 0 ] && printf '%s\n' "$out" | tail -20 | sed 's/^/#   /'
first=$(ls -d "$RESULTS"/*/ 2>/dev/null | head -1)
first=${first%/}
ok -n "$first" "it made a run folder"
check "run.json validates" scripts/validate "$first/run.json"
ok -s "$first/raw/harness-O2-r1.json" "the raw Google Benchmark JSON is kept"
ok -s "$first/index.html" "the report is written"
ok -s "$first/claims.json" "claims are evaluated"
ok "$(ls "$first"/plots/*.svg 2>/dev/null | wc -l)" -ge 1 "plots are drawn"
ok "$(ls "$first"/plots/*.caption 2>/dev/null | wc -l)" -eq "$(ls "$first"/plots/*.svg | wc -l)" \
	"every plot has a caption"
ok "$(printf '%s\n' "$out" | grep -c "$first/run.json")" -ge 1 "the run says where run.json is"
ok "$(printf '%s\n' "$out" | grep -c 'index.html')" -ge 1 "and where the report is"
ok ! -e "$first/scratch" "the scratch folder is removed"
is "$(jq -r .status "$first/run.json")" complete "the run is complete"
ok "$(find "$first" -name '*.tmp*' -o -name '*.part' | wc -l)" -eq 0 "no temporary files are left"

sum1=$(cat "$first"/run.json "$first"/raw/* | sha256sum)
# The second run names its results folder relative to the tree, as
# `make run` does (results/): every plot is still drawn.
RESULTS=$(realpath --relative-to="$PWD" "$RESULTS") scripts/run >/dev/null 2>&1
is "$(ls -d "$RESULTS"/*/ | wc -l)" 2 "a second run makes a second folder"
is "$(cat "$first"/run.json "$first"/raw/* | sha256sum)" "$sum1" "and leaves the first one as it was"
second=$(ls -d "$RESULTS"/*/ | grep -v "^$first/$" | head -1)
ok "$(ls "$second"plots/*.svg 2>/dev/null | wc -l)" -ge 1 "a results path relative to the tree gets its plots"
is "$(ls "$second"plots/*.failed 2>/dev/null | wc -l)" 0 "and none failed"

fails "an unknown suite is refused with exit 2" 2 env SUITES=nosuch scripts/run
ok "$(SUITES=nosuch scripts/run 2>&1 | grep -c 'valid: .*harness')" -ge 1 "listing the valid suites"
fails "an unknown flavor is refused with exit 2" 2 env FLAVORS=O9 scripts/run
ok "$(FLAVORS=O9 scripts/run 2>&1 | grep -c 'valid: O0')" -ge 1 "listing the valid flavors"
fails "an unknown profile is refused with exit 2" 2 env PROFILE=huge scripts/run
is "$(ls -d "$RESULTS"/*/ | wc -l)" 2 "refused runs make no folder"

fails "an unwritable results directory is refused with exit 2" 2 env RESULTS=/proc/bench-results scripts/run
out=$(RESULTS=/proc/bench-results scripts/run 2>&1)
ok "$(printf '%s\n' "$out" | grep -c 'results directory')" -ge 1 "saying which directory"
ok "$(printf '%s\n' "$out" | grep -c '^\[1/')" -eq 0 "before any benchmark runs"
touch "$w/afile"
fails "a results path that is a file is refused" 2 env RESULTS=$w/afile scripts/run

fails "SYNC_DIR that is not there is refused" 2 env SYNC_DIR=$w/nope scripts/run
mkdir "$w/sync"
check "SYNC_DIR is used for the benchmarks' files" env SYNC_DIR=$w/sync scripts/run
is "$(ls -A "$w/sync" | wc -l)" 0 "and left empty"

# A bad Google Benchmark flag: the suite fails, the run is still merged.
out=$(scripts/run --benchmark_nonsense=1 2>&1)
is "$?" 1 "a bad Google Benchmark flag makes the run exit 1"
last=$(ls -d "$RESULTS"/*/ | tail -1)
last=${last%/}
check "but run.json is written and valid" scripts/validate "$last/run.json"
is "$(jq -r '.suites[0].status' "$last/run.json")" failed "the suite is recorded as failed"
is "$(jq -r '.suites[0].reason' "$last/run.json")" "exit status 2" "with its exit status"
ok "$(grep -c benchmark_nonsense "$last/logs/harness-O2-r1.log")" -ge 1 "its error is in the log"
ok "$(printf '%s\n' "$out" | grep -c 'benchmark_nonsense')" -ge 1 "and shown"
fails "arguments that are not flags are refused" 2 scripts/run stray

# Two flavors of the harness suite, so one can crash or be interrupted
# while the other is kept.
make -s --no-print-directory BUILD="$BUILD" FLAVORS=O1 SUITES=harness build >/dev/null 2>&1
ok -x "$BUILD/O1/bench_harness" "the O1 flavor builds"
export FLAVORS="O2 O1" PROFILE=test ROUNDS=3
out=$(scripts/run 2>&1)
is "$?" 0 "two flavors run in rounds"
rdir=$(ls -d "$RESULTS"/*/ | tail -1)
rdir=${rdir%/}
check "a run in rounds validates" scripts/validate "$rdir/run.json"
is "$(jq -c '[.suites[] | "\(.flavor)\(.round)"]' "$rdir/run.json")" \
	'["O21","O11","O12","O22","O23","O13"]' "three rounds, every flavor once per round, order rotated"
is "$(jq '[.benchmarks[] | select(.base_name == "harness/hist/timed_op" and .flavor == "O1" and .run_type == "iteration")] | length' "$rdir/run.json")" \
	3 "a benchmark's repetitions come from every round"
ok -s "$rdir/raw/harness-O1-r3.json" "each round keeps its raw file"
ok -s "$rdir/flavors.txt" "the flavor comparison is printed"
ok "$(printf '%s\n' "$out" | grep -c 'round 3 of 3')" -eq 2 "progress names the round"
export PROFILE=quick ROUNDS=1
# Long enough repetitions that a signal lands while the binary runs.
slow=--benchmark_min_time=0.1

# wait_for FILE PATTERN: until the file has a line matching (30 s at most).
wait_for() {
	for _ in $(seq 300); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

setsid scripts/run "$slow" >"$w/crash.out" 2>&1 &
runner=$!
wait_for "$w/crash.out" '^\[1/2\]'
crashdir=$(sed -n 's/^results: //p' "$w/crash.out")
wait_for "$crashdir/logs/harness-O2-r1.log" '^Run on'
sleep 0.3
pkill -SEGV -f "bench_harness.*$crashdir/scratch"
wait $runner
is "$?" 1 "a crashed suite makes the run exit 1"
is "$(jq -r '.suites[0].status' "$crashdir/run.json")" failed "the crashed suite is recorded as failed"
ok "$(jq -r '.suites[0].reason' "$crashdir/run.json" | grep -c 'signal 11')" -eq 1 "with the signal"
is "$(jq -r '.suites[1].status' "$crashdir/run.json")" ok "the run went on to the next suite"
check "the crashed run validates" scripts/validate "$crashdir/run.json"

# A job started with & ignores SIGINT, and bash cannot trap a signal
# ignored on entry; restore the default, as a terminal's foreground job has.
setsid perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' scripts/run "$slow" >"$w/int.out" 2>&1 &
runner=$!
wait_for "$w/int.out" '^\[2/2\]'
intdir=$(sed -n 's/^results: //p' "$w/int.out")
wait_for "$intdir/logs/harness-O1-r1.log" '^Run on'
sleep 0.3
kill -INT -- -"$runner"
wait $runner
is "$?" 130 "Ctrl-C makes the run exit 130"
is "$(jq -r .status "$intdir/run.json")" partial "the run is marked partial"
is "$(jq -r '.suites[0].status' "$intdir/run.json")" ok "the suite that finished is kept"
is "$(jq -r '.suites[1].status' "$intdir/run.json")" interrupted "the interrupted one is marked"
ok "$(jq '[.benchmarks[] | select(.flavor == "O2")] | length' "$intdir/run.json")" -gt 0 \
	"with all its results"
check "the partial run validates" scripts/validate "$intdir/run.json"
ok ! -e "$intdir/scratch" "its scratch folder is removed"
done_testing
