#!/usr/bin/env bash
# 12-invalid-syslog: the same invalid packets, seen live and through the
# kernel log, give the same aggregate.
# Live: `watch --invalid` over NFLOG, as in 10-watch-invalid. Syslog: the
# namespace keeps its default logger (nf_log_ipv4), log_invalid is turned on
# by hand, and the initial namespace's nf_log_all_netns=1 lets a non-initial
# namespace's lines reach the kernel log (restored on exit). The lines since
# a marker written to /dev/kmsg, from this lab's own addresses, are fed to
# `ctadvisor logparse --format json`. Both reports must count exactly what
# was sent, per reason and per flag combination, and agree with each other.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

export CTADVISOR_STATE_DIR="$LAB_TMP/state"
PORT=8080

# The lab of lib.sh's lab_invalid_pair, and a TCP server in SRV.
build_lab()
{
	lab_invalid_pair
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
}

expected_facts()
{
	sort <<-EOF
		reason.tcp-invalid-flags 15
		reason.tcp-invalid-new 4
		reason.tcp-seq-over-upper-bound 6
		flags.0 5
		flags.3 7
		flags.41 3
		flags.4 4
		flags.16 6
		total 25
	EOF
}

report_facts()
{
	jq -r '.invalid.reasons[] | "reason.\(.id) \(.count)"' "$1" &&
		jq -r '.invalid.tcp_flags[] | "flags.\(.bits) \(.count)"' "$1" &&
		jq -r '"total \(.invalid.total)"' "$1"
}

invalid_now()
{
	truth_stat "$SRV" invalid
}

build_lab
expected_facts >"$LAB_TMP/expected"
orig=$(knob_values)

# Live, over NFLOG.
timeout -k 5 60 "$CTADVISOR" watch --invalid --netns "$SRV" --duration 6s --format json \
	>"$LAB_TMP/watch.out" 2>"$LAB_TMP/watch.err" &
wpid=$!
LAB_PIDS+=("$wpid")
wait_bound "$wpid" "$LAB_TMP/watch.err"
send_invalid_set
rc=0
wait "$wpid" || rc=$?
assert_eq "watch --invalid exit status" 1 "$rc"
jq -s '.[-1]' "$LAB_TMP/watch.out" >"$LAB_TMP/live.json" || die "watch output is not JSON"
report_facts "$LAB_TMP/live.json" | sort >"$LAB_TMP/live.facts" || die "live report unreadable"
compare_facts "live" "$LAB_TMP/expected" "$LAB_TMP/live.facts"
assert_eq "settings after the watch" "$orig" "$(knob_values)"

# Through the kernel log.
assert_eq "nf_log.2 is the syslog logger" nf_log_ipv4 "$(in_ns "$SRV" sysctl -n net.netfilter.nf_log.2)"
all_netns=$(sysctl -n net.netfilter.nf_log_all_netns) || die "no nf_log_all_netns in the initial namespace"
lab_on_exit "sysctl -qw net.netfilter.nf_log_all_netns=$all_netns"
lab_on_exit "in_ns $SRV sysctl -qw net.netfilter.nf_conntrack_log_invalid=$(in_ns "$SRV" sysctl -n net.netfilter.nf_conntrack_log_invalid)"
sysctl -qw net.netfilter.nf_log_all_netns=1 || die "cannot set nf_log_all_netns"
in_ns "$SRV" sysctl -qw net.netfilter.nf_conntrack_log_invalid=255 || die "cannot set log_invalid"
marker="ctadvisor-test $LAB_ID $RANDOM$RANDOM"
echo "$marker" >/dev/kmsg || die "cannot write the marker to /dev/kmsg"
before=$(invalid_now)
send_invalid_set
wait_for "25 invalid packets counted in $SRV" test "$(($(invalid_now) - before))" -ge 25
# The lines are printed where the packet is judged, before the counter moves
# on; the marker line itself comes from this test.
sysctl -qw net.netfilter.nf_log_all_netns="$all_netns"
in_ns "$SRV" sysctl -qw net.netfilter.nf_conntrack_log_invalid=0
assert_eq "kernel invalid delta" 25 "$(($(invalid_now) - before))"
dmesg | awk -v m="$marker" 'f; index($0, m) { f = 1 }' |
	grep -F "SRC=$CLI_IP DST=$SRV_IP " >"$LAB_TMP/dmesg.log" || true
