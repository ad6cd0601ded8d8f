# plot.sh - shell helpers for plot scripts (sourced, not run).
#
# A suite's plot script, suites/<suite>/plot, is called as
#	suites/<suite>/plot RUN_JSON OUTDIR
# and writes OUTDIR/<suite>-<what>.svg, each with OUTDIR/<suite>-<what>.caption
# (one paragraph: what is drawn and how to read it) and the data it drew in
# OUTDIR/data/<suite>-<what>.tsv, so anyone can redraw it.
#
# Typical use:
#	. "$(dirname "$0")/../../scripts/lib/plot.sh"
#	pl_init "$@"
#	pl_jq 'include "bench"; series("^dram/chase/"; "real_time"; "")
#		| .[] | [.param, .median, .min, .max] | @tsv' > "$(pl_data chase)"
#	pl_svg chase "Latency of a dependent load" <<GP
#	set logscale xy 2
#	$(pl_cache_marks)
#	plot $(pl_q "$(pl_data chase)") using 1:2:3:4 with yerrorlines title "4 KiB pages"
#	GP
#	pl_caption chase "Each point is the median of the repetitions; ..."
#
# Results are untrusted (docs/security.md): gnuplot runs `backquoted`
# text in double-quoted strings as a shell command, so every string that
# comes from a run (a name, a label, a flavor) or a path reaches gnuplot
# through pl_q (a single-quoted literal) or a data file, never pasted
# between double quotes. A plot that fails leaves OUTDIR/<suite>-WHAT.failed
# with gnuplot's message, which the report shows where the figure would be.

PL_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=common.sh
. "$PL_LIB/common.sh"

# pl_init RUN_JSON OUTDIR: sets PL_RUN, PL_OUT, PL_SUITE (from the script's folder).
pl_init() {
	PL_RUN=${1:?usage: plot RUN_JSON OUTDIR}
	PL_OUT=${2:?usage: plot RUN_JSON OUTDIR}
	PL_SUITE=${PL_SUITE:-$(basename "$(cd "$(dirname "$0")" && pwd)")}
	mkdir -p "$PL_OUT/data"
}

# pl_series: the points of every benchmark, from benchstat (computed once
# per run into OUTDIR/data/series.json; bench.jq's series() reads it).
pl_series() {
	local f=$PL_OUT/data/series.json
	# scripts/plot hands each suite its own points (PL_SERIES).
	[ -n "${PL_SERIES:-}" ] && [ -s "$PL_SERIES" ] && { printf '%s' "$PL_SERIES"; return 0; }
	if [ ! -s "$f" ] || [ "$PL_RUN" -nt "$f" ]; then
		benchstat series "$PL_RUN" --match . --metric all > "$f.tmp" &&
			mv -f "$f.tmp" "$f" || {
			rm -f "$f.tmp"
			echo "plot: benchstat series failed for $PL_RUN" >&2
			return 1
		}
	fi
	printf '%s' "$f"
}

# pl_view: the run as the plots read it (OUTDIR/data/view.json, made
# once): everything but the repetitions, one entry per benchmark and
# flavor for its name, fields and counters. The numbers come from
# pl_series; a run of several MB is parsed once instead of once per query.
pl_view() {
	local f=$PL_OUT/data/view.json
	# scripts/plot hands each suite the view of its own benchmarks (PL_VIEW).
	[ -n "${PL_VIEW:-}" ] && [ -s "$PL_VIEW" ] && { printf '%s' "$PL_VIEW"; return 0; }
	if [ ! -s "$f" ] || [ "$PL_RUN" -nt "$f" ]; then
		jq -c '.benchmarks |= ([.[] | select(.run_type == "iteration")]
			| unique_by([.flavor, .run_name]))' "$PL_RUN" > "$f.tmp" &&
			mv -f "$f.tmp" "$f" || {
			rm -f "$f.tmp"
			echo "plot: cannot read $PL_RUN" >&2
			return 1
		}
	fi
	printf '%s' "$f"
}

# pl_jq FILTER [jq options...]: the filter over the run (pl_view), with
# bench.jq loaded and benchstat's points as $ARGS.named.series.
pl_jq() {
	local f=$1 s v
	shift
	s=$(pl_series) && v=$(pl_view) || return 1
	jq -r -L "$PL_LIB" --slurpfile series "$s" "$@" "$f" "$v"
}

