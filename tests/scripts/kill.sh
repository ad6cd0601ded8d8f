#!/usr/bin/env bash
# kill.sh - scripts/run killed outright (SIGKILL, which nothing can trap)
# at seeded random points of a short run: earlier runs stay byte for byte
# as they were; the killed run's run.json is absent or partial and every
# raw file present is whole JSON (files appear by rename); no process of
# the run outlives it, also when only scripts/run itself is killed (its
# benchmark binary dies with it); the next run starts cleanly and removes
# the scratch the killed one left; no temporary file is left in /tmp.
#
# KILL_SEED (default 1) picks the points; KILL_POINTS (default 4) how many.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh

w=$(mktemp -d)
trap 'pkill -KILL -f "$w/results" 2>/dev/null; rm -rf "$w"' EXIT
export RESULTS=$w/results SUITES=harness PROFILE=test RERUN=0 ROUNDS=3 TMPDIR=$w/tmp
unset FLAVORS SYNC_DIR REPS
mkdir -p "$TMPDIR"
seed=${KILL_SEED:-1}
points=${KILL_POINTS:-4}
RANDOM=$seed

# digest RUN...: every file of those runs, with its contents; less what
# the sweep of a killed run removes (its lock, scratch, .part files).
digest() {
	(cd "$RESULTS" && find "$@" \( -name .lock -o -name scratch -o -name .tmp -o -name '*.part' \) -prune \
		-o -type f -print0 | sort -z | xargs -0 -r sha256sum)
}
# alive DIR: processes whose command line names the run folder.
alive() { pgrep -f -- "$1" | grep -vx "$$"; }

t0=$(date +%s%N)
scripts/run >"$w/first.out" 2>&1
is "$?" 0 "a complete run to keep"
ms=$((($(date +%s%N) - t0) / 1000000))
diag "a whole run takes ${ms} ms; kill points drawn from it (seed $seed)"
kept=$(cd "$RESULTS" && ls)

for ((k = 1; k <= points; k++)); do
	before=$(digest $kept)
	delay=$((RANDOM % (ms + 1)))
	# Even points kill the whole process group, odd ones scripts/run alone.
	setsid scripts/run >"$w/kill$k.out" 2>&1 &
	runner=$!
	sleep "$(awk -v d="$delay" 'BEGIN { printf "%.3f", d / 1000 }')"
	dir=$(sed -n 's/^results: //p' "$w/kill$k.out")
	if ((k % 2)); then
		kill -KILL "$runner" 2>/dev/null
		what="scripts/run alone"
	else
		kill -KILL -- -"$runner" 2>/dev/null
		what="the process group"
	fi
	wait "$runner" 2>/dev/null
	name="kill $k ($what after ${delay} ms)"
	# The benchmark binary dies with scripts/run at once (a test-profile
	# binary would otherwise end by itself within a second or two).
	sleep 0.3
	is "$( [ -n "$dir" ] && pgrep -f -- "bench_.*$dir")" "" "$name: no benchmark binary of the run is left"
	# Tools it ran (merge, plot) may finish their file; then nothing of
	# the run may be left.
	for _ in $(seq 50); do
		[ -z "$dir" ] || [ -z "$(alive "$dir")" ] && break
		sleep 0.1
	done
	is "$( [ -n "$dir" ] && alive "$dir")" "" "$name: no process of the run is left"
	after=$(digest $kept)
	is "$(sha256sum <<<"$after")" "$(sha256sum <<<"$before")" "$name: the earlier runs are untouched"
	diff <(echo "$before") <(echo "$after") | grep '^[<>]' | head -5 | sed 's/^/#   /'

	if [ -n "$dir" ] && [ -f "$dir/run.json" ]; then
		st=$(jq -r .status "$dir/run.json")
		if [ "$st" = complete ]; then
			# Killed after its last merge, making plots or the report:
			# every planned binary ran (run.json's "complete").
			is "$(jq '[.suites[] | select(.status == "ok")] | length' "$dir/run.json")" "$ROUNDS" \
				"$name: a run.json that says complete has every round"
		else
			is "$st" partial "$name: run.json says partial"
		fi
	else
		ok 1 "$name: no run.json (killed before the first merge)"
	fi
	bad=
	for f in "${dir:-/nonexistent}"/raw/*.json; do
		[ -f "$f" ] || continue
		jq empty "$f" 2>/dev/null || bad="$bad $(basename "$f")"
	done
	is "$bad" "" "$name: every raw file present is whole"
	[ -n "$dir" ] && kept="$kept $(basename "$dir")"
done

# The next run: clean, and it sweeps what the killed ones left.
out=$(scripts/run 2>&1)
is "$?" 0 "the next run succeeds"
last=$(sed -n 's/^results: //p' <<<"$out")
check "and its run.json validates" scripts/validate "$last/run.json"
is "$(find "$RESULTS" -mindepth 2 -maxdepth 2 \( -name scratch -o -name .tmp -o -name .lock \) | sort)" "" \
	"no scratch, temporary folder or lock is left in any run folder"
is "$(find "$RESULTS" -name '*.part' -o -name '*.tmp.*')" "" "no half-written file is left"
is "$(ls -A "$TMPDIR")" "" "nothing is left in the temporary directory"
done_testing
