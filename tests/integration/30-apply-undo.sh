#!/usr/bin/env bash
# 30-apply-undo: acct and timestamps in a lab namespace (DESIGN scenario 5).
# OLD UDP flows exist before `ctadvisor apply --enable-acct
# --enable-timestamp`; NEW flows are opened after. conntrack -L -o extended
# must show counters on exactly the NEW ones; `flush --no-acct` must delete
# exactly the OLD ones; `undo` must restore the original values. Also: a dry
# run and a refused run (no terminal, no --yes) change nothing, a second
# apply has nothing to do, a global knob is refused here with the host
# namespace hint, a record from another namespace and a corrupt record are
# refused without writing anything.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

OLD=6
NEW=4
export CTADVISOR_STATE_DIR="$LAB_TMP/state"

# run_ctad NAME ARGS...: ctadvisor ARGS with stdin from /dev/null (never a
# terminal); output in $LAB_TMP/NAME.{out,err}, status in RC.
RC=0
run_ctad()
{
	local name=$1
	shift
	RC=0
	timeout -k 10 300 "$CTADVISOR" "$@" </dev/null >"$LAB_TMP/$name.out" 2>"$LAB_TMP/$name.err" || RC=$?
	if grep -qE 'Sanitizer|runtime error:' "$LAB_TMP/$name.err"; then
		fail "ctadvisor $*: sanitizer report: $(head -c 2000 "$LAB_TMP/$name.err")"
	fi
	echo "--- ctadvisor $* (exit $RC)"
	cat "$LAB_TMP/$name.out" "$LAB_TMP/$name.err"
}

knobs()
{
	in_ns "$SRV" sysctl -n net.netfilter.nf_conntrack_acct net.netfilter.nf_conntrack_timestamp | xargs
}

records()
{
	{ find "$CTADVISOR_STATE_DIR/undo" -name 'undo-*.json' 2>/dev/null || true; } | wc -l
}

# count PATTERN FILE: matching lines, 0 included (grep -c exits 1 then).
count()
{
	grep -c -- "$1" "$2" || true
}

# Lines of conntrack -L -o extended in SRV with / without counters.
with_counters()
{
	in_ns "$SRV" conntrack -L -o extended 2>/dev/null | grep -c 'packets=' || true
}
without_counters()
{
	in_ns "$SRV" conntrack -L -o extended 2>/dev/null | grep -vc 'packets=' || true
}

lab_netns CLI cli
lab_netns SRV srv
lab_veth "$CLI" v0 "$SRV" v1
lab_addr "$CLI" v0 10.213.30.1/24
lab_addr "$SRV" v1 10.213.30.2/24
lab_ct_enable "$SRV"
in_ns "$SRV" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3600 ||
	die "cannot raise nf_conntrack_udp_timeout in $SRV"
in_ns "$SRV" sysctl -qw net.netfilter.nf_conntrack_acct=0 net.netfilter.nf_conntrack_timestamp=0 ||
	die "cannot reset acct/timestamp in $SRV"
orig=$(knobs)
assert_eq "original acct timestamp (lab sanity)" "0 0" "$orig"

in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.30.2 7000 "$OLD" 30000 "$OLD" >/dev/null ||
	die "udp_send (old flows) failed"
wait_for "$OLD UDP entries in $SRV" ct_has "$SRV" "^udp" "$OLD"

run_ctad dry apply --netns "$SRV" --enable-acct --enable-timestamp --dry-run
assert_eq "dry run exit" 0 "$RC"
assert_eq "dry run changes nothing" "$orig" "$(knobs)"
assert_eq "dry run shows the diff" 1 "$(count 'nf_conntrack_acct *0 -> 1' "$LAB_TMP/dry.out")"

run_ctad noyes apply --netns "$SRV" --enable-acct --enable-timestamp
assert_eq "no terminal, no --yes: exit" 1 "$RC"
assert_eq "no terminal, no --yes: says to add --yes" 1 "$(count 'add --yes' "$LAB_TMP/noyes.err")"
assert_eq "no terminal, no --yes: changes nothing" "$orig" "$(knobs)"
assert_eq "no undo record before anything was applied" 0 "$(records)"

