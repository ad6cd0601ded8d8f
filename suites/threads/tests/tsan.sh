#!/usr/bin/env bash
# tsan.sh - the pools and the log writer under ThreadSanitizer: their
# unit tests (tests/pool.c, tests/logger.c: every task and record exactly
# once, also under shutdown and back-pressure) built with
# -fsanitize=thread against pool.c and logger.c alone, run, and required
# to pass with no ThreadSanitizer report. A data race, or a result
# read without a happens-before edge from the thread that wrote it, fails
# here even when the counts come out right.
#
# TSAN_CC picks the compiler (default: $CC, else gcc; clang works too).
# Where the compiler cannot build a ThreadSanitizer program (no libtsan),
# the checks are skipped with the compiler's reason.
set -u
cd "$(dirname "$0")/../../.." || exit 2
. tests/lib/tap.sh

skip() { _tap_result 1 "# SKIP $*"; }

cc=${TSAN_CC:-${CC:-gcc}}
src=suites/threads
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT

# A probe, so that a missing libtsan is a skip and not a failure.
printf 'int main(void) { return 0; }\n' > "$w/probe.c"
why=
if ! "$cc" -fsanitize=thread "$w/probe.c" -o "$w/probe" 2>"$w/probe.log"; then
	why=$(head -1 "$w/probe.log")
	why=${why:-the compiler failed}
elif ! "$w/probe" >/dev/null 2>&1 &&
	! setarch "$(uname -m)" -R "$w/probe" >/dev/null 2>&1; then
	why="a ThreadSanitizer program does not run here"
fi
if [ -n "$why" ]; then
	for t in pool logger; do
		skip "$t under ThreadSanitizer with $cc: $why"
	done
	done_testing
	exit
fi

for t in pool logger; do
	check "$t: builds with $cc -fsanitize=thread" \
		"$cc" -std=gnu11 -g -O1 -fsanitize=thread -pthread -Wall \
		-Itests -I"$src" "$src/$t.c" "$src/tests/$t.c" -lm -o "$w/$t"
	[ -x "$w/$t" ] || continue
	export TSAN_OPTIONS="halt_on_error=0 exitcode=66 second_deadlock_stack=1"
	"$w/$t" >"$w/$t.out" 2>&1
	rc=$?
	# Kernels with a large mmap_rnd_bits make some TSan runtimes refuse
	# the address space; without address randomisation they run.
	if [ $rc -ne 0 ] && grep -q 'unexpected memory mapping' "$w/$t.out"; then
		setarch "$(uname -m)" -R "$w/$t" >"$w/$t.out" 2>&1
		rc=$?
	fi
	is "$rc" 0 "$t: its tests pass under ThreadSanitizer (exit status)"
	nok=$(grep -cE '^not ok' "$w/$t.out")
	plan=$(grep -oE '^1\.\.[0-9]+' "$w/$t.out" | cut -d. -f3)
	pass=$(grep -cE '^ok' "$w/$t.out")
	ok "${plan:-0}" -gt 0 -a "$nok" -eq 0 -a "$pass" -eq "${plan:-0}" \
		"$t: all ${plan:-?} of its checks pass"
	races=$(grep -c 'WARNING: ThreadSanitizer' "$w/$t.out")
	is "$races" 0 "$t: no ThreadSanitizer report"
	if [ "$rc" -ne 0 ] || [ "$races" -ne 0 ] || [ "$nok" -ne 0 ]; then
		grep -E '^(not ok|WARNING|  (Read|Write|Previous|Location)|    #[0-3] )' \
			"$w/$t.out" | head -40 | sed 's/^/#   /'
	fi
done
done_testing
