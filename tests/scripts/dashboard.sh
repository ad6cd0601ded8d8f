#!/usr/bin/env bash
# dashboard.sh - scripts/dashboard gathers runs into one static site:
# machines told apart, runs linked by their folder names (odd ones too),
# a change point in a trend listed as a regression, comparison pages for
# consecutive runs and for a pair asked for, claims over time with a flip
# outlined, every table exported, raw/ and logs/ copied, and no dead link
# anywhere (tests/lib/crawl.py).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/lib/fixtures.sh

w=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$w"' EXIT
res=$w/results

# mk FOLDER RUN_ID STARTED CPU A_NS: a run of three rounds on machine CPU,
# s/f/a taking A_NS, s/f/b 50 ns.
mk() {
	local d=$res/$1 a=$5
	mkdir -p "$d/raw" "$d/logs"
	mkrun "$d/run.json" \
		"s|O2|s/f/a|$a $a;$(awk -v a="$a" 'BEGIN { print a * 1.01, a * 1.01 ";" a * 0.99, a * 0.99 }')" \
		"s|O2|s/f/b|50 50.5;49.5 50;50.2 49.8"
	jq --arg id "$2" --arg s "$3" --arg cpu "$4" '.run_id = $id | .started = $s
		| .context = {cpu_model: $cpu, topo_cores: "2", mem_total_bytes: "25276166144",
			      kernel: "Linux 6.18", hypervisor: "KVM", host_name: ($cpu | ascii_downcase)}
		| .suites |= map(.raw = "raw/s-O2-r1.json" | .log = "logs/s-O2-r1.log")' \
		"$d/run.json" > "$w/t" && mv "$w/t" "$d/run.json"
	echo '{"benchmarks": []}' > "$d/raw/s-O2-r1.json"
	echo 'console output' > "$d/logs/s-O2-r1.log"
}
# verdicts FOLDER V1 V2: claims.json with c1 and c2 at those verdicts.
verdicts() {
	jq -n --arg v1 "$2" --arg v2 "$3" '[
		{suite: "s", id: "c1", claim: "a beats b", kind: "compare", verdict: $v1,
		 ratio: 2.5, ci_low: 2, ci_high: 3, rounds: 3, tested_against: {min: 1.05}},
		{suite: "s", id: "c2", claim: "b is cheap", kind: "compare", verdict: $v2,
		 ratio: 1.1, ci_low: 0.9, ci_high: 1.3, rounds: 3, tested_against: {min: 1.05}}]' \
		> "$res/$1/claims.json"
}
mk a-1 20260101-vm 2026-01-01T10:00:00+00:00 "Machine A" 100
mk "a 2 & more" 20260102-vm 2026-01-02T10:00:00+00:00 "Machine A" 100
mk a-3 20260103-vm 2026-01-03T10:00:00+00:00 "Machine A" 120
mk b-1 20260102-other 2026-01-02T11:00:00+00:00 "Machine B" 70
verdicts a-1 holds holds
verdicts "a 2 & more" holds inconclusive
verdicts a-3 "does not hold" holds
verdicts b-1 holds holds
# A stranger's report and plot are never copied: the site draws its own.
echo '<script>alert(1)</script>' > "$res/a-1/index.html"
mkdir -p "$res/a-1/plots" && echo '<svg onload="alert(2)"/>' > "$res/a-1/plots/s-evil.svg"
mkdir -p "$res/broken" && echo '{"broken": true}' > "$res/broken/run.json"

out=$(scripts/dashboard --compare a-1 b-1 "$res" 2>&1)
is "$?" 0 "the dashboard is built"
site=$res/site
ok -s "$site/index.html" "into results/site/index.html"
ok "$(grep -c 'skipping .*broken' <<<"$out")" -eq 1 "an invalid run is skipped with a warning"
ok "$(grep -c 'dashboard: .*(4 runs on 2 machines)' <<<"$out")" -eq 1 "it says what it gathered"
idx=$site/index.html
ok "$(grep -c '<h2 id="m-[0-9a-f]*">Machine A</h2>' "$idx")" -eq 1 "runs are grouped by machine: the first"
ok "$(grep -c '<h2 id="m-[0-9a-f]*">Machine B</h2>' "$idx")" -eq 1 "and the second"
ok "$(grep -c 'href="runs/a%202%20%26%20more/index.html"' "$idx")" -eq 1 "a run is linked by its folder name, quoted"
ok "$(grep -c 'href="runs/20260101-vm' "$idx")" -eq 0 "not by its run_id"
ok -s "$site/runs/a 2 & more/index.html" "its report is drawn into the site"
ok "$(grep -c 'href="../../index.html"' "$site/runs/a-1/index.html")" -ge 1 "and links back to the dashboard"
ok "$(grep -c '<script>' "$site/runs/a-1/index.html")" -eq 0 "a run's own index.html is not copied"
ok ! -e "$site/runs/a-1/plots/s-evil.svg" "nor its plots"
ok -s "$site/runs/a-1/raw/s-O2-r1.json" "raw/ is copied"
ok -s "$site/runs/a-1/logs/s-O2-r1.log" "and logs/"
ok "$(grep -c 'href="raw/s-O2-r1.json"' "$site/runs/a-1/index.html")" -ge 1 "and the report links them"

