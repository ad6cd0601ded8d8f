# knees.jq - the latency curve's knees, as `benchstat knees` finds them
# (method in harness/analysis/series.c), worded for the caption and set
# beside the cache sizes hwloc reports.
#
# A curve is one element of benchstat knees' output: {series, flavor,
# points: [{size, value}], knees: [{from_size, to_size, from, to, ratio}],
# top, plateau_from}. A cache of size C "has a knee" when a knee between
# a and b has C / 2 <= b and a <= 2 C. The reported last-level cache
# disagrees with the curve when the plateau starts at half of it or less:
# beyond the plateau nothing is cached, so the LLC the code can use is
# smaller than reported.

# The knees near a cache of $bytes.
def near($bytes): map(select($bytes / 2 <= .to_size and .from_size <= 2 * $bytes));

def hb:
	if . >= 1073741824 and (. % 1073741824) == 0 then "\(. / 1073741824)GiB"
	elif . >= 1048576 and (. % 1048576) == 0 then "\(. / 1048576)MiB"
	elif . >= 1024 and (. % 1024) == 0 then "\(. / 1024)KiB"
	elif . >= 1048576 then "\(. / 1048576 * 10 | round / 10)MiB"
	else "\(.)B" end;

def ns: if . >= 100 then "\(round)" else "\(. * 10 | round / 10)" end;

# One sentence per finding, for the caption.
# $curves: {"THP": curve, "4 KiB pages": curve, ...} (absent lines left out),
# $ref: the name of the line compared with hwloc, $caches: [{level, bytes}].
def knee_report($curves; $ref; $caches):
	def span: "\(.from_size | hb)->\(.to_size | hb)";
	[($curves | to_entries[] | select(.value.points | length > 1)
	  | "\(.key): " + (.value.knees as $k
		| if ($k | length) == 0 then "no knee"
		  else ($k | map("\(span) (\(.from | ns)->\(.to | ns) ns)")
			| join(", ")) end) + "."),
	 ($curves[$ref] // {points: []}) as $c
	 | $c.knees as $k
	 | $c.plateau_from as $p
	 | if ($c.points | length) < 2 then empty else
	   ("Against hwloc (\($ref) line): "
	    + ($caches | map(.bytes as $b
			     | "L\(.level) \($b | hb) "
			     + (($k | near($b)) as $n
				| if ($n | length) > 0
				  then "has a knee (\($n[0] | span))"
				  else "has no knee near it" end))
	       | join("; ")) + "."),
	   ($k | map(. as $x
		      | select(all($caches[]; . as $cc | [$x] | near($cc.bytes)
				   | length == 0)))
	    | if length == 0 then empty
	      else "Knees near no reported cache: " + (map(span) | join(", ")) + "." end),
	   (if $p == null then empty else
	    "DRAM plateau (every larger set at least half the \($c.top | ns) ns of the largest sets) from \($p | hb)." end),
	   (($caches | max_by(.bytes)) as $llc
	    | if $llc == null or $p == null then empty
	      elif $p <= $llc.bytes / 2
	      then "DISAGREEMENT: the curve contradicts hwloc's L\($llc.level) of \($llc.bytes | hb): latency is at its DRAM plateau from \($p | hb), half the reported size or less, so the last-level cache this code can use is smaller than reported (on a VM, the hypervisor reports the host's cache; the guest gets a share)."
	      else "The curve agrees with hwloc's last-level cache (L\($llc.level) \($llc.bytes | hb)): the plateau starts above half of it." end)
	   end]
	| join(" ");
