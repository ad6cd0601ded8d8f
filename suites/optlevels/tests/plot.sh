#!/usr/bin/env bash
# plot.sh - the optlevels speed-up plot on a synthetic run of two flavors:
# a kernel is matched across flavors by its benchmark and labelled by its
# family and case as the shim writes them, not by its name less the suite
# (the names here say something else).
set -u
cd "$(dirname "$0")/../../.." || exit 2
. tests/lib/tap.sh
. tests/lib/fixtures.sh
command -v gnuplot >/dev/null || skip_all "gnuplot is not installed"

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT

o=optlevels
mkrun "$w/run.json" \
	"$o|O2|$o/vector/dot/min_time:0.010|100 100 100||$(st vector saxpy)" \
	"$o|O3|$o/vector/dot/min_time:0.010|50 50 50||$(st vector saxpy)" \
	"$o|O2|$o/kernels/fib|40 40 40||$(st recurse fib)" \
	"$o|O3|$o/kernels/fib|80 80 80||$(st recurse fib)"

check "the plot script runs" env PL_SUITE=$o suites/$o/plot "$w/run.json" "$w/plots"
ok -s "$w/plots/$o-speedup.svg" "$o-speedup drawn"
is "$(cut -f1,3,4 "$w/plots/data/$o-speedup.tsv" | sort -k2 | tr '\t\n' ' ;')" \
	"O3 recurse/fib 0.5;O3 vector/saxpy 2;" \
	"each kernel is labelled family/case and compared with its own baseline"
ok "$(grep -c '>vector/saxpy<' "$w/plots/$o-speedup.svg")" -eq 1 "the tic says so"
done_testing
