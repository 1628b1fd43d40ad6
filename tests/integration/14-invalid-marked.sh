#!/usr/bin/env bash
# 14-invalid-marked: conntrack marks packets invalid, the ruleset decides
# whether they are dropped, and ICMP errors that fit no flow are counted in
# `error`, not `invalid`. Against the real kernel, in the lab of
# lab_invalid_pair with its ruleset replaced:
#  1. `ct state invalid counter` and no drop rule: 6 SYN+FIN segments are
#     marked invalid and still reach a later input chain (its counter sees
#     all 6). watch --invalid says "marked invalid", says no rule drops
#     them, and exits 0 OK; JSON ruleset.drops_invalid is false.
#  2. The same with `ct state invalid drop` added: exit 1, the rule named,
#     the later chain sees none.
#  3. ICMP port-unreachable errors quoting a UDP flow the server really
#     sent, addressed to its other address: the kernel logs "outer daddr !=
#     inner" and counts them in error. The report shows the reason, counted
#     in error, live.kernel_error_delta = conntrack -S error delta = errors
#     sent, the invalid delta untouched by them, and nothing "not reported".
#  4. --format prometheus --output: the reason's counter = segments sent,
#     promtool clean, no address in any label.
# shellcheck source=lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

export CTADVISOR_STATE_DIR="$LAB_TMP/state"
PORT=8080
UDP_SPORT=5353
UDP_DPORT=9999
N_FLAGS=6
N_ICMP=4

# ruleset DROP: the lab table, with "drop" after the invalid counter or not.
# The chain "after" (priority 10) counts the SYN+FIN segments that got past.
# The server's stack answers those it gets with a RST, which conntrack would
# find invalid too (a new flow cannot start with one): left untracked, so
# the counts stay exactly what was sent.
ruleset()
{
	in_ns "$SRV" nft delete table inet lab 2>/dev/null
	in_ns "$SRV" nft -f - <<-EOF || die "cannot load the nft table in $SRV"
		table inet lab {
			chain raw_out { type filter hook output priority raw; tcp flags & rst == rst notrack; }
			chain cin { type filter hook input priority 0; ct state invalid counter $1; }
			chain after {
				type filter hook input priority 10;
				tcp flags & (syn | fin) == syn | fin counter;
			}
		}
	EOF
}

# nft_packets CHAIN: the packets counted by the counter of CHAIN.
nft_packets()
{
	in_ns "$SRV" nft -j list chain inet lab "$1" |
		jq '[.nftables[] | .rule? // empty | .expr[] | .counter? // empty | .packets] | add'
}

# watch_with NAME SENDER...: watch --invalid in SRV (JSON and text from the
# same run are not possible, so JSON) while SENDER runs; RC, report in
# $LAB_TMP/NAME.json.
watch_with()
{
	local name=$1 wpid
	shift
	timeout -k 5 60 "$CTADVISOR" watch --invalid --netns "$SRV" --duration 4s --format json \
		>"$LAB_TMP/$name.out" 2>"$LAB_TMP/$name.err" &
	wpid=$!
	LAB_PIDS+=("$wpid")
	wait_bound "$wpid" "$LAB_TMP/$name.err"
	"$@"
	RC=0
	wait "$wpid" || RC=$?
	jq -s '.[-1]' "$LAB_TMP/$name.out" >"$LAB_TMP/$name.json" ||
		die "$name: watch output is not JSON: $(head -c 1000 "$LAB_TMP/$name.out") $(cat "$LAB_TMP/$name.err")"
}

send_flags()
{
	in_ns "$CLI" "$TOOLS/raw_tcp" send "$CLI_IP" "$SRV_IP" 40001 "$PORT" SYN,FIN "$N_FLAGS" \
		>/dev/null || die "raw_tcp SYN,FIN"
}

send_icmp()
{
	in_ns "$CLI" "$TOOLS/icmp_stray" "$SRV_IP2" "$CLI_IP" "$N_ICMP" "$SRV_IP" "$UDP_SPORT" \
		"$UDP_DPORT" >/dev/null || die "icmp_stray"
}

rj()
{
	jq -r "$2" "$LAB_TMP/$1.json"
}

lab_invalid_pair
SRV_IP2=${SRV_IP%.*}.3
lab_addr "$SRV" s0 "$SRV_IP2/24"
orig=$(knob_values)

# ---- 1. marked, not dropped --------------------------------------------
ruleset ""
inv0=$(truth_stat "$SRV" invalid)
watch_with passes send_flags
inv1=$(truth_stat "$SRV" invalid)
assert_eq "no drop rule: kernel invalid delta = segments sent" "$N_FLAGS" $((inv1 - inv0))
assert_eq "no drop rule: every segment got past the invalid rule" "$N_FLAGS" "$(nft_packets after)"
assert_eq "no drop rule: watch --invalid exit status (OK)" 0 "$RC"
assert_eq "no drop rule: status" OK "$(rj passes .status)"
assert_eq "no drop rule: marked invalid (report)" "$N_FLAGS" "$(rj passes .invalid.marked_invalid)"
assert_eq "no drop rule: ruleset.drops_invalid" false "$(rj passes .ruleset.drops_invalid)"
assert_eq "no drop rule: reason" "tcp-invalid-flags marked_invalid invalid $N_FLAGS" \
	"$(rj passes '.invalid.reasons[] | "\(.id) \(.verdict) \(.counted_in) \(.count)"')"

