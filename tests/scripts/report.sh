#!/usr/bin/env bash
# report.sh - plots and the HTML report: a real run of the harness suite
# (every link and image there, Google Benchmark's compare.py reading its
# raw JSON), the family charts drawn only for a handful of cases, and the
# report at a glance on a constructed run: the tally and contents first,
# per suite claims, plots, then the tables collapsed; the source's figure
# apart from the bound tested; skips grouped; unstable results marked;
# the A/A rate, calibration and flavor flags; every value escaped.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/lib/fixtures.sh

w=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$w"' EXIT
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

# ---- a real run ------------------------------------------------------------

run_dir_for "$w/run" "$w/a.json" harness O2
scripts/merge "$w/run" --profile test
check "plots draw" scripts/plot "$w/run"
n=$(ls "$w/run/plots"/*.svg | wc -l)
ok "$n" -ge 2 "the harness families of a handful of cases get a chart ($n)"
ok "$(grep -l '</svg>' "$w/run/plots"/*.svg | wc -l)" -eq "$n" "every SVG is complete"
ok "$(ls "$w/run/plots/data"/*.tsv | wc -l)" -eq "$n" "the data of every plot is kept"
"$BUILD/O2/tools/benchstat" claims "$w/run/run.json" suites/harness/claims.json --json > "$w/run/claims.json"
check "the report is written" scripts/report "$w/run"
html=$w/run/index.html
ok "$(grep -c '<h2 id="glance">At a glance</h2>' "$html")" -eq 1 "it opens with the run at a glance"
ok "$(grep -c 'harness/syscall-counter-exact-16' "$html")" -ge 1 "listing the harness claims"
ok "$(grep -c '<h2 id="suite-harness">' "$html")" -eq 1 "a section for the suite"
ok "$(grep -c 'harness/loop/native' "$html")" -ge 1 "with its benchmarks"
ok "$(grep -c 'AMD\|Intel\|CPU' "$html")" -ge 1 "and the machine"
missing=0
for img in $(grep -o 'src="[^"]*"' "$html" | sed 's/src="//; s/"$//'); do
	[ -f "$w/run/$img" ] || missing=$((missing + 1))
done
is "$missing" 0 "every image it shows exists"
ok "$(grep -c '<figcaption>' "$html")" -eq "$n" "every plot has its caption"
out=$(python3 tests/lib/crawl.py "$w/run")
is "$?" 0 "no link of the report is dead ($(tail -1 <<<"$out"))"
ok "$(grep -c 'href="raw/harness-O2.json"' "$html")" -eq 1 "it links the raw JSON of each binary"
ok -s "$w/run/summary.csv" "the benchmark table is kept as CSV"
is "$(head -1 "$w/run/summary.csv" | cut -d, -f1-3)" "suite,flavor,name" "with a header"
ok -s "$w/run/claims.csv" "and the claims"

# ---- family charts only for a handful of cases ------------------------------

# The family is a field of each entry (the shim writes it), as in a real run.
specs=("p|O2|p/one/a|1 2 3||$(st one a)")
for c in a b c; do specs+=("p|O2|p/three/$c|1 2 3||$(st three "$c")"); done
for c in $(seq 1 12); do specs+=("p|O2|p/twelve/c$c|1 2 3||$(st twelve "c$c")"); done
mkdir -p "$w/fam"
mkrun "$w/fam/run.json" "${specs[@]}"
scripts/plot "$w/fam" >/dev/null 2>&1
is "$(cd "$w/fam/plots" && ls p-family-*.svg 2>/dev/null | tr '\n' ' ')" "p-family-three.svg " \
	"no chart for one case or for twelve, one for three"

# ---- the report at a glance --------------------------------------------------

mkdir -p "$w/g"
mkrun "$w/g/run.json" \
	"s|O2|s/f/a|100 101;102 103;101 100|bytes_per_second=83409097031.996" \
	"s|O2|s/f/b|200 201;202 203;201 200" \
	"s|O3|s/f/a|90 91;92 93;91 90" \
	"s|O3|s/f/b|180 181;182 183;181 180" \
	"s|O2|s/f/c|1 1;1 1;1 1" "s|O2|s/f/d|1 1;1 1;1 1" "s|O2|s/f/e|1 1;1 1;1 1" \
	"s|O2|s/f/g|1 1;1 1;1 1" "t|O2|t/x/y|5 6;5 6;5 6"
jq '(.benchmarks[] | select(.run_name | test("s/f/[cde]"))) |= (.status = "skipped" | .reason = "needs root for pagemap")
	| (.benchmarks[] | select(.run_name == "s/f/g")) |= (.status = "skipped" | .reason = "no io_uring")
	| (.benchmarks[] | select(.run_name == "s/f/b" and .flavor == "O2")) |= (.unstable = "drift: times rose 12% over the run")
	| .guards = {checked: 9, unstable: 1, rules: []}
	| .aa = {compared: 120, false_positive_rate: 0.025, flagged: 0, claim_flips: [], date: "2026-01-01T00:00:00+00:00", passed: true}
	| .calibration = {start: {syscall: {what: "getppid through syscall(2)", unit: "ns per call", median: 133}},
			  end: {syscall: {what: "getppid through syscall(2)", unit: "ns per call", median: 1370}}}
	| .suites |= map(.context = {bench_cflags: (if .flavor == "O3" then "-O3 -funroll-loops" else "-O2" end),
				  bench_march_native: "-march=znver4 -mtune=znver4"})' \
	"$w/g/run.json" > "$w/t" && mv "$w/t" "$w/g/run.json"
cat > "$w/g/claims.json" <<'EOF'
[{"suite": "s", "id": "c-holds", "claim": "a beats b", "kind": "compare", "verdict": "holds",
  "ratio": 1.9, "ci_low": 1.7, "ci_high": 2.1, "rounds": 3, "claimed_ratio": 1.4,
  "tested_against": {"min": 1.05}, "detail": "s/f/a against s/f/b"},
 {"suite": "s", "id": "c-holds-too", "claim": "still", "kind": "compare", "verdict": "holds",
  "ratio": 1.2, "ci_low": 1.1, "ci_high": 1.3, "rounds": 3, "tested_against": {"min": 1.05}},
 {"suite": "s", "id": "c-not", "claim": "no", "kind": "compare", "verdict": "does not hold",
  "ratio": 0.5, "ci_low": 0.4, "ci_high": 0.6, "rounds": 3, "tested_against": {"min": 1.05}},
 {"suite": "t", "id": "c-inc", "claim": "maybe", "kind": "value", "metric": "real_time", "verdict": "inconclusive",
  "ratio": 5.5, "rounds": 1, "tested_against": {"max": 8}, "reason": "1 round: one process gives no interval"},
 {"suite": "t", "id": "c-untestable", "claim": "cannot", "kind": "compare", "verdict": "not testable",
  "reason": "needs root for pagemap", "tested_against": {"min": 1.05}}]
EOF
check "the report of a constructed run is written" scripts/report "$w/g"
g=$w/g/index.html
flat=$(tr '\n' ' ' < "$g")
pos() { local s=${flat%%"$1"*}; [ "$s" = "$flat" ] && echo -1 || echo ${#s}; }
ok "$(pos '<h2 id="glance">')" -lt "$(pos '<h2 id="contents">')" "the tally comes before the contents"
ok "$(pos '<h2 id="contents">')" -lt "$(pos '<h2 id="suite-s">')" "and the contents before the suites"
ok "$(grep -cE '<b>2</b> hold<|<b>1</b> does not hold<|<b>1</b> inconclusive<|<b>1</b> not testable here<' "$g")" -eq 4 \
	"the tally counts each verdict"
ok "$(grep -c 'href="#suite-s"' "$g")" -eq 1 "the contents link each suite"
ok "$(grep -c 'href="#suite-t"' "$g")" -eq 1 "every suite"
s_claims=$(pos 'c-holds</b>')
s_table=$(pos '<summary>Benchmarks of s')
ok "$s_claims" -ge 0 "the suite's claims are shown"
ok "$s_claims" -lt "$s_table" "before its tables"
ok "$(grep -c '<details>' "$g")" -ge 2 "the tables are collapsed"
ok "$(grep -c '1.40×' "$g")" -eq 1 "the source's claimed figure is shown"
ok "$(grep -c 'claimed by<br>the source' "$g")" -ge 1 "under its own heading"
ok "$(grep -c '&ge;&nbsp;1.05×' "$g")" -ge 1 "apart from the bound the verdict tests"
ok "$(grep -c 'tested<br>against' "$g")" -ge 1 "which has its own"
nb=$'\u00a0'
ok "$(grep -c "&le;&nbsp;8.00${nb}ns" "$g")" -eq 1 "a value claim's bound is in its unit"
ok "$(grep -c '<b>3 skipped</b>: needs root for pagemap' "$g")" -eq 1 "three skips with one reason are one line"
ok "$(grep -c '<b>1 skipped</b>: no io_uring' "$g")" -eq 1 "another reason, another line"
ok "$(grep -c '<tr class="unstable">' "$g")" -eq 1 "the unstable result is marked"
ok "$(grep -c 'drift: times rose 12% over the run' "$g")" -eq 1 "with its reason"
ok "$(grep -c '1 results were unstable' "$g")" -eq 1 "and counted at the top"
ok "$(grep -c 'false-positive rate: <b>2.5%</b>' "$g")" -eq 1 "the machine's A/A false-positive rate"
ok "$(grep -oE "133${nb}ns|1.37${nb}µs" "$g" | wc -l)" -eq 2 "its calibration at the start and the end of the run"
ok "$(grep -c '<code>-O3 -funroll-loops</code>' "$g")" -eq 1 "the flavor table shows the flags"
ok "$(grep -c -- '-march=native: <code>-march=znver4 -mtune=znver4</code>' "$g")" -ge 1 "and what -march=native resolved to"
ok "$(grep -c "bytes_per_second 83.4${nb}GB/s" "$g")" -eq 1 "a counter's median gets its unit, not 14 digits"
ok "$(grep -c 'white-space: nowrap' "$g")" -ge 1 "numbers do not wrap"
ok "$(grep -c '[0-9]\.[0-9]\{6\}' "$g")" -eq 0 "no raw floats"
is "$(python3 tests/lib/crawl.py "$w/g" | tail -1 | grep -o '[0-9]* dead')" "0 dead" "no dead link"

# ---- names are escaped, not injected; bad input ------------------------------

mkdir -p "$w/x"
mkrun "$w/x/run.json" "s|O2|s/f/<script>alert(1)</script>|1 2 3 4 5"
check "a hostile benchmark name is reported" scripts/report "$w/x"
ok "$(grep -c '<script>' "$w/x/index.html")" -eq 0 "and escaped"

mkdir -p "$w/e"
mkrun "$w/e/run.json" "s|O2|s/f/a|1 2 3"
jq '.benchmarks = []' "$w/e/run.json" > "$w/t" && mv "$w/t" "$w/e/run.json"
check "plot of an empty run succeeds" scripts/plot "$w/e"
check "and its report" scripts/report "$w/e"
fails "plot of a missing run is an error" 2 scripts/plot "$w/nowhere"
fails "report of a missing run is an error" 2 scripts/report "$w/nowhere"
echo '{"schema": "bench-run/1"}' > "$w/e/run.json"
fails "report of a run that does not validate: exit 2" 2 scripts/report "$w/e"
# BENCH_VALIDATED (the sha256 scripts/run passes of the run.json it has
# just validated) skips the check only for exactly those bytes.
other=$(sha256sum <"$w/x/run.json" | cut -d' ' -f1)
fails "a BENCH_VALIDATED of another file does not skip the check (report)" 2 \
	env BENCH_VALIDATED="$other" scripts/report "$w/e"
fails "nor plot's" 2 env BENCH_VALIDATED="$other" scripts/plot "$w/e"
mine=$(sha256sum <"$w/e/run.json" | cut -d' ' -f1)
out=$(BENCH_VALIDATED=$mine scripts/plot "$w/e" 2>&1)
ok "$(grep -c 'does not match the results schema' <<<"$out")" -eq 0 "the sha256 of the file itself skips validate"
done_testing
