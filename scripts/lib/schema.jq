# schema.jq - checks a run.json against docs/results-schema.md, and with
# `claims` a claims.json. Emits one line per problem ("field: what is
# wrong"); no output means the document is valid. Every field a script
# reads is type-checked: results are untrusted input (docs/security.md), and
# a string where a number belongs is refused here, not printed later.

def is_str: type == "string";
def is_num: type == "number";
def want($path; cond; $what): if cond then empty else "\($path): \($what)" end;
# opt(PATH; KEY; TYPE): .KEY, where present and not null, has type TYPE.
def opt($p; $k; $t):
	if has($k) and .[$k] != null and (.[$k] | type) != $t
	then "\(if $p == "" then $k else "\($p).\($k)" end): must be a \($t), not a \(.[$k] | type)" else empty end;
# A name used in file and folder names (suite, flavor): no path, no spaces.
def plain_name: is_str and test("^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,63}$");
# Control characters but tab, newline and carriage return: an escape
# sequence in a name would reach the terminal that prints it.
def has_control: test("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]");
def is_numeric: is_num or (is_str and test("^-?[0-9]+$"));

# A context: strings, numbers and booleans (Google Benchmark's caches and
# load_avg are arrays); the sizes and counts the pages print must be
# numbers or digits.
def check_context($p):
	if type != "object" then "\($p): must be an object"
	else to_entries[] | "\($p).\(.key)" as $q
	| (.value | type) as $t
	| if (.key | IN("caches", "load_avg")) then
		want($q; $t == "array"; "must be an array")
	  elif $t == "object" or $t == "array" then "\($q): must be a string, number or boolean"
	  elif (.key | test("_bytes$|^topo_(cores|cpus|numa_nodes|line_size)$|^num_cpus$"))
	       and .value != null then
		want($q; .value | is_numeric; "must be a number")
	  else empty end
	end;

# The type of each field of a benchmark entry that is not a number.
def bench_types:
	(["name", "run_name", "run_type", "suite", "flavor", "status", "reason", "time_unit",
	  "base_name", "label", "aggregate_name", "aggregate_unit", "error_message", "family",
	  "case", "description", "timed_on", "unstable"] | map({(.): "string"}) | add)
	+ {rerun: "boolean", error_occurred: "boolean", param: "any"};

# $C: whether the document holds a control character anywhere (jq writes
# one in JSON text as \u00XX, so one match over the whole text decides
# whether to look for it field by field).
def check_benchmark($i; $T; $C):
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
	   want("\($p).param"; (.param == null) or ((.param | type == "object") and (.param.name | is_str) and (.param.value | type | IN("number", "string"))); "param must be {name, value}"),
	   want("\($p).suite"; (.suite | is_str | not) or (.suite | plain_name); "suite must be a plain name (letters, digits, _.+-)"),
	   want("\($p).flavor"; (.flavor | is_str | not) or (.flavor | plain_name); "flavor must be a plain name (letters, digits, _.+-)"),
	   # One pass over the fields: Google Benchmark's and the harness's
	   # text fields are strings, every other field a number (a counter);
	   # lengths here too (check_lengths leaves the entries out).
	   ($C and (tojson | test("\\\\u00[01]|\\\\u007f"))) as $control
	   | (to_entries[] | .key as $k | .value as $v | ($v | type) as $t | ($T[$k] // "number") as $want
	    | if $t == "number" and ($v | isnan or isinfinite) then "\($p).\($k): not a finite number"
	      elif $t != $want and $t != "null" and $want != "any" then
		"\($p).\($k[:64]): must be a \(if $want == "number" then "number (a counter)" else $want end), not a \($t)"
	      elif ($k | length) > 256 or ($t == "string" and ($v | length) > 10000)
		   or ($t == "object" and ($v | tojson | length) > 10000) then
		"\($p).\($k[:64]): longer than a results file may hold (10000 characters, 256 for a key)"
	      elif $control and (($t == "string" and ($v | has_control)) or ($k | has_control)) then
		"\($p).\($k[:64] | gsub("[^ -~]"; "?")): a control character (only tab, newline and carriage return are text)"
	      else empty end));

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
	  want("\($p).round"; (.round == null) or ((.round | is_num) and (.rounds | is_num) and .round >= 1 and .round <= .rounds); "round must be 1..rounds"),
	  want("\($p).suite"; (.suite | is_str | not) or (.suite | plain_name); "suite must be a plain name (letters, digits, _.+-)"),
	  want("\($p).flavor"; (.flavor | is_str | not) or (.flavor | plain_name); "flavor must be a plain name (letters, digits, _.+-)"),
	  opt($p; "skipped"; "number"), opt($p; "failed"; "number"), opt($p; "text_bytes"; "number"),
	  opt($p; "steal_share"; "number"), opt($p; "rounds"; "number"), opt($p; "rerun"; "boolean"),
	  opt($p; "log"; "string"), opt($p; "binary"; "string"),
	  (.notes | if type == "array" then to_entries[] | select(.value | is_str | not)
		| "\($p).notes[\(.key)]: must be a string" else empty end),
	  (.context | if type == "object" then check_context("\($p).context") else empty end);

