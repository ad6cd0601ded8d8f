# san.sh - running a sanitizer build (bench.mk's asan and tsan flavors)
# in the tests (sourced).
#
# The first report ends the run with exit status 86, so a test sees it
# twice: as the status, and as the report's text (san_reports).
# detect_leaks=0: the suite binaries keep their registrations and
# Google Benchmark its state until exit on purpose; leaks are the fuzz
# replays' business (tests/fuzz), where every allocation is freed.
export ASAN_OPTIONS=halt_on_error=1:exitcode=86:detect_leaks=0:abort_on_error=0:${SAN_ASAN_EXTRA:-}
export UBSAN_OPTIONS=halt_on_error=1:exitcode=86:print_stacktrace=1
export TSAN_OPTIONS=halt_on_error=1:exitcode=86:second_deadlock_stack=1

# san_run CMD...: runs CMD; where the kernel's address randomisation
# leaves ThreadSanitizer no room ("unexpected memory mapping", large
# mmap_rnd_bits), runs it again without randomisation (setarch -R).
san_run() {
	local out rc
	out=$(mktemp)
	"$@" 2>"$out"
	rc=$?
	if [ $rc -ne 0 ] && grep -q 'unexpected memory mapping\|FATAL: ThreadSanitizer: unexpected' "$out"; then
		setarch "$(uname -m)" -R "$@" 2>"$out"
		rc=$?
	fi
	cat "$out" >&2
	rm -f "$out"
	return $rc
}

# san_reports LOG: the first line of every sanitizer report in LOG.
san_reports() {
	grep -E '^(==[0-9]+==ERROR: |WARNING: ThreadSanitizer|SUMMARY: [A-Za-z]+Sanitizer)|runtime error: ' "$1" | head -5
}

# san_excerpt LOG: the report's lines worth reading, as TAP comments.
san_excerpt() {
	grep -E '^(==|WARNING|SUMMARY|  (Read|Write|Previous|Location)|    #[0-5] )|runtime error' "$1" |
		head -40 | sed 's/^/#   /'
}
