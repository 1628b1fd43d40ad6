#!/usr/bin/env bash
# 01-counts: two namespaces (cli, srv) joined by a veth. srv holds N TCP
# connections, sees M unreplied UDP flows (IPv4 and IPv6), R replied
# ones, and S stray ICMP errors make conntrack -S counters non-zero.
# `ctadvisor check --netns SRV --format json` must agree with the
# kernel: occupancy.count with conntrack -C; walk entries, families,
# protocols, TCP states, unreplied and assured with conntrack -L; every
# counter of conntrack -S summed over CPUs; every nf_conntrack_* knob (value
# and writability) with sysctl -n; and the top destination ports.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

N=20     # held TCP connections
M4=10    # unreplied UDP flows over IPv4
M6=5     # unreplied UDP flows over IPv6
R=4      # replied UDP flows
S=9      # stray ICMP errors: move conntrack -S counters, create no entry
TCP_PORT=5001
UDP_DEAD=9999
UDP_ECHO=7000

lab_netns CLI cli
lab_netns SRV srv
lab_veth "$CLI" v0 "$SRV" v1
lab_addr "$CLI" v0 10.213.1.1/24 fd00:213:1::1/64
lab_addr "$SRV" v1 10.213.1.2/24 fd00:213:1::2/64
lab_ct_enable "$SRV"
# Unreplied UDP entries must outlive the test (default timeout 30 s).
in_ns "$SRV" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3600 ||
	die "cannot raise nf_conntrack_udp_timeout in $SRV"
# Accounting off in the lab (a namespace knob), whatever the module's
# default: check must then recommend turning it on, in this namespace.
in_ns "$SRV" sysctl -qw net.netfilter.nf_conntrack_acct=0 ||
	die "cannot set nf_conntrack_acct=0 in $SRV"

lab_bg "$SRV" tcpsrv "$TOOLS/tcp_hold" server 10.213.1.2 "$TCP_PORT"
lab_bg "$SRV" echo "$TOOLS/udp_send" echo 10.213.1.2 "$UDP_ECHO"
wait_line tcpsrv listening
wait_line echo listening
lab_bg "$CLI" tcpcli "$TOOLS/tcp_hold" client 10.213.1.2 "$TCP_PORT" "$N"
wait_line tcpcli ready
in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.1.2 "$UDP_DEAD" "$M4" 30000 "$M4" >/dev/null ||
	die "udp_send (IPv4 flows) failed"
in_ns "$CLI" "$TOOLS/udp_send" flows fd00:213:1::2 "$UDP_DEAD" "$M6" 31000 "$M6" >/dev/null ||
	die "udp_send (IPv6 flows) failed"
in_ns "$CLI" "$TOOLS/udp_send" request 10.213.1.2 "$UDP_ECHO" "$R" 32000 >/dev/null ||
	die "udp_send (replied flows) failed"
in_ns "$CLI" "$TOOLS/icmp_stray" 10.213.1.2 10.213.1.1 "$S" >/dev/null ||
	die "icmp_stray failed"
wait_for "$N ESTABLISHED TCP entries in $SRV" ct_has "$SRV" "ESTABLISHED.*dport=$TCP_PORT " "$N"
wait_for "$((M4 + M6)) UNREPLIED UDP entries in $SRV" ct_has "$SRV" "UNREPLIED" "$((M4 + M6))"

# The lab is what we built: otherwise the comparison below proves nothing.
truth="$LAB_TMP/truth"
snapshot_check "$SRV" "$truth" --netns "$SRV" --format json
sed "s/^/kernel: /" "$truth"
assert_eq "conntrack -C (lab sanity)" "$((N + M4 + M6 + R))" "$(awk '$1 == "count" { print $2 }' "$truth")"
assert_eq "TCP ESTABLISHED (lab sanity)" "$N" "$(awk '$1 == "state.ESTABLISHED" { print $2 }' "$truth")"
assert_eq "UNREPLIED (lab sanity)" "$((M4 + M6))" "$(awk '$1 == "unreplied" { print $2 }' "$truth")"
assert_eq "IPv6 entries (lab sanity)" "$M6" "$(awk '$1 == "family.ipv6" { print $2 }' "$truth")"
assert_ge "conntrack -S counters summed (lab sanity: stray ICMP counted)" "$S" \
	"$(awk '$1 ~ /^stat\./ { s += $2 } END { print s + 0 }' "$truth")"

# ctadvisor against the kernel.
json_facts >"$LAB_TMP/actual"
compare_facts "json vs kernel:" "$truth" "$LAB_TMP/actual"
assert_eq "JSON exit_code vs exit status" "$CHECK_RC" "$(check_jq .exit_code)"
assert_eq "netns.is_init" false "$(check_jq .netns.is_init)"
assert_eq "occupancy.max vs sysctl -n nf_conntrack_max" \
	"$(in_ns "$SRV" sysctl -n net.netfilter.nf_conntrack_max)" "$(check_jq .occupancy.max)"
