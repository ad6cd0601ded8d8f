#!/usr/bin/env bash
# fleet.sh - scripts/fleet/playbook.yml against test hosts on this machine:
# network namespaces, each with a veth pair on 10.213.X.0/30 and its own
# sshd (Debian's openssh-server, keys made here) under a host name of its
# own. Two hosts run the harness and cacheline suites at the test profile;
# a third says it is arm64 (a dpkg stand-in on its PATH); an inventory
# alias of the second asks for a suite the package lacks (its run fails);
# one more is a port where nothing listens (unreachable). Every real host's
# run must come back complete, the dashboard must list them as separate
# machines, and the others must be reported without stopping anyone.
# Namespaces, veths, sshd processes and keys go afterwards, also on
# failure. Needs root; SKIPs where namespaces, sshd or ansible are missing.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh

[ "$(id -u)" -eq 0 ] || skip_all "needs root (network namespaces, sshd)"
command -v ansible-playbook >/dev/null || skip_all "ansible is not installed (apt-get install ansible)"
[ -x /usr/sbin/sshd ] || skip_all "sshd is not installed (apt-get install openssh-server)"
command -v ssh-keygen >/dev/null || skip_all "ssh-keygen is not installed"

t0=$(date +%s)
w=$(mktemp -d)
chmod 755 "$w"
tag=bf$$
hosts=3
nss=()
# Ansible's ssh connections are kept open (ControlPersist) through sockets
# in $w, closed at the end; a namespace lives on while any process is in
# it, so every one of them (sshd and its sessions) is ended first.
export ANSIBLE_SSH_ARGS="-o ControlMaster=auto -o ControlPersist=60s -o ControlPath=$w/cp-%C"
cleanup() {
	local k s ns
	for s in "$w"/cp-*; do
		[ -S "$s" ] && ssh -o ControlPath="$s" -O exit fleet-test 2>/dev/null
	done
	for ns in "${nss[@]}"; do
		# shellcheck disable=SC2046
		kill $(ip netns pids "$ns" 2>/dev/null) 2>/dev/null
	done
	for k in $(seq 1 $hosts); do
		[ -f "$w/sshd-$k.pid" ] && kill "$(cat "$w/sshd-$k.pid")" 2>/dev/null
		ip link del "$tag-h$k" 2>/dev/null
	done
	for ns in "${nss[@]}"; do ip netns del "$ns" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$w"
}
trap cleanup EXIT

ip netns add "$tag-probe" 2>/dev/null || skip_all "cannot create a network namespace here"
ip netns del "$tag-probe"
# A /24 of 10.213.0.0/16 no interface of this machine uses yet.
net=
for i in $(seq 0 40); do
	x=$(((($$ + i) % 250) + 1))
	ip -o addr show | grep -q " 10\.213\.$x\." || { net=10.213.$x; break; }
done
[ -n "$net" ] || skip_all "no free 10.213.x.0/24 for the test hosts"
mkdir -p /run/sshd	# sshd's privilege separation folder
ssh-keygen -q -t ed25519 -N '' -f "$w/client" -C fleet-test
ssh-keygen -q -t ed25519 -N '' -f "$w/hostkey" -C fleet-test-host
mkdir "$w/arm"
printf '#!/bin/sh\n[ "$1" = --print-architecture ] && echo arm64 && exit 0\nexec /usr/bin/dpkg "$@"\n' >"$w/arm/dpkg"
chmod +x "$w/arm/dpkg"