# What the merge adds beside the run: the calibration, the caches and the
# host's A/A result.
def check_calibration:
	"calibration" as $p
	| if type != "object" then "\($p): must be an object"
	  else to_entries[] | "\($p).\(.key)" as $q | .value
	  | if type != "object" then "\($q): must be an object"
	    else opt($q; "loadavg"; "string"),
		 (to_entries[] | select(.value | type == "object") | "\($q).\(.key)" as $r | .value
		  | opt($r; "median"; "number"), opt($r; "what"; "string"),
		    opt($r; "unit"; "string"), opt($r; "skipped"; "string"))
	    end
	  end;
def check_aa:
	"aa" as $p
	| if type != "object" then "\($p): must be an object"
	  else opt($p; "compared"; "number"), opt($p; "false_positive_rate"; "number"),
	       opt($p; "flagged"; "number"), opt($p; "claim_flips"; "array"),
	       opt($p; "date"; "string"), opt($p; "passed"; "boolean")
	  end;
def check_guards:
	"guards" as $p
	| if type != "object" then "\($p): must be an object"
	  else opt($p; "checked"; "number"), opt($p; "unstable"; "number"), opt($p; "rules"; "array"),
	       (.rules // [] | arrays | to_entries[] | "\($p).rules[\(.key)]" as $q | .value
		| if type != "object" then "\($q): must be an object"
		  else opt($q; "suite"; "string"), opt($q; "id"; "string"), opt($q; "why"; "string") end)
	  end;

# claims.json: the verdicts benchstat claims --json writes.
def check_claims:
	if type != "array" then "document: must be an array of verdicts"
	else to_entries[] | "[\(.key)]" as $p | .value
	| if type != "object" then "\($p): must be an object"
	  else want("\($p).suite"; .suite | is_str; "missing suite"),
	       want("\($p).id"; .id | is_str; "missing id"),
	       want("\($p).verdict"; .verdict | is_str; "missing verdict"),
	       (["kind", "metric", "detail", "reason", "note", "source", "claim", "near_metric", "skipped"][]
		as $k | opt($p; $k; "string")),
	       (["ratio", "ci_low", "ci_high", "p_value", "ci_level", "rounds", "claimed_ratio",
		 "min_ratio", "max_ratio", "tolerance", "min", "max"][] as $k | opt($p; $k; "number")),
	       opt($p; "tested_against"; "object"),
	       (.tested_against | objects | opt("\($p).tested_against"; "min"; "number"),
		opt("\($p).tested_against"; "max"; "number"))
	  end
	end;

# No text in results is longer than a page can show: a string over 10000
# characters, or a key over 256, is refused (the first five named).
def pathstr: reduce .[] as $k (""; if ($k | type) == "number" then . + "[\($k)]"
	elif . == "" then $k[:64] else . + "." + $k[:64] end);
def check_lengths:
	(if type == "object" then del(.benchmarks) else . end) as $doc
	| $doc | select(any(..; (type == "string" and (length > 10000 or has_control))
		or (type == "object" and any(keys[]; length > 256 or has_control))))
	| [paths(type == "string" and length > 10000) | "\(pathstr): a string of \(. as $p | $doc | getpath($p) | length) characters (at most 10000)"]
	+ [paths | select(.[-1] | type == "string" and length > 256) | "\(pathstr): a key of over 256 characters"]
	+ [paths(type == "string" and has_control) | "\(pathstr | gsub("[^ -~]"; "?")): a control character (only tab, newline and carriage return are text)"]
	+ [paths | select(.[-1] | type == "string" and has_control) | "\(pathstr | gsub("[^ -~]"; "?")): a control character in a key"]
	| .[:5][];

def check_run($T; $C):
want("document"; type == "object"; "not a JSON object"),
(select(type == "object") |
 want("schema"; .schema == "bench-run/1"; "schema must be \"bench-run/1\""),
 want("run_id"; .run_id | is_str; "missing run_id"),
 want("status"; .status | IN("complete", "partial"); "status must be complete or partial"),
 want("finished"; .finished | is_str; "missing finished"),
 want("context"; .context | type == "object"; "context must be an object"),
 want("suites"; .suites | type == "array"; "suites must be an array"),
 want("benchmarks"; .benchmarks | type == "array"; "benchmarks must be an array"),
 opt(""; "started"; "string"), opt(""; "profile"; "string"),
 opt(""; "host"; "string"),
 (.args | if type == "array" then to_entries[] | select(.value | is_str | not)
	| "args[\(.key)]: must be a string" elif . == null then empty else "args: must be an array" end),
 (.context | objects | check_context("context")),
 (.calibration | select(. != null) | check_calibration),
 (.aa | select(. != null) | check_aa),
 (.guards | select(. != null) | check_guards),
 (.caches | select(. != null) | want("caches"; type == "object"; "must be an object")),
 (.suites // [] | to_entries[] | .key as $i | .value | check_suite($i)),
 (.benchmarks // [] | to_entries[] | .key as $i | .value | check_benchmark($i; $T; $C)),
 ((.benchmarks // []) as $b | (.suites // []) | map("\(.suite)@\(.flavor)") as $s
  | $b[] | select(type == "object") | "\(.suite)@\(.flavor)" as $k
  | select(($s | index($k)) == null) | "benchmark \(.name): suite \($k) is not in suites"));

# Read with --slurp: the file must hold exactly one document (validate
# says so for the line below), which is then checked.
bench_types as $T
| if length != 1 then "#not-one-document"
  else .[0]
  | (if $kind == "claims" then check_claims else check_run($T; (tojson | test("\\\\u00[01]|\\\\u007f"))) end), check_lengths
  end
