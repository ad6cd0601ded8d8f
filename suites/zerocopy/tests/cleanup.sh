#!/usr/bin/env bash
# cleanup.sh - the zerocopy binary leaves nothing behind, and says why it
# skips: no iperf3 child, no socket and no network namespace outlive it,
# after a normal run and after SIGKILL in the middle of one; every path
# the machine refuses is skipped with the errno's text.
set -u
cd "$(dirname "$0")/../../.." || exit 2
. tests/lib/tap.sh
bin=$BUILD/O2/bench_zerocopy
dir=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$dir"' EXIT

ok -x "$bin" "the suite binary is built"
[ -x "$bin" ] || { done_testing; exit 1; }

# start ARGS...: the binary in the background, quick profile; sets $pid.
start() {
	"$bin" --bench_profile=quick --bench_data_dir="$dir" "$@" \
		>/dev/null 2>&1 &
	pid=$!
	pids+=("$pid")
}

# until SECONDS CMD...: polls CMD every 20 ms; false if it never succeeds.
until_true() {
	local n=$(($1 * 50))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.02
	done
	return 1
}

# The network namespaces a process holds open ("net:[inode]").
netns_fds() {
	find /proc/"$1"/fd -lname 'net:*' -printf '%l\n' 2>/dev/null | sort -u
}
has_netns() { [ -n "$(netns_fds "$1")" ]; }

# Anything that still refers to namespace $1: a process, a task, a
# descriptor, a bind mount.
ns_holders() {
	local pat=${1//[/\\[}
	pat=${pat//]/\\]}
	{
		find /proc/[0-9]*/fd /proc/[0-9]*/task/*/ns -maxdepth 1 \
			-lname "$pat" 2>/dev/null
		grep -F "$1" /proc/self/mountinfo
	} | wc -l
}

# Local ports of the TCP sockets process $1 has, in any state.
tcp_ports() {
	ss -Htanp 2>/dev/null | grep "pid=$1," |
		awk '{ n = split($4, a, ":"); print a[n] }' | sort -u
}
has_sockets() { [ -n "$(tcp_ports "$1")" ]; }

# Sockets on port $1 that are still open (established or listening).
open_on_port() {
	ss -Htan "( sport = :$1 or dport = :$1 )" 2>/dev/null |
		grep -cE '^(ESTAB|LISTEN)'
}

# ---- a normal run: nothing left, every skip with a reason and errno ----
"$bin" --bench_profile=test --bench_data_dir="$dir" \
	--benchmark_filter='copy/size:64KiB|recv/zcrx|tls/ktls|matrix/veth/read/send' \
	--benchmark_format=json >"$dir.json" 2>/dev/null
is "$?" 0 "a test-profile run with iperf3, veth and refused paths exits 0"
is "$(find "$dir" -mindepth 1 | head -3)" "" "it leaves no file in the data directory"
# Every errno's text, from the C library, to find one in each reason.
errnos=$(perl -e 'for (1 .. 133) { $! = $_; print "$!\n" }')
noerrno=$(jq -r '.benchmarks[] | select(.error_occurred) | .error_message' "$dir.json" |
	sort -u | while IFS= read -r m; do
		grep -qF -f <(printf '%s\n' "$errnos") <<<"$m" || echo "$m"
	done)
is "$noerrno" "" "every skip names the errno the kernel returned"
jq -r '.benchmarks[] | select(.error_occurred) | .error_message' "$dir.json" |
	sort -u | sed 's/^/# /'
rm -f "$dir.json"

if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	chmod 777 "$dir"
	msg=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$bin" --bench_profile=test --bench_data_dir="$dir" \
		--benchmark_filter='matrix/veth/read/send' --benchmark_format=json \
		2>/dev/null | jq -r '.benchmarks[0].error_message // ""')
	ok "$(grep -c 'unshare.*Operation not permitted' <<<"$msg")" -eq 1 \
		"without root the veth rows are skipped with EPERM"
	diag "$msg"
else
	ok 1 "# SKIP not root: cannot drop privileges to test the EPERM skip"
fi

# ---- SIGKILL while iperf3 runs: the children die with the binary ----
if command -v iperf3 >/dev/null; then
	start --benchmark_filter='^zerocopy/copy/size:64KiB'
	children() { pgrep -P "$pid" -x iperf3 >/dev/null; }
	if until_true 10 children; then
		kids=$(pgrep -P "$pid" -x iperf3)
		kill -9 "$pid"
		wait "$pid" 2>/dev/null
		alive() { for k in $kids; do [ -d /proc/"$k" ] && return 0; done; return 1; }
		until_true 2 eval '! alive'
		ok -z "$(for k in $kids; do [ -d /proc/"$k" ] && echo "$k"; done)" \
			"iperf3 children (${kids//$'\n'/ }) die with a killed binary"
	else
		kill -9 "$pid"
		ok 0 "an iperf3 child was seen within 10 s"
	fi
else
	ok 1 "# SKIP iperf3 is not installed"
fi

# ---- SIGKILL mid-transfer on loopback: no socket stays open ----
start --benchmark_filter='^zerocopy/copy/size:1MiB' --benchmark_min_time=20
if until_true 10 has_sockets "$pid"; then
	ports=$(tcp_ports "$pid")
	open=0
	for p in $ports; do
		open=$((open + $(open_on_port "$p")))
	done
	ok "$open" -ge 1 "the port check sees the running binary's sockets"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	left=0
	for p in $ports; do
		left=$((left + $(open_on_port "$p")))
	done
	is "$left" 0 "no socket of a killed binary stays open (ports ${ports//$'\n'/ })"
else
	kill -9 "$pid"
	ok 0 "the binary had sockets open within 10 s"
fi

# ---- SIGKILL mid-transfer over veth: the namespaces go with it ----
if [ "$(id -u)" -eq 0 ]; then
	start --benchmark_filter='^zerocopy/matrix/veth/read/send' --benchmark_min_time=20
	if until_true 10 has_netns "$pid"; then
		ns=$(netns_fds "$pid")
		ok "$(wc -l <<<"$ns")" -eq 2 "the binary holds two private namespaces"
		ok ! -e "/sys/class/net/zc${pid}r" "its veth pair is not in this namespace"
		ok "$(ns_holders "$(head -1 <<<"$ns")")" -ge 1 \
			"the scan for holders finds the binary's own descriptor"
		kill -9 "$pid"
		wait "$pid" 2>/dev/null
		held=0
		for n in $ns; do
			held=$((held + $(ns_holders "$n")))
		done
		is "$held" 0 "nothing refers to its namespaces after SIGKILL"
		ok -z "$(find /var/run/netns -maxdepth 1 -name 'zc*' 2>/dev/null)" \
			"no named namespace was ever made"
	else
		kill -9 "$pid"
		ok 0 "the binary held namespaces within 10 s"
	fi
else
	ok 1 "# SKIP not root: no namespaces to check"
fi
done_testing
