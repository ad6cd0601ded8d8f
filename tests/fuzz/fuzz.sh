#!/usr/bin/env bash
# fuzz.sh DIR SECONDS TARGET... - runs each libFuzzer target DIR/TARGET
# for SECONDS (make fuzz). Its corpus starts from tests/fuzz/TARGET/seeds
# and regress (and, for claims, every suite's claims.json) and grows in
# DIR/corpus/TARGET; an input that crashes is kept in DIR/crashes/TARGET
# and named here, to be fixed and then added to tests/fuzz/TARGET/regress/.
# Exits 1 if any target found a crash, 0 if every one ran clean.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
dir=$1 secs=$2
shift 2
case $secs in '' | *[!0-9]*) echo "error: FUZZ_SECONDS must be a whole number of seconds, not '$secs'" >&2; exit 2 ;; esac
bad=0
for t in "$@"; do
	corpus=$dir/corpus/$t crashes=$dir/crashes/$t
	mkdir -p "$corpus" "$crashes"
	seeds=(tests/fuzz/"$t"/seeds tests/fuzz/"$t"/regress)
	[ "$t" = claims ] && cp suites/*/claims.json "$corpus"/ 2>/dev/null
	dict=()
	if [ -f tests/fuzz/"$t".dict ]; then dict=(-dict=tests/fuzz/"$t".dict); else dict=(-dict=tests/fuzz/json.dict); fi
	echo "fuzz: $t for ${secs}s"
	# halt_on_error: the first report stops the run; the input is saved.
	ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$dir/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=1 -artifact_prefix="$crashes/" \
		"${dict[@]}" "$corpus" "${seeds[@]}" >"$dir/$t.log" 2>&1
	rc=$?
	grep -E '^stat::number_of_executed_units|^#[0-9]+ +DONE' "$dir/$t.log" | tail -2 | sed 's/^/  /'
	if [ $rc -ne 0 ]; then
		bad=1
		echo "fuzz: $t FOUND A BUG (exit $rc); log: $dir/$t.log; inputs:" >&2
		ls "$crashes" | sed "s|^|  $crashes/|" >&2
		grep -E 'ERROR: |runtime error' "$dir/$t.log" | head -3 | sed 's/^/  /' >&2
	fi
done
exit $bad
