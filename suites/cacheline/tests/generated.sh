#!/usr/bin/env bash
# generated.sh - the build's tcp_sock.h and tcp_sock.c are what gen-tcp-sock
# makes of tcp_sock_fields.tsv today (the same output every time), and the
# generator refuses what it cannot model.
set -u
cd "$(dirname "$0")/../../.." || exit 2
. tests/lib/tap.sh
dir=suites/cacheline
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$dir/gen-tcp-sock" "$tmp" >"$tmp/log" 2>&1
is "$?" 0 "the generator runs"
for f in tcp_sock.h tcp_sock.c; do
	cmp -s "$tmp/$f" "$BUILD/gen/cacheline/$f"
	is "$?" 0 "the build's $f is what the TSV gives"
	ok ! -e "$dir/$f" "$f is generated, not kept beside the sources"
done

mkdir "$tmp/bad"
sed 's/^u16\ttcp_header_len/u24\ttcp_header_len/' "$dir/tcp_sock_fields.tsv" \
	>"$tmp/bad/fields.tsv"
! "$dir/gen-tcp-sock" "$tmp/bad" "$tmp/bad/fields.tsv" 2>"$tmp/bad/log"
is "$?" 0 "a type without a modelled size is refused"
grep -q 'no modelled size for type u24 of field tcp_header_len' "$tmp/bad/log"
is "$?" 0 "and the message names the field"
[ ! -e "$tmp/bad/tcp_sock.h" ] && [ ! -e "$tmp/bad/tcp_sock.h.tmp" ]
is "$?" 0 "and nothing is written"

awk 'NR == 2 { print; print } NR != 2' "$dir/tcp_sock_fields.tsv" \
	>"$tmp/bad/dup.tsv"
! "$dir/gen-tcp-sock" "$tmp/bad" "$tmp/bad/dup.tsv" 2>/dev/null
is "$?" 0 "a field listed twice is refused"

done_testing