run_ctad apply apply --netns "$SRV" --enable-acct --enable-timestamp --yes
assert_eq "apply exit" 0 "$RC"
assert_eq "acct timestamp after apply" "1 1" "$(knobs)"
assert_eq "apply offers the flush of the older flows" 1 \
	"$(count "ctadvisor flush --no-acct --netns $SRV --yes" "$LAB_TMP/apply.out")"
assert_eq "apply counts the older flows" 1 "$(count " $OLD existing flows lack them" "$LAB_TMP/apply.out")"
assert_eq "one undo record" 1 "$(records)"

run_ctad again apply --netns "$SRV" --enable-acct --enable-timestamp --yes
assert_eq "second apply exit" 0 "$RC"
assert_eq "second apply has nothing to do" 1 "$(count '^nothing to do' "$LAB_TMP/again.out")"
assert_eq "second apply saves no record" 1 "$(records)"

in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.30.2 7000 "$NEW" 31000 "$NEW" >/dev/null ||
	die "udp_send (new flows) failed"
wait_for "$((OLD + NEW)) UDP entries in $SRV" ct_has "$SRV" "^udp" "$((OLD + NEW))"
assert_eq "flows with counters (the new ones)" "$NEW" "$(with_counters)"
assert_eq "flows without counters (the old ones)" "$OLD" "$(without_counters)"
assert_eq "new flows carry timestamps" "$NEW" \
	"$(in_ns "$SRV" conntrack -L -o extended,timestamp 2>/dev/null | grep -c 'delta-time=' || true)"

run_ctad fdry flush --netns "$SRV" --no-acct --dry-run
assert_eq "flush --dry-run exit" 0 "$RC"
assert_eq "flush --dry-run count" 1 "$(count "^$OLD of $((OLD + NEW)) flows match" "$LAB_TMP/fdry.out")"
assert_eq "flush --dry-run deletes nothing" "$OLD" "$(without_counters)"

run_ctad flush flush --netns "$SRV" --no-acct --yes
assert_eq "flush --no-acct exit" 0 "$RC"
assert_eq "flush reports the deleted flows" 1 "$(count "^deleted $OLD flows; 0 vanished" "$LAB_TMP/flush.out")"
assert_eq "flows without counters after flush" 0 "$(without_counters)"
assert_eq "flows with counters after flush (untouched)" "$NEW" "$(with_counters)"

run_ctad ro apply --netns "$SRV" --set nf_conntrack_max=12345 --yes
assert_eq "global knob in a lab namespace: exit" 1 "$RC"
assert_eq "global knob: host namespace hint" 1 "$(count 'run this in the host namespace' "$LAB_TMP/ro.err")"
assert_eq "global knob: nothing written" 0 "$(count 'applied' "$LAB_TMP/ro.out")"
assert_eq "global knob: no new record" 1 "$(records)"

run_ctad list undo --list
assert_eq "undo --list exit" 0 "$RC"
assert_eq "undo --list shows the record's namespace" 1 "$(count "apply  netns $SRV" "$LAB_TMP/list.out")"

run_ctad other undo --yes
assert_eq "undo from another namespace: exit" 1 "$RC"
assert_eq "undo from another namespace: nothing restored" "1 1" "$(knobs)"

run_ctad undo undo --netns "$SRV" --yes
assert_eq "undo exit" 0 "$RC"
assert_eq "acct timestamp after undo" "$orig" "$(knobs)"
assert_eq "no record left to undo" 0 "$(records)"

# A corrupt record changes nothing.
run_ctad apply2 apply --netns "$SRV" --enable-acct --yes
assert_eq "apply (for the corrupt record) exit" 0 "$RC"
rec=$(find "$CTADVISOR_STATE_DIR/undo" -name 'undo-*.json' | head -1)
printf '{"version": 1, "time": ' >"$rec"
run_ctad corrupt undo --netns "$SRV" --yes
assert_eq "corrupt record: exit" 3 "$RC"
assert_eq "corrupt record: says so" 1 "$(count 'nothing was changed' "$LAB_TMP/corrupt.err")"
assert_eq "corrupt record: nothing restored" "1 0" "$(knobs)"

lab_finish
