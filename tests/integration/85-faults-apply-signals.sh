#!/usr/bin/env bash
# 85-faults-apply-signals: `apply` interrupted while it writes (issue 7,
# Faults: signals). apply holds SIGINT, SIGTERM and SIGHUP from saving the
# undo record until every knob is written and verified; a signal that came
# meanwhile then restores every knob, says so, and ends the process as the
# signal does. So an interrupted apply never leaves some knobs changed.
#
# The window is made wide and deterministic with strace's fault injection:
# the write(2) to nf_conntrack_timestamp (the second knob written) is
# delayed DELAY_US, so the signal lands while acct is already written and
# timestamp is not; the test checks that half state before signalling.
#   SIGINT, SIGTERM, SIGHUP mid-write -> exit 128+sig, both knobs restored,
#     the message says so, the undo record is closed (.done);
#   SIGHUP while ignored (nohup)      -> not an interruption: applied, exit 0;
#   SIGINT while the undo record is being saved (link(2) delayed) -> nothing
#     written, exit 130, the record closed;
#   SIGKILL mid-write                 -> half applied, the record stays open,
#     `ctadvisor undo --netns NS --yes` restores both.
# watch --invalid's signals are 11-watch-invalid-signals.sh's.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || die "strace is required (Debian package strace)"

export CTADVISOR_STATE_DIR="$LAB_TMP/state"
UNDO="$CTADVISOR_STATE_DIR/undo"
DELAY_US=1500000
TS=/proc/sys/net/netfilter/nf_conntrack_timestamp

lab_netns NS ns
lab_ct_enable "$NS"

knobs()
{
	in_ns "$NS" sysctl -n net.netfilter.nf_conntrack_acct net.netfilter.nf_conntrack_timestamp | xargs
}

reset_knobs()
{
	in_ns "$NS" sysctl -qw net.netfilter.nf_conntrack_acct=0 net.netfilter.nf_conntrack_timestamp=0 ||
		die "cannot reset acct/timestamp in $NS"
}

live_records()
{
	{ find "$UNDO" -name 'undo-*.json' 2>/dev/null || true; } | wc -l
}

done_records()
{
	{ find "$UNDO" -name 'undo-*.json.done' 2>/dev/null || true; } | wc -l
}

# start_apply NAME SYSCALL [PATH]: apply --enable-acct --enable-timestamp
# under strace, SYSCALL (only on PATH, when given) delayed DELAY_US; strace's
# PID in SPID, ctadvisor's in CPID. The signals in SIGDEF get their default
# action; APPLY_PRE runs before strace (e.g. a shell that ignores SIGHUP).
SIGDEF=INT,TERM,HUP
APPLY_PRE=()
start_apply()
{
	local name=$1 sc=$2 path=${3:-} i
	local -a filt=()
	[[ -n "$path" ]] && filt=(-P "$path")
	# A script's background jobs start with SIGINT ignored: undo that, as
	# an interactive shell would.
	# LeakSanitizer cannot run under ptrace: leaks are checked elsewhere.
	env --default-signal="$SIGDEF" ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" \
		"${APPLY_PRE[@]}" strace -qq -f -o /dev/null "${filt[@]}" -e trace="$sc" \
		-e inject="$sc:delay_enter=$DELAY_US" "$CTADVISOR" apply --netns "$NS" \
		--enable-acct --enable-timestamp --yes </dev/null \
		>"$LAB_TMP/$name.out" 2>"$LAB_TMP/$name.err" &
	SPID=$!
	LAB_PIDS+=("$SPID")
	for ((i = 0; i < 300; i++)); do
		CPID=$(pgrep -P "$SPID" -x ctadvisor) && [[ "$CPID" =~ ^[0-9]+$ ]] && return 0
		sleep 0.02
	done
	die "apply $name never started under strace: $(cat "$LAB_TMP/$name.err")"
}

# wait_half NAME: until acct is written and the timestamp write is held.
wait_half()
{
	local i
	for ((i = 0; i < 300; i++)); do
		[[ "$(knobs)" == "1 0" ]] && return 0
		kill -0 "$CPID" 2>/dev/null || die "apply $1 ended before the half-way point: $(cat "$LAB_TMP/$1.err")"
		sleep 0.02
	done
	die "apply $1 never reached the half-way point: knobs $(knobs)"
}

# finish_apply NAME: wait (bounded) and set RC.
finish_apply()
{
	local i
	for ((i = 0; i < 300; i++)); do
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.05
	done
	RC=0
	wait "$SPID" || RC=$?
	echo "--- apply $1 (exit $RC)"
	cat "$LAB_TMP/$1.out" "$LAB_TMP/$1.err"
	if grep -qE 'Sanitizer|runtime error:' "$LAB_TMP/$1.err"; then
		fail "apply $1: sanitizer report"
	fi
}

