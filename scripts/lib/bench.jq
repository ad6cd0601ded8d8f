# bench.jq - jq definitions shared by the scripts (jq -L scripts/lib).
#
#   jq -L scripts/lib 'include "bench"; series("^dram/chase/"; "real_time"; "")' run.json

# Factor from a benchmark's time_unit to nanoseconds.
def ns_factor:
	if .time_unit == "us" then 1e3
	elif .time_unit == "ms" then 1e6
	elif .time_unit == "s" then 1e9
	else 1 end;

# A benchmark entry's metric: times in ns, anything else as a counter.
def metric($m):
	if $m == "real_time" or $m == "cpu_time" then
		(if .[$m] == null then null else .[$m] * ns_factor end)
	else .[$m] end;

def median:
	sort | if length == 0 then null
	elif length % 2 == 1 then .[(length - 1) / 2]
	else (.[length / 2 - 1] + .[length / 2]) / 2 end;

# Median absolute deviation (unscaled).
def mad: median as $m | map(. - $m | fabs) | median;

# Per-repetition entries that ran (not skipped or failed, not aggregates).
def reps: .benchmarks[] | select(.run_type == "iteration" and .status == "ok");

# Samples of a metric per benchmark (and flavor) whose name matches $re;
# $fl restricts to one flavor when not "". Sorted by argument value. For
# what a plot computes beyond the points benchstat gives (series below).
def samples($re; $m; $fl):
	[reps | select((.run_name | test($re)) and ($fl == "" or .flavor == $fl))]
	| group_by([.flavor, .run_name])
	| map({name: .[0].run_name, base: (.[0].base_name // .[0].run_name),
	       suite: .[0].suite, flavor: .[0].flavor,
	       param: (.[0].param.value // null),
	       values: [.[] | metric($m) | select(. != null)]})
	| map(select(.values | length > 0))
	| sort_by(.param, .name);

# The points the plots draw, one per benchmark (and flavor) whose name
# matches $re, in flavor $fl when not "": {name, base, suite, flavor,
# family, case, param, param_name, median, min, max} of metric $m (times in ns). The numbers are
# benchstat's (`benchstat series RUN --match . --metric all`, passed to jq
# as --slurpfile series: pl_jq does it); the filter only selects.
def series($re; $m; $fl):
	[$ARGS.named.series[0][]
	 | select(((.name | test($re)) or (.base_name | test($re)))
		  and ($fl == "" or .flavor == $fl))
	 | .metrics[$m] as $v | select($v != null)
	 | {name, base: .base_name, suite, flavor, family, case,
	    param: (.param // null), param_name,
	    median: $v.median, min: $v.min, max: $v.max, n: $v.n}]
	| sort_by(.param, .name);

# A point's family and case as its suite's table names them, "/" between
# ("recv/tcp_zc"; the family alone where the case is ""). Names are not
# read back: these are the fields the shim wrote.
def family_case: [.family, .case] | map(select(type == "string" and . != "")) | join("/");

# A benchmark name without its suite ("dram/chase/size:4KiB" -> "chase/size:4KiB").
def short: sub("^[^/]+/"; "");

# Cache sizes the run's context reports: [{level, bytes}].
def cache_sizes:
	.context as $c
	| [range(1; 6) | . as $l
	   | ($c["topo_l\($l)_bytes"] // null)
	   | select(. != null) | {level: $l, bytes: tonumber}];

# Bytes as the harness writes them in names (4KiB, 3MiB, 1536B).
def human_bytes:
	if . >= 1073741824 and (. % 1073741824) == 0 then "\(. / 1073741824)GiB"
	elif . >= 1048576 and (. % 1048576) == 0 then "\(. / 1048576)MiB"
	elif . >= 1024 and (. % 1024) == 0 then "\(. / 1024)KiB"
	else "\(.)B" end;

# The flavor others are compared with: O2 when the run has it, else the first.
def baseline_flavor: [.suites[].flavor] | if index("O2") then "O2" else .[0] end;

# The verdict tally of an array of claims: one entry per verdict, in the
# order the pages show them, with the label for its count.
def verdict_tally:
	. as $c
	| [["holds", "holds", "hold"], ["does not hold", "does not hold", "do not hold"],
	   ["inconclusive", "inconclusive", "inconclusive"],
	   ["not testable", "not testable here", "not testable here"]]
	| map(.[0] as $v | ([$c[] | select(.verdict == $v)] | length) as $n
	      | {verdict: $v, n: $n, label: (if $n == 1 then .[1] else .[2] end)});