assert_eq "occupancy.buckets vs sysctl -n nf_conntrack_buckets" \
	"$(in_ns "$SRV" sysctl -n net.netfilter.nf_conntrack_buckets)" "$(check_jq .occupancy.buckets)"
assert_eq "walk.interrupted" false "$(check_jq .walk.interrupted)"
assert_eq "walk.lost" 0 "$(check_jq .walk.lost)"
assert_eq "walk.nat.none (no NAT in this lab)" "$((N + M4 + M6 + R))" "$(check_jq .walk.nat.none)"

# Top destination ports: the TCP server with N, the dead UDP port with M.
assert_eq "top_dports tcp/$TCP_PORT" "$N" \
	"$(check_jq --argjson p "$TCP_PORT" '[.walk.top_dports[] | select(.proto == "tcp" and .port == $p) | .count] | first // "absent"')"
assert_eq "top_dports udp/$UDP_DEAD" "$((M4 + M6))" \
	"$(check_jq --argjson p "$UDP_DEAD" '[.walk.top_dports[] | select(.proto == "udp" and .port == $p) | .count] | first // "absent"')"
assert_eq "top_sources 10.213.1.1" "$((N + M4 + R))" \
	"$(check_jq '[.walk.top_sources[] | select(.addr == "10.213.1.1") | .count] | first // "absent"')"

# Settings: every nf_conntrack_* knob, value and writability.
truth_settings "$SRV" >"$LAB_TMP/settings.truth"
json_settings >"$LAB_TMP/settings.actual"
compare_facts "settings:" "$LAB_TMP/settings.truth" "$LAB_TMP/settings.actual"
for k in max buckets expect_max; do
	assert_eq "settings nf_conntrack_$k writable in a lab netns" false \
		"$(check_jq ".settings[\"net.netfilter.nf_conntrack_$k\"].writable")"
done
for k in net.netfilter.nf_log.2 net.netfilter.nf_log.10; do
	assert_eq "settings $k vs sysctl -n" "$(in_ns "$SRV" sysctl -n "$k")" \
		"$(check_jq ".settings[\"$k\"].value")"
done
hashsize=/sys/module/nf_conntrack/parameters/hashsize
if [[ -r "$hashsize" ]]; then
	assert_eq "settings module.nf_conntrack.hashsize vs $hashsize" "$(cat "$hashsize")" \
		"$(check_jq '.settings["module.nf_conntrack.hashsize"].value')"
fi
assert_eq "settings nf_conntrack_udp_timeout (set by the lab)" 3600 \
	"$(check_jq '.settings["net.netfilter.nf_conntrack_udp_timeout"].value')"

# The findings feed apply: acct-off names the lab namespace, and every
# `ctadvisor apply` command of the report, run as printed plus --dry-run,
# is accepted (exit 0) and shows each knob it sets with its new value.
assert_eq "acct-off command" \
	"ctadvisor apply --netns $SRV --set net.netfilter.nf_conntrack_acct=1" \
	"$(check_jq '.findings[] | select(.id == "acct-off") | .commands[0]')"
assert_eq "acct-off plain sysctl equivalent" \
	"ip netns exec $SRV sysctl -w net.netfilter.nf_conntrack_acct=1" \
	"$(check_jq '.findings[] | select(.id == "acct-off") | .equivalent')"
n_apply=0
while IFS= read -r cmd; do
	n_apply=$((n_apply + 1))
	rc=0
	# The command is shell words (a namespace is quoted): eval them.
	eval "\"\$CTADVISOR\" ${cmd#ctadvisor } --dry-run" </dev/null >"$LAB_TMP/apply.out" \
		2>"$LAB_TMP/apply.err" || rc=$?
	assert_eq "'$cmd --dry-run': exit status (stderr: $(head -c 300 "$LAB_TMP/apply.err"))" 0 "$rc"
	mapfile -t kvs < <(grep -oE -- '--set [^ ]+' <<<"$cmd" | cut -d' ' -f2)
	assert_ge "knobs in '$cmd'" 1 "${#kvs[@]}"
	for kv in "${kvs[@]}"; do
		knob=${kv%%=*}
		assert_eq "'$cmd --dry-run' shows $knob -> ${kv#*=}" 1 \
			"$(grep -cE "^  ${knob//./\\.} +[0-9]+ -> ${kv#*=}  " "$LAB_TMP/apply.out")"
	done
	assert_eq "'$cmd --dry-run' wrote nothing" 1 "$(grep -c '^dry run: nothing written' "$LAB_TMP/apply.out")"
done < <(check_jq '.findings[].commands[] | select(startswith("ctadvisor apply "))')
assert_ge "findings with a ctadvisor apply command" 1 "$n_apply"
assert_eq "nf_conntrack_acct after the dry runs" 0 "$(in_ns "$SRV" sysctl -n net.netfilter.nf_conntrack_acct)"

lab_finish
