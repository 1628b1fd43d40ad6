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
# tcp_loose=0 alone breaks nothing: the INVALID packets pass untracked.
run_ctad loose-norule flush --netns "$SRV" -p tcp --dry-run
assert_eq "tcp_loose=0 without an INVALID drop rule: exit" 0 "$RC"
assert_eq "tcp_loose=0 without an INVALID drop rule: says why it is allowed" 1 \
	"$(count 'no rule of this namespace' "$LAB_TMP/loose-norule.out")"
# A ruleset that cannot be read counts as a drop rule.
RC=0
timeout -k 10 60 env PATH=/nonexistent-ctadv "$CTADVISOR" flush --netns "$SRV" -p tcp --yes \
	</dev/null >"$LAB_TMP/noruleset.out" 2>"$LAB_TMP/noruleset.err" || RC=$?
cat "$LAB_TMP/noruleset.out" "$LAB_TMP/noruleset.err"
assert_eq "tcp_loose=0, ruleset unreadable: exit" 1 "$RC"
assert_eq "tcp_loose=0, ruleset unreadable: says so" 1 "$(count 'could not be read' "$LAB_TMP/noruleset.err")"
assert_eq "tcp_loose=0, ruleset unreadable: nothing deleted" "$T" "$(shown -p tcp)"
printf 'table inet ctadv_f {\n chain i {\n  type filter hook input priority 0;\n  ct state invalid drop\n }\n}\n' |
	in_ns "$SRV" nft -f - || die "cannot add the INVALID drop rule in $SRV"
run_ctad loose flush --netns "$SRV" -p tcp --yes
assert_eq "established TCP with tcp_loose=0: exit" 1 "$RC"
assert_eq "established TCP with tcp_loose=0: explains" 1 "$(count 'nf_conntrack_tcp_loose=0' "$LAB_TMP/loose.err")"
assert_eq "established TCP with tcp_loose=0: nothing deleted" "$T" "$(shown -p tcp)"
assert_eq "established TCP with tcp_loose=0: names the rule" 1 "$(count 'a rule drops INVALID packets: nft inet ctadv_f i handle' "$LAB_TMP/loose.err")"

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

# ---- the other filters, each against conntrack -L's count for the same filter ----
in_ns "$SRV" sysctl -qw net.netfilter.nf_conntrack_tcp_loose=1 || die "cannot reset tcp_loose in $SRV"
in_ns "$SRV" nft delete table inet ctadv_f || die "cannot delete the INVALID drop rule"
in_ns "$SRV" ip addr add 10.213.31.3/24 dev v1 || die "cannot add 10.213.31.3 in $SRV"
in_ns "$SRV" nft -f - <<'NFT' || die "cannot load the mark/zone/NAT rules in $SRV"
table ip ctadv_l {
	chain raw {
		type filter hook prerouting priority -300;
		udp dport 7200 ct zone set 5
	}
	chain mangle {
		type filter hook prerouting priority -150;
		udp dport 7100 ct mark set 0x42
	}
	chain pre {
		type nat hook prerouting priority -100;
		udp dport 7300 dnat to 10.213.31.2:7301
	}
	chain post {
		type nat hook postrouting priority 100;
		ip daddr 10.213.31.1 udp dport 7400 snat to 10.213.31.3
	}
}
NFT
M=3 Z=2 D=2 S1=3 S2=2 P=4 A=2
in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.31.2 7100 "$M" 34000 "$M" >/dev/null || die "udp_send M"
in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.31.2 7200 "$Z" 35000 "$Z" >/dev/null || die "udp_send Z"
in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.31.2 7300 "$D" 36000 "$D" >/dev/null || die "udp_send D"
in_ns "$SRV" "$TOOLS/udp_send" flows 10.213.31.1 7400 "$S1" 37000 "$S1" >/dev/null || die "udp_send S1"
in_ns "$SRV" "$TOOLS/udp_send" flows 10.213.31.1 7410 "$S2" 37100 "$S2" >/dev/null || die "udp_send S2"
in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.31.2 7500 "$P" 38000 "$P" >/dev/null || die "udp_send P"
lab_bg "$SRV" tcpsrv2 "$TOOLS/tcp_hold" server 10.213.31.2 5002
wait_line tcpsrv2 listening
lab_bg "$CLI" tcpcli2 "$TOOLS/tcp_hold" client 10.213.31.2 5002 "$A"
wait_line tcpcli2 ready
wait_for "$((M + Z + D + S1 + S2 + P)) new UDP entries in $SRV" ct_has "$SRV" "dport=7[1-5]" "$((M + Z + D + S1 + S2 + P))"
wait_for "$A ASSURED TCP entries to 5002 in $SRV" ct_has "$SRV" "dport=5002 .*ASSURED" "$A"

