#!/usr/bin/env bash
# fulldisk.sh - a results folder on a disk that fills up (a small tmpfs
# mounted here, filled to a few sizes of free space): the run fails with
# an error that says the disk is full, exits non-zero, leaves the runs
# that finished before byte for byte as they were, never leaves a run.json
# that says complete, a half-written file or its scratch behind; with
# space again, the next run succeeds. Root only (mount); SKIP otherwise.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh

[ "$(id -u)" = 0 ] || skip_all "mounting a small tmpfs needs root"
w=$(mktemp -d)
disk=$w/disk
mkdir "$disk"
mount -t tmpfs -o size=4m,mode=0755 tmpfs "$disk" 2>"$w/mount.err" ||
	skip_all "cannot mount a tmpfs: $(head -1 "$w/mount.err")"
trap 'umount "$disk" 2>/dev/null; rm -rf "$w"' EXIT
export RESULTS=$disk/results SUITES=harness PROFILE=test RERUN=0 ROUNDS=2
unset FLAVORS SYNC_DIR REPS

out=$(scripts/run 2>&1)
is "$?" 0 "a run fits on the small disk"
first=$(sed -n 's/^results: //p' <<<"$out")
digest() { (cd "$first" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
sum=$(digest)
diag "a run takes $(du -sk "$first" | cut -f1) KiB"

# Free space left before each run (KiB): none, enough for the folders
# and logs only, enough for a raw file but not for the merge and report.
for free in 0 24 96; do
	rm -f "$disk/filler"
	avail=$(($(df --output=avail -B1 "$disk" | tail -1) - free * 1024))
	[ "$avail" -gt 0 ] && head -c "$avail" /dev/zero >"$disk/filler" 2>/dev/null
	out=$(scripts/run 2>&1)
	rc=$?
	name="full disk, ${free} KiB free"
	ok "$rc" -ne 0 "$name: the run fails (exit $rc)"
	ok "$(grep -ciE 'no space left|disk is full|cannot (write|create|record)' <<<"$out")" -ge 1 \
		"$name: with an error saying what could not be written"
	grep -E '^(error|warning):' <<<"$out" | head -2 | sed 's/^/#   /'
	is "$(digest)" "$sum" "$name: the earlier run is untouched"
	dir=$(sed -n 's/^results: //p' <<<"$out")
	if [ -n "$dir" ] && [ -f "$dir/run.json" ]; then
		ok "$(jq -r .status "$dir/run.json")" != complete "$name: its run.json does not say complete"
	else
		ok 1 "$name: it wrote no run.json"
	fi
	is "$(find "$RESULTS" \( -name '*.part' -o -name '*.tmp.*' -o -name .tmp -o -name scratch -o -name .lock \) | head -3)" "" \
		"$name: no half-written file, scratch or lock is left"
done
rm -f "$disk/filler"
out=$(scripts/run 2>&1)
is "$?" 0 "with space again, the next run succeeds"
done_testing
