#!/usr/bin/env bash
# 10-watch-invalid: `ctadvisor watch --invalid` against the real kernel.
# A client namespace sends crafted TCP segments to a server namespace whose
# conntrack finds them invalid: 5 without flags, 7 SYN+FIN, 3 FIN+PSH+URG
# (invalid flag combinations), 4 RSTs for flows that do not exist (invalid
# new), and 6 segments 1 GiB beyond the window of a live connection (SEQ over
# upper bound), all over IPv4, plus 2 SYN+FIN over IPv6 (nf_log.10, the IPv6
# header decoded from the NFLOG payload). The report must count exactly these, per reason and per flag
# combination, its total must equal the kernel's own invalid counter delta
# (conntrack -S) in that namespace, and every setting the watch touched must
# be back afterwards, with its undo record closed.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

export CTADVISOR_STATE_DIR="$LAB_TMP/state"
# A subnet of its own per run, so nothing else can be mistaken for ours.
NET="10.$((RANDOM % 200 + 20)).$((RANDOM % 250))"
CLI_IP=$NET.1
SRV_IP=$NET.2
PORT=8080
# Written as inet_ntop writes it (no leading zeros, groups not 0), so the
# report's addresses compare as text.
NET6=$(printf 'fd%02x:%x:%x::' $((RANDOM % 256)) $((RANDOM % 65535 + 1)) $((RANDOM % 65535 + 1)))
CLI_IP6=${NET6}1
SRV_IP6=${NET6}2

# ICMPv6 untracked in the server: neighbour discovery and the MLD reports of
# link-up are counted invalid by conntrack (no tuple inverse) without a log
# line, which would break the exact match with the kernel's counter. The
# server drops what conntrack finds invalid, so its TCP stack never answers
# a crafted segment with a RST that conntrack would judge too.
build_lab()
{
	lab_netns CLI cli
	lab_netns SRV srv
	in_ns "$SRV" nft -f - <<-EOF || die "cannot load the nft table in $SRV"
		table inet lab {
			chain raw_pre { type filter hook prerouting priority raw; meta l4proto ipv6-icmp notrack; }
			chain raw_out { type filter hook output priority raw; meta l4proto ipv6-icmp notrack; }
			chain cin { type filter hook input priority 0; ct state invalid counter drop; }
			chain cfwd { type filter hook forward priority 0; ct state invalid counter; }
		}
	EOF
	lab_veth "$CLI" c0 "$SRV" s0
	lab_addr "$CLI" c0 "$CLI_IP/24" "$CLI_IP6/64"
	lab_addr "$SRV" s0 "$SRV_IP/24" "$SRV_IP6/64"
	lab_bg "$SRV" hold "$TOOLS/tcp_hold" server "$SRV_IP" "$PORT"
	wait_line hold listening
}

send_invalid_set()
{
	local t="$TOOLS/raw_tcp"
	in_ns "$CLI" "$t" send "$CLI_IP" "$SRV_IP" 40000 "$PORT" none 5 >/dev/null || die "raw_tcp none"
	in_ns "$CLI" "$t" send "$CLI_IP" "$SRV_IP" 40001 "$PORT" SYN,FIN 7 >/dev/null || die "raw_tcp SYN,FIN"
	in_ns "$CLI" "$t" send "$CLI_IP" "$SRV_IP" 40002 "$PORT" FIN,PSH,URG 3 >/dev/null || die "raw_tcp FIN,PSH,URG"
	in_ns "$CLI" "$t" send "$CLI_IP" "$SRV_IP" 40003 "$PORT" RST 4 >/dev/null || die "raw_tcp RST"
	in_ns "$CLI" "$t" oow "$CLI_IP" "$SRV_IP" "$PORT" 6 >/dev/null || die "raw_tcp oow"
	in_ns "$CLI" "$t" send "$CLI_IP6" "$SRV_IP6" 40004 "$PORT" SYN,FIN 2 >/dev/null ||
		die "raw_tcp SYN,FIN over IPv6"
}

expected_facts()
{
	sort <<-EOF
		reason.tcp-invalid-flags 17
		reason.tcp-invalid-new 4
		reason.tcp-seq-over-upper-bound 6
		flags.0 5
		flags.3 9
		flags.41 3
		flags.4 4
		flags.16 6
		total 27
	EOF
}

# Reasons (id), TCP flag combinations (wire bits) and the total of a report.
report_facts()
{
	jq -r '.invalid.reasons[] | "reason.\(.id) \(.count)"' "$1" &&
		jq -r '.invalid.tcp_flags[] | "flags.\(.bits) \(.count)"' "$1" &&
		jq -r '"total \(.invalid.total)"' "$1"
}

build_lab
orig=$(knob_values)
before=$(truth_stat "$SRV" invalid)
before_err=$(truth_stat "$SRV" error)

