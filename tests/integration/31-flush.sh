#!/usr/bin/env bash
# 31-flush: `ctadvisor flush` filters against the real table. srv holds T
# established TCP connections, U1 UDP flows to port 5000 and U2 to port
# 6000 (IPv4), U6 over IPv6. Each filtered flush must delete exactly the
# flows conntrack -L counts for the same filter, and leave the rest; an
# empty filter is refused; no --yes without a terminal is refused; with
# nf_conntrack_tcp_loose=0 a flush that hits established TCP flows is
# refused unless --force.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

T=5
U1=7
U2=4
U6=3
export CTADVISOR_STATE_DIR="$LAB_TMP/state"

RC=0
run_ctad()
{
	local name=$1
	shift
	RC=0
	timeout -k 10 300 "$CTADVISOR" "$@" </dev/null >"$LAB_TMP/$name.out" 2>"$LAB_TMP/$name.err" || RC=$?
	if grep -qE 'Sanitizer|runtime error:' "$LAB_TMP/$name.err"; then
		fail "ctadvisor $*: sanitizer report: $(head -c 2000 "$LAB_TMP/$name.err")"
	fi
	echo "--- ctadvisor $* (exit $RC)"
	cat "$LAB_TMP/$name.out" "$LAB_TMP/$name.err"
}

count()
{
	grep -c -- "$1" "$2" || true
}

# conntrack's own count for a filtered listing in SRV.
shown()
{
	in_ns "$SRV" conntrack -L "$@" 2>&1 >/dev/null |
		sed -n 's/.*: \([0-9][0-9]*\) flow entries have been shown.*/\1/p'
}

lab_netns CLI cli
lab_netns SRV srv
lab_veth "$CLI" v0 "$SRV" v1
lab_addr "$CLI" v0 10.213.31.1/24 fd00:213:31::1/64
lab_addr "$SRV" v1 10.213.31.2/24 fd00:213:31::2/64
lab_ct_enable "$SRV"
in_ns "$SRV" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3600 ||
	die "cannot raise nf_conntrack_udp_timeout in $SRV"

lab_bg "$SRV" tcpsrv "$TOOLS/tcp_hold" server 10.213.31.2 5001
wait_line tcpsrv listening
lab_bg "$CLI" tcpcli "$TOOLS/tcp_hold" client 10.213.31.2 5001 "$T"
wait_line tcpcli ready
in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.31.2 5000 "$U1" 30000 "$U1" >/dev/null || die "udp_send U1"
in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.31.2 6000 "$U2" 31000 "$U2" >/dev/null || die "udp_send U2"
in_ns "$CLI" "$TOOLS/udp_send" flows fd00:213:31::2 5000 "$U6" 32000 "$U6" >/dev/null || die "udp_send U6"
wait_for "$T ESTABLISHED entries in $SRV" ct_has "$SRV" ESTABLISHED "$T"
wait_for "$((U1 + U2 + U6)) UDP entries in $SRV" ct_has "$SRV" udp "$((U1 + U2 + U6))"
assert_eq "lab: IPv4 UDP to 5000 (conntrack -L)" "$U1" "$(shown -f ipv4 -p udp --dport 5000)"

run_ctad empty flush --netns "$SRV" --yes
assert_eq "empty filter: exit" 3 "$RC"
assert_eq "empty filter: points at --all" 1 "$(count 'pass --all' "$LAB_TMP/empty.err")"

run_ctad bad flush --netns "$SRV" -p icmp --dport 5 --yes
assert_eq "ports for ICMP: exit" 3 "$RC"

run_ctad noyes flush --netns "$SRV" -p udp --dport 5000
assert_eq "no terminal, no --yes: exit" 1 "$RC"
assert_eq "no terminal, no --yes: nothing deleted" "$((U1 + U6))" "$(shown -p udp --dport 5000)"

run_ctad dry flush --netns "$SRV" -f ipv4 -p udp --dport 5000 --dry-run
assert_eq "dry run: exit" 0 "$RC"
assert_eq "dry run: count" 1 "$(count "^$U1 of " "$LAB_TMP/dry.out")"
assert_eq "dry run: at most 5 examples" "$((U1 < 5 ? U1 : 5))" "$(count '^  ipv4 udp ' "$LAB_TMP/dry.out")"
assert_eq "dry run: nothing deleted" "$U1" "$(shown -f ipv4 -p udp --dport 5000)"

run_ctad v4 flush --netns "$SRV" -f ipv4 -p udp --dport 5000 --yes
assert_eq "ipv4 udp dport 5000: exit" 0 "$RC"
assert_eq "ipv4 udp dport 5000: reported" 1 "$(count "^deleted $U1 flows" "$LAB_TMP/v4.out")"
assert_eq "ipv4 udp dport 5000: gone" 0 "$(shown -f ipv4 -p udp --dport 5000)"
assert_eq "IPv6 flows to 5000 untouched" "$U6" "$(shown -f ipv6 -p udp)"
assert_eq "UDP to 6000 untouched" "$U2" "$(shown -p udp --dport 6000)"
assert_eq "TCP untouched" "$T" "$(shown -p tcp)"

run_ctad v6 flush --netns "$SRV" -s fd00:213:31::/64 --yes
assert_eq "source prefix (IPv6): exit" 0 "$RC"
assert_eq "source prefix (IPv6): gone" 0 "$(shown -f ipv6)"
assert_eq "UDP to 6000 still untouched" "$U2" "$(shown -p udp --dport 6000)"

in_ns "$SRV" sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0 || die "cannot set tcp_loose in $SRV"
run_ctad loose flush --netns "$SRV" -p tcp --yes
assert_eq "established TCP with tcp_loose=0: exit" 1 "$RC"
assert_eq "established TCP with tcp_loose=0: explains" 1 "$(count 'nf_conntrack_tcp_loose=0' "$LAB_TMP/loose.err")"
assert_eq "established TCP with tcp_loose=0: nothing deleted" "$T" "$(shown -p tcp)"

run_ctad udp-ok flush --netns "$SRV" --unreplied --dport 6000 --yes
assert_eq "UDP flush with tcp_loose=0 (no TCP hit): exit" 0 "$RC"
assert_eq "UDP flush with tcp_loose=0: gone" 0 "$(shown -p udp)"

run_ctad force flush --netns "$SRV" -p tcp --state ESTABLISHED --force --yes
assert_eq "--force: exit" 0 "$RC"
assert_eq "--force: reported" 1 "$(count "^deleted $T flows" "$LAB_TMP/force.out")"
assert_eq "--force: TCP flows gone" 0 "$(shown -p tcp --state ESTABLISHED)"

run_ctad none flush --netns "$SRV" -p sctp --yes
assert_eq "no match: exit" 0 "$RC"
assert_eq "no match: says so" 1 "$(count '^nothing to flush' "$LAB_TMP/none.out")"

lab_finish
