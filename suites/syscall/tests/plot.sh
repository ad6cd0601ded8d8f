#!/usr/bin/env bash
# plot.sh - the syscall plots on a synthetic run whose benchmark names
# disagree with their fields: pread sizes, the fit, combining variants and
# modes, fsync variants and record sizes, and runtime programs are the
# family, case and parameter the shim writes, never parts of a name read
# back (each name below says something else).
set -u
cd "$(dirname "$0")/../../.." || exit 2
. tests/lib/tap.sh
. tests/lib/fixtures.sh
command -v gnuplot >/dev/null || skip_all "gnuplot is not installed"

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT

s=syscall
pct=p50_ns=5000,p90_ns=6000,p99_ns=7000,p999_ns=8000
mkrun "$w/raw.json" \
	"$s|O2|$s/crossing/pread_uncached/size:2B|100 100||$(st crossing pread_cached size 1)" \
	"$s|O2|$s/crossing/pread_uncached/size:4KiB|400 400||$(st crossing pread_cached size 4096)" \
	"$s|O2|$s/crossing/fit|1 1|fixed_ns=300,ns_per_kib=100|$(st crossing read_fit)" \
	"$s|O2|$s/combine/direct/pread/size:1MiB|5 5|bytes_per_second=2e9,syscalls_per_mib=128|$(st combine cached/pread size 8192)" \
	"$s|O2|$s/combine/cached/uring/batch:4|5 5|bytes_per_second=1e9,syscalls_per_mib=8|$(st combine direct/uring batch 16)" \
	"$s|O2|$s/combine/dropped/mmap|5 5|bytes_per_second=3e9,syscalls_per_mib=0.5|$(st combine cached/mmap)" \
	"$s|O2|$s/fsync/fsync/record:4KiB|1 1|$pct|$(st fsync none record 4096)" \
	"$s|O2|$s/fsync/overwrite/o_sync/record:4KiB|1 1|$pct|$(st fsync overwrite/fdatasync record 4096)" \
	"$s|O2|$s/fsync/fdatasync/record:4KiB/iterations:1|1 1|$pct|$(st fsync fdatasync record 65536)" \
	"$s|O2|$s/runtime/c/read_4k|3000000 3000000|empty_syscalls=40,task_syscalls=2,empty_ns=1000000|$(st runtime c/read_1m)" \
	"$s|O2|$s/runtime/c/stdio|1000000 1000000|empty_syscalls=40,task_syscalls=0,empty_ns=1000000|$(st runtime c/empty)"
jq '.benchmarks |= map(if .family == "fsync" then .label = "tmpfs; 1 record" else . end)' \
	"$w/raw.json" > "$w/run.json"

check "the plot script runs" env PL_SUITE=$s suites/$s/plot "$w/run.json" "$w/plots"
for p in read-size combine-throughput combine-syscalls fsync-4KiB fsync-overwrite-4KiB \
	fsync-64KiB runtime-syscalls runtime-time; do
	ok -s "$w/plots/$s-$p.svg" "$s-$p drawn"
done
d=$w/plots/data
is "$(cut -f1,2 "$d/$s-read-size.tsv" | tr '\t\n' ' ;')" "1 100;4096 400;" \
	"pread sizes are the case's parameter"
ok "$(grep -c 'a = 300 ns per call' "$w/plots/$s-read-size.caption")" -eq 1 \
	"the fit is the read_fit case's"
is "$(tr '\t\n' ' ;' < "$d/$s-combine-throughput.tsv")" \
	"pread size 8KiB 2 - -;uring batch 16 - 1 -;mmap 3 - -;" \
	"combining variants and modes are the case and its parameter"
is "$(cut -f1,2 "$d/$s-fsync-4KiB.tsv" | tr '\t\n' ' ;')" "none 5;" \
	"an appending fsync variant is its case, at its record size"
is "$(cut -f1 "$d/$s-fsync-overwrite-4KiB.tsv")" fdatasync "an overwriting one too"
is "$(cut -f1 "$d/$s-fsync-64KiB.tsv")" fdatasync "the record size is the parameter"
ok "$(grep -c 'tmpfs' "$w/plots/$s-fsync-4KiB.svg")" -ge 1 "the filesystem is the fsync entries' label"
is "$(tr '\t\n' ' ;' < "$d/$s-runtime-syscalls.tsv")" "c/read_1m 40 2 3000000;" \
	"runtime programs are cases; the empty twin is left out"
done_testing
