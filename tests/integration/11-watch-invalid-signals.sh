#!/usr/bin/env bash
# 11-watch-invalid-signals: `watch --invalid` stopped by a signal.
# SIGINT, SIGTERM and SIGHUP mid-run: the report is printed with what was
# received so far, every setting is back and the undo record is closed.
# SIGKILL mid-run: the settings stay as the watch set them, the undo record
# stays open, a new watch in that namespace refuses to stack on it (exit 3),
# and `ctadvisor undo --netns NS --yes` restores the originals.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

export CTADVISOR_STATE_DIR="$LAB_TMP/state"
PORT=8080

# start_watch NAME: a long watch in the background under a hang guard;
# the guard's PID in WPID, ctadvisor's own in CPID (signals go to it).
start_watch()
{
	timeout -k 5 120 "$CTADVISOR" watch --invalid --netns "$SRV" --duration 60s --format json \
		>"$LAB_TMP/$1.out" 2>"$LAB_TMP/$1.err" &
	WPID=$!
	LAB_PIDS+=("$WPID")
	wait_bound "$WPID" "$LAB_TMP/$1.err"
	CPID=$(pgrep -P "$WPID") || die "no ctadvisor process under timeout $WPID"
	LAB_PIDS+=("$CPID")
}

# Wait (bounded) for a live sample line reporting N packets.
wait_packets()
{
	local i
	for ((i = 0; i < 300; i++)); do
		jq -se --argjson n "$2" 'any(.[]; .type == "sample" and .packets == $n)' \
			"$LAB_TMP/$1.out" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "watch $1 never reported $2 packets: $(tail -n 3 "$LAB_TMP/$1.out")"
}

open_records()
{
	find "$CTADVISOR_STATE_DIR/undo" -name '*.json' -printf '%f\n'
}

lab_invalid_pair
orig=$(knob_values)
n=0
for sig in INT TERM HUP; do
	n=$((n + 1))
	start_watch "$sig"
	in_ns "$CLI" "$TOOLS/raw_tcp" send "$CLI_IP" "$SRV_IP" 40000 "$PORT" SYN,FIN "$n" >/dev/null ||
		die "raw_tcp"
	wait_packets "$sig" "$n"
	kill -s "$sig" "$CPID"
	rc=0
	wait "$WPID" || rc=$?
	assert_eq "SIG$sig: exit status (WARNING)" 1 "$rc"
	jq -s '.[-1]' "$LAB_TMP/$sig.out" >"$LAB_TMP/$sig.json" || die "SIG$sig: output is not JSON"
	assert_eq "SIG$sig: report printed" invalid "$(jq -r .report "$LAB_TMP/$sig.json")"
	assert_eq "SIG$sig: tcp-invalid-flags counted" "$n" \
		"$(jq -r '[.invalid.reasons[] | select(.id == "tcp-invalid-flags") | .count] | add' "$LAB_TMP/$sig.json")"
	assert_eq "SIG$sig: settings restored" "$orig" "$(knob_values)"
	assert_eq "SIG$sig: no open undo record" "" "$(open_records)"
done

start_watch KILL
kill -s KILL "$CPID"
wait "$WPID" 2>/dev/null || true
assert_eq "SIGKILL: settings left as the watch set them" "255 nfnetlink_log nfnetlink_log" \
	"$(knob_values)"
assert_eq "SIGKILL: one open undo record" 1 "$(open_records | grep -c . || true)"

rc=0
timeout -k 5 60 "$CTADVISOR" watch --invalid --netns "$SRV" --duration 1s \
	>"$LAB_TMP/again.out" 2>"$LAB_TMP/again.err" || rc=$?
assert_eq "a new watch over the open record: exit status" 3 "$rc"
grep -q "did not restore" "$LAB_TMP/again.err" ||
	fail "the refusal does not name the open record: $(cat "$LAB_TMP/again.err")"
assert_eq "settings untouched by the refused watch" "255 nfnetlink_log nfnetlink_log" \
	"$(knob_values)"

rc=0
timeout -k 5 60 "$CTADVISOR" undo --netns "$SRV" --yes >"$LAB_TMP/undo.out" 2>&1 || rc=$?
assert_eq "ctadvisor undo: exit status" 0 "$rc"
[[ $rc == 0 ]] || echo "undo output: $(cat "$LAB_TMP/undo.out")" >&2
assert_eq "settings after undo" "$orig" "$(knob_values)"
assert_eq "no open undo record after undo" "" "$(open_records)"

lab_finish
