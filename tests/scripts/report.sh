#!/usr/bin/env bash
# report.sh - plots, the HTML report, and Google Benchmark's own
# compare.py reading a suite's raw JSON.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/lib/fixtures.sh

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
harness_raw "$w/a.json"
harness_raw "$w/b.json"

py=/usr/bin/python3
if [ -x $py ] && $py -c 'import scipy, numpy' 2>/dev/null; then
	out=$($py /usr/share/benchmark/compare.py benchmarks "$w/a.json" "$w/b.json" 2>&1)
	is "$?" 0 "Google Benchmark's compare.py reads a suite's raw JSON"
	ok "$(printf '%s\n' "$out" | grep -c 'harness/loop/batched')" -ge 1 "and compares its benchmarks"
else
	ok 1 "# SKIP compare.py needs python3-scipy (scripts/deps installs it)"
fi

# A run folder from the real output, then plots and report.
run_dir_for "$w/run" "$w/a.json" harness O2
scripts/merge "$w/run" --profile test
check "plots draw" scripts/plot "$w/run"
n=$(ls "$w/run/plots"/*.svg | wc -l)
ok "$n" -ge 3 "one plot per harness family ($n)"
for svg in "$w/run/plots"/*.svg; do
	grep -q '</svg>' "$svg" || { ok 0 "$svg is a complete SVG"; break; }
done
ok "$(grep -l '</svg>' "$w/run/plots"/*.svg | wc -l)" -eq "$n" "every SVG is complete"
ok "$(ls "$w/run/plots/data"/*.tsv | wc -l)" -eq "$n" "the data of every plot is kept"
"$BUILD/O2/tools/benchstat" claims "$w/run/run.json" suites/harness/claims.json --json > "$w/run/claims.json"
check "the report is written" scripts/report "$w/run"
html=$w/run/index.html
ok "$(grep -c '<h2>Claims</h2>' "$html")" -eq 1 "it has a claims section"
ok "$(grep -c 'harness/syscall-counter-exact-16' "$html")" -ge 1 "listing the harness claims"
ok "$(grep -c '<h2 id="harness">' "$html")" -eq 1 "a section for the suite"
ok "$(grep -c 'harness/loop/native' "$html")" -ge 1 "with its benchmarks"
ok "$(grep -c 'AMD\|Intel\|CPU' "$html")" -ge 1 "and the machine"
missing=0
for img in $(grep -o 'src="[^"]*"' "$html" | sed 's/src="//; s/"$//'); do
	[ -f "$w/run/$img" ] || missing=$((missing + 1))
done
is "$missing" 0 "every image it shows exists"
ok "$(grep -c '<figcaption>' "$html")" -eq "$n" "every plot has its caption"

# Names are escaped, not injected.
mkrun "$w/x.json" "s|O2|s/f/<script>alert(1)</script>|1 2 3 4 5"
mkdir -p "$w/x" && cp "$w/x.json" "$w/x/run.json"
check "a hostile benchmark name is reported" scripts/report "$w/x"
ok "$(grep -c '<script>' "$w/x/index.html")" -eq 0 "and escaped"

# A run with nothing to plot.
mkrun "$w/empty.json" "s|O2|s/f/a|1 2 3"
jq '.benchmarks = []' "$w/empty.json" > "$w/e.json"
mkdir -p "$w/e" && cp "$w/e.json" "$w/e/run.json"
check "plot of an empty run succeeds" scripts/plot "$w/e"
fails "plot of a missing run is an error" 2 scripts/plot "$w/nowhere"
fails "report of a missing run is an error" 2 scripts/report "$w/nowhere"
done_testing
