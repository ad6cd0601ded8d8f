#!/usr/bin/env bash
# setup.sh - scripts/setup on a stand-in /sys and /proc: as root it mounts
# a missing tracefs once and says so; --check and non-root change nothing
# and print the exact commands; tracefs under debugfs counts. mount is a
# stand-in on PATH, so nothing is mounted for real.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
chmod 755 "$w"
mkdir -p "$w/bin"
cat > "$w/bin/mount" <<'SH'
#!/bin/sh
# Logs its arguments; "-t tracefs nodev DIR" puts an events tree in DIR.
echo "$*" >> "$LOG"
if [ "$1" = -t ] && [ "$2" = tracefs ]; then
	for d; do :; done
	mkdir -p "$d/events/raw_syscalls/sys_enter" && echo 443 > "$d/events/raw_syscalls/sys_enter/id"
	echo "nodev $d tracefs rw 0 0" >> "$PROCFS/mounts"
fi
SH
chmod +x "$w/bin/mount"

# tree DIR: a fresh machine: no tracefs mounted, no hugetlb pages, THP on.
tree() {
	local t=$1
	rm -rf "$t"
	mkdir -p "$t/sys/kernel/tracing" "$t/sys/kernel/debug" \
		"$t/sys/kernel/mm/hugepages/hugepages-2048kB" \
		"$t/sys/kernel/mm/transparent_hugepage" "$t/sys/bus/event_source/devices/cpu" \
		"$t/proc/sys/kernel"
	echo 0 > "$t/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
	echo 0 > "$t/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages"
	echo "always [madvise] never" > "$t/sys/kernel/mm/transparent_hugepage/enabled"
	echo 2 > "$t/proc/sys/kernel/perf_event_paranoid"
	echo 0 > "$t/proc/sys/kernel/io_uring_disabled"
	echo "proc /proc proc rw 0 0" > "$t/proc/mounts"
	chmod -R a+rX "$t"
	chmod a+w "$t/proc/mounts"
}
run() {
	env PATH="$w/bin:$PATH" LOG="$w/mount.log" PROCFS="$w/m/proc" \
		BENCH_SYSFS="$w/m/sys" BENCH_PROCFS="$w/m/proc" "$@" 2>&1
}
tracing=$w/m/sys/kernel/tracing

fails "an unknown argument: exit 2" 2 bash scripts/setup --bogus
fails "two arguments: exit 2" 2 bash scripts/setup --check --check

tree "$w/m"
out=$(run bash scripts/setup --check)
is "$?" 0 "--check exits 0"
ok ! -e "$w/mount.log" "--check mounts nothing"
ok "$(printf '%s\n' "$out" | grep -c 'exact syscall counts (tracefs not mounted)')" -eq 1 \
	"--check: tracefs is off and says why"

if [ "$(id -u)" -eq 0 ]; then
	out=$(run bash scripts/setup)
	is "$?" 0 "as root: exit 0"
	is "$(cat "$w/mount.log")" "-t tracefs nodev $tracing" "as root: tracefs is mounted"
	ok "$(printf '%s\n' "$out" | grep -cx "setup: mounted tracefs on $tracing (exact syscall counts)")" -eq 1 \
		"in one line that says so"
	ok "$(printf '%s\n' "$out" | grep -c 'exact syscall counts')" -eq 1 \
		"and tracefs is not then listed as off"
	ok "$(printf '%s\n' "$out" | grep -cx "      echo 128 > $w/m/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages")" -eq 1 \
		"hugetlb pages: the exact command"
	ok "$(printf '%s\n' "$out" | grep -c 'perf_event_paranoid\|sudo')" -eq 0 \
		"root needs no sudo and no paranoid setting"
	out=$(run bash scripts/setup)
	is "$(wc -l < "$w/mount.log")" 1 "a second run mounts nothing more"
	ok "$(printf '%s\n' "$out" | grep -c 'mounted tracefs')" -eq 0 "and says nothing of it"

	tree "$w/m"
	rm -f "$w/mount.log"
	if command -v setpriv >/dev/null; then
		out=$(run setpriv --reuid=65534 --regid=65534 --clear-groups bash scripts/setup)
		is "$?" 0 "without root: exit 0"
		ok ! -e "$w/mount.log" "without root: nothing mounted"
		ok "$(printf '%s\n' "$out" | grep -cx "      sudo mount -t tracefs -o gid=65534,mode=0750 nodev $tracing")" -eq 1 \
			"without root: the exact mount line, readable by the user's group"
		ok "$(printf '%s\n' "$out" | grep -cx '      sudo sysctl kernel.perf_event_paranoid=1')" -eq 1 \
			"and the perf_event_paranoid line"
		ok "$(printf '%s\n' "$out" | grep -c 'pagemap needs CAP_SYS_ADMIN')" -eq 1 \
			"and that physical addresses need root"
		ok "$(printf '%s\n' "$out" | grep -c '^setup: off here')" -eq 1 "said once"
	fi
else
	out=$(run bash scripts/setup)
	ok ! -e "$w/mount.log" "without root: nothing mounted"
	ok "$(printf '%s\n' "$out" | grep -c "sudo mount -t tracefs -o gid=$(id -g),mode=0750 nodev $tracing")" -eq 1 \
		"without root: the exact mount line"
fi

# tracefs under debugfs, as older kernels (or a mounted debugfs) have it.
tree "$w/m"
mkdir -p "$w/m/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter"
echo 443 > "$w/m/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/id"
rm -f "$w/mount.log"
out=$(run bash scripts/setup)
ok ! -e "$w/mount.log" "tracefs under /sys/kernel/debug/tracing: nothing to mount"
ok "$(printf '%s\n' "$out" | grep -c 'exact syscall counts')" -eq 0 "and it is not listed as off"

# Mounted but unreadable, THP never, io_uring disabled, no PMU.
tree "$w/m"
echo "nodev $w/m/sys/kernel/tracing tracefs rw 0 0" >> "$w/m/proc/mounts"
echo "always madvise [never]" > "$w/m/sys/kernel/mm/transparent_hugepage/enabled"
echo 2 > "$w/m/proc/sys/kernel/io_uring_disabled"
rmdir "$w/m/sys/bus/event_source/devices/cpu"
out=$(run bash scripts/setup --check)
ok "$(printf '%s\n' "$out" | grep -c "mount -o remount,gid=$(id -g),mode=0750 $tracing")" -eq 1 \
	"mounted but unreadable: the remount line"
ok "$(printf '%s\n' "$out" | grep -c 'transparent_hugepage is never')" -eq 1 "THP off is named"
ok "$(printf '%s\n' "$out" | grep -c 'sysctl kernel.io_uring_disabled=0')" -eq 1 "io_uring off is named"
ok "$(printf '%s\n' "$out" | grep -c 'no PMU exposed')" -eq 1 "no PMU is named"
done_testing
