#!/usr/bin/env bash
# 84-faults-nflog-escapes: a hostile LOG prefix (issue 7, Faults: input).
# Any nft rule may log to NFLOG group 0 with any prefix, and watch --invalid
# (which listens there) reports the prefixes of the log rules it sees: the
# prefix is untrusted input. The lab's rule logs UDP to port PORT_NFLOG
# with a prefix holding ESC [31m, BEL, DEL, CR, an invalid UTF-8 byte
# (0xff) and a valid "é". Text output must hold no raw control byte (they
# are written \x1b ...); JSON must be valid, its string the prefix with
# the invalid byte in the documented \xNN form.
#
# The syslog path: the same prefix on a `log level warn` rule reaches the
# kernel log (nf_log_all_netns=1 in the initial namespace, restored on
# exit). The kernel's /dev/kmsg already escapes it (dmesg shows "\x1b"),
# so logparse is fed both the dmesg text and the raw bytes a syslog daemon
# reading /proc/kmsg would store (the kernel's \xNN decoded): both must be
# escaped in text and valid JSON. Hostile log lines (1 MiB, NUL, CRLF...)
# are 20-logparse-cli.sh's.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

export CTADVISOR_STATE_DIR="$LAB_TMP/state"
NET="10.$((RANDOM % 200 + 20)).$((RANDOM % 250))"
CLI_IP=$NET.1
SRV_IP=$NET.2
PORT_NFLOG=9999
PORT_SYSLOG=9998
FLOWS=5
# The prefix, byte for byte (nft keeps at most 127 bytes; this is 20).
PREFIX=$'\e[31mEVIL\a\x7f\r\xffé'
# How JSON must decode it: every byte as is, but 0xff (not UTF-8) as \xff.
WANT_JSON=$'\e[31mEVIL\a\x7f\r\\xffé'

lab_netns CLI cli
lab_netns SRV srv
for ns in "$CLI" "$SRV"; do
	in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 ||
		die "cannot disable IPv6 in $ns"
done
lab_veth "$CLI" c0 "$SRV" s0
lab_addr "$CLI" c0 "$CLI_IP/24"
lab_addr "$SRV" s0 "$SRV_IP/24"
printf 'table inet lab {\n chain cin { type filter hook input priority 0;\n  udp dport %d log prefix "%s" group 0 drop\n  udp dport %d log prefix "%s: " level warn drop\n }\n}\n' \
	"$PORT_NFLOG" "$PREFIX" "$PORT_SYSLOG" "$PREFIX" >"$LAB_TMP/rules.nft"
in_ns "$SRV" nft -f "$LAB_TMP/rules.nft" || die "nft refused the hostile prefix"
in_ns "$SRV" nft list ruleset >"$LAB_TMP/ruleset" || die "nft list ruleset failed"
grep -qF "$PREFIX" "$LAB_TMP/ruleset" || die "nft did not keep the prefix byte for byte"

# raw_controls FORMAT FILE: lines holding a C0 control byte other than
# TAB/LF, or (text only) DEL. JSON may hold a raw DEL (RFC 8259 escapes
# only below 0x20; jansson writes it as is): valid, and no escape sequence.
raw_controls()
{
	if [[ "$1" == json ]]; then
		LC_ALL=C grep -c $'[\x01-\x08\x0b-\x1f]' "$2" || true
	else
		LC_ALL=C grep -c $'[\x01-\x08\x0b-\x1f\x7f]' "$2" || true
	fi
}

# watch --invalid turns log_invalid on once group 0 is bound.
bound()
{
	[[ "$(in_ns "$SRV" sysctl -n net.netfilter.nf_conntrack_log_invalid)" == 255 ]]
}

# --- NFLOG: watch --invalid, text and JSON.
for fmt in text json; do
	rc=0
	timeout -k 5 60 "$CTADVISOR" watch --invalid --netns "$SRV" --duration 3s --format "$fmt" \
		>"$LAB_TMP/w.$fmt" 2>"$LAB_TMP/w.$fmt.err" &
	wpid=$!
	LAB_PIDS+=("$wpid")
	wait_for "watch --invalid to bind (log_invalid on)" bound
	in_ns "$CLI" "$TOOLS/udp_send" flows "$SRV_IP" "$PORT_NFLOG" "$FLOWS" 30000 "$FLOWS" >/dev/null ||
		die "udp_send failed"
	wait "$wpid" || rc=$?
	assert_eq "watch --invalid ($fmt): exit" 0 "$rc"
	if grep -qE 'Sanitizer|runtime error:' "$LAB_TMP/w.$fmt.err"; then
		fail "watch --invalid ($fmt): sanitizer report"
	fi
	assert_eq "watch --invalid ($fmt): no raw control byte on stdout" 0 "$(raw_controls "$fmt" "$LAB_TMP/w.$fmt")"
	assert_eq "watch --invalid ($fmt): no raw control byte on stderr" 0 "$(raw_controls text "$LAB_TMP/w.$fmt.err")"
done
assert_eq "text: the prefix escaped, with its count" 1 \
	"$(count "LOG rules *$FLOWS lines: \"\\\\x1b\\[31mEVIL\\\\x07\\\\x7f\\\\r\\\\xffé\" $FLOWS" "$LAB_TMP/w.text")"
