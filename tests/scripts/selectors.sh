#!/usr/bin/env bash
# selectors.sh - a claim cannot silently lose its benchmark: every
# selector of every suite's claims matches a benchmark its binary
# registers (--benchmark_list_tests at the quick profile, where claims are
# judged).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
bs=$BUILD/O2/tools/benchstat

printf 's/f/a\ts/f/b/size:4KiB\n' | tr '\t' '\n' > "$w/names"
cat > "$w/claims.json" <<'JSON'
{ "suite": "s", "claims": [
  { "id": "ok", "claim": "x", "baseline": "s/f/a", "candidate": "s/f/b/size:{max}", "min_ratio": 1.05 },
  { "id": "renamed", "claim": "x", "baseline": "s/f/a", "candidate": "s/f/old_name", "min_ratio": 1.05 }
]}
JSON
out=$("$bs" selectors --names "$w/names" "$w/claims.json")
is "$?" 1 "a selector matching no registered benchmark fails"
ok "$(printf '%s\n' "$out" | grep -c 'claim renamed: candidate s/f/old_name matches no registered benchmark')" -eq 1 \
	"naming the claim and the selector"
ok "$(printf '%s\n' "$out" | grep -c 'claim ok:')" -eq 0 "and not the claims that match"

for f in suites/*/claims.json; do
	s=$(basename "$(dirname "$f")")
	bin=$BUILD/O2/bench_$s
	[ -x "$bin" ] || { ok 0 -eq 1 "$s: binary built"; continue; }
	"$bin" --benchmark_list_tests --bench_profile=quick > "$w/$s.names"
	check "$s: every claim selects a benchmark the suite registers" \
		"$bs" selectors --names "$w/$s.names" "$f"
done
done_testing