reset_knobs
assert_eq "lab sanity: acct timestamp" "0 0" "$(knobs)"

# Mid-write: acct applied, timestamp held; then the signal.
for sig in INT TERM HUP; do
	reset_knobs
	before_done=$(done_records)
	start_apply "$sig" write "$TS"
	wait_half "$sig"
	assert_eq "SIG$sig: the record is saved before the signal" 1 "$(live_records)"
	kill -s "$sig" "$CPID"
	finish_apply "$sig"
	num=$(kill -l "$sig")
	assert_eq "SIG$sig mid-write: exit status 128+$num" "$((128 + num))" "$RC"
	assert_eq "SIG$sig mid-write: both knobs restored" "0 0" "$(knobs)"
	assert_eq "SIG$sig mid-write: says it was interrupted" 1 \
		"$(count "interrupted (SIG$sig) while writing" "$LAB_TMP/$sig.err")"
	assert_eq "SIG$sig mid-write: each knob rolled back (verified)" 2 \
		"$(count 'rolled back (reads 0)' "$LAB_TMP/$sig.err")"
	assert_eq "SIG$sig mid-write: says the kernel is as before" 1 \
		"$(count 'the kernel is as before' "$LAB_TMP/$sig.err")"
	assert_eq "SIG$sig mid-write: no 'applied and read back'" 0 \
		"$(count 'applied and read back' "$LAB_TMP/$sig.out")"
	assert_eq "SIG$sig mid-write: no open undo record" 0 "$(live_records)"
	assert_eq "SIG$sig mid-write: the record is closed" "$((before_done + 1))" "$(done_records)"
done

# An ignored SIGHUP (nohup) is no interruption: the apply completes.
reset_knobs
SIGDEF=INT,TERM
APPLY_PRE=(bash -c 'trap "" HUP; exec "$@"' ignore-hup)
start_apply hupign write "$TS"
SIGDEF=INT,TERM,HUP
APPLY_PRE=()
wait_half hupign
kill -s HUP "$CPID"
finish_apply hupign
assert_eq "ignored SIGHUP: exit" 0 "$RC"
assert_eq "ignored SIGHUP: both knobs applied" "1 1" "$(knobs)"
assert_eq "ignored SIGHUP: no interruption reported" 0 "$(count interrupted "$LAB_TMP/hupign.err")"
assert_eq "ignored SIGHUP: the undo record stays open" 1 "$(live_records)"
RC=0
"$CTADVISOR" undo --netns "$NS" --yes </dev/null >"$LAB_TMP/undo1.out" 2>&1 || RC=$?
assert_eq "undo after the ignored SIGHUP: exit" 0 "$RC"
assert_eq "undo after the ignored SIGHUP: restored" "0 0" "$(knobs)"

# While the undo record is being saved (its link(2) held): nothing written.
reset_knobs
start_apply save link
for ((i = 0; i < 300; i++)); do
	compgen -G "$UNDO/.undo-*" >/dev/null && break
	kill -0 "$CPID" 2>/dev/null || die "apply save ended early: $(cat "$LAB_TMP/save.out" "$LAB_TMP/save.err"; ls -a "$UNDO")"
	sleep 0.02
done
((i < 300)) || die "the undo record's temp file never appeared"
kill -s INT "$CPID"
finish_apply save
assert_eq "SIGINT while saving the record: exit" 130 "$RC"
assert_eq "SIGINT while saving the record: nothing written" "0 0" "$(knobs)"
assert_eq "SIGINT while saving the record: says so" 1 \
	"$(count 'interrupted (SIGINT) before writing; nothing was written' "$LAB_TMP/save.err")"
assert_eq "SIGINT while saving the record: no open record" 0 "$(live_records)"
assert_eq "SIGINT while saving the record: no temp file left" "" \
	"$(find "$UNDO" -name '.undo-*' -printf '%f ')"

# SIGKILL cannot be held: half applied, the record restores it.
reset_knobs
start_apply kill write "$TS"
wait_half kill
kill -s KILL "$CPID"
finish_apply kill
assert_eq "SIGKILL mid-write: exit" 137 "$RC"
assert_eq "SIGKILL mid-write: left half applied (the window was hit)" "1 0" "$(knobs)"
assert_eq "SIGKILL mid-write: the undo record stays open" 1 "$(live_records)"
RC=0
"$CTADVISOR" undo --netns "$NS" --yes </dev/null >"$LAB_TMP/undo2.out" 2>&1 || RC=$?
cat "$LAB_TMP/undo2.out"
assert_eq "undo after SIGKILL: exit" 0 "$RC"
assert_eq "undo after SIGKILL: both knobs as before" "0 0" "$(knobs)"
assert_eq "undo after SIGKILL: no open record" 0 "$(live_records)"

lab_finish
