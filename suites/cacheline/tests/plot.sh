#!/usr/bin/env bash
# plot.sh - the cacheline plots on a synthetic run whose benchmark names
# disagree with their fields: curves, bars and rows are the family, case
# and parameter the shim writes (hot or hot_serial, path/layout,
# mode/placement, op/placement, aos or soa), never parts of a name read
# back. Every name marked "named" below says something else.
set -u
cd "$(dirname "$0")/../../.." || exit 2
. tests/lib/tap.sh
. tests/lib/fixtures.sh
command -v gnuplot >/dev/null || skip_all "gnuplot is not installed"

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT

c=cacheline
mkrun "$w/run.json" \
	"$c|O2|$c/hot/tx/scattered/size:16KiB|20 20|lines_per_op=3|$(st hot tx/scattered size 16384)" \
	"$c|O2|$c/hot/tx/scattered/size:1MiB|80 80|lines_per_op=3|$(st hot tx/scattered size 1048576)" \
	"$c|O2|$c/hot/tx/grouped_aligned/size:16KiB|10 10|lines_per_op=1|$(st hot tx/grouped size 16384)" \
	"$c|O2|$c/hot/tx/grouped_aligned/size:1MiB|20 20|lines_per_op=1|$(st hot tx/grouped size 1048576)" \
	"$c|O2|$c/hot_serial/tx/scattered/size:16KiB|30 30|lines_per_op=3|$(st hot_serial tx/scattered size 16384)" \
	"$c|O2|$c/hot_serial/tx/grouped/size:16KiB|10 10|lines_per_op=1|$(st hot_serial tx/grouped size 16384)" \
	"$c|O2|$c/false_sharing/inc/same_line|40 40||$(st false_sharing inc/same_line)" \
	"$c|O2|$c/false_sharing/inc/pad_2lines|5 5||$(st false_sharing inc/pad_line)" \
	"$c|O2|$c/split/load/aligned/width:8|2 2||$(st split load/aligned width 8)" \
	"$c|O2|$c/split/load/page_split/width:8|7 7||$(st split load/line_split width 8)" \
	"$c|O2|$c/aos_soa/soa/size:16KiB|2560 2560|records=256|$(st aos_soa aos size 16384)" \
	"$c|O2|$c/aos_soa/aos/size:16KiB|512 512|records=256|$(st aos_soa soa size 16384)"

check "the plot script runs" env PL_SUITE=$c suites/$c/plot "$w/run.json" "$w/plots"
for p in hot-speedup hot-time false-sharing split-load aos-soa; do
	ok -s "$w/plots/$c-$p.svg" "$c-$p drawn"
done
d=$w/plots/data
is "$(head -1 "$d/$c-hot-speedup.tsv" | tr '\t' ' ')" "#size hot/tx/grouped hot_serial/tx/grouped" \
	"hot curves are family/case (the grouped layout named grouped_aligned)"
is "$(tail -n +2 "$d/$c-hot-speedup.tsv" | tr '\t\n' ' ;')" "16384 2 3;1048576 4 NaN;" \
	"each speed-up is over the scattered layout of its own family and path"
ok "$(grep -c 'tx/grouped (1 lines)' "$w/plots/$c-hot-time.svg")" -ge 1 \
	"the legend gives each curve's own lines per object"
is "$(cut -f3-5 "$d/$c-false-sharing.tsv" | tr '\t\n' ' ;')" "inc same_line 40;inc pad_line 5;" \
	"false-sharing bars are mode/placement from the case"
is "$(tr '\t\n' ' ;' < "$d/$c-split-load.tsv")" \
	"placement 8-byte;aligned 2;unaligned NaN;line_split 7;page_split NaN;" \
	"split-access bars are placement from the case, width from the parameter"
is "$(tr '\t\n' ' ;' < "$d/$c-aos-soa.tsv")" "16384 10 2;" \
	"aos and soa are the cases, per record by the same benchmark's records"
done_testing