jq -e -s 'length >= 1 and (.[-1].schema == 2)' "$LAB_TMP/w.json" >/dev/null ||
	fail "watch --invalid JSON is not valid JSON lines ending with the summary: $(head -c 500 "$LAB_TMP/w.json")"
assert_eq "json: the log rule count" "$FLOWS" "$(jq -s '.[-1].other.log_rules.count' "$LAB_TMP/w.json")"
got=$(jq -s -j '.[-1].other.log_rules.prefixes[0].prefix' "$LAB_TMP/w.json")
assert_eq "json: the decoded prefix (bytes as hex)" "$(printf '%s' "$WANT_JSON" | od -An -tx1 | xargs)" \
	"$(printf '%s' "$got" | od -An -tx1 | xargs)"

# --- The kernel log, through logparse.
orig_all=$(sysctl -n net.netfilter.nf_log_all_netns) || die "cannot read nf_log_all_netns"
lab_on_exit "sysctl -qw net.netfilter.nf_log_all_netns=$orig_all"
sysctl -qw net.netfilter.nf_log_all_netns=1 || die "cannot set nf_log_all_netns"
marker="ctadvisor-test $LAB_ID $RANDOM$RANDOM"
echo "$marker" >/dev/kmsg || die "cannot write the marker to /dev/kmsg"
in_ns "$CLI" "$TOOLS/udp_send" flows "$SRV_IP" "$PORT_SYSLOG" "$FLOWS" 31000 "$FLOWS" >/dev/null ||
	die "udp_send (syslog) failed"
kmsg_lines()
{
	dmesg | awk -v m="$marker" 'f; index($0, m) { f = 1 }' |
		grep -F "SRC=$CLI_IP DST=$SRV_IP " >"$LAB_TMP/dmesg.log" || true
	(($(wc -l <"$LAB_TMP/dmesg.log") >= FLOWS))
}
wait_for "$FLOWS lab lines in the kernel log" kmsg_lines
sysctl -qw net.netfilter.nf_log_all_netns="$orig_all"
assert_eq "kernel log lines from the lab" "$FLOWS" "$(wc -l <"$LAB_TMP/dmesg.log")"
assert_eq "the kernel log escaped the prefix itself (\\x1b)" "$FLOWS" "$(count '\\x1b\[31mEVIL' "$LAB_TMP/dmesg.log")"
# What a syslog daemon reading /proc/kmsg stores: the raw bytes.
while IFS= read -r line; do printf '%b\n' "$line"; done <"$LAB_TMP/dmesg.log" >"$LAB_TMP/raw.log"
assert_eq "raw log lines hold the ESC byte" "$FLOWS" "$(LC_ALL=C grep -c $'\e' "$LAB_TMP/raw.log" || true)"

for src in dmesg raw; do
	for fmt in text json; do
		rc=0
		"$CTADVISOR" logparse --format "$fmt" --color always "$LAB_TMP/$src.log" \
			>"$LAB_TMP/lp.$src.$fmt" 2>"$LAB_TMP/lp.$src.$fmt.err" || rc=$?
		assert_eq "logparse $src ($fmt): exit" 0 "$rc"
		# --color always writes ESC itself in text: only its own SGR codes.
		assert_eq "logparse $src ($fmt): no control byte but its own colours" 0 \
			"$(sed 's/\x1b\[[0-9;]*m//g' "$LAB_TMP/lp.$src.$fmt" >"$LAB_TMP/lp.plain"
				raw_controls "$fmt" "$LAB_TMP/lp.plain"
			)"
		assert_eq "logparse $src ($fmt): nothing on stderr" 0 "$(wc -c <"$LAB_TMP/lp.$src.$fmt.err")"
		assert_eq "logparse $src ($fmt): no EVIL colour code" 0 \
			"$(LC_ALL=C grep -c $'\e\\[31mEVIL' "$LAB_TMP/lp.$src.$fmt" || true)"
	done
	jq -e -s 'length == 1 and .[0].schema == 2' "$LAB_TMP/lp.$src.json" >/dev/null ||
		fail "logparse $src: JSON invalid: $(head -c 300 "$LAB_TMP/lp.$src.json")"
	assert_eq "logparse $src: log rule lines" "$FLOWS" "$(jq '.other.log_rules.count' "$LAB_TMP/lp.$src.json")"
done
# dmesg text: the prefix is plain text with backslashes, kept as such.
assert_eq "logparse dmesg json: the prefix as the kernel escaped it" \
	'\x1b[31mEVIL\x07\x7f' "$(jq -j '.other.log_rules.prefixes[0].prefix[:20]' "$LAB_TMP/lp.dmesg.json")"
# raw bytes: decoded like the NFLOG prefix, plus the ':' of the rule.
got=$(jq -j '.other.log_rules.prefixes[0].prefix' "$LAB_TMP/lp.raw.json")
assert_eq "logparse raw json: the decoded prefix (bytes as hex)" \
	"$(printf '%s:' "$WANT_JSON" | od -An -tx1 | xargs)" "$(printf '%s' "$got" | od -An -tx1 | xargs)"
assert_eq "logparse raw text: the prefix escaped" 1 \
	"$(sed 's/\x1b\[[0-9;]*m//g' "$LAB_TMP/lp.raw.text" | grep -c 'LOG rules.*"\\x1b\[31mEVIL\\x07\\x7f\\r\\xffé:"' || true)"

lab_finish
