#!/usr/bin/env bash
# 13-watch-invalid-group-held: `watch --invalid` when NFLOG group 0 of the
# namespace is already held. The kernel gives a group to one socket only, so
# the second listener is refused: exit 3 (refused) with a message that names
# the holder, before anything is changed (nf_conntrack_log_invalid, nf_log.2,
# nf_log.10 as they were, no undo record). With --force it counts the
# kernel's invalid counter only, still changing nothing, and warns (exit 1)
# when that counter grew. Two holders: a first `ctadvisor watch --invalid`
# (the second is told so, and the first keeps counting every packet), then
# nflog_hold, a stand-in for ulogd that binds nfnetlink_log as the logger
# and group 0 as ulogd does.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

export CTADVISOR_STATE_DIR="$LAB_TMP/state"
PORT=8080

# assert_grep WHAT ERE FILE
assert_grep()
{
	local what=$1 pattern=$2 file=$3
	if grep -qE -- "$pattern" "$file"; then
		echo "ok: $what"
	else
		fail "$what: no line matching '$pattern' in: $(cat "$file")"
	fi
}

open_records()
{
	find "$CTADVISOR_STATE_DIR/undo" -name '*.json' -printf '%f\n' 2>/dev/null | sort | paste -sd " "
}

# run_second WHAT ARGS...: a watch --invalid while group 0 is held; output
# in $LAB_TMP/second.{out,err}, status in RC. Settings and undo records
# must be the same after it as before.
RC=0
run_second()
{
	local what=$1 knobs records
	shift
	knobs=$(knob_values)
	records=$(open_records)
	RC=0
	timeout -k 5 60 "$CTADVISOR" watch --invalid --netns "$SRV" "$@" \
		>"$LAB_TMP/second.out" 2>"$LAB_TMP/second.err" || RC=$?
	grep -qE 'Sanitizer|runtime error:' "$LAB_TMP/second.err" &&
		fail "$what: sanitizer report: $(head -c 2000 "$LAB_TMP/second.err")"
	assert_eq "$what: settings unchanged" "$knobs" "$(knob_values)"
	assert_eq "$what: open undo records unchanged" "$records" "$(open_records)"
}

send_flags()
{
	in_ns "$CLI" "$TOOLS/raw_tcp" send "$CLI_IP" "$SRV_IP" "$1" "$PORT" SYN,FIN "$2" >/dev/null ||
		die "raw_tcp SYN,FIN"
}

lab_invalid_pair
orig=$(knob_values)

# ---- holder 1: another ctadvisor watch --invalid ----
timeout -k 5 60 "$CTADVISOR" watch --invalid --netns "$SRV" --duration 12s --format json \
	>"$LAB_TMP/first.out" 2>"$LAB_TMP/first.err" &
first=$!
LAB_PIDS+=("$first")
wait_bound "$first" "$LAB_TMP/first.err"
during=$(knob_values)
assert_eq "first watch's settings" "255 nfnetlink_log nfnetlink_log" "$during"
assert_eq "first watch's undo record" 1 "$(open_records | wc -w)"

# $first is timeout's PID; the holder is its ctadvisor child.
first_ct=$(pgrep -P "$first" -x ctadvisor) || die "no ctadvisor under timeout $first"
run_second "second watch" --duration 1s
assert_eq "second watch: exit status (refused)" 3 "$RC"
assert_eq "second watch: no report" 0 "$(wc -c <"$LAB_TMP/second.out")"
assert_grep "second watch: names the other ctadvisor and its PID" \
	"held by another ctadvisor \(PID $first_ct\): a 'ctadvisor watch --invalid' is already running" \
	"$LAB_TMP/second.err"
assert_grep "second watch: says what to do" "Wait for it to end \(or stop it: kill $first_ct\), or run with --force" \
	"$LAB_TMP/second.err"
if grep -q ulogd "$LAB_TMP/second.err"; then
	fail "second watch blames ulogd: $(cat "$LAB_TMP/second.err")"
else
	echo "ok: second watch does not blame ulogd"
fi

# --force: counts only, while packets arrive; the first still sees them all.
timeout -k 5 60 "$CTADVISOR" watch --invalid --netns "$SRV" --force --duration 3s --format json \
	>"$LAB_TMP/forced.out" 2>"$LAB_TMP/forced.err" &
