# settings.sh - the machine's settings, read before and after a suite
# binary runs, to show it changed none (sourced by tests/smoke.sh).
#
# What is read: every sysctl, the hugetlb reservations, THP enabled and
# defrag, the CPU frequency governors and turbo. Counters that move by
# themselves are left out: the known ones (open files, dentries, inodes,
# the last pid, random state) and any other that moves between two
# readings before the run. tracefs is not a setting here: only
# scripts/setup mounts it, and it says so.

SETTINGS_MOVING='^(fs\.(dentry-state|file-nr|inode-nr|inode-state|aio-nr)|kernel\.ns_last_pid|kernel\.random\.|kernel\.pty\.nr|net\.netfilter\.nf_conntrack_count) = '

settings_read() {
	local f
	{
		sysctl -a 2>/dev/null
		for f in /sys/kernel/mm/hugepages/*/nr_hugepages /sys/kernel/mm/hugepages/*/nr_overcommit_hugepages \
			/sys/kernel/mm/transparent_hugepage/enabled /sys/kernel/mm/transparent_hugepage/defrag \
			/sys/kernel/mm/transparent_hugepage/khugepaged/defrag \
			/sys/devices/system/cpu/cpu*/cpufreq/scaling_governor \
			/sys/devices/system/cpu/intel_pstate/no_turbo /sys/devices/system/cpu/cpufreq/boost; do
			[ -r "$f" ] && printf '%s = %s\n' "$f" "$(cat "$f" 2>/dev/null)"
		done
	} | grep -Ev "$SETTINGS_MOVING" | sort
}

# settings_before DIR: reads them twice into DIR; keys that moved between
# the two readings go to DIR/settings.moving.
settings_before() {
	settings_read >"$1/settings.a"
	sleep 0.2
	settings_read >"$1/settings.b"
	comm -3 "$1/settings.a" "$1/settings.b" | sed 's/^\t//; s/ = .*//' | sort -u >"$1/settings.moving"
}

# settings_changed DIR: "key = value" lines that differ from before
# (< before, > after), at most 10; nothing when none did.
settings_changed() {
	local keep='NR == FNR { m[$0]; next } !($1 in m)'
	settings_read >"$1/settings.c"
	diff <(awk -F' = ' "$keep" "$1/settings.moving" "$1/settings.b") \
		<(awk -F' = ' "$keep" "$1/settings.moving" "$1/settings.c") | grep '^[<>]' | head -10
}
