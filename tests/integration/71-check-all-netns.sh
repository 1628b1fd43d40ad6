#!/usr/bin/env bash
# 71-check-all-netns: `check --all-netns` folds the worst other namespace
# into the verdict. Five namespaces: CHK (checked, empty), three quiet ones
# (1, 2, 3 entries) and BUSY (300 entries), all inserted through ctnetlink
# (conntrack -I). The global nf_conntrack_max is not touched: the -w/-c
# ranges are set from it so that 150 entries warn and 600 are critical
# (fractional percentages), so BUSY alone crosses the warning. The JSON
# must list every lab namespace with conntrack -C's count, leave CHK out,
# and name BUSY in a netns-table-fill warning (exit 1); with -c below BUSY's
# fill the finding is critical (exit 2). Text and Prometheus show the same.
# Other namespaces on the host are listed too: one of another lab with more
# than 150 entries alerts as well (checked against its conntrack -C), and
# then the verdict must be the worst of all.
# Last, NAT clashes are not a full table: a NAT router (RTR, masquerade to
# one port) whose second connect finds no port counts its SYNs in
# insert_failed and drop alike; check --all-netns must list RTR with conntrack
# -S's drop and insert_failed, and raise no netns-table-full naming it (the
# full-table case of another namespace is 03-table-full's).
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

BUSY_N=300
WARN_AT=150 CRIT_AT=600

lab_netns CHK chk
lab_netns BUSY busy
QUIET=()
for i in 1 2 3; do
	lab_netns q "q$i"
	QUIET+=("$q")
done

# insert NS N: N UDP entries with distinct source ports, one hour each.
insert()
{
	in_ns "$1" bash -c '
		for ((p = 0; p < $1; p++)); do
			conntrack -I -p udp -s 10.71.0.1 -d 10.71.0.2 --sport $((20000 + p)) \
				--dport 53 -t 3600 2>/dev/null || exit 1
		done' _ "$2" || die "conntrack -I failed in $1"
}
insert "$BUSY" "$BUSY_N"
for i in 0 1 2; do
	insert "${QUIET[i]}" $((i + 1))
done
declare -A WANT=([$CHK]=0 [$BUSY]=$BUSY_N)
for i in 0 1 2; do
	WANT[${QUIET[i]}]=$((i + 1))
done
for ns in "${!WANT[@]}"; do
	assert_eq "conntrack -C in $ns (lab sanity)" "${WANT[$ns]}" "$(in_ns "$ns" conntrack -C)"
done

max=$(sysctl -n net.netfilter.nf_conntrack_max)
pct()
{
	awk -v n="$1" -v m="$max" 'BEGIN { printf "%.6f", 100 * n / m }'
}
W=$(pct "$WARN_AT")
C=$(pct "$CRIT_AT")
echo "nf_conntrack_max $max: warning above $W %, critical above $C %"

run_check --netns "$CHK" --all-netns -w "$W" -c "$C" --format json
require_json
# Every lab namespace but CHK, with the kernel's count and the alert.
for ns in "$BUSY" "${QUIET[@]}"; do
	want_alert=ok
	[[ "$ns" == "$BUSY" ]] && want_alert=warning
	assert_eq "$ns count, alert" "${WANT[$ns]} $want_alert" \
		"$(check_jq --arg n "$ns" '.all_netns.namespaces[] | select(.name == $n) | "\(.count) \(.alert)"')"
done
assert_eq "checked namespace left out" 0 \
	"$(check_jq --arg n "$CHK" '[.all_netns.namespaces[] | select(.name == $n)] | length')"
assert_eq "BUSY owner and target" "netns $BUSY $BUSY" \
	"$(check_jq --arg n "$BUSY" '.all_netns.namespaces[] | select(.name == $n) | "\(.owner) \(.target)"')"
assert_eq "BUSY fill_pct" "$(pct "$BUSY_N")" \
	"$(check_jq --arg n "$BUSY" '.all_netns.namespaces[] | select(.name == $n) | .fill_pct * 1000000 | round / 1000000' |
		awk '{ printf "%.6f", $1 }')"
# Namespaces of other labs on this host may alert too: then the verdict must
# be theirs where they are worse, and each must really be over the threshold.
foreign=$(check_jq --arg p "$LAB_ID-" '[.all_netns.namespaces[] | select(.alert != "ok")
	| select(.name | startswith($p) | not) | .name] | join(" ")')