# host K: namespace, veth pair $net.(4K+1) here and $net.(4K+2) there,
# sshd there under the host name fleet-hostK.
host_addr() { echo "$net.$((4 * $1 + 2))"; }
for k in $(seq 1 $hosts); do
	ns=$tag-$k
	ip netns add "$ns" || skip_all "cannot create namespace $ns"
	nss+=("$ns")
	ip link add "$tag-h$k" type veth peer name "$tag-n$k" &&
		ip link set "$tag-n$k" netns "$ns" &&
		ip addr add "$net.$((4 * k + 1))/30" dev "$tag-h$k" &&
		ip link set "$tag-h$k" up &&
		ip -n "$ns" addr add "$(host_addr "$k")/30" dev "$tag-n$k" &&
		ip -n "$ns" link set "$tag-n$k" up &&
		ip -n "$ns" link set lo up || skip_all "cannot set up the veth pair of $ns"
	path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	[ "$k" -eq 3 ] && path=$w/arm:$path
	cat >"$w/sshd-$k.conf" <<EOF
ListenAddress $(host_addr "$k")
Port 22
HostKey $w/hostkey
PidFile $w/sshd-$k.pid
AuthorizedKeysFile $w/client.pub
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
Subsystem sftp internal-sftp
SetEnv PATH=$path
LogLevel ERROR
EOF
	ip netns exec "$ns" unshare --uts sh -c \
		"hostname fleet-host$k && exec /usr/sbin/sshd -f '$w/sshd-$k.conf' -E '$w/sshd-$k.log'" ||
		skip_all "sshd did not start in $ns: $(cat "$w/sshd-$k.log" 2>/dev/null)"
done
ssh_opts="-o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5 -o LogLevel=ERROR"
for k in $(seq 1 $hosts); do
	for _ in $(seq 50); do
		# shellcheck disable=SC2086
		name=$(ssh $ssh_opts -i "$w/client" "root@$(host_addr "$k")" hostname 2>/dev/null) && break
		sleep 0.1
	done
	is "$name" "fleet-host$k" "test host $k answers over ssh with its own host name"
done
diag "test hosts up after $(($(date +%s) - t0))s"

out=$(MAKEFLAGS='' make -s --no-print-directory package SUITES="harness cacheline" \
	BUILD="$BUILD" PACKAGE_OUT="$w/pkg" 2>&1)
is "$?" 0 "make package for the fleet" || printf '%s\n' "$out" | sed 's/^/#   /'
pkg=$(ls "$w"/pkg/bench-*.tar.gz)

cat >"$w/inventory.ini" <<EOF
[bench]
unreachable ansible_host=127.0.0.1 ansible_port=9
host1 ansible_host=$(host_addr 1) bench_remote_dir=$w/remote/host1
host2 ansible_host=$(host_addr 2) bench_remote_dir=$w/remote/host2
host3-arm ansible_host=$(host_addr 3) bench_remote_dir=$w/remote/host3
host2-bad ansible_host=$(host_addr 2) bench_remote_dir=$w/remote/host2-bad bench_suites=dram

[bench:vars]
ansible_user=root
ansible_ssh_private_key_file=$w/client
ansible_ssh_common_args='$ssh_opts'
ansible_python_interpreter=/usr/bin/python3
EOF
res=$w/results
mkdir -p "$res"
echo keep >"$res/earlier-file"
t1=$(date +%s)
play=$(ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_NOCOLOR=1 \
	scripts/fleet/run "$w/inventory.ini" "$pkg" -e bench_profile=test -e bench_results="$res" \
	-e bench_hosts=bench -e bench_serial=100% -e bench_poll=2 2>&1)
rc=$?
diag "the playbook took $(($(date +%s) - t1))s"
ok "$rc" -ne 0 "the playbook exits non-zero: some hosts did not run"
printf '%s\n' "$play" >"$w/play.log"
recap=$(sed -n '/PLAY RECAP/,$p' <<<"$play")
recap_of() { awk -v h="$1" '$1 == h' <<<"$recap"; }
ok "$(recap_of unreachable | grep -c 'unreachable=1')" -eq 1 "the recap lists the unreachable host as unreachable"
ok "$(recap_of host3-arm | grep -c 'failed=1')" -eq 1 "and the arm64 host as failed"
ok "$(recap_of host2-bad | grep -c 'failed=1')" -eq 1 "and the host whose run failed"
ok "$(recap_of host1 | grep -c 'failed=0')" -eq 1 "host1 did not fail"
ok "$(recap_of host2 | grep -c 'failed=0')" -eq 1 "host2 did not fail"
[ -z "$recap" ] && tail -40 <<<"$play" | sed 's/^/#   /'

