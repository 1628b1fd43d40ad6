#!/usr/bin/env bash
# 60-nat: source NAT port saturation. client -- router -- server; the
# router masquerades TCP to the server into ports 40000-40009 and SNATs TCP
# to 10.213.2.3:6001 to two addresses (.250-.251) with ports 20000-20099.
# The server has two addresses. 12 connects to each of two destinations
# (10.213.2.2:5001 and 10.213.2.3:5002): 10 are held, 2 find no port and fail.
# `ctadvisor nat --netns RTR --format json` must report 10 of 10 ports
# (100 %) for each destination, equal to conntrack -L grouped by reply tuple;
# the failed connects' SYNs (2 or more each: tcp_syn_retries=1 in the client) show
# as insert_failed and drop deltas equal to conntrack -S's over the run; the
# exit status is 2 and the finding is nat-port-saturation. Each saturated
# key holds 10 ESTABLISHED entries, none in TIME_WAIT or later, all from the
# one client. `check --netns RTR` exits 2 with a critical nat-port-saturation
# finding naming one saturated destination and counting both, and its
# perfdata and Prometheus output carry the worst saturation, 100 %. Then 5
# connects through the two-address SNAT rule: one key of capacity 100, the
# client pinned to the one NAT address conntrack -L shows.
# NAT_FIXTURE_DIR=DIR (optional): at the end, record the router's table
# dump and ruleset there (tests/fixtures/nat/README.md says how).
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

HELD=10   # the range's size: connects that get a port
FAILED=2  # connects per destination that find none
PINNED=5  # connects through the two-address SNAT rule
A_ADDR=10.213.2.2 A_PORT=5001
B_ADDR=10.213.2.3 B_PORT=5002
P_ADDR=10.213.2.3 P_PORT=6001

lab_netns CLI cli
lab_netns RTR rtr
lab_netns SRV srv
lab_veth "$CLI" v0 "$RTR" v1
lab_veth "$RTR" v2 "$SRV" v3
lab_addr "$CLI" v0 10.213.1.1/24
lab_addr "$RTR" v1 10.213.1.254/24
lab_addr "$RTR" v2 10.213.2.254/24 10.213.2.250/24 10.213.2.251/24
lab_addr "$SRV" v3 "$A_ADDR/24" "$B_ADDR/24"
ip -n "$CLI" route add default via 10.213.1.254 || die "cannot route $CLI"
ip -n "$SRV" route add default via 10.213.2.254 || die "cannot route $SRV"
in_ns "$RTR" sysctl -qw net.ipv4.ip_forward=1 || die "cannot enable forwarding in $RTR"
# A connect that finds no port gives up after a few seconds (a SYN and
# its retransmits, each counted in insert_failed and drop).
in_ns "$CLI" sysctl -qw net.ipv4.tcp_syn_retries=1 || die "cannot set tcp_syn_retries in $CLI"
in_ns "$RTR" nft -f - <<-EOF_NFT || die "cannot load the NAT table in $RTR"
	table ip labnat {
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "v2" ip daddr $P_ADDR tcp dport $P_PORT snat to 10.213.2.250-10.213.2.251:20000-20099
			oifname "v2" meta l4proto tcp masquerade to :40000-40009
		}
	}
EOF_NFT
lab_ct_enable "$RTR"

for dest in "$A_ADDR $A_PORT" "$B_ADDR $B_PORT" "$P_ADDR $P_PORT"; do
	read -r addr port <<<"$dest"
	lab_bg "$SRV" "srv$port" "$TOOLS/tcp_hold" server "$addr" "$port"
	wait_line "srv$port" listening
done
lab_bg "$CLI" cliA "$TOOLS/tcp_hold" client "$A_ADDR" "$A_PORT" "$HELD"
lab_bg "$CLI" cliB "$TOOLS/tcp_hold" client "$B_ADDR" "$B_PORT" "$HELD"
wait_line cliA ready
wait_line cliB ready
wait_for "$((2 * HELD)) ESTABLISHED entries in $RTR" ct_has "$RTR" ESTABLISHED "$((2 * HELD))"

