#!/usr/bin/env bash
# browser.sh - the dashboard as a reader sees it, in headless Chromium.
#
# Makes a real run of the harness and syscall suites at the test profile
# (syscall filtered to its crossing, combining and fsync cases, to stay
# quick), gives it three rounds with jq, and copies it into four runs on
# two machines: the same machine a day later with syscall 15% slower, and
# a third day; another machine (host and CPU changed) at 0.7x the times.
# Builds the site over them with a comparison across the machines, then
# loads every page in Chromium (tests/lib/browser.py) and fails on console
# errors, failed loads, missing images and dead links. Screenshots of every
# page stay in results/screenshots/ (git-ignored) for review. SKIP when
# chromium is not installed (scripts/deps --test installs it).
#
#   bash tests/scripts/browser.sh      (about 40 s on two busy cores)
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh

if ! command -v chromium >/dev/null 2>&1; then
	ok 1 "# SKIP chromium is not installed (scripts/deps --test installs it)"
	done_testing
	exit
fi
w=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$w"' EXIT

# ---- a real run ------------------------------------------------------------

real=$w/real
mkdir -p "$real/raw" "$real/logs" "$w/data"
: > "$real/logs/suites.jsonl"
for spec in "harness ." \
	"syscall ^syscall/(crossing/|combine/cached/(pread|preadv)/|fsync/(none|fdatasync|fsync)/record:4KiB)"; do
	read -r suite filter <<<"$spec"
	"$BUILD/O2/bench_$suite" --bench_profile=test --bench_data_dir="$w/data" \
		--benchmark_filter="$filter" --benchmark_out="$real/raw/$suite-O2-r1.json" \
		--benchmark_out_format=json > "$real/logs/$suite-O2-r1.log" 2>&1
	jq -nc --arg s "$suite" --argjson rc $? \
		'{suite: $s, flavor: "O2", status: (if $rc == 0 then "ok" else "failed" end),
		  exit_code: $rc, seconds: 1, raw: "raw/\($s)-O2-r1.json", log: "logs/\($s)-O2-r1.log",
		  round: 1, rounds: 3}' >> "$real/logs/suites.jsonl"
done
check "a real run of harness and syscall at the test profile" scripts/merge "$real" --profile test

# ---- four runs on two machines, made with jq -----------------------------------

res=$w/results
# derive FOLDER DAY HOST CPU SCALE SYSCALL_SCALE: a copy of the real run
# with three rounds (the second 3% faster, the third 3% slower).
derive() {
	local d=$res/$1
	mkdir -p "$d"
	cp -r "$real/raw" "$real/logs" "$d/"
	jq --arg id "$1" --arg day "$2" --arg host "$3" --arg cpu "$4" \
		--argjson k "$5" --argjson ks "$6" '
		def scale($f): if (.real_time | type) == "number"
			then .real_time *= $f | .cpu_time *= $f else . end;
		.run_id = $id | .started = "2026-12-0\($day)T10:00:00+00:00" | .host = $host
		| .context.host_name = $host | .context.cpu_model = $cpu
		| .benchmarks |= [.[] as $e | [1, 0.97, 1.03] | to_entries[]
			| . as $r | $e | .round = ($r.key + 1)
			| scale($r.value * $k * (if .suite == "syscall" then $ks else 1 end))]
		| .suites |= [.[] as $s | range(1; 4) | . as $r | $s | .round = $r]' \
		"$real/run.json" > "$d/run.json"
	"$BUILD/O2/tools/benchstat" claims "$d/run.json" suites/*/claims.json --json \
		> "$d/claims.json" 2>/dev/null
}
derive 20261201-100000-vm 1 vm "Oxide Virtual Turin-like Processor" 1 1
derive 20261202-100000-vm 2 vm "Oxide Virtual Turin-like Processor" 1 1.15
derive 20261203-100000-vm 3 vm "Oxide Virtual Turin-like Processor" 1 1.15
derive 20261202-120000-other 2 other "Other CPU 9000" 0.7 1

out=$(scripts/dashboard --compare 20261201-100000-vm 20261202-120000-other "$res" 2>&1)
is "$?" 0 "the site is built over four runs on two machines"
site=$res/site
ok "$(grep -c '(4 runs on 2 machines)' <<<"$out")" -eq 1 "$(tail -1 <<<"$out")"
ok "$(grep -c 'class="n regression">+15.0% worse' "$site/regressions.html")" -ge 1 "the syscall slowdown is on the regressions page"

# ---- every page in Chromium ---------------------------------------------------

mapfile -t pages < <(find "$site" -name '*.html' | sort)
ok "${#pages[@]}" -ge 12 "index, trends, comparisons, regressions, claims and reports (${#pages[@]} pages)"
shots=$BENCH_TOP/results/screenshots
rm -rf "$shots"
out=$(python3 tests/lib/browser.py --shots "$shots" "${pages[@]}" 2>&1)
rc=$?
if [ $rc -eq 3 ]; then
	ok 1 "# SKIP chromium could not be driven: $out"
else
	is "$rc" 0 "no console error, failed load, missing image or dead link ($(tail -1 <<<"$out"))"
	grep '^PROBLEM' <<<"$out" | head -20 | sed 's/^/#   /'
	is "$(ls "$shots"/*.png 2>/dev/null | wc -l)" "${#pages[@]}" "a screenshot of every page in results/screenshots/"
fi
done_testing
