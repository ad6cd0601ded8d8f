#!/usr/bin/env bash
# hostile.sh - a results folder is data from a stranger (docs/security.md).
#
# Makes a small real run (syscall at the test profile: getppid and two
# fsync cases, whose label names the filesystem; plus its entries copied
# as a two-flavor optlevels suite, so that plot's kernel tics are drawn),
# then one variant per class of payload, planted into every string field
# the scripts read (tests/lib/hostile.jq: benchmark names, families,
# labels, descriptions, context values, suite records, run_id, host, the
# A/A and calibration records; and the texts of claims.json):
#   shell    `touch CANARY` and $(touch CANARY), bare and breaking out of
#            either kind of quote
#   markup   <script>alert(1)</script> and "><img src=x onerror=alert(1)>
#   text     ../../x (a family is part of a plot's file name), a newline,
#            a tab, a carriage return, and " and ' alone
#   long     a string of 4000 characters (one field of each kind)
# and variants the validation must refuse: a string of 100 kB, invalid
# UTF-8, a terminal escape (ESC) in a label, a suite named ../../x, and
# a string where a number belongs (suites[].skipped, context.topo_cores,
# a benchmark's real_time, a claim's claimed_ratio). On each, scripts/plot, report, claims and
# compare run, and every tool must exit 0, or 2 naming the file and the
# field; then scripts/dashboard once over all of them. Checks: no canary
# file (no command ran), every figure drawn (none failed, none missing),
# no file written outside the run's plots/, no payload markup unescaped in
# any HTML or SVG (grep), every page loaded in headless Chromium without a
# dialog (SKIP when chromium is absent); and a plot that fails is named
# by plot and shown in the report. About 60 s on two cores, 100 s while
# other builds share them.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh

w=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$w"' EXIT
canary=$w/canary
mkdir -p "$canary"

# ---- a real run ------------------------------------------------------------

real=$w/real
mkdir -p "$real/raw" "$real/logs" "$w/data"
"$BUILD/O2/bench_syscall" --bench_profile=test --bench_data_dir="$w/data" \
	--benchmark_filter='^syscall/(crossing/getppid|fsync/(none|fdatasync)/record:4KiB)' \
	--benchmark_out="$real/raw/syscall-O2-r1.json" --benchmark_out_format=json \
	> "$real/logs/syscall-O2-r1.log" 2>&1
jq -nc --argjson rc $? '{suite: "syscall", flavor: "O2", status: (if $rc == 0 then "ok" else "failed" end),
	exit_code: $rc, seconds: 1, raw: "raw/syscall-O2-r1.json", log: "logs/syscall-O2-r1.log"}' \
	> "$real/logs/suites.jsonl"
check "a real run of syscall at the test profile" scripts/merge "$real" --profile test
# Its entries again as an optlevels suite in two flavors (O3 twice as fast).
jq '(.suites[0]) as $s
	| .suites += [$s + {suite: "optlevels", flavor: "O2"}, $s + {suite: "optlevels", flavor: "O3"}]
	| .benchmarks += [.benchmarks[] | select(.run_type == "iteration" and .status == "ok")
		| (.name | sub("^syscall/"; "optlevels/")) as $n
		| . + {suite: "optlevels", name: $n, run_name: $n, base_name: $n}
		| ., (. + {flavor: "O3", cpu_time: (.cpu_time / 2)})]' \
	"$real/run.json" > "$w/t" && mv "$w/t" "$real/run.json"