assert_eq "kernel log lines from the lab" 25 "$(wc -l <"$LAB_TMP/dmesg.log")"

rc=0
"$CTADVISOR" logparse --format json <"$LAB_TMP/dmesg.log" >"$LAB_TMP/logparse.json" \
	2>"$LAB_TMP/logparse.err" || rc=$?
assert_eq "logparse exit status" 1 "$rc"
jq -e .invalid "$LAB_TMP/logparse.json" >/dev/null ||
	die "logparse printed no report: $(head -c 1000 "$LAB_TMP/logparse.json") $(head -c 1000 "$LAB_TMP/logparse.err")"
report_facts "$LAB_TMP/logparse.json" | sort >"$LAB_TMP/syslog.facts" || die "logparse report unreadable"
compare_facts "syslog" "$LAB_TMP/expected" "$LAB_TMP/syslog.facts"
compare_facts "live vs syslog" "$LAB_TMP/live.facts" "$LAB_TMP/syslog.facts"
assert_eq "logparse lines not understood" 0 "$(jq -r .input.not_understood "$LAB_TMP/logparse.json")"
assert_eq "same interfaces" "$(jq -c .invalid.interfaces "$LAB_TMP/live.json")" \
	"$(jq -c .invalid.interfaces "$LAB_TMP/logparse.json")"
assert_eq "same top sources" "$(jq -c .invalid.top_sources "$LAB_TMP/live.json")" \
	"$(jq -c .invalid.top_sources "$LAB_TMP/logparse.json")"
assert_eq "same destination ports" "$(jq -c .invalid.top_dports "$LAB_TMP/live.json")" \
	"$(jq -c .invalid.top_dports "$LAB_TMP/logparse.json")"
assert_eq "destination ports hold what was sent" "tcp/$PORT 25" \
	"$(jq -r '.invalid.top_dports[] | "\(.protocol)/\(.port) \(.count)"' "$LAB_TMP/logparse.json" | paste -sd " ")"
assert_eq "same protocols" "$(jq -c .invalid.protocols "$LAB_TMP/live.json")" \
	"$(jq -c .invalid.protocols "$LAB_TMP/logparse.json")"
assert_eq "protocols hold what was sent" "tcp 25" \
	"$(jq -r '.invalid.protocols[] | "\(.name) \(.count)"' "$LAB_TMP/logparse.json" | paste -sd " ")"
assert_eq "same marked-invalid/accepted" \
	"$(jq -r '"\(.invalid.marked_invalid)/\(.invalid.accepted)"' "$LAB_TMP/live.json")" \
	"$(jq -r '"\(.invalid.marked_invalid)/\(.invalid.accepted)"' "$LAB_TMP/logparse.json")"
assert_eq "marked-invalid/accepted hold what was sent" "25/0" \
	"$(jq -r '"\(.invalid.marked_invalid)/\(.invalid.accepted)"' "$LAB_TMP/logparse.json")"
assert_eq "same directions" "$(jq -c .invalid.directions "$LAB_TMP/live.json")" \
	"$(jq -c .invalid.directions "$LAB_TMP/logparse.json")"
assert_eq "nf_log_all_netns restored" "$all_netns" "$(sysctl -n net.netfilter.nf_log_all_netns)"
assert_eq "log_invalid in the lab restored" 0 \
	"$(in_ns "$SRV" sysctl -n net.netfilter.nf_conntrack_log_invalid)"

lab_finish