for ns in $foreign; do
	[[ -e "/run/netns/$ns" ]] || continue
	echo "note: another namespace on this host alerts too: $ns"
	assert_ge "conntrack -C of foreign alerting $ns" "$WARN_AT" "$(in_ns "$ns" conntrack -C 2>/dev/null || echo "$WARN_AT")"
done
if [[ -z "$foreign" ]]; then
	W_NAME=$BUSY W_SEV=warning W_RC=1
else
	read -r W_NAME W_SEV < <(check_jq '[.all_netns.namespaces[] | select(.alert != "ok")]
		| sort_by([(if .alert == "critical" then 0 else 1 end), -.count]) | .[0] | "\(.name) \(.alert)"')
	W_RC=$([[ "$W_SEV" == critical ]] && echo 2 || echo 1)
fi
assert_eq "namespaces alerting besides other labs'" "$BUSY" \
	"$(check_jq --arg p "$LAB_ID-" '[.all_netns.namespaces[] | select(.alert != "ok") | .name
		| select(startswith($p))] | join(" ")')"
assert_eq "worst by fill" "$(netns_inode "/run/netns/$W_NAME")" "$(check_jq '.all_netns.worst.fill')"
assert_eq "finding" "netns-table-fill $W_SEV" \
	"$(check_jq '.findings[] | select(.id == "netns-table-fill") | "\(.id) \(.severity)"')"
if [[ "$W_NAME" == "$BUSY" ]]; then
	assert_eq "finding names BUSY and its count" true \
		"$(check_jq --arg n "$BUSY" --arg c "holds $BUSY_N of $max" '.findings[] | select(.id == "netns-table-fill")
			| .summary | contains($n) and contains($c)')"
fi
assert_eq "finding command" "ctadvisor check --netns $W_NAME" \
	"$(check_jq '.findings[] | select(.id == "netns-table-fill") | .commands[0]')"
assert_eq "exit status" "$W_RC" "$CHECK_RC"

# A critical range below BUSY's fill.
run_check --netns "$CHK" --all-netns -w "$(pct 50)" -c "$(pct 200)" --format json
require_json
assert_eq "critical: BUSY alert" critical \
	"$(check_jq --arg n "$BUSY" '.all_netns.namespaces[] | select(.name == $n) | .alert')"
assert_eq "critical: finding" "netns-table-fill critical" \
	"$(check_jq '.findings[] | select(.id == "netns-table-fill") | "\(.id) \(.severity)"')"
assert_eq "critical: exit status" 2 "$CHECK_RC"

# Text and Prometheus.
run_check --netns "$CHK" --all-netns -w "$W" -c "$C"
assert_eq "text exit status" "$W_RC" "$CHECK_RC"
grep -q "^CONNTRACK [A-Z]* - .*$W_SEV: netns-table-fill" "$LAB_TMP/check.out" ||
	fail "plugin line: $(head -1 "$LAB_TMP/check.out")"
grep -qE "^  \[WARN\] $BUSY: $BUSY_N entries" "$LAB_TMP/check.out" ||
	fail "text: no [WARN] row for $BUSY: $(sed -n '/^Other namespaces/,/^$/p' "$LAB_TMP/check.out")"
n_alerting=$((1 + $(wc -w <<<"$foreign")))
grep -q "'netns_alerting'=$n_alerting;" "$LAB_TMP/check.out" || fail "perfdata: no netns_alerting=$n_alerting"
run_check --netns "$CHK" --all-netns -w "$W" -c "$C" --format prometheus
for ns in "$BUSY" "${QUIET[@]}"; do
	assert_eq "prometheus entries of $ns" "${WANT[$ns]}" \
		"$(awk -v l="ctadvisor_other_netns_conntrack_entries{netns=\"$ns\"," 'index($0, l) == 1 { print $2 }' \
			"$LAB_TMP/check.out")"
done
grep -qE "^ctadvisor_other_netns_alert\{netns=\"$BUSY\",inode=\"[0-9]+\",pod=\"\",namespace=\"\"\} 1$" \
	"$LAB_TMP/check.out" || fail "prometheus: no alert 1 for $BUSY with netns/inode/pod/namespace labels"
assert_eq "prometheus status" "$W_RC" "$(awk '/^ctadvisor_check_status\{/ { print $2 }' "$LAB_TMP/check.out")"