check "which validates with an optlevels suite added" scripts/validate "$real/run.json"
"$BUILD/O2/tools/benchstat" claims "$real/run.json" suites/*/claims.json --json > "$w/claims.json"
# Two verdicts with every text a claim has, as benchstat writes them.
jq '. + [{suite: "syscall", id: "planted", kind: "compare", metric: "real_time",
	  verdict: "holds", ratio: 2.1, ci_low: 1.8, ci_high: 2.4, claimed_ratio: 2,
	  min_ratio: 1.2, claim: "c", detail: "d", source: "s", note: "n"},
	 {suite: "syscall", id: "planted-2", kind: "compare", metric: "real_time",
	  verdict: "inconclusive", claim: "c", detail: "d", reason: "r"}]' \
	"$w/claims.json" > "$real/claims.json"

# ---- the variants ---------------------------------------------------------------

res=$w/results
mkdir -p "$res"
# variant NAME PAYLOAD [FEW]: the real run with PAYLOAD planted.
variant() {
	local d=$res/$1
	cp -r "$real" "$d"
	jq --arg p "$2" --argjson few "${3:-false}" -f tests/lib/hostile.jq "$real/run.json" > "$d/run.json"
	jq --arg p "$2" 'map(if .id | test("^planted") then .id += $p | .claim = $p
		| .detail = $p | (.source, .note, .reason) |= (if . then $p else . end) else . end)' \
		"$real/claims.json" > "$d/claims.json"
}
sh="touch $canary"
variant shell "\`$sh/bq\` \$($sh/dollar) \"\`$sh/dq\`\" '\`$sh/sq\`' \"; system('$sh/sys') ;\""
variant markup "<script>alert(1)</script>\"><img src=x onerror=alert(1)>"
# A flavors.json with a string where a figure belongs: not shown.
jq -n '{benchmarks: [], flavors: [{flavor: "O3", baseline_flavor: "O2",
	geomean_speedup: "<script>alert(1)</script>", note: "FLAVORS-JSON-USED"}]}' \
	> "$res/markup/flavors.json"
variant text "../../x$(printf 'line\nbreak\ttab\rreturn')a\"b'c"
variant long "$(head -c 4000 /dev/zero | tr '\0' 'A')" true
variant huge "$(head -c 100000 /dev/zero | tr '\0' 'A')" true
accepted=(shell markup text long)

# Refused: each breaks one rule of the schema.
refuse() {
	local name=$1 filter=$2 file=${3:-run.json}
	cp -r "$real" "$res/$name"
	jq "$filter" "$real/$file" > "$res/$name/$file"
}
cp -r "$real" "$res/utf8"
jq -c . "$real/run.json" | sed 's/"label":"/"label":"\xff\xfe/' > "$res/utf8/run.json"
refuse suite-path '.suites[0].suite = "../../x" | .benchmarks[0].suite = "../../x"'
refuse escape '.benchmarks[0].label = "a\u001b[2Jb"'
refuse skipped '.suites[0].skipped = "<script>alert(1)</script>"'
refuse cores '.context.topo_cores = "<script>alert(1)</script>"'
refuse number '.benchmarks[0].real_time = "<script>alert(1)</script>"'
refuse ratio '.[0].claimed_ratio = "<script>alert(1)</script>"' claims.json
refused=(huge utf8 escape suite-path skipped cores number ratio)
# Which field each must be refused for (claims.json: report only).
declare -A field=([huge]="benchmarks[0].label: longer than"
	[utf8]="not valid UTF-8" [escape]="benchmarks[0].label: a control character"
	[suite-path]="suites[0].suite"
	[skipped]="suites[0].skipped" [cores]="context.topo_cores"
	[number]="benchmarks[0].real_time" [ratio]="[0].claimed_ratio")

# ---- every tool on every variant --------------------------------------------------

# tool NAME VARIANT CMD...: exit 0, or 2 with a message naming the file and
# field; never 1 and never a jq or gnuplot trace. Prints "NAME RC OK".
tool() {
	local name=$1 v=$2 out rc good=0
	shift 2
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -eq 0 ] || { [ $rc -eq 2 ] && [ -n "${field[$v]:-}" ] &&
	   grep -qF -- "${field[$v]}" <<<"$out" && grep -qF -- "$res/$v" <<<"$out"; }; then
		good=1
	fi
	echo "$name $rc $good"
	[ $good -eq 1 ] || printf '%s\n' "$out" | head -c 2000 | head -8 | sed "s/^/# $name: /"
}
# Two variants at a time: each tool's start-up is most of its time.
for v in "${accepted[@]}" "${refused[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
	d=$res/$v
	{
		tool plot "$v" scripts/plot "$d"
		tool report "$v" scripts/report "$d"
		tool claims "$v" scripts/claims "$d"
		tool compare "$v" scripts/compare "$real" "$d"
	} > "$w/tools-$v" 2>&1 &
done
wait
declare -A rcs
bad=0
for v in "${accepted[@]}" "${refused[@]}"; do
	while read -r name rc good; do
		case $name in
		\#*) diag "$v $name $rc $good" ;;
		*) rcs[$name/$v]=$rc
		   [ "$good" = 1 ] || { diag "$name on $v: exit $rc"; bad=$((bad + 1)); } ;;
		esac
	done < "$w/tools-$v"
done
is "$bad" 0 "plot, report, claims, compare: exit 0, or 2 naming the file and field"
n=0
for v in "${accepted[@]}"; do
	[ "${rcs[plot/$v]}${rcs[report/$v]}${rcs[claims/$v]}${rcs[compare/$v]}" = 0000 ] ||
		{ diag "$v: ${rcs[plot/$v]} ${rcs[report/$v]} ${rcs[claims/$v]} ${rcs[compare/$v]}"; n=$((n + 1)); }
done
is "$n" 0 "a payload in a text field is drawn and printed, not refused"
n=0
for v in "${refused[@]}"; do
	want=2222
	[ "$v" = ratio ] && want=0200	# claims.json: only the report reads it
	[ "${rcs[plot/$v]}${rcs[report/$v]}${rcs[claims/$v]}${rcs[compare/$v]}" = "$want" ] ||
		{ diag "$v: ${rcs[plot/$v]} ${rcs[report/$v]} ${rcs[claims/$v]} ${rcs[compare/$v]}"; n=$((n + 1)); }
done
is "$n" 0 "a file breaking the schema is refused (exit 2) by every tool that reads it"

# Every figure of the real run is drawn for every accepted variant.
want=$(scripts/plot "$real" >/dev/null 2>&1; ls "$real/plots"/*.svg | wc -l)
ok "$want" -ge 4 "the real run has its plots ($want: families, fsync, optlevels)"
n=0
for v in "${accepted[@]}"; do
	# Each planted family is one more chart; every chart of the real run
	# is there by its own name.
	missing=$(cd "$real/plots" && for f in *.svg; do
		[ -f "$res/$v/plots/$f" ] || printf '%s ' "$f"; done)
	[ -z "$missing" ] && ! ls "$res/$v/plots"/*.failed >/dev/null 2>&1 ||
		{ diag "$v: missing: $missing; failed: $(ls "$res/$v/plots"/*.failed 2>/dev/null)"; n=$((n + 1)); }
done
is "$n" 0 "no figure fails or goes missing"

out=$(scripts/dashboard "$res" "$w/site" 2>&1)
is "$?" 0 "the dashboard builds over them"
n=0
for v in "${refused[@]}"; do
	[ "$v" = ratio ] && f="claims.json" || f="run.json"
	grep -qF "skipping $res/$v: not a valid" <<<"$out" && grep -qF "${field[$v]}" <<<"$out" ||
		{ diag "$v: not left out with its field named"; n=$((n + 1)); }
done
is "$n" 0 "leaving out every refused run with the file and field named"
ok "$(grep -c 'could not be' <<<"$out")" -eq 0 "with every plot and report of the others drawn"
ok "$(ls -d "$w/site/runs"/*/ | wc -l)" -eq ${#accepted[@]} "and all of them in the site"

