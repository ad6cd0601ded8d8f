# hostile.jq - plants a payload into every string field of a run.json a
# script reads (tests/scripts/hostile.sh; docs/security.md).
#
#   jq --arg p PAYLOAD --argjson few false -f tests/lib/hostile.jq run.json
#
# Texts get the payload in front (labels, descriptions, context values,
# the suites' reasons and notes, run_id, host, the A/A and calibration
# records); every benchmark is kept and copied once more with the payload
# in its family and case (and so in its name, as the shim would write
# it), so names, families, cases and the plots' titles and tics carry it
# too. The originals keep their structure: the suites' own plots draw
# from it, and each must still be drawn. With few (a 100 kB payload) only
# one of each kind is planted.

# Context values the pages print as numbers stay numbers (validate checks).
def numeric_key: test("_bytes$|^topo_(cores|cpus|numa_nodes|line_size)$|^num_cpus$");
def plant_context($p):
	if $few then .cpu_model = $p + (.cpu_model // "") | .host_name = $p
	else with_entries(if (.value | type) == "string" and (.key | numeric_key | not)
		then .value = $p + .value else . end) end;
# A copy of a benchmark entry in the family FAMILY + payload, its case
# CASE + payload.
def renamed($p):
	def swap: split("/") | .[1] += $p | join("/");
	.family = ((.family // "f") + $p)
	| .case = ((.case // "") + $p)
	| .name |= swap | .run_name |= swap | .base_name |= (if . then swap else . end);

.run_id = "run" + $p
| .host = $p
| .profile = $p
| .args = [$p]
| .context |= plant_context($p)
| .suites |= (to_entries | map(.key as $i | .value
	| if $few and $i > 0 then . else
	  .notes = [$p] + (.notes // []) | .log = $p
	  | .context |= plant_context($p) end))
| .benchmarks |= (to_entries as $b
	| ($b | map(.key as $i | .value
		| if $few and $i > 0 then . else
		  .label = $p + "; " + (.label // "") | .description = $p end))
	  + [$b[] | select(($few | not) or .key == 0) | .value | renamed($p)])
| .aa = {compared: 10, false_positive_rate: 0.04, flagged: 0, claim_flips: [],
	 date: $p, passed: true}
| .calibration = {start: {loadavg: $p, chase: {what: $p, unit: $p, median: 1.5}},
		  end: {loadavg: $p, chase: {what: $p, unit: $p, median: 1.6}}}
