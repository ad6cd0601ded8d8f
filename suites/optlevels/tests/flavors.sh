#!/usr/bin/env bash
# flavors.sh - every flavor of the optlevels suite computes the same kernel
# results. Each benchmark reports its result as the counter "result" (a
# 32-bit checksum of its output); at the test profile with one seed, every
# flavor built must report exactly what O2 reports. O0, O3 (and clang-O2
# where clang is installed) are built here if missing; any other flavor
# already built in $BUILD is compared too. Also: results depend on the
# seed, and two runs with one seed agree.
set -uo pipefail
cd "$(dirname "$0")/../../.." || exit 2
. tests/lib/tap.sh

suite=optlevels
want_flavors="O0 O2 O3"
command -v clang >/dev/null 2>&1 && want_flavors="$want_flavors clang-O2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A make of our own, not a job of the make that may be running us.
targets=
for f in $want_flavors; do
	targets="$targets $BUILD/$f/bench_$suite"
done
# shellcheck disable=SC2086
check "builds $want_flavors" env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS \
	make --no-print-directory BUILD="$BUILD" SUITES=$suite \
	FLAVORS="$want_flavors" $targets

# results BIN OUT [ARGS...]: "name result" per benchmark, sorted.
results() {
	local bin=$1 out=$2
	shift 2
	"$bin" --bench_profile=test --benchmark_format=json \
		--bench_data_dir="$work" "$@" 2>"$out.err" |
		jq -r '.benchmarks[] | select(.run_type == "iteration")
			| "\(.run_name) \(if .result == null
				then "none: \(.error_message // "no result")"
				else (.result | tostring) end)"' |
		sort >"$out"
}

base=$BUILD/O2/bench_$suite
results "$base" "$work/O2"
n=$(wc -l <"$work/O2")
ok "$n" -ge 11 "O2 runs every kernel ($n)"
is "$(grep -c ' none' "$work/O2")" 0 "O2 reports a result for every kernel"
grep ' none' "$work/O2" | head -5 | sed 's/^/#   /'

# same NAME A B: passes when the two result lists are identical.
same() {
	local d
	d=$(diff "$2" "$3" | grep '^[<>]')
	ok -z "$d" "$1"
	[ -n "$d" ] && printf '%s\n' "$d" | head -10 | sed 's/^/#   /'
}

results "$base" "$work/O2-again"
same "O2 twice with one seed: same results" "$work/O2" "$work/O2-again"

# Every kernel but fib (its argument is fixed) takes its input from the seed.
results "$base" "$work/O2-seed2" --bench_seed=2
changed=$(join "$work/O2" "$work/O2-seed2" | awk '$2 != $3' | wc -l)
is "$changed" $((n - 1)) "another seed changes every result but fib's"

# A flavor built before the sources last changed (a custom one from an
# earlier session) would be compared with code it does not contain.
newest=$(ls -t suites/$suite/*.c suites/$suite/*.h | head -1)
for bin in "$BUILD"/*/bench_$suite; do
	f=$(basename "$(dirname "$bin")")
	case $f in O2 | pgo-gen) continue ;; esac
	[ -x "$bin" ] || continue
	if [ "$newest" -nt "$bin" ]; then
		diag "$f left out: built before $newest changed"
		continue
	fi
	results "$bin" "$work/$f"
	same "$f computes what O2 computes" "$work/O2" "$work/$f"
done
for f in $want_flavors; do
	[ -x "$BUILD/$f/bench_$suite" ] || ok 0 -eq 1 "$f was built"
done

done_testing
