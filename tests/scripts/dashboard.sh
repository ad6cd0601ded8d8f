#!/usr/bin/env bash
# dashboard.sh - scripts/dashboard gathers runs into one static site.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/lib/fixtures.sh

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
mkdir -p "$w/results/run-a" "$w/results/run-b" "$w/results/broken"
mkrun "$w/results/run-a/run.json" "s|O2|s/f/a|1 2 3 4 5" "s|O2|s/f/b|2 3 4 5 6"
jq '.run_id = "run-a" | .context.cpu_model = "Machine A"' "$w/results/run-a/run.json" > "$w/t" && mv "$w/t" "$w/results/run-a/run.json"
jq '.run_id = "run-b" | .context.cpu_model = "Machine B"' "$w/results/run-a/run.json" > "$w/results/run-b/run.json"
echo '[{"suite": "s", "id": "c1", "claim": "a beats b", "kind": "compare", "verdict": "holds", "ratio": 2.5, "ci_low": 2, "ci_high": 3}]' \
	> "$w/results/run-a/claims.json"
echo '[{"suite": "s", "id": "c1", "claim": "a beats b", "kind": "compare", "verdict": "does not hold", "ratio": 0.5, "ci_low": 0.4, "ci_high": 0.6}]' \
	> "$w/results/run-b/claims.json"
echo '<html>report a</html>' > "$w/results/run-a/index.html"
echo '{"broken": true}' > "$w/results/broken/run.json"

out=$(scripts/dashboard "$w/results" 2>&1)
is "$?" 0 "the dashboard is built"
site=$w/results/site
ok -s "$site/index.html" "into results/site/index.html"
ok "$(printf '%s\n' "$out" | grep -c 'skipping .*broken')" -eq 1 "an invalid run is skipped with a warning"
ok "$(grep -c 'Machine A' "$site/index.html")" -ge 1 "it lists the first machine"
ok "$(grep -c 'Machine B' "$site/index.html")" -ge 1 "and the second"
ok "$(grep -c 'class="holds">holds' "$site/index.html")" -eq 1 "a claim that holds on one"
ok "$(grep -c 'class="fails">does not hold' "$site/index.html")" -eq 1 "and not on the other"
ok -s "$site/runs/run-a/index.html" "each run's report is copied in"
ok -s "$site/runs/run-b/run.json" "with its run.json"
sum=$(sha256sum < "$w/results/run-a/run.json")
scripts/dashboard "$w/results" >/dev/null 2>&1
is "$(sha256sum < "$w/results/run-a/run.json")" "$sum" "a rebuild leaves the runs untouched"
ok "$(ls -d "$w/results"/.site* 2>/dev/null | wc -l)" -eq 0 "and no temporary folders"
fails "no results directory: exit 2" 2 scripts/dashboard "$w/nothing"
mkdir "$w/empty"
fails "no runs: exit 2" 2 scripts/dashboard "$w/empty"
done_testing