# pl_q TEXT: TEXT as a gnuplot single-quoted string, in which nothing is
# expanded (no `command`, no @macro, no \ escape): quotes doubled, control
# characters (a newline would end the command) made spaces.
pl_q() {
	local s=${1//[[:cntrl:]]/ }
	printf "'%s'" "${s//\'/\'\'}"
}

# pl_re TEXT: TEXT as a regular expression matching it literally.
pl_re() {
	printf '%s' "$1" | sed -z 's/[][\\.^$*+?(){}|/]/\\&/g'
}

# pl_name TEXT: TEXT made safe for a file name (letters, digits and _.+-;
# anything else, "/" included, becomes "_"); a name changed so gets its
# checksum, so that two names never make one file.
pl_name() {
	local s=${1//[^A-Za-z0-9_.+-]/_}
	if [ "$s" != "$1" ] || [ ${#s} -gt 80 ]; then
		s="${s:0:60}-$(printf '%s' "$1" | cksum | cut -d' ' -f1)"
	fi
	printf '%s' "$s"
}

# pl_data WHAT: path of the data file for plot WHAT.
pl_data() {
	printf '%s/data/%s-%s.tsv' "$PL_OUT" "$PL_SUITE" "$1"
}

# pl_has_data WHAT: true if the data file has at least one row.
pl_has_data() {
	[ -s "$(pl_data "$1")" ]
}

# pl_svg WHAT TITLE: runs gnuplot on stdin with the house style, writing
# OUTDIR/<suite>-WHAT.svg. Fails (and says so) if gnuplot does.
pl_svg() {
	local svg="$PL_OUT/$PL_SUITE-$1.svg" title=$2 log
	# A title made from a run's strings is cut to stay a title.
	[ ${#title} -le 200 ] || title="${title:0:199}…"
	log=$(mktemp)
	rm -f "$PL_OUT/$PL_SUITE-$1.failed"
	{
		printf 'set terminal svg size 960,540 dynamic enhanced font "Helvetica,12" background rgb "#ffffff"\n'
		printf 'set output %s\n' "$(pl_q "$svg.tmp")"
		printf 'set title %s noenhanced\n' "$(pl_q "$title")"
		printf 'set datafile separator "\\t"\n'
		printf 'set grid lc rgb "#e0e0e0"\n'
		printf 'set key top left noenhanced\n'
		printf 'set style line 1 lc rgb "#1f77b4" lw 2 pt 7 ps 0.6\n'
		printf 'set style line 2 lc rgb "#d62728" lw 2 pt 5 ps 0.6\n'
		printf 'set style line 3 lc rgb "#2ca02c" lw 2 pt 9 ps 0.6\n'
		printf 'set style line 4 lc rgb "#9467bd" lw 2 pt 11 ps 0.6\n'
		printf 'set style line 5 lc rgb "#ff7f0e" lw 2 pt 13 ps 0.6\n'
		printf 'set style line 6 lc rgb "#8c564b" lw 2 pt 3 ps 0.6\n'
		cat
	} | gnuplot 2>"$log"
	if [ $? -ne 0 ] || [ ! -s "$svg.tmp" ]; then
		echo "plot: gnuplot failed for $svg:" >&2
		sed 's/^/  /' "$log" >&2
		{ echo "gnuplot failed:"; head -c 4000 "$log"; } > "$PL_OUT/$PL_SUITE-$1.failed"
		rm -f "$log" "$svg.tmp" "$svg"
		return 1
	fi
	rm -f "$log"
	mv "$svg.tmp" "$svg"
}

# pl_caption WHAT TEXT: how to read the plot, shown under it in the report.
pl_caption() {
	printf '%s\n' "$2" > "$PL_OUT/$PL_SUITE-$1.caption"
}

# pl_cache_marks [SCALE]: gnuplot commands drawing a dashed vertical line at
# each cache size the run's context reports, on an x axis in bytes
# (divided by SCALE, default 1).
pl_cache_marks() {
	local scale=${1:-1}
	pl_jq 'include "bench"; cache_sizes[] | [.level, .bytes, (.bytes | human_bytes)] | @tsv' |
	while IFS=$'\t' read -r level bytes human; do
		printf 'set arrow from %s, graph 0 to %s, graph 1 nohead dt 2 lc rgb "#888888"\n' \
			"$(awk -v b="$bytes" -v s="$scale" 'BEGIN { print b / s }')" \
			"$(awk -v b="$bytes" -v s="$scale" 'BEGIN { print b / s }')"
		printf 'set label %s at %s, graph 0.97 rotate by 90 right font ",9" tc rgb "#666666" offset -0.6,0\n' \
			"$(pl_q "L$level $human")" "$(awk -v b="$bytes" -v s="$scale" 'BEGIN { print b / s }')"
	done
}

# pl_bars WHAT TITLE YLABEL REGEX [METRIC] [FLAVOR]: a bar per benchmark
# matching REGEX (median of the repetitions, error bar from the smallest
# to the largest), labelled with the name less the suite.
pl_bars() {
	local what=$1 title=$2 ylabel=$3 re=$4 metric=${5:-real_time} flavor=${6:-}
	local data
	data=$(pl_data "$what")
	pl_jq 'include "bench"; series($re; $m; $fl) | .[]
		| [(.base | short) + (if $fl == "" and .flavor != "O2" then " [\(.flavor)]" else "" end),
		   .median, .min, .max] | @tsv' \
		--arg re "$re" --arg m "$metric" --arg fl "$flavor" > "$data" || {
		echo "jq failed on the run's data" > "$PL_OUT/$PL_SUITE-$what.failed"
		return 1
	}
	pl_has_data "$what" || return 0
	local n yscale
	n=$(wc -l < "$data")
	# Values spanning more than two decades get a log axis.
	yscale=$(awk -F'\t' 'NR == 1 || $2 < lo { lo = $2 } $2 > hi { hi = $2 }
		END { print (lo > 0 && hi / lo > 100) ? "set logscale y" : "set yrange [0:*]" }' "$data")
	pl_svg "$what" "$title" <<GP
set ylabel $(pl_q "$ylabel")
set style fill solid 0.55 border -1
set boxwidth 0.7
set xtics rotate by -40 left font ",9" noenhanced
set bmargin $(( n > 12 ? 12 : 8 ))
set key off
$yscale
plot $(pl_q "$data") using 0:2:xtic(1) with boxes ls 1, \
     "" using 0:2:3:4 with yerrorbars lc rgb "#333333" pt 0 ps 0
GP
}