# ---- a plot that fails ---------------------------------------------------------

# gnuplot failing for every plot (as it did on a stray quote): an error
# that names each plot, and a note in the report where each figure would be.
mkdir -p "$w/bin"
printf '#!/bin/sh\necho "line 0: unexpected or unrecognized token" >&2\nexit 1\n' > "$w/bin/gnuplot"
chmod +x "$w/bin/gnuplot"
cp -r "$real" "$w/broken"
out=$(PATH=$w/bin:$PATH scripts/plot "$w/broken" 2>&1)
is "$?" 1 "a plot that fails makes plot exit 1"
ok "$(grep -c 'plots that could not be drawn:.*syscall-fsync-4KiB.*' <<<"$out")" -eq 1 "naming the plot"
scripts/report "$w/broken" >/dev/null 2>&1
n=$(grep -c 'could not be drawn' "$w/broken/index.html")
ok "$n" -ge "$want" "the report shows each failure where its figure would be ($n of $want)"

# ---- what came out ------------------------------------------------------------------

is "$(ls -A "$canary" | tr '\n' ' ')" "" "no payload ran a command (no canary file)"
stray=$(find "$w" -type f \( -name '*.svg' -o -name '*.tsv' -o -name '*.caption' -o -name '*.failed' \) |
	grep -v '/plots/\(data/\)\?[^/]*$')
is "$stray" "" "no plot file outside a run's plots/ (a family called ../../x)"
ok ! -e "$w/x" -a ! -e "$res/x" "nothing written where ../../x points"
pages=$(find "$res" "$w/site" -name '*.html' | sort)
svgs=$(find "$res" "$w/site" -name '*.svg')
hits=$(printf '%s\n' $pages $svgs | xargs grep -l '<script>alert\|<img src=x' 2>/dev/null)
is "$hits" "" "no payload markup unescaped in any page or SVG ($(wc -l <<<"$pages") pages)"
ok "$(grep -l '&lt;script&gt;alert(1)' $pages | wc -l)" -ge 2 "the payload is shown, escaped"
is "$(grep -c FLAVORS-JSON-USED "$res/markup/index.html")" 0 "a flavors.json with a string for a figure is recomputed, not shown"

# ---- in a browser ---------------------------------------------------------------------

if ! command -v chromium >/dev/null 2>&1; then
	ok 1 "# SKIP chromium is not installed (scripts/deps --test installs it)"
else
	# The site holds every accepted variant's report: one browser for all.
	site_pages=$(find "$w/site" -name '*.html' 2>/dev/null | sort)
	out=$(python3 tests/lib/browser.py $site_pages 2>&1)
	rc=$?
	if [ $rc -eq 3 ]; then
		ok 1 "# SKIP $(tail -1 <<<"$out")"
	else
		is "$(grep -c 'dialog' <<<"$out")" 0 "no page opens a dialog in Chromium"
		is "$rc" 0 "and none has another problem ($(tail -1 <<<"$out"))"
		grep 'PROBLEM' <<<"$out" | head -5 | sed 's/^/# /'
	fi
fi
done_testing
