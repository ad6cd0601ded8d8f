#!/usr/bin/env bash
# unprivileged.sh - the whole run (every suite, test profile) as an
# unprivileged user (nobody, through runuser) with a results folder it may
# write: it completes, every suite binary exits 0, nothing fails, and
# every benchmark the user may not run (namespaces, hugetlb, counters,
# fsync on a device) is skipped with its reason. SKIP where there is no
# root to switch users, no nobody, or nobody cannot read the project.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh

[ "$(id -u)" = 0 ] || skip_all "switching to an unprivileged user needs root"
command -v runuser >/dev/null || skip_all "runuser (util-linux) is not installed"
id nobody >/dev/null 2>&1 || skip_all "there is no user nobody"
runuser -u nobody -- test -x "$BUILD/O2/bench_harness" -a -r scripts/run ||
	skip_all "nobody cannot read $BENCH_TOP or run its binaries (permissions of a parent folder)"
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
chmod 755 "$w"
mkdir "$w/results" "$w/tmp"
chown nobody "$w/results" "$w/tmp"

runuser -u nobody -- env -i PATH="$PATH" HOME="$w/tmp" TMPDIR="$w/tmp" BUILD="$BUILD" \
	RESULTS="$w/results" PROFILE=test RERUN=0 ROUNDS=1 scripts/run >"$w/run.out" 2>&1
rc=$?
is "$rc" 0 "a whole test-profile run as nobody succeeds"
[ $rc -ne 0 ] && tail -15 "$w/run.out" | sed 's/^/#   /'
run=$(sed -n 's/^results: //p' "$w/run.out")
ok -f "$run/run.json" "it writes run.json"
[ -f "$run/run.json" ] || { done_testing; exit 1; }
check "run.json validates" scripts/validate "$run/run.json"
is "$(jq -r .status "$run/run.json")" complete "the run is complete"
is "$(jq -r '.context.root' "$run/run.json")" no "the context says it did not run as root"
is "$(jq -r '[.suites[] | select(.status != "ok") | "\(.suite): \(.status) \(.reason // "")"] | join("; ")' "$run/run.json")" "" \
	"every suite binary exits 0"
is "$(jq -r '[.benchmarks[] | select(.status == "failed") | .name] | unique | join(" ")' "$run/run.json")" "" \
	"no benchmark fails"
is "$(jq -r '[.benchmarks[] | select(.status == "skipped" and ((.reason // "") | length) < 5) | .name] | unique | join(" ")' "$run/run.json")" "" \
	"every skipped benchmark says why"
priv=$(jq -r '[.benchmarks[] | select(.status == "skipped") | .reason
	| select(test("root|privilege|permission|CAP_|EPERM|not permitted"; "i"))] | length' "$run/run.json")
ok "$priv" -gt 0 "privileged benchmarks are among the skipped, saying what they need ($priv)"
jq -r '[.benchmarks[] | select(.status == "skipped") | "\(.base_name // .name): \(.reason)"] | unique | .[0:8][]' \
	"$run/run.json" | sed 's/^/# skipped as nobody: /'
is "$(find "$w/tmp" -mindepth 1 | head -3)" "" "it leaves nothing in its temporary directory"
done_testing
