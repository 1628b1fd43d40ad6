#!/usr/bin/env bash
# 02-nat: client -- router -- server. The router forwards, masquerades TCP
# leaving towards the server and DNATs two ports of its own address to the
# server, so its table holds every NAT kind: K1 TCP flows with source NAT,
# K2 TCP flows with both, U1 UDP flows with destination NAT only, U2
# forwarded and U3 local UDP flows without NAT. In the router namespace,
# `ctadvisor check --format json` must give walk.nat.{src,dst,both,none}
# equal to conntrack's own view: the tuples of conntrack -L, and the counts
# of conntrack -L --src-nat (src + both) and --dst-nat (dst + both).
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

K1=8   # TCP to the server: masquerade only
K2=5   # TCP to router:8080, DNAT to the server, then masquerade: both
U1=6   # UDP to router:7070, DNAT to the server (not masqueraded): dst only
U2=7   # UDP forwarded to the server untouched: none
U3=3   # UDP to the router itself: none
TOTAL=$((K1 + K2 + U1 + U2 + U3))

lab_netns CLI cli
lab_netns RTR rtr
lab_netns SRV srv
lab_veth "$CLI" v0 "$RTR" v1
lab_veth "$RTR" v2 "$SRV" v3
lab_addr "$CLI" v0 10.213.1.1/24
lab_addr "$RTR" v1 10.213.1.254/24
lab_addr "$RTR" v2 10.213.2.254/24
lab_addr "$SRV" v3 10.213.2.2/24
ip -n "$CLI" route add default via 10.213.1.254 || die "cannot route $CLI"
ip -n "$SRV" route add default via 10.213.2.254 || die "cannot route $SRV"
in_ns "$RTR" sysctl -qw net.ipv4.ip_forward=1 net.netfilter.nf_conntrack_udp_timeout=3600 ||
	die "cannot set forwarding / udp timeout in $RTR"
in_ns "$RTR" nft -f - <<-'EOF_NFT' || die "cannot load the NAT table in $RTR"
	table ip labnat {
		chain pre {
			type nat hook prerouting priority dstnat;
			ip daddr 10.213.1.254 tcp dport 8080 dnat to 10.213.2.2:5001
			ip daddr 10.213.1.254 udp dport 7070 dnat to 10.213.2.2:7000
		}
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "v2" meta l4proto tcp masquerade
		}
	}
EOF_NFT
lab_ct_enable "$RTR"

lab_bg "$SRV" tcpsrv "$TOOLS/tcp_hold" server 10.213.2.2 5001
wait_line tcpsrv listening
lab_bg "$CLI" snat "$TOOLS/tcp_hold" client 10.213.2.2 5001 "$K1"
wait_line snat ready
lab_bg "$CLI" both "$TOOLS/tcp_hold" client 10.213.1.254 8080 "$K2"
wait_line both ready
in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.1.254 7070 "$U1" 30000 "$U1" >/dev/null ||
	die "udp_send (DNAT flows) failed"
in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.2.2 9999 "$U2" 31000 "$U2" >/dev/null ||
	die "udp_send (forwarded flows) failed"
in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.1.254 6000 "$U3" 32000 "$U3" >/dev/null ||
	die "udp_send (local flows) failed"
wait_for "$((K1 + K2)) ESTABLISHED TCP entries in $RTR" ct_has "$RTR" ESTABLISHED "$((K1 + K2))"
wait_for "$((U1 + U2 + U3)) UDP entries in $RTR" ct_has "$RTR" "^udp" "$((U1 + U2 + U3))"

# NAT kind of each entry from its tuples: the reply tuple is the original
# one inverted unless a NAT rewrote the source (SNAT) or destination (DNAT).
truth_nat()
{
	in_ns "$1" conntrack -L 2>/dev/null | awk '
		{ delete o; delete r; n = 0
		  for (i = 1; i <= NF; i++) if ($i ~ /^(src|dst|sport|dport)=/) {
			split($i, kv, "="); if (kv[1] == "src") n++
			if (n == 1) o[kv[1]] = kv[2]; else r[kv[1]] = kv[2] }
		  s = (r["dst"] != o["src"] || r["dport"] != o["sport"])
		  d = (r["src"] != o["dst"] || r["sport"] != o["dport"])
		  k = s && d ? "both" : s ? "src" : d ? "dst" : "none"; c[k]++ }
		END { printf "nat.none %d\nnat.src %d\nnat.dst %d\nnat.both %d\n",
			c["none"], c["src"], c["dst"], c["both"] }'
}

# conntrack's own summary count for a filtered listing.
shown()
{
	in_ns "$RTR" conntrack -L "$@" 2>&1 >/dev/null |
		sed -n 's/.*: \([0-9][0-9]*\) flow entries have been shown.*/\1/p'
}

truth="$LAB_TMP/truth"
snapshot_check "$RTR" "$truth" --netns "$RTR" --format json
truth_nat "$RTR" >"$LAB_TMP/nat.truth"
sed "s/^/kernel: /" "$LAB_TMP/nat.truth"
src_nat=$(shown --src-nat)
dst_nat=$(shown --dst-nat)
echo "conntrack -L --src-nat: $src_nat, --dst-nat: $dst_nat"

# The lab is what we built.
assert_eq "entries in $RTR (lab sanity)" "$TOTAL" "$(awk '$1 == "entries" { print $2 }' "$truth")"
assert_eq "tuple-derived NAT kinds (lab sanity)" \
	"nat.none $((U2 + U3)) nat.src $K1 nat.dst $U1 nat.both $K2" "$(xargs <"$LAB_TMP/nat.truth")"
assert_eq "conntrack -L --src-nat vs tuples (lab sanity)" "$((K1 + K2))" "$src_nat"
assert_eq "conntrack -L --dst-nat vs tuples (lab sanity)" "$((K2 + U1))" "$dst_nat"

# ctadvisor against the kernel.
json_facts >"$LAB_TMP/actual"
compare_facts "json vs kernel:" "$truth" "$LAB_TMP/actual"
check_jq '.walk.nat // {} | to_entries[] | "nat.\(.key) \(.value)"' >"$LAB_TMP/nat.actual"
compare_facts "json vs conntrack -L tuples:" "$LAB_TMP/nat.truth" "$LAB_TMP/nat.actual"
assert_eq "walk.nat.src + walk.nat.both vs conntrack -L --src-nat" "$src_nat" \
	"$(check_jq '.walk.nat.src + .walk.nat.both')"
assert_eq "walk.nat.dst + walk.nat.both vs conntrack -L --dst-nat" "$dst_nat" \
	"$(check_jq '.walk.nat.dst + .walk.nat.both')"
assert_eq "walk.nat kinds sum vs walk.entries" "$(check_jq .walk.entries)" \
	"$(check_jq '.walk.nat.none + .walk.nat.src + .walk.nat.dst + .walk.nat.both')"
assert_eq "walk.interrupted" false "$(check_jq .walk.interrupted)"

lab_finish