summary=$(ls "$res"/fleet-*.json 2>/dev/null | head -1)
ok -f "$summary" "a fleet summary is written"
state() { jq -r --arg h "$1" '.hosts[] | select(.host == $h) | .state' "$summary"; }
is "$(state unreachable)" unreachable "the summary says unreachable"
is "$(state host3-arm)" wrong-arch "the summary says another architecture"
ok "$(jq -r '.hosts[] | select(.host == "host3-arm") | .reason' "$summary" | grep -c 'arm64.*amd64')" -eq 1 \
	"naming both architectures"
is "$(state host2-bad)" failed "the summary says the run failed"
ok "$(jq -r '.hosts[] | select(.host == "host2-bad") | .reason' "$summary" | grep -c "dram")" -eq 1 \
	"with the run's error"
ok "$(grep -c 'fleet summary' <<<"$play")" -ge 1 "the summary is printed"
for h in host1 host2; do
	is "$(state $h)" ok "$h ran"
	run=$(jq -r --arg h "$h" '.hosts[] | select(.host == $h) | .run' "$summary")
	r=$res/$run/run.json
	check "$h: its run came back and validates" scripts/validate "$r"
	is "$(jq -r .status "$r" 2>/dev/null)" complete "$h: its run is complete"
	is "$(jq -r '[.suites[].suite] | unique | join(" ")' "$r" 2>/dev/null)" "cacheline harness" \
		"$h: both suites ran"
	is "$(jq -r '.context.host_name' "$r" 2>/dev/null)" "fleet-host${h#host}" "$h: its context has its host name"
	ok -f "$w/remote/$h/results/$run/run.json" "$h: the run stays on the host too"
done
ok -f "$res/earlier-file" "nothing already in the results folder is lost"
ok "$(ls "$res"/.incoming 2>/dev/null | wc -l)" -eq 0 "fetched tarballs are removed once filed"
is "$(jq -r '[.[] | .host] | unique | join(" ")' "$res/site/runs.json" 2>/dev/null)" \
	"fleet-host1 fleet-host2" "the dashboard lists both hosts' runs"
is "$(jq -r '[.[] | .machine] | unique | length' "$res/site/runs.json" 2>/dev/null)" 2 \
	"as two separate machines"
ok "$(grep -c 'dashboard: .*2 runs on 2 machines' <<<"$play")" -eq 1 "the playbook ends with the dashboard"

# One host at a time (the default), the unreachable host first: its batch
# fails whole, which must not end the play for the next. A second fleet
# run never overwrites the first one's runs.
before=$(ls -d "$res"/*/run.json | wc -l)
play=$(ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_NOCOLOR=1 \
	scripts/fleet/run "$w/inventory.ini" "$pkg" -e bench_profile=test -e bench_results="$res" \
	-e bench_hosts=unreachable:host1 -e bench_suites=harness -e bench_poll=2 2>&1)
is "$?" 4 "one at a time: exit 4 (a host was unreachable)"
printf '%s\n' "$play" >"$w/play2.log"
recap=$(sed -n '/PLAY RECAP/,$p' <<<"$play")
ok "$(recap_of host1 | grep -c 'failed=0')" -eq 1 "the host after the unreachable one still ran"
is "$(ls -d "$res"/*/run.json | wc -l)" $((before + 1)) "and its run is added beside the others"
diag "fleet test took $(($(date +%s) - t0))s"
KEEP='' cleanup
sleep 0.5
is "$(ip netns list | grep -c "^$tag-")" 0 "the test namespaces are gone"
is "$(ip -o link | grep -c "$tag-")" 0 "and their veths"
is "$(pgrep -fc "sshd -f $w/")" 0 "and the test sshds"
done_testing
