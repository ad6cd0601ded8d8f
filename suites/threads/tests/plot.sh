#!/usr/bin/env bash
# plot.sh - the threads plots draw from a synthetic run, mark the
# crossover where the run's crossover benchmark put it, and never let a
# string from the run reach gnuplot's commands: benchmark names with
# backticks, $(...) and quotes, and a metric that is a string instead of
# a number, must neither run anything nor break a plot. Strategies,
# variants and CPU counts are the fields the shim writes (family, case,
# param), never read back from the names: some names here disagree.
set -u
cd "$(dirname "$0")/../../.." || exit 2
. tests/lib/tap.sh
. tests/lib/fixtures.sh

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
top=$PWD

# Every entry carries the structure the shim writes (st); the plots key
# their curves by it. Some names disagree with their fields on purpose
# (a strategy, a variant, a CPU count): the plots must follow the fields.
# shellcheck disable=SC2016
mkrun "$w/raw.json" \
	"threads|O2|threads/tasks/inline/work_ns:100/real_time|100 110|items_per_second=1e7|$(st tasks inline work_ns 100)" \
	"threads|O2|threads/tasks/inline/work_ns:10000/real_time|10000 10100|items_per_second=1e5|$(st tasks inline work_ns 10000)" \
	"threads|O2|threads/tasks/pool_sharded/work_ns:100/real_time|300 310|items_per_second=3.3e6|$(st tasks pool_mutex work_ns 100)" \
	"threads|O2|threads/tasks/pool_sharded/work_ns:10000/real_time|5000 5100|items_per_second=2e5|$(st tasks pool_mutex work_ns 10000)" \
	"threads|O2|threads/crossover/pool_mutex/manual_time|1 1|crossover_ns=2500|$(st crossover pool_sharded)" \
	'threads|O2|threads/crossover/`touch PWNED1`"x/manual_time|1 1|crossover_ns=3000|'"$(st crossover '`touch PWNED1`"x')" \
	"threads|O2|threads/io/inline/real_time|1000 1000|p50_ns=2e5,p99_ns=4e5,p999_ns=5e5,items_per_second=4000|$(st io inline)" \
	"threads|O2|threads/io/uring_group/real_time|10 10|p50_ns=2e3,p99_ns=3e4,p999_ns=5e4,items_per_second=1e5|$(st io logthread)" \
	'threads|O2|threads/io/$(touch PWNED2)/real_time|10 10|p50_ns=2e3,p99_ns=3e4,p999_ns=5e4,items_per_second=1e5|'"$(st io '$(touch PWNED2)')" \
	"threads|O2|threads/tick/inline/cpus:2/real_time|1 1|p50_ns=2e7,p99_ns=8e7,p999_ns=9e7|$(st tick inline cpus 2)" \
	"threads|O2|threads/tick/offload/cpus:2/real_time|1 1|p50_ns=5e4,p99_ns=6e5,p999_ns=9e5|$(st tick offload cpus 1)" \
	"threads|O2|threads/handoff/pool_mutex/real_time|14000 15000||$(st handoff pool_mutex)" \
	'threads|O2|threads/handoff/`touch PWNED3`/real_time|14000 15000||'"$(st handoff '`touch PWNED3`')"
# One metric that is a string.
jq '.benchmarks |= map(
	if (.case | test("PWNED1")) then .crossover_ns = "1e3`touch PWNED4`" else . end)' \
	"$w/raw.json" > "$w/run.json"

mkdir -p "$w/cwd"
(cd "$w/cwd" && PL_SUITE=threads "$top/suites/threads/plot" "$w/run.json" "$w/plots") \
	>"$w/plot.log" 2>&1
rc=$?
is "$rc" 0 "the plot script succeeds on a run with hostile names"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$w/plot.log" | head -20
for p in tasks speedup io io-rate tick machinery; do
	ok -s "$w/plots/threads-$p.svg" "threads-$p drawn"
	ok -s "$w/plots/threads-$p.caption" "threads-$p has a caption"
done
is "$(find "$w" "$top" -maxdepth 3 -name 'PWNED*' 2>/dev/null | head -3)" "" \
	"no command from the run was executed"
is "$(cut -f1 "$w/plots/data/threads-crossover.tsv" | sort -n | tr '\n' ' ')" "2500 " \
	"the crossover is marked where the run put it; a string metric is dropped"
is "$(awk -F'\t' '$1 == 10000 { print $8 / $2 }' "$w/plots/data/threads-tasks.tsv")" 2 \
	"the sweep's table has each strategy's median tasks per second"
is "$(awk -F'\t' '$1 == 10000 { print $3 }' "$w/plots/data/threads-speedup.tsv")" 2 \
	"the speed-up is the strategy's throughput over inline's"
# Keys from the fields, not the names (each name above says otherwise).
is "$(awk -F'\t' '{ print $11 }' "$w/plots/data/threads-tasks.tsv" | sort -u)" NaN \
	"a strategy is its case: no pool_sharded line from pool_mutex entries named pool_sharded"
is "$(cut -f4 "$w/plots/data/threads-crossover.tsv")" "pool_sharded 2.5 us" \
	"the crossover is labelled with its case"
is "$(cut -f1,2 "$w/plots/data/threads-io.tsv" | tr '\t\n' ': ')" "inline:200 logthread:2 " \
	"the io variants are their cases"
is "$(cut -f1 "$w/plots/data/threads-tick.tsv" | tr '\n' ',')" "inline cpus:2,offload cpus:1," \
	"the tick's CPU count is its parameter"
done_testing