# The same, as text: the words an admin reads.
timeout -k 5 60 "$CTADVISOR" watch --invalid --netns "$SRV" --duration 3s \
	>"$LAB_TMP/passes.txt" 2>"$LAB_TMP/passes-txt.err" &
tpid=$!
LAB_PIDS+=("$tpid")
wait_bound "$tpid" "$LAB_TMP/passes-txt.err"
send_flags
trc=0
wait "$tpid" || trc=$?
words=$(tr -s ' \n' ' ' <"$LAB_TMP/passes.txt")
assert_eq "text: exit status" 0 "$trc"
for want in "ctadvisor watch --invalid: OK" "$N_FLAGS reported: $N_FLAGS marked invalid" \
	"no rule drops ct state invalid: the packets marked invalid went on"; do
	if [[ "$words" == *"$want"* ]]; then
		echo "ok: text says '$want'"
	else
		fail "text does not say '$want': $(cat "$LAB_TMP/passes.txt")"
	fi
done
[[ "$words" == *"dropped as invalid"* ]] && fail "text still says 'dropped as invalid'"

# ---- 2. marked and dropped ---------------------------------------------
ruleset drop
watch_with drops send_flags
assert_eq "drop rule: nothing got past" 0 "$(nft_packets after)"
assert_eq "drop rule: watch --invalid exit status (WARNING)" 1 "$RC"
rule=$(rj drops '"\(.ruleset.drops_invalid) \(.ruleset.rule)"')
[[ "$rule" =~ ^true\ nft\ inet\ lab\ cin\ handle\ [0-9]+$ ]] ||
	fail "drop rule: the rule is not named: $rule"

# ---- 3. ICMP errors land in error --------------------------------------
ruleset ""
# A UDP flow the server sent (unreplied: nothing listens in CLI).
in_ns "$SRV" "$TOOLS/udp_send" flows "$CLI_IP" "$UDP_DPORT" 1 "$UDP_SPORT" 1 >/dev/null ||
	die "udp_send from SRV"
ct_has "$SRV" "src=$SRV_IP dst=$CLI_IP sport=$UDP_SPORT dport=$UDP_DPORT" 1 ||
	die "the UDP flow SRV -> CLI is not tracked: $(in_ns "$SRV" conntrack -L 2>&1)"
inv0=$(truth_stat "$SRV" invalid)
err0=$(truth_stat "$SRV" error)
watch_with icmp send_icmp
inv1=$(truth_stat "$SRV" invalid)
err1=$(truth_stat "$SRV" error)
assert_eq "icmp: conntrack -S error delta = errors sent" "$N_ICMP" $((err1 - err0))
assert_eq "icmp: report error delta = conntrack -S" $((err1 - err0)) "$(rj icmp .live.kernel_error_delta)"
assert_eq "icmp: report invalid delta = conntrack -S" $((inv1 - inv0)) "$(rj icmp .live.kernel_invalid_delta)"
assert_eq "icmp: reason, counted in error" "icmp-outer-daddr-mismatch error $N_ICMP" \
	"$(rj icmp '.invalid.reasons[] | "\(.id) \(.counted_in) \(.count)"')"
assert_eq "icmp: in_error" "$N_ICMP" "$(rj icmp .invalid.in_error)"
assert_eq "icmp: nothing called unreported" 0 "$(rj icmp .live.nflog_not_reported)"
assert_eq "icmp: exit status (no rule drops them)" 0 "$RC"

# ---- 4. the same counts for node_exporter ----
prom="$LAB_TMP/invalid.prom"
timeout -k 5 60 "$CTADVISOR" watch --invalid --netns "$SRV" --duration 4s --interval 1s \
	--format prometheus --output "$prom" >"$LAB_TMP/prom.out" 2>"$LAB_TMP/prom.err" &
ppid=$!
LAB_PIDS+=("$ppid")
wait_bound "$ppid" "$LAB_TMP/prom.err"
send_flags
prc=0
wait "$ppid" || prc=$?
assert_eq "prometheus: exit status (no rule drops them)" 0 "$prc"
assert_eq "prometheus: nothing on stdout" 0 "$(wc -c <"$LAB_TMP/prom.out")"
assert_eq "prometheus: the reason's counter" "$N_FLAGS" \
	"$(awk '/^ctadvisor_invalid_packets_total\{.*reason="tcp-invalid-flags",proto="tcp",verdict="marked_invalid"\}/ { print $2 }' "$prom")"
if promtool check metrics <"$prom" >"$LAB_TMP/promtool.out" 2>&1; then
	echo "ok: promtool check metrics is clean"
else
	fail "promtool check metrics: $(cat "$LAB_TMP/promtool.out")"
fi
grep -qE '[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}' "$prom" &&
	fail "an address in the metrics: $(grep -E '[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+' "$prom" | head -3)"

assert_eq "settings after the watches" "$orig" "$(knob_values)"
assert_eq "undo records left open" "" "$(find "$CTADVISOR_STATE_DIR/undo" -name '*.json' -printf '%f\n')"
lab_finish