forced=$!
LAB_PIDS+=("$forced")
sleep 1
send_flags 40001 4
frc=0
wait "$forced" || frc=$?
assert_eq "forced watch: settings unchanged" "$during" "$(knob_values)"
assert_eq "forced watch: open undo records unchanged" 1 "$(open_records | wc -w)"
assert_eq "forced watch: exit status (1: the invalid counter grew)" 1 "$frc"
jq -s '.[-1]' "$LAB_TMP/forced.out" >"$LAB_TMP/forced.json" ||
	die "forced watch output is not JSON: $(head -c 1000 "$LAB_TMP/forced.out") $(cat "$LAB_TMP/forced.err")"
assert_eq "forced watch: not listening" false "$(jq -r .live.nflog_listening "$LAB_TMP/forced.json")"
assert_eq "forced watch: NFLOG packets" 0 "$(jq -r .live.nflog_packets "$LAB_TMP/forced.json")"
assert_eq "forced watch: kernel invalid delta" 4 "$(jq -r .live.kernel_invalid_delta "$LAB_TMP/forced.json")"
assert_eq "forced watch: reasons" 0 "$(jq -r '.invalid.reasons | length' "$LAB_TMP/forced.json")"
assert_eq "forced watch: status" WARNING "$(jq -r .status "$LAB_TMP/forced.json")"
assert_grep "forced watch: says it counts only" "--force: counting conntrack's invalid counter only" \
	"$LAB_TMP/forced.err"

rc=0
wait "$first" || rc=$?
assert_eq "first watch: exit status" 1 "$rc"
jq -s '.[-1]' "$LAB_TMP/first.out" >"$LAB_TMP/first.json" || die "first watch output is not JSON"
assert_eq "first watch: every packet classified" "tcp-invalid-flags 4" \
	"$(jq -r '.invalid.reasons[] | "\(.id) \(.count)"' "$LAB_TMP/first.json")"
assert_eq "first watch: listening" true "$(jq -r .live.nflog_listening "$LAB_TMP/first.json")"
assert_eq "settings after the first watch" "$orig" "$(knob_values)"
assert_eq "undo records left open" "" "$(open_records)"

# ---- holder 2: a logging daemon (nflog_hold binds pf and group 0 like ulogd) ----
lab_bg "$SRV" ulogd "$TOOLS/nflog_hold" 0 pf
wait_line ulogd holding
held=$(knob_values)
assert_eq "nf_log.2/.10 after the daemon bound them" "0 nfnetlink_log nfnetlink_log" "$held"
hpid=${LAB_PID_OF[ulogd]}

run_second "watch beside the daemon" --duration 1s
assert_eq "watch beside the daemon: exit status (refused)" 3 "$RC"
assert_eq "watch beside the daemon: no report" 0 "$(wc -c <"$LAB_TMP/second.out")"
assert_grep "watch beside the daemon: names the process" \
	"held by process 'nflog_hold' \(PID $hpid, netlink port [0-9]+\)" "$LAB_TMP/second.err"
assert_grep "watch beside the daemon: says what to do" \
	"Stop that process for the time of the watch, or run with --force" "$LAB_TMP/second.err"
assert_eq "watch beside the daemon: no undo record at all" 0 \
	"$(find "$CTADVISOR_STATE_DIR/undo" -type f -newer "$LAB_TMP/first.json" | wc -l)"

timeout -k 5 60 "$CTADVISOR" watch --invalid --netns "$SRV" --force --duration 3s \
	>"$LAB_TMP/forced.out" 2>"$LAB_TMP/forced.err" &
forced=$!
LAB_PIDS+=("$forced")
sleep 1
send_flags 40002 3
frc=0
wait "$forced" || frc=$?
assert_eq "forced beside the daemon: settings unchanged" "$held" "$(knob_values)"
assert_eq "forced beside the daemon: exit status" 1 "$frc"
assert_grep "forced beside the daemon: text says it did not listen" \
	"not listening: NFLOG group 0 is held by another socket" "$LAB_TMP/forced.out"
assert_grep "forced beside the daemon: kernel delta" "conntrack -S invalid grew by 3, error by [0-9]+ while listening" \
	"$LAB_TMP/forced.out"
assert_eq "undo records after everything" "" "$(open_records)"
echo "refusal message (daemon):"
cat "$LAB_TMP/second.err"

lab_finish
