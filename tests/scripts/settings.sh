#!/usr/bin/env bash
# settings.sh - a whole run (every suite, test profile, as root) leaves
# the machine's settings as it found them: hugetlb reservations, the THP
# mode and defrag, every sysctl, the CPU frequency governors. Keys that
# change on their own (counters such as fs.file-nr) are found by reading
# everything twice before the run, and left out. tracefs is not compared:
# only scripts/setup mounts it, and it says so; scripts/run never does.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh

[ "$(id -u)" = 0 ] || skip_all "a run as root is the one that could change settings; this is uid $(id -u)"
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
export RESULTS=$w/results PROFILE=test RERUN=0 ROUNDS=1
unset SUITES FLAVORS SYNC_DIR REPS

# snapshot: "key = value" lines of every setting the suite could touch.
snapshot() {
	sysctl -a 2>/dev/null
	local f
	for f in /sys/kernel/mm/hugepages/*/nr_hugepages /sys/kernel/mm/hugepages/*/nr_overcommit_hugepages \
		/sys/kernel/mm/transparent_hugepage/enabled /sys/kernel/mm/transparent_hugepage/defrag \
		/sys/kernel/mm/transparent_hugepage/khugepaged/defrag \
		/sys/devices/system/cpu/cpu*/cpufreq/scaling_governor \
		/sys/devices/system/cpu/intel_pstate/no_turbo /sys/devices/system/cpu/cpufreq/boost; do
		[ -r "$f" ] && printf '%s = %s\n' "$f" "$(cat "$f" 2>/dev/null)"
	done
}
snapshot | sort >"$w/a"
sleep 1
snapshot | sort >"$w/b"
# Keys whose values moved by themselves between the two readings.
comm -3 "$w/a" "$w/b" | sed 's/^\t//; s/ = .*//' | sort -u >"$w/volatile"
stable() { awk -F' = ' 'NR == FNR { v[$0]; next } !($1 in v)' "$w/volatile" "$1"; }
stable "$w/b" >"$w/before"
ok "$(wc -l <"$w/before")" -gt 100 "settings read before the run ($(wc -l <"$w/before") keys, $(wc -l <"$w/volatile") moving on their own)"

scripts/run >"$w/run.out" 2>&1
rc=$?
ok "$rc" -le 1 "a whole test-profile run ends (exit $rc)"
snapshot | sort >"$w/c"
stable "$w/c" >"$w/after"
changed=$(diff "$w/before" "$w/after" | grep '^[<>]' | head -10)
is "$changed" "" "no setting differs after the run"
done_testing