# Without --all-netns nothing of this.
run_check --netns "$CHK" -w "$W" -c "$C" --format json
require_json
assert_eq "without --all-netns" "null 0" "$(check_jq '"\(.all_netns) \(.exit_code)"')"
assert_eq "without --all-netns: exit status" 0 "$CHECK_RC"

# netns-table-full: drops in another namespace, from NAT clashes.
lab_netns NCLI ncli
lab_netns RTR rtr
lab_netns NSRV nsrv
lab_veth "$NCLI" v0 "$RTR" v1
lab_veth "$RTR" v2 "$NSRV" v3
lab_addr "$NCLI" v0 10.71.1.1/24
lab_addr "$RTR" v1 10.71.1.254/24
lab_addr "$RTR" v2 10.71.2.254/24
lab_addr "$NSRV" v3 10.71.2.2/24
ip -n "$NCLI" route add default via 10.71.1.254 || die "cannot route $NCLI"
ip -n "$NSRV" route add default via 10.71.2.254 || die "cannot route $NSRV"
in_ns "$RTR" sysctl -qw net.ipv4.ip_forward=1 || die "cannot enable forwarding in $RTR"
in_ns "$NCLI" sysctl -qw net.ipv4.tcp_syn_retries=1 || die "cannot set tcp_syn_retries in $NCLI"
in_ns "$RTR" nft -f - <<-EOF_NFT || die "cannot load the NAT table in $RTR"
	table ip labnat {
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "v2" meta l4proto tcp masquerade to :41000-41000
		}
	}
EOF_NFT
lab_ct_enable "$RTR"
lab_bg "$NSRV" nsrv "$TOOLS/tcp_hold" server 10.71.2.2 5001
wait_line nsrv listening
lab_bg "$NCLI" ncli "$TOOLS/tcp_hold" client 10.71.2.2 5001 1
wait_line ncli ready
wait_for "the held connection in $RTR" ct_has "$RTR" ESTABLISHED 1
if in_ns "$NCLI" timeout 20 bash -c 'exec 3<>/dev/tcp/10.71.2.2/5001' 2>/dev/null; then
	die "lab sanity: a second connect through a one-port masquerade succeeded"
fi
r_drop=$(truth_stat "$RTR" drop)
r_if=$(truth_stat "$RTR" insert_failed)
assert_ge "conntrack -S drop in $RTR (lab sanity: >= 2 SYNs)" 2 "$r_drop"
assert_ge "conntrack -S insert_failed in $RTR (lab sanity)" 2 "$r_if"
run_check --netns "$CHK" --all-netns -w "$W" -c "$C" --format json
require_json
assert_eq "$RTR drop insert_failed early_drop vs conntrack -S" "$r_drop $r_if $(truth_stat "$RTR" early_drop)" \
	"$(check_jq --arg n "$RTR" '.all_netns.namespaces[] | select(.name == $n) | "\(.drop) \(.insert_failed) \(.early_drop)"')"
assert_eq "lab sanity: every drop in $RTR is a NAT clash (drop = insert_failed)" "$r_drop" "$r_if"
assert_eq "netns-table-full naming $RTR (its drops are NAT clashes)" 0 \
	"$(check_jq --arg n "$RTR" '[.findings[] | select(.id == "netns-table-full") | select(.summary | contains($n))] | length')"
assert_eq "$RTR listed without a drop alert" 0 \
	"$(check_jq --arg n "$RTR" '[.all_netns.namespaces[] | select(.name == $n) | select(.drop_alert != "ok")] | length')"
w_if=$(check_jq '.all_netns.worst.insert_failed')
assert_ge "worst insert_failed of all >= $RTR's" "$r_if" \
	"$(check_jq --argjson i "$w_if" '.all_netns.namespaces[] | select(.inode == $i) | .insert_failed')"
run_check --netns "$CHK" --all-netns -w "$W" -c "$C" --format prometheus
for c in drop insert_failed; do
	want=$r_drop
	[[ $c == insert_failed ]] && want=$r_if
	assert_eq "prometheus $c of $RTR" "$want" \
		"$(awk -v l="ctadvisor_other_netns_conntrack_stat_${c}_total{netns=\"$RTR\"," 'index($0, l) == 1 { print $2 }' \
			"$LAB_TMP/check.out")"
done
lab_finish
