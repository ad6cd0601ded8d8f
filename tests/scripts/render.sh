#!/usr/bin/env bash
# render.sh - scripts/lib/render.py, the one writer of HTML and CSV: its
# number and unit filters, escaping of every value, CSV that a
# spreadsheet cannot run, atomic writes and its exit statuses.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh

if ! /usr/bin/python3 -c 'import jinja2' 2>/dev/null; then
	ok 1 "# SKIP python3-jinja2 is not installed (scripts/deps installs it)"
	done_testing
	exit
fi
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
r=scripts/lib/render.py

# f FILTER ARGS...: the filter applied in Python, printed.
f() {
	/usr/bin/python3 -c '
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("render", sys.argv[1])
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
args = [json.loads(a) for a in sys.argv[3:]]
print(m.FILTERS[sys.argv[2]](*args))' "$r" "$@"
}
nb=$'\u00a0'
is "$(f dur 12.345)" "12.3${nb}ns" "nanoseconds keep three digits"
is "$(f dur 1234.5)" "1.23${nb}µs" "microseconds"
is "$(f dur 83409097.0)" "83.4${nb}ms" "milliseconds"
is "$(f dur 2.5e9)" "2.50${nb}s" "seconds"
is "$(f metric 83409097031.996 '"bytes_per_second"')" "83.4${nb}GB/s" "a byte rate gets its unit and prefix, not 11 digits"
is "$(f metric 1234567 '"items_per_second"')" "1.23${nb}M/s" "an item rate"
is "$(f metric 16.0 '"syscalls"')" "16.0" "a count"
is "$(f metric 250.7 '"p99_ns"')" "251${nb}ns" "a counter in ns is a time"
is "$(f metric 65536 '"text_bytes"')" "64.0${nb}KiB" "bytes take binary prefixes"
is "$(f ratio 1.0734)" "1.07×" "a ratio"
is "$(f pct 0.0512)" "5.1%" "a share"
is "$(f change 1.15)" "+15.0%" "a change"
is "$(f ratio '"1.5"')" "–" "text where a number belongs prints a dash"
is "$(f dur null)" "–" "and so does null"
is "$(f vtext '"not testable"')" "not testable here" "verdicts read as sentences"
is "$(f vclass '"does not hold"')" "fails" "and get their colour"
is "$(f path '"a b/<c>"')" "a%20b%2F%3Cc%3E" "a link's path component is quoted"

# A page: every value escaped, whatever the field.
mkdir -p "$w/tpl"
cat > "$w/data.json" <<'EOF'
{"run": {"run_id": "<script>alert(1)</script>", "status": "\"><img src=x onerror=alert(2)>",
 "profile": "quick", "started": "x", "finished": "y", "host": "h"},
 "claims_total": 1, "tally": [{"verdict": "holds", "n": 1, "label": "holds"}],
 "suites": [{"name": "s'><b>", "tally": [], "claims": [{"suite": "s", "id": "<i>",
   "claim": "<script>x</script>", "verdict": "holds", "ratio": 1.5, "ci_low": 1.2, "ci_high": 1.8,
   "claimed_ratio": 1.4, "tested_against": {"min": 1.05}, "rounds": 3}],
   "plots": [], "benchmarks": [{"name": "<b>n</b>", "median": 5, "metric": "real_time"}],
   "problems": [], "binaries": [], "flavors": 1}],
 "flavors": {}, "context": [{"label": "CPU", "value": "<svg onload=alert(3)>"}], "counters": []}
EOF
echo "{\"page\": \"report.html\", \"data\": \"$w/data.json\", \"out\": \"$w/out/page.html\"}" > "$w/jobs"
check "render.py writes a page" /usr/bin/python3 "$r" "$w/jobs"
page=$w/out/page.html
ok -s "$page" "into a folder it creates"
is "$(grep -cE '<script|<img src=x|<svg onload|<b>n</b>|<i>' "$page")" 0 "no value's markup reaches the page"
ok "$(grep -c '&lt;script&gt;alert(1)&lt;/script&gt;' "$page")" -ge 1 "it is shown as text"
ok "$(grep -c '1.40×' "$page")" -eq 1 "the source's claimed figure"
ok "$(grep -c '&ge;&nbsp;1.05×' "$page")" -eq 1 "and the bound tested, apart"
ok "$(ls -a "$w/out" | grep -c '^\.render')" -eq 0 "no temporary file is left"

# CSV: columns in order, formulas defused.
echo '[{"name": "=cmd|calc", "v": 1.5, "ok": true}, {"name": "+1", "v": null, "extra": [1]}]' > "$w/rows.json"
echo "{\"csv\": \"$w/rows.json\", \"out\": \"$w/t.csv\"}" > "$w/jobs"
check "render.py writes CSV" /usr/bin/python3 "$r" "$w/jobs"
is "$(cat "$w/t.csv")" $'name,v,ok,extra\n\'=cmd|calc,1.5,true,\n\'+1,,,[1]' \
	"one column per key, text a spreadsheet would run quoted"
echo "{\"json\": \"$w/data.json\", \"key\": [\"suites\", 0, \"name\"], \"out\": \"$w/n.json\"}" > "$w/jobs"
/usr/bin/python3 "$r" "$w/jobs"
is "$(jq -r . "$w/n.json")" "s'><b>" "a key picks part of a data file"

echo '{"out": "x"}' > "$w/jobs"
fails "a job with nothing to do: exit 2" 2 /usr/bin/python3 "$r" "$w/jobs"
echo "{\"page\": \"no-such.html\", \"out\": \"$w/x.html\"}" > "$w/jobs"
fails "a missing template: exit 1" 1 /usr/bin/python3 "$r" "$w/jobs"
fails "no jobs file: exit 2" 2 /usr/bin/python3 "$r"
done_testing