# Ground truth: conntrack -L of NS grouped by reply tuple, one
# "DST:DPORT/NATADDR COUNT" line per (reply src, reply sport, reply dst).
truth_keys()
{
	in_ns "$1" conntrack -L -p tcp 2>/dev/null | awk '
		{ n = 0; delete r
		  for (i = 1; i <= NF; i++) if ($i ~ /^(src|dst|sport|dport)=/) {
			split($i, kv, "="); if (kv[1] == "src") n++
			if (n == 2) r[kv[1]] = kv[2] }
		  c[r["src"] ":" r["sport"] "/" r["dst"]]++ }
		END { for (k in c) print k, c[k] }' | sort
}

# A connect that must fail: the router has no port left for it.
connect_fails()
{
	if in_ns "$CLI" timeout 20 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; then
		echo "connected"
	else
		echo "failed"
	fi
}

stat_of()
{
	truth_stat "$RTR" "$1"
}

# Part 1: two saturated destinations, and the connects that fail while the
# counters are sampled. The sleep only orders the connects after ctadvisor's
# first counter sample, with seconds of margin on each side of the window;
# the assertions compare with conntrack -S taken around the whole run.
declare -A before=() after=()
for c in found insert_failed drop; do
	before[$c]=$(stat_of "$c")
done
"$CTADVISOR" nat --netns "$RTR" --format json --interval 8s >"$LAB_TMP/nat1.json" \
	2>"$LAB_TMP/nat1.err" &
nat_pid=$!
sleep 1.5
fail_pids=()
for dest in "$A_ADDR $A_PORT" "$B_ADDR $B_PORT"; do
	for ((i = 0; i < FAILED; i++)); do
		read -r addr port <<<"$dest"
		connect_fails "$addr" "$port" >"$LAB_TMP/connect.$addr.$port.$i" &
		fail_pids+=($!)
	done
done
for pid in "${fail_pids[@]}"; do
	wait "$pid"
done
NAT_RC=0
wait "$nat_pid" || NAT_RC=$?
jq -e '.schema == 2 and .command == "nat"' "$LAB_TMP/nat1.json" >/dev/null ||
	die "ctadvisor nat printed no nat JSON (exit $NAT_RC): $(head -c 500 "$LAB_TMP/nat1.json") $(head -c 500 "$LAB_TMP/nat1.err")"
for c in found insert_failed drop; do
	after[$c]=$(stat_of "$c")
done

# The lab is what we built.
assert_eq "failed connects (lab sanity)" "$((2 * FAILED)) failed" \
	"$(cat "$LAB_TMP"/connect.* | sort | uniq -c | awk '{ print $1, $2 }' | xargs)"
truth_keys "$RTR" >"$LAB_TMP/keys.truth"
sed 's/^/kernel: /' "$LAB_TMP/keys.truth"
assert_eq "conntrack -L keys (lab sanity)" \
	"$A_ADDR:$A_PORT/10.213.2.254 $HELD|$B_ADDR:$B_PORT/10.213.2.254 $HELD" \
	"$(paste -sd'|' "$LAB_TMP/keys.truth")"
assert_ge "conntrack -S insert_failed delta (lab sanity: >= 2 SYNs per failed connect)" \
	"$((2 * 2 * FAILED))" "$((after[insert_failed] - before[insert_failed]))"

# ctadvisor against the kernel.
jq -r '.destinations[] | "\(.dst):\(.dport)/\(.nat_addr) \(.in_use)"' "$LAB_TMP/nat1.json" |
	sort >"$LAB_TMP/keys.actual"
compare_facts "nat vs conntrack -L by reply tuple:" "$LAB_TMP/keys.truth" "$LAB_TMP/keys.actual"
for dest in "$A_ADDR $A_PORT" "$B_ADDR $B_PORT"; do
	read -r addr port <<<"$dest"
	assert_eq "$addr:$port in_use/capacity saturation" "$HELD/$HELD 100" \
		"$(jq -r --arg a "$addr" --argjson p "$port" '.destinations[]
			| select(.dst == $a and .dport == $p)
			| "\(.in_use)/\(.capacity) \(.saturation_pct)"' "$LAB_TMP/nat1.json")"
	assert_eq "$addr:$port range" "40000 40009 rule" \
		"$(jq -r --arg a "$addr" --argjson p "$port" '.destinations[]
			| select(.dst == $a and .dport == $p) | "\(.range.lo) \(.range.hi) \(.range.source)"' \
			"$LAB_TMP/nat1.json")"
