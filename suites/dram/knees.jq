# knees.jq - where the latency curve bends, set beside what hwloc reports.
#
# A curve is an array of {size, ns} (bytes, ns per load), ascending by
# size, one point per working set (the median of its repetitions).
#
# Method, chosen to survive noise and the one-point-per-octave quick sweep:
#  - step i is ln(ns[i+1] / ns[i]), the rise in log latency between two
#    consecutive sizes;
#  - a knee is a step of at least $min_step (ln 1.3: a 30% rise) that is
#    also the largest step among its neighbours, so a transition smeared
#    over two intervals (as a cache with LRU-like replacement gives) counts
#    once, at its steepest;
#  - a knee between sizes a and b means a cache level ran out between a
#    (still fast) and b (slower); a cache of size C "has a knee" when
#    C / 2 <= b and a <= 2 C;
#  - the DRAM plateau starts at the smallest size from which every larger
#    size takes at least $frac (half) of the latency at the top of the
#    curve (the median of the three largest sets, robust to one outlier):
#    leaving a cache for DRAM multiplies latency several times, while
#    beyond the last cache it only creeps up (TLB reach, page walks), by
#    less than 2x on huge pages, so half separates the two;
#  - the reported last-level cache disagrees with the curve when the
#    plateau starts at half of it or less: beyond the plateau nothing is
#    cached, so the LLC the code can use is smaller than reported.

def knees($min_step):
	. as $c
	| [range(0; ($c | length) - 1)
	   | {a: $c[.].size, b: $c[. + 1].size, from: $c[.].ns,
	      to: $c[. + 1].ns,
	      step: (if $c[.].ns > 0 and $c[. + 1].ns > 0
		     then ($c[. + 1].ns / $c[.].ns | log) else 0 end)}] as $s
	| [range(0; $s | length) as $i | $s[$i]
	   | select(.step >= $min_step
		    and ($i == 0 or .step >= $s[$i - 1].step)
		    and ($i == ($s | length) - 1 or .step > $s[$i + 1].step))];

def knees: knees(1.3 | log);

# The latency at the top of the curve: the median of the three largest
# sets, so one disturbed repetition at the end does not move the plateau.
def top: [.[-3:][].ns] | sort | .[(length - 1) / 2 | floor];

# Smallest size from which every latency is at least $frac of the top.
def plateau($frac):
	. as $c
	| if length == 0 then null else
	  ($c | top) as $top
	  | [range(0; $c | length) as $i
	     | select(all($c[$i:][]; .ns >= $frac * $top)) | $c[$i].size]
	  | first
	  end;

def plateau: plateau(0.5);

# The knees near a cache of $bytes.
def near($bytes): map(select($bytes / 2 <= .b and .a <= 2 * $bytes));

# Bytes from a size written as the harness writes it (4KiB, 1536B).
def parse_bytes:
	capture("^(?<n>[0-9]+)(?<u>B|KiB|MiB|GiB|TiB)$")
	| (.n | tonumber) * ({"B": 1, "KiB": 1024, "MiB": 1048576,
			     "GiB": 1073741824, "TiB": 1099511627776}[.u]);

# The bytes of a benchmark name's size:<bytes> component, or null.
def name_size:
	(capture("/size:(?<s>[0-9]+(B|KiB|MiB|GiB|TiB))(/|$)") | .s | parse_bytes)
	// null;

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
	[($curves | to_entries[] | select(.value | length > 1)
	  | "\(.key): " + ((.value | knees) as $k
		| if ($k | length) == 0 then "no knee"
		  else ($k | map("\(.a | hb)->\(.b | hb) (\(.from | ns)->\(.to | ns) ns)")
			| join(", ")) end) + "."),
	 ($curves[$ref] // []) as $c
	 | ($c | knees) as $k
	 | ($c | plateau) as $p
	 | if ($c | length) < 2 then empty else
	   ("Against hwloc (\($ref) line): "
	    + ($caches | map(.bytes as $b
			     | "L\(.level) \($b | hb) "
			     + (($k | near($b)) as $n
				| if ($n | length) > 0
				  then "has a knee (\($n[0].a | hb)->\($n[0].b | hb))"
				  else "has no knee near it" end))
	       | join("; ")) + "."),
	   ($k | map(. as $x
		      | select(all($caches[]; . as $cc | [$x] | near($cc.bytes)
				   | length == 0)))
	    | if length == 0 then empty
	      else "Knees near no reported cache: " + (map("\(.a | hb)->\(.b | hb)") | join(", ")) + "." end),
	   ("DRAM plateau (every larger set at least half the \($c | top | ns) ns of the largest sets) from \($p | hb)."),
	   (($caches | max_by(.bytes)) as $llc
	    | if $llc == null then empty
	      elif $p <= $llc.bytes / 2
	      then "DISAGREEMENT: the curve contradicts hwloc's L\($llc.level) of \($llc.bytes | hb): latency is at its DRAM plateau from \($p | hb), half the reported size or less, so the last-level cache this code can use is smaller than reported (on a VM, the hypervisor reports the host's cache; the guest gets a share)."
	      else "The curve agrees with hwloc's last-level cache (L\($llc.level) \($llc.bytes | hb)): the plateau starts above half of it." end)
	   end]
	| join(" ");