timeout -k 5 60 "$CTADVISOR" watch --invalid --netns "$SRV" --duration 8s --format json \
	>"$LAB_TMP/watch.out" 2>"$LAB_TMP/watch.err" &
wpid=$!
LAB_PIDS+=("$wpid")
wait_bound "$wpid" "$LAB_TMP/watch.err"
assert_eq "nf_log.2 during the watch" nfnetlink_log "$(in_ns "$SRV" sysctl -n net.netfilter.nf_log.2)"
assert_eq "nf_log.10 during the watch" nfnetlink_log "$(in_ns "$SRV" sysctl -n net.netfilter.nf_log.10)"
send_invalid_set
rc=0
wait "$wpid" || rc=$?
after=$(truth_stat "$SRV" invalid)
after_err=$(truth_stat "$SRV" error)

# 1 = WARNING: packets marked invalid, and the ruleset drops them.
assert_eq "watch --invalid exit status" 1 "$rc"
grep -qE 'Sanitizer|runtime error:' "$LAB_TMP/watch.err" &&
	fail "sanitizer report: $(head -c 2000 "$LAB_TMP/watch.err")"
jq -s '.[-1]' "$LAB_TMP/watch.out" >"$LAB_TMP/report.json" ||
	die "watch output is not JSON: $(head -c 1000 "$LAB_TMP/watch.out") $(head -c 1000 "$LAB_TMP/watch.err")"
assert_eq "report kind" "invalid watch" "$(jq -r '"\(.report) \(.mode)"' "$LAB_TMP/report.json")"
assert_ge "live sample lines" 1 "$(jq -s '[.[] | select(.type == "sample")] | length' "$LAB_TMP/watch.out")"

expected_facts >"$LAB_TMP/expected"
report_facts "$LAB_TMP/report.json" | sort >"$LAB_TMP/actual" || die "report unreadable"
compare_facts "live report" "$LAB_TMP/expected" "$LAB_TMP/actual"

assert_eq "NFLOG packets received" 27 "$(jq -r .live.nflog_packets "$LAB_TMP/report.json")"
assert_eq "NFLOG packets lost" 0 "$(jq -r .live.nflog_lost "$LAB_TMP/report.json")"
assert_eq "NFLOG messages not decodable" 0 "$(jq -r .live.nflog_bad_messages "$LAB_TMP/report.json")"
assert_eq "kernel invalid delta (conntrack -S, test)" 27 "$((after - before))"
assert_eq "kernel invalid delta (report)" "$((after - before))" \
	"$(jq -r .live.kernel_invalid_delta "$LAB_TMP/report.json")"
assert_eq "kernel error delta (report = conntrack -S)" "$((after_err - before_err))" \
	"$(jq -r .live.kernel_error_delta "$LAB_TMP/report.json")"
assert_eq "marked invalid = total" 27 "$(jq -r .invalid.marked_invalid "$LAB_TMP/report.json")"
rule=$(jq -r '"\(.ruleset.drops_invalid) \(.ruleset.rule)"' "$LAB_TMP/report.json")
[[ "$rule" =~ ^true\ nft\ inet\ lab\ cin\ handle\ [0-9]+$ ]] ||
	fail "the ruleset's drop rule (inet lab cin) not named: $rule"
assert_eq "inbound interface" "s0 27" \
	"$(jq -r '.invalid.interfaces[] | "\(.name) \(.in)"' "$LAB_TMP/report.json")"
# The IPv6 source, from the IPv6 header decoded out of the NFLOG payload.
assert_eq "top sources (IPv4, IPv6)" "$CLI_IP 25, $CLI_IP6 2" \
	"$(jq -r '[.invalid.top_sources[] | "\(.addr) \(.count)"] | join(", ")' "$LAB_TMP/report.json")"
assert_eq "destination ports" "tcp/$PORT 27" \
	"$(jq -r '[.invalid.top_dports[] | "\(.protocol)/\(.port) \(.count)"] | join(", ")' "$LAB_TMP/report.json")"
assert_eq "packets truncated or unparsable" "0 0" \
	"$(jq -r '"\(.invalid.truncated) \(.invalid.bad_header)"' "$LAB_TMP/report.json")"

assert_eq "settings after the watch" "$orig" "$(knob_values)"
assert_eq "undo records left open" "" "$(find "$CTADVISOR_STATE_DIR/undo" -name '*.json' -printf '%f\n')"
assert_eq "undo records closed" 1 "$(find "$CTADVISOR_STATE_DIR/undo" -name '*.done' | wc -l)"
echo "live report summary:"
jq -c '{live, reasons: [.invalid.reasons[] | {id, count}]}' "$LAB_TMP/report.json"

lab_finish