done
for c in found insert_failed drop; do
	assert_eq "counters.$c.delta vs conntrack -S" "$((after[$c] - before[$c]))" \
		"$(jq -r ".counters.$c.delta" "$LAB_TMP/nat1.json")"
done
assert_ge "counters.drop.delta (>= 2 SYNs per failed connect)" "$((2 * 2 * FAILED))" \
	"$(jq -r '.counters.drop.delta' "$LAB_TMP/nat1.json")"
assert_eq "counters.insert_failed.total vs conntrack -S" "${after[insert_failed]}" \
	"$(jq -r '.counters.insert_failed.total' "$LAB_TMP/nat1.json")"
assert_eq "exit status" 2 "$NAT_RC"
assert_eq "JSON exit_code and status" "2 CRITICAL" "$(jq -r '"\(.exit_code) \(.status)"' "$LAB_TMP/nat1.json")"
assert_eq "finding" "nat-port-saturation critical" \
	"$(jq -r '.findings[0] | "\(.id) \(.severity // .sev)"' "$LAB_TMP/nat1.json")"
assert_eq "walk entries vs conntrack -C" "$(in_ns "$RTR" conntrack -C)" \
	"$(jq -r '.walk.entries' "$LAB_TMP/nat1.json")"
assert_eq "walk.interrupted" false "$(jq -r '.walk.interrupted' "$LAB_TMP/nat1.json")"

# Each saturated key: the TCP state split and its one client, against the
# kernel's states of the entries of that reply tuple.
truth_states()
{
	in_ns "$RTR" conntrack -L -p tcp --reply-src "$1" --reply-port-src "$2" 2>/dev/null |
		awk '{ s[$4]++ } END { for (k in s) print k, s[k] }' | sort | paste -sd' '
}
for dest in "$A_ADDR $A_PORT" "$B_ADDR $B_PORT"; do
	read -r addr port <<<"$dest"
	assert_eq "$addr:$port conntrack -L states (lab sanity)" "ESTABLISHED $HELD" \
		"$(truth_states "$addr" "$port")"
	sel='.destinations[] | select(.dst == $a and .dport == $p)'
	assert_eq "$addr:$port established time_wait" "$HELD 0" \
		"$(jq -r --arg a "$addr" --argjson p "$port" "$sel"' | "\(.established) \(.time_wait)"' \
			"$LAB_TMP/nat1.json")"
	assert_eq "$addr:$port clients[0] (addr count error nat_addr), clients" \
		"10.213.1.1 $HELD 0 10.213.2.254 1" \
		"$(jq -r --arg a "$addr" --argjson p "$port" "$sel"' | "\(.clients[0].addr) \(.clients[0].count) \(.clients[0].error) \(.clients[0].nat_addr) \(.clients | length)"' \
			"$LAB_TMP/nat1.json")"
done
assert_eq "nat finding: alerting_destinations" 2 \
	"$(jq -r '.findings[] | select(.id == "nat-port-saturation") | .evidence.alerting_destinations' \
		"$LAB_TMP/nat1.json")"

# check sees the same saturation on its one walk: exit 2, the finding names
# one saturated destination and counts the other; JSON, perfdata and
# Prometheus carry 100 %.
saturated_named()
{
	# $1: a summary; prints which saturated destinations it names.
	local d out=""
	for d in "$A_ADDR tcp/$A_PORT" "$B_ADDR tcp/$B_PORT"; do
		[[ "$1" == *"toward $d "* ]] && out+="[$d]"
	done
	echo "${out:-none}"
}
run_check --netns "$RTR" --format json
require_json
assert_eq "check exit status" 2 "$CHECK_RC"
assert_eq "check: nat-port-saturation severity" critical \
	"$(check_jq '.findings[] | select(.id == "nat-port-saturation") | .severity')"
summary=$(check_jq '.findings[] | select(.id == "nat-port-saturation") | .summary')
case $(saturated_named "$summary") in
"[$A_ADDR tcp/$A_PORT]" | "[$B_ADDR tcp/$B_PORT]") echo "ok: check finding names one saturated destination" ;;
*) fail "check finding names no saturated destination: $summary" ;;
esac
[[ "$summary" == *"$HELD of $HELD ports (40000-40009)"*"(100%; 1 more destination alerts)"*"Widen the port range"* ]] ||
	fail "check finding summary lacks the figures and the other destination: $summary"
