#!/usr/bin/env bash
# package.sh - make package: a tarball that, unpacked in an empty folder,
# runs with no compiler and no make on PATH (stand-ins that record any
# call), writes a run whose context matches the package's manifest
# (commit, flags, binary hashes), and whose folder scripts/compare and
# scripts/dashboard accept beside a local run.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh

w=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$w"' EXIT
chmod 755 "$w"

out=$(MAKEFLAGS='' make -s --no-print-directory package SUITES="harness syscall" \
	BUILD="$BUILD" PACKAGE_OUT="$w/out" 2>&1)
is "$?" 0 "make package succeeds"
tarball=$(ls "$w"/out/bench-*-"$(dpkg --print-architecture)".tar.gz 2>/dev/null)
ok -f "$tarball" "it writes bench-<version>-<arch>.tar.gz" || printf '%s\n' "$out" | sed 's/^/#   /'
diag "package: $(basename "$tarball"), $(du -k "$tarball" | cut -f1) KiB"

mkdir "$w/empty"
tar -C "$w/empty" -xzf "$tarball"
pkg=$(ls -d "$w"/empty/bench-*/)
pkg=${pkg%/}
m=$pkg/manifest.json
ok -x "$pkg/run" "the package has a run entry point"
is "$(jq -r '[.binaries[].path] | join(" ")' "$m")" "build/O2/bench_harness build/O2/bench_syscall" \
	"the manifest lists the chosen binaries"
is "$(jq -r '.commit' "$m")" "$(sed -n 's/^#define BENCH_GIT_COMMIT "\(.*\)"$/\1/p' "$BUILD/O2/buildinfo.h")" \
	"and the build's commit"
is "$(jq -r '.binaries[] | "\(.sha256)  \(.path)"' "$m" | (cd "$pkg" && sha256sum -c --quiet - && echo same))" same \
	"and each binary's sha256"
ok "$(jq -r '.flavors.O2.flags' "$m" | grep -c 'cflags=-O2 ')" -eq 1 "and each flavor's resolved flags"
ok ! -e "$pkg/scripts/package" "the build's own tools stay out"

# A PATH with every tool of this machine but compilers and make, whose
# stand-ins record that they were called.
mkdir "$w/path"
keep=()
for f in /usr/sbin/* /usr/bin/* /usr/local/bin/*; do
	case ${f##*/} in
	gcc* | g++* | cc | c++ | c89* | c99* | cpp* | clang* | *-gcc* | *-g++* | make | gmake | ld | ld.* | as | tcc) ;;
	*) keep+=("$f") ;;
	esac
done
ln -sf -t "$w/path" "${keep[@]}"
for n in gcc cc c++ clang make; do
	printf '#!/bin/sh\necho %s >> %s/called\nexit 127\n' "$n" "$w" > "$w/path/$n"
	chmod +x "$w/path/$n"
done
ok "$(PATH=$w/path command -v gcc)" = "$w/path/gcc" "the test PATH hides the compiler"

res=$w/results
# A local run first, then the packaged one, into one results folder.
printf 'harness O2 %s/O2/bench_harness yes\n' "$BUILD" > "$w/plan"
check "a local run of the harness suite" env BENCH_PLAN="$w/plan" RESULTS="$res" \
	PROFILE=test RERUN=0 scripts/run
local_run=$(ls -d "$res"/*/ | head -1)
run_out=$(cd "$w" && env -i HOME="$w" PATH="$w/path" PROFILE=test RERUN=0 RESULTS="$res" \
	"$pkg/run" 2>&1)
rc=$?
is "$rc" 0 "the packaged run succeeds with no compiler on PATH"
[ $rc -ne 0 ] && printf '%s\n' "$run_out" | tail -20 | sed 's/^/#   /'
ok ! -e "$w/called" "and never calls make or a compiler"
pk=
for d in "$res"/*/; do [ "$d" != "$local_run" ] && pk=${d%/}; done
r=$pk/run.json
check "its run.json validates" scripts/validate "$r"
is "$(jq -r .status "$r")" complete "its status is complete"
is "$(jq -r '[.suites[].suite] | unique | join(" ")' "$r")" "harness syscall" "both suites ran"
is "$(jq -r '.package.commit' "$r")" "$(jq -r .commit "$m")" "run.json names the package's commit"
is "$(jq -r '[.suites[].context.bench_git_commit] | unique | join(" ")' "$r")" "$(jq -r .commit "$m")" \
	"the binaries' context carries the same commit"
is "$(jq -r --slurpfile m "$m" '[.suites[] | .binary as $b | .context.binary_sha256
	== first($m[0].binaries[] | select(.path == $b) | .sha256)] | all' "$r")" true \
	"and each binary's manifest hash"
is "$(jq -r '[.suites[].context.bench_cflags] | unique | join(" ")' "$r")" "-O2" "and the flavor's flags"
is "$(jq -r '[.suites[] | .text_bytes | type] | unique | join(" ")' "$r")" number \
	"text sizes are recorded as in a local run"
is "$(jq -r '(.suites[0].context | keys) - ($l[0].suites[0].context | keys) | join(" ")' \
	--slurpfile l "$local_run/run.json" "$r")" "" "no context key of a local run is missing"
fails "a suite the package lacks: exit 2" 2 env SUITES=dram PATH="$w/path" "$pkg/run"

cmp=$(scripts/compare "$local_run" "$pk" 2>&1)
rc=$?
ok "$rc" -ne 2 "scripts/compare takes a local and a packaged run"
[ "$rc" -eq 2 ] && printf '%s\n' "$cmp" | tail -5 | sed 's/^/#   /'
ok "$(grep -A1 'identical binaries' <<<"$cmp" | grep -c 'harness')" -ge 1 \
	"and finds the harness binary identical"
dash=$(scripts/dashboard "$res" "$w/site" 2>&1)
is "$?" 0 "scripts/dashboard takes both"
ok "$(grep -c '(2 runs on' <<<"$dash")" -eq 1 "and lists both runs" || diag "$dash"
done_testing