# Trends and change points.
ma=$(grep -o 'trends/m-[0-9a-f]*-s.html' "$idx" | head -1)
ok -s "$site/$ma" "a trends page per machine and suite"
ok "$(grep -c '<svg class="trend"' "$site/$ma")" -eq 2 "with a chart per benchmark"
ok "$(grep -c '+20.0% worse' "$site/$ma")" -eq 1 "the 20% slowdown of s/f/a is a change point"
reg=$site/regressions.html
ok "$(grep -c '<h1>Change points: 1 regressions, 0 improvements</h1>' "$reg")" -eq 1 "the regressions page counts it"
ok "$(grep -c 's/f/a' "$reg")" -eq 1 "and lists it"
ok "$(grep -c 'href="runs/a-3/index.html"' "$reg")" -eq 1 "between the runs it happened"

# Comparisons.
ok -s "$site/compare/a-1--a 2 & more.html" "consecutive runs of a machine are compared"
ok -s "$site/compare/a 2 & more--a-3.html" "each pair"
ok -s "$site/compare/a-1--b-1.html" "and the pair asked for, across machines"
ok ! -e "$site/compare/a-3--b-1.html" "no other"
cmp_page=$site/compare/a-1--b-1.html
ok "$(grep -c '<td><code>cpu_model</code></td><td>Machine A</td><td>Machine B</td>' "$cmp_page")" -eq 1 \
	"the environment differences come first"
flat=$(tr '\n' ' ' < "$cmp_page")
before=${flat%%<h2>Benchmarks*}
ok "$(grep -c 'cpu_model' <<<"$before")" -eq 1 "above the table"

# Claims over time.
cl=$site/claims.html
ok "$(grep -c 'class="fails flip nowrap"' "$cl")" -eq 1 "a flip between holds and does not hold is outlined"
ok "$(grep -c 'class="[a-z]* change nowrap"' "$cl")" -eq 2 "other changes of verdict are marked apart"

# Exports.
is "$(jq length "$site/runs.json")" 4 "the runs table as JSON"
is "$(wc -l < "$site/runs.csv")" 5 "and CSV"
is "$(jq -r '.[0].name' "$site/regressions.json")" "s/f/a" "the regressions as JSON"
is "$(jq '[.[] | select(.flip)] | length' "$site/claims.json")" 1 "the claims over time"
out=$(python3 tests/lib/crawl.py "$site")
is "$?" 0 "no dead link in the site ($(tail -1 <<<"$out"))"
grep '^dead' <<<"$out" | head -5 | sed 's/^/#   /'
ok "$(grep -o '[0-9]* pages' <<<"$out" | cut -d' ' -f1)" -ge 12 "over every page"

sum=$(sha256sum < "$res/a-1/run.json")
scripts/dashboard "$res" >/dev/null 2>&1
is "$?" 0 "it rebuilds over the old site"
is "$(sha256sum < "$res/a-1/run.json")" "$sum" "leaving the runs untouched"
ok "$(ls -d "$res"/.site* 2>/dev/null | wc -l)" -eq 0 "and no temporary folders"
ok ! -e "$site/compare/a-1--b-1.html" "a comparison not asked for again is gone"

fails "no results directory: exit 2" 2 scripts/dashboard "$w/nothing"
mkdir "$w/empty"
fails "no runs: exit 2" 2 scripts/dashboard "$w/empty"
fails "a comparison with a run that is not there: exit 2" 2 scripts/dashboard --compare a-1 zz "$res"
fails "an unknown option: exit 2" 2 scripts/dashboard --bogus "$res"
done_testing