# no entry in TIME_WAIT, and random-fully adds no port: neither is advised
[[ "$summary" == *TIME_WAIT* || "$summary" == *random-fully* ]] &&
	fail "check finding advises what the evidence does not support: $summary"
assert_eq "check: nat-port-saturation evidence saturation ports alerting" "100 10 2" \
	"$(check_jq '.findings[] | select(.id == "nat-port-saturation") | .evidence
		| "\(.saturation) \(.ports_in_use) \(.alerting_destinations)"')"
worst=$(check_jq '.nat.worst | "\(.dst):\(.dport)"')
[[ "$worst" == "$A_ADDR:$A_PORT" || "$worst" == "$B_ADDR:$B_PORT" ]] ||
	fail "check .nat.worst is $worst, not a saturated destination"
[[ "$summary" == *"toward ${worst%:*} tcp/${worst#*:} "* ]] ||
	fail "check finding names another destination than .nat.worst ($worst): $summary"
assert_eq "check .nat.worst in_use capacity saturation_pct" "$HELD $HELD 100" \
	"$(check_jq '.nat.worst | "\(.in_use) \(.capacity) \(.saturation_pct)"')"
run_check --netns "$RTR"
assert_eq "check (text) exit status" 2 "$CHECK_RC"
assert_eq "check perfdata nat_saturation" "'nat_saturation'=100%;70;90;0;100" \
	"$(head -1 "$LAB_TMP/check.out" | grep -o "'nat_saturation'=[^ ]*")"
head -1 "$LAB_TMP/check.out" | grep -q "^CONNTRACK CRITICAL .*critical: [a-z, -]*nat-port-saturation" ||
	fail "check first line is not CRITICAL naming nat-port-saturation: $(head -1 "$LAB_TMP/check.out")"