# check_filter NAME WANT CTADVISOR-FILTER... -- CONNTRACK-FILTER...: conntrack -L
# counts WANT for its filter; flush with ours deletes exactly those.
check_filter()
{
	local name=$1 want=$2 ours=() theirs=() before
	shift 2
	while [[ $1 != -- ]]; do
		ours+=("$1")
		shift
	done
	shift
	theirs=("$@")
	before=$(shown "${theirs[@]}")
	assert_eq "$name: conntrack -L ${theirs[*]} (lab)" "$want" "$before"
	run_ctad "$name" flush --netns "$SRV" "${ours[@]}" --yes
	assert_eq "$name: exit" 0 "$RC"
	assert_eq "$name: deleted what conntrack -L shows" 1 "$(count "^deleted $before flows; 0 vanished" "$LAB_TMP/$name.out")"
	assert_eq "$name: none left" 0 "$(shown "${theirs[@]}")"
}
# conntrack -L has no UNREPLIED/ASSURED selector that matches ours exactly: count its flags.
flagged()
{
	in_ns "$SRV" conntrack -L 2>/dev/null | grep -c "$1" || true
}

check_filter mark "$M" --mark 0x42 -- --mark 0x42
check_filter zone "$Z" --zone 5 -- --zone 5
check_filter dstnat "$D" --dst-nat -- --dst-nat
check_filter srcnat "$S1" --src-nat -- --src-nat
assert_eq "after --src-nat: the flows to 7410 are still there" "$S2" "$(shown -p udp --dport 7410)"
check_filter sport 1 -p udp --sport 38001 -- -p udp --sport 38001
assert_eq "after --sport: the other flows to 7500 are still there" "$((P - 1))" "$(shown -p udp --dport 7500)"
check_filter cidr "$S2" -d 10.213.31.0/31 -- -d 10.213.31.0/31
assert_eq "after -d 10.213.31.0/31: the flows to .2 are still there" "$((P - 1))" "$(shown -p udp --dport 7500)"
want=$(flagged ASSURED)
assert_eq "assured: conntrack -L shows $A ASSURED (lab)" "$A" "$want"
run_ctad assured flush --netns "$SRV" --assured --yes
assert_eq "assured: exit" 0 "$RC"
assert_eq "assured: deleted what conntrack -L flags" 1 "$(count "^deleted $want flows" "$LAB_TMP/assured.out")"
assert_eq "assured: none left" 0 "$(flagged ASSURED)"
want=$(flagged UNREPLIED)
assert_ge "unreplied: conntrack -L flags the flows to 7500 (lab)" "$((P - 1))" "$want"
run_ctad unreplied flush --netns "$SRV" --unreplied --yes
assert_eq "unreplied: exit" 0 "$RC"
assert_eq "unreplied: deleted what conntrack -L flags" 1 "$(count "^deleted $want flows" "$LAB_TMP/unreplied.out")"
assert_eq "unreplied: none left" 0 "$(flagged UNREPLIED)"

lab_finish
