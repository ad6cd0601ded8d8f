# schema.jq - checks a run.json against docs/results-schema.md.
# Emits one line per problem; no output means the document is valid.

def is_str: type == "string";
def is_num: type == "number";
def want($path; cond; $what): if cond then empty else "\($path): \($what)" end;

def check_benchmark($i):
	"benchmarks[\($i)]" as $p
	| want($p; type == "object"; "not an object"),
	  (select(type == "object") |
	   want("\($p).name"; .name | is_str; "missing name"),
	   want("\($p).run_name"; .run_name | is_str; "missing run_name"),
	   want("\($p).run_type"; .run_type == "iteration" or .run_type == "aggregate"; "run_type must be iteration or aggregate"),
	   want("\($p).suite"; .suite | is_str; "missing suite"),
	   want("\($p).flavor"; .flavor | is_str; "missing flavor"),
	   want("\($p).status"; .status == "ok" or .status == "skipped" or .status == "failed"; "status must be ok, skipped or failed"),
	   want("\($p).reason"; (.status == "ok") or (.reason | is_str); "skipped or failed without a reason"),
	   want("\($p).time_unit"; (.status != "ok") or (.time_unit | IN("ns", "us", "ms", "s")); "time_unit must be ns, us, ms or s"),
	   want("\($p).real_time"; (.status != "ok") or (.real_time | is_num) or (.aggregate_unit == "percentage"); "real_time must be a number"),
	   want("\($p).iterations"; (.status != "ok") or (.iterations | is_num); "iterations must be a number"),
	   want("\($p).base_name"; .base_name | is_str; "missing base_name"),
	   want("\($p).param"; (.param == null) or ((.param | type == "object") and (.param.name | is_str) and (.param.value != null)); "param must be {name, value}"),
	   (to_entries[] | select(.value | type == "number" and (isnan or isinfinite)) | "\($p).\(.key): not a finite number"));

def check_suite($i):
	"suites[\($i)]" as $p
	| want("\($p).suite"; .suite | is_str; "missing suite"),
	  want("\($p).flavor"; .flavor | is_str; "missing flavor"),
	  want("\($p).status"; .status | IN("ok", "repaired", "failed", "interrupted"); "status must be ok, repaired, failed or interrupted"),
	  want("\($p).exit_code"; .exit_code | is_num; "exit_code must be a number"),
	  want("\($p).seconds"; .seconds | is_num; "seconds must be a number"),
	  want("\($p).raw"; .raw | is_str; "missing raw"),
	  want("\($p).context"; .context | type == "object"; "context must be an object"),
	  want("\($p).notes"; .notes | type == "array"; "notes must be an array"),
	  want("\($p).benchmarks"; .benchmarks | is_num; "benchmarks must be a count"),
	  want("\($p).reason"; (.status | IN("ok", "repaired", "interrupted")) or (.reason | is_str); "failed without a reason"),
	  want("\($p).round"; (.round == null) or ((.round | is_num) and (.rounds | is_num) and .round >= 1 and .round <= .rounds); "round must be 1..rounds");

want("document"; type == "object"; "not a JSON object"),
(select(type == "object") |
 want("schema"; .schema == "bench-run/1"; "schema must be \"bench-run/1\""),
 want("run_id"; .run_id | is_str; "missing run_id"),
 want("status"; .status | IN("complete", "partial"); "status must be complete or partial"),
 want("finished"; .finished | is_str; "missing finished"),
 want("context"; .context | type == "object"; "context must be an object"),
 want("suites"; .suites | type == "array"; "suites must be an array"),
 want("benchmarks"; .benchmarks | type == "array"; "benchmarks must be an array"),
 (.suites // [] | to_entries[] | .key as $i | .value | check_suite($i)),
 (.benchmarks // [] | to_entries[] | .key as $i | .value | check_benchmark($i)),
 ((.benchmarks // []) as $b | (.suites // []) | map("\(.suite)@\(.flavor)") as $s
  | $b[] | select(type == "object") | "\(.suite)@\(.flavor)" as $k
  | select(($s | index($k)) == null) | "benchmark \(.name): suite \($k) is not in suites"))