run_check --netns "$RTR" --format prometheus
assert_eq "check (prometheus) exit status" 2 "$CHECK_RC"
assert_eq "check prometheus worst saturation, ports in use, capacity" "1 $HELD $HELD" \
	"$(awk -v ns="$RTR" '$1 == "ctadvisor_nat_worst_saturation_ratio{netns=\"" ns "\"}" { r = $2 }
		$1 == "ctadvisor_nat_worst_ports_in_use{netns=\"" ns "\"}" { u = $2 }
		$1 == "ctadvisor_nat_worst_port_capacity{netns=\"" ns "\"}" { c = $2 }
		END { print r, u, c }' "$LAB_TMP/check.out")"
assert_eq "check prometheus finding sample" 1 \
	"$(awk -v ns="$RTR" '$1 == "ctadvisor_finding{netns=\"" ns "\",id=\"nat-port-saturation\",severity=\"critical\"}" { print $2 }' \
		"$LAB_TMP/check.out")"

# Text and Prometheus name the same worst destination.
run_nat_fmt()
{
	local rc=0
	"$CTADVISOR" nat --netns "$RTR" --interval 100ms "$@" >"$LAB_TMP/nat.fmt" 2>&1 || rc=$?
	echo "$rc"
}
assert_eq "text exit status" 2 "$(run_nat_fmt --format text)"
grep -q "nat-port-saturation" "$LAB_TMP/nat.fmt" || fail "text output names no nat-port-saturation finding"
grep -qE "100\.0%  $HELD/$HELD  tcp 10\.213\.2\.254 -> " "$LAB_TMP/nat.fmt" ||
	fail "text output shows no 100 % row: $(head -c 1000 "$LAB_TMP/nat.fmt")"
assert_eq "prometheus exit status" 2 "$(run_nat_fmt --format prometheus)"
# The worst is max() over the per-destination family (the worst's own
# family is check's): both saturated destinations at 1.
assert_eq "prometheus worst saturation, destinations at it" "1 2" \
	"$(awk '/^ctadvisor_nat_port_saturation_ratio\{/ { if ($2 > m) { m = $2; n = 0 } if ($2 == m) n++ }
		END { print m, n }' "$LAB_TMP/nat.fmt")"
assert_eq "prometheus insert_failed rate family" 1 \
	"$(grep -c '^# TYPE ctadvisor_nat_insert_failed_per_second gauge$' "$LAB_TMP/nat.fmt")"

# Part 2: the two-address SNAT rule pins the client to one address.
lab_bg "$CLI" cliP "$TOOLS/tcp_hold" client "$P_ADDR" "$P_PORT" "$PINNED"
wait_line cliP ready
wait_for "$PINNED entries to $P_ADDR:$P_PORT in $RTR" ct_has "$RTR" "ESTABLISHED.*dport=$P_PORT " "$PINNED"
pinned_to=$(truth_keys "$RTR" | awk -v k="$P_ADDR:$P_PORT" '
	{ split($1, f, "/") } f[1] == k { print f[2] }' | xargs)
assert_eq "conntrack -L: one NAT address for $P_ADDR:$P_PORT (lab sanity)" 1 "$(wc -w <<<"$pinned_to")"
[[ "$pinned_to" == 10.213.2.250 || "$pinned_to" == 10.213.2.251 ]] ||
	fail "conntrack -L: $P_ADDR:$P_PORT NATed to '$pinned_to', not to the SNAT rule's addresses"
run_nat nat2.json --format json --interval 100ms
row='.destinations[] | select(.dst == "'$P_ADDR'" and .dport == '$P_PORT')'
assert_eq "$P_ADDR:$P_PORT nat_addr in_use/capacity nat_addrs" "$pinned_to $PINNED/100 1" \
	"$(jq -r "$row"' | "\(.nat_addr) \(.in_use)/\(.capacity) \(.nat_addrs)"' "$LAB_TMP/nat2.json")"
assert_eq "$P_ADDR:$P_PORT range" "20000 20099" \
	"$(jq -r "$row"' | "\(.range.lo) \(.range.hi)"' "$LAB_TMP/nat2.json")"
assert_eq "$P_ADDR:$P_PORT top client, pinned" "10.213.1.1 $PINNED $pinned_to 0" \
	"$(jq -r "$row"' | .clients[0] | "\(.addr) \(.count) \(.nat_addr) \(.elsewhere)"' "$LAB_TMP/nat2.json")"
assert_eq "rows worst first" "100 100 5" \
	"$(jq -r '[.destinations[].saturation_pct] | map(tostring) | join(" ")' "$LAB_TMP/nat2.json")"

# The closing note's evidence: nat's text next to conntrack -L by reply tuple.
if [[ -n "${VERBOSE:-}" || -n "${NAT_FIXTURE_DIR:-}" ]]; then
	echo "--- conntrack -L -p tcp in $RTR, grouped by reply tuple (src:sport/dst count) ---"
	truth_keys "$RTR"
	echo "--- ctadvisor nat --netns $RTR ---"
	"$CTADVISOR" nat --netns "$RTR" --interval 100ms || true
fi
if [[ -n "${NAT_FIXTURE_DIR:-}" ]]; then
	"$TOOLS/ct_capture" "$NAT_FIXTURE_DIR/lab60-dump.bin" "$RTR" ||
		die "ct_capture failed in $RTR"
	in_ns "$RTR" nft -j list ruleset >"$NAT_FIXTURE_DIR/lab60-ruleset.json" ||
		die "nft -j list ruleset failed in $RTR"
	echo "recorded $NAT_FIXTURE_DIR/lab60-dump.bin and lab60-ruleset.json"
fi

lab_finish
