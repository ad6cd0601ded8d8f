# site.jq - the dashboard's pages and tables as data (scripts/dashboard).
#
#   jq -n -L scripts/lib --slurpfile t TREND.json --slurpfile runs RUNS.json \
#      --slurpfile done COMPARED.json --argjson asked '[["A","B"]]' -f site.jq
#
# $t: `benchstat trend --json` over every run; $runs: one record per run
# folder (its claims included); $done: `benchstat compare --json` of each
# pair compared, as {a, b, cmp}; $asked: the pairs --compare asked for.
# Writes {pages: [{page, out, vars, data}], tables: [{out, rows, doc?}]}:
# every page's data and every table's rows, for scripts/lib/render.py.
# Reshapes only: every figure is benchstat's; here are counts, groups,
# orders and links.
include "bench";

def fname: gsub("[^A-Za-z0-9_.+-]"; "_");
def cmp_key($a; $b): "\($a)\t\($b)";
def cmp_file($a; $b): "\($a)--\($b)";
def cmp_href($a; $b): "\($a | @uri)--\($b | @uri).html";
def nav($up): [{href: "\($up)index.html", text: "dashboard"},
	{href: "\($up)regressions.html", text: "regressions"},
	{href: "\($up)claims.html", text: "claims over time"}];
def decisive: . == "holds" or . == "does not hold";
# claim_cells(RUNS; KEY): the claim KEY ("suite/id") on each of RUNS.
def claim_cells($runs; $k):
	[$runs[] | [.claims // [] | .[] | select("\(.suite)/\(.id)" == $k)][0]] as $got
	| {key: $k, claim: ([$got[] | select(. != null) | .claim][0]),
	   cells: (reduce $got[] as $c ({last: null, cells: []};
		if $c == null then .cells += [{}]
		else .last as $l
		| .cells += [$c + {changed: ($l != null and $l != $c.verdict),
			flip: ($l != null and $l != $c.verdict and ($l | decisive)
			       and ($c.verdict | decisive))}]
		| .last = $c.verdict end) | .cells)};
# Compare's verdicts in the order a reader wants them.
def rank: if .regression then 0 elif .improvement then 1
	else {"slower": 2, "unstable": 3, "inconclusive": 4, "faster": 5,
	      "same": 6, "not testable": 7}[.verdict] // 8 end;

$t[0] as $T | $runs[0] as $R | $done[0] as $D
| ($R | map({key: .folder, value: .}) | from_entries) as $run
| ($D | map({key: cmp_key(.a; .b), value: .cmp}) | from_entries) as $cmp
| "O2" as $baseline

# Per machine: its runs with their claims, trends, change points and
# claims over time.
| [$T.machines[] | . as $m
   | [.runs[] | .folder] as $folders
   | [.series | to_entries[] | .value + {index: .key}] as $series
   | ($series | map(.suite) | unique) as $suites
   | {id, identity, memory: (.identity.memory_bytes | tonumber? // null),
      runs: [.runs | to_entries[] | .key as $i | .value as $r
	| ($run[$r.folder] // {}) + {started: $r.started}
	| . + {tally: (.claims // [] | verdict_tally),
	       compare: (if $i > 0 and $cmp[cmp_key($folders[$i - 1]; $r.folder)] then
			$cmp[cmp_key($folders[$i - 1]; $r.folder)] as $c
			| {href: "compare/\(cmp_href($folders[$i - 1]; $r.folder))",
			   summary: $c.summary, threshold: $c.threshold}
		    else null end)}],
      suites: $suites,
      series: $series,
      changes: [$series[] | . as $s | .steps[]
	| {index: $s.index, suite: $s.suite, name: $s.name, flavor: $s.flavor,
	   metric: $s.metric, before, after, ratio, regression, run, previous_run,
	   from: $folders[.previous_run], to: $folders[.run],
	   trend: "trends/\($m.id)-\($s.suite | fname).html#s\($s.index)",
	   compare: (if $cmp[cmp_key($folders[.previous_run]; $folders[.run])]
		then "compare/\(cmp_href($folders[.previous_run]; $folders[.run]))" else null end)}]
	| sort_by(-.run, (if .regression then 0 else 1 end), .name)}
   # Claims over time: per claim, its verdict on each run; a flip is a
   # change between holds and does not hold since the last run that
   # judged it, any other change of verdict is a change.
   | . as $m0
   | . + {claims: ([.runs[] | .claims // [] | .[] | "\(.suite)/\(.id)"] | unique
	| map(claim_cells($m0.runs; .)))}
   | . + {flips: ([.claims[].cells[] | select(.flip)] | length)}
  ] as $machines

| [$D[] | select([.a, .b] | IN($asked[])) | {a, b, href: "compare/\(cmp_href(.a; .b))",
	summary: .cmp.summary, threshold: .cmp.threshold}] as $requested
| ([$machines[].changes[]] | length) as $nsteps
| ([$machines[].changes[] | select(.regression)] | length) as $nreg

| {pages: (
    [{page: "index.html", out: "index.html", vars: {nav: nav("")},
      data: {runs: ($R | length), steps: $nsteps, regressions: $nreg,
	     flips: ([$machines[].flips] | add // 0), requested: $requested,
	     machines: [$machines[] | del(.series)
		| . + {trends: [.suites[] as $s | {suite: $s,
			href: "trends/\(.id)-\($s | fname).html",
			steps: ([.changes[] | select(.suite == $s)] | length)}]}]}},
     {page: "regressions.html", out: "regressions.html", vars: {nav: nav("")},
      data: {method: $T.method, baseline: $baseline, regressions: $nreg,
	     improvements: ($nsteps - $nreg),
	     machines: [$machines[] | {id, identity, runs: (.runs | length), changes}]}},
     {page: "claims.html", out: "claims.html", vars: {nav: nav("")},
      data: {machines: [$machines[] | {id, identity, flips, claims,
		runs: [.runs[] | {folder, started}]}]}}]
    + [$machines[] as $m | $m.suites[] as $s
       | {page: "trends.html", out: "trends/\($m.id)-\($s | fname).html", vars: {nav: nav("../")},
	  data: {suite: $s, machine: {id: $m.id, identity: $m.identity}, method: $T.method,
		 baseline: $baseline, base: "\($m.id)-\($s | fname)",
		 runs: [$m.runs[] | {folder, started}],
		 changes: [$m.changes[] | select(.suite == $s)
			| .compare |= (if . then "../\(.)" else null end)],
		 series: [$m.series[] | select(.suite == $s)
			| ([.points[] | (.value, .ci_low, .ci_high) | numbers]
			   + [.levels[].level]) as $v
			| . + {lo: ($v | min), hi: ($v | max),
			       latest: (.points | last // {})}]}}]
    + [$D[] as $c
       | {page: "compare.html", out: "compare/\(cmp_file($c.a; $c.b)).html", vars: {nav: nav("../")},
	  data: {a: {folder: $c.a, started: $run[$c.a].started},
		 b: {folder: $c.b, started: $run[$c.b].started},
		 base: "\($c.a | @uri)--\($c.b | @uri)",
		 cmp: ($c.cmp | del(.benchmarks)),
		 rows: ($c.cmp.benchmarks | map(. + {metric: "auto"})
			| sort_by(rank, .speedup // 1, .name))}}]
  ),
  tables: (
    [{out: "runs", rows: [$machines[] as $m | $m.runs[]
	| {machine: $m.id, cpu_model: $m.identity.cpu_model, host: $m.identity.host,
	   folder, run_id, started, profile, status, suites: (.suites | join(" ")),
	   commit, compiler}
	  + (.tally | map({key: (.verdict | gsub(" "; "_")), value: .n}) | from_entries)]},
     {out: "regressions", rows: [$machines[] as $m | $m.changes[]
	| {machine: $m.id, suite, name, flavor, metric, from, to, before, after, ratio,
	   regression}]},
     {out: "claims", rows: [$machines[] as $m | $m.claims[] as $c
	| [$m.runs[].folder] as $f | $c.cells | to_entries[] | select(.value.verdict)
	| {machine: $m.id, claim: $c.key, run: $f[.key], verdict: .value.verdict,
	   ratio: .value.ratio, ci_low: .value.ci_low, ci_high: .value.ci_high,
	   changed: .value.changed, flip: .value.flip}]}]
    + [$machines[] as $m | $m.suites[] as $s
       | {out: "trends/\($m.id)-\($s | fname)",
	  rows: [$m.series[] | select(.suite == $s) | . as $x | .points[]
		| {suite: $x.suite, flavor: $x.flavor, name: $x.name, metric: $x.metric,
		   run: $m.runs[.run].folder, value, ci_low, ci_high, status, unstable}]}]
    + [$D[] | {out: "compare/\(cmp_file(.a; .b))", rows: .cmp.benchmarks, doc: .cmp}]
  )}
