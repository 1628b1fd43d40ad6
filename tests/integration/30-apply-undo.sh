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
knobs()
{
	in_ns "$SRV" sysctl -n net.netfilter.nf_conntrack_acct net.netfilter.nf_conntrack_timestamp | xargs
}

records()
{
	{ find "$CTADVISOR_STATE_DIR/undo" -name 'undo-*.json' 2>/dev/null || true; } | wc -l
}

# count PATTERN FILE: matching lines, 0 included (grep -c exits 1 then).
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

# apply --flush: enabling acct deletes exactly the flows without counters.
F1=5
F2=3
in_ns "$SRV" sysctl -qw net.netfilter.nf_conntrack_acct=0 || die "cannot reset acct in $SRV"
in_ns "$SRV" conntrack -F >/dev/null 2>&1 || die "cannot empty the table of $SRV"
in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.30.2 7100 "$F1" 33000 "$F1" >/dev/null ||
	die "udp_send (flows before --flush) failed"
wait_for "$F1 UDP entries in $SRV" ct_has "$SRV" "^udp" "$F1"
before=$(without_counters)
assert_eq "apply --flush: flows without counters before (conntrack -L -o extended)" "$F1" "$before"
run_ctad aflush apply --netns "$SRV" --enable-acct --flush --yes
assert_eq "apply --flush: exit" 0 "$RC"
assert_eq "apply --flush: deleted what conntrack -L -o extended showed" 1 \
	"$(count "^deleted $before flows; 0 vanished" "$LAB_TMP/aflush.out")"
assert_eq "apply --flush: no flow without counters left" 0 "$(without_counters)"

# Only a knob that changes counts for the offer: acct is already 1 here,
# timestamps are new, so the flush offered is --no-tstamp. Both --set forms.
in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.30.2 7200 "$F2" 34000 "$F2" >/dev/null ||
	die "udp_send (flows before timestamps) failed"
wait_for "$F2 UDP entries in $SRV" ct_has "$SRV" "^udp" "$F2"
run_ctad tsonly apply --netns "$SRV" --set nf_conntrack_acct=1 \
	--set net.netfilter.nf_conntrack_timestamp=1 --yes
assert_eq "acct unchanged, timestamps new: exit" 0 "$RC"
assert_eq "acct unchanged, timestamps new: knobs" "1 1" "$(knobs)"
assert_eq "acct unchanged, timestamps new: offers --no-tstamp" 1 \
	"$(count "ctadvisor flush --no-tstamp --netns $SRV --yes" "$LAB_TMP/tsonly.out")"
assert_eq "acct unchanged, timestamps new: does not offer --no-acct" 0 \
	"$(count "--no-acct" "$LAB_TMP/tsonly.out")"
assert_eq "acct unchanged, timestamps new: counts the flows without timestamps" 1 \
	"$(count " $F2 existing flows lack them" "$LAB_TMP/tsonly.out")"

# undo takes the newest record of ITS namespace, not a newer one of another.
in_ns "$CLI" sysctl -qw net.netfilter.nf_conntrack_acct=0 || die "cannot reset acct in $CLI"
run_ctad cliapply apply --netns "$CLI" --enable-acct --yes
assert_eq "apply in the other namespace: exit" 0 "$RC"
run_ctad undosrv undo --netns "$SRV" --yes
assert_eq "undo --netns SRV with a newer record of CLI: exit" 0 "$RC"
assert_eq "undo --netns SRV: restored SRV's newest record (timestamps off again)" "1 0" "$(knobs)"
assert_eq "undo --netns SRV: says it passed over the other namespace's record" 1 \
	"$(count 'newer record belongs to other network namespaces' "$LAB_TMP/undosrv.out")"
assert_eq "undo --netns SRV: CLI untouched" 1 "$(in_ns "$CLI" sysctl -n net.netfilter.nf_conntrack_acct)"
run_ctad undocli undo --netns "$CLI" --yes
assert_eq "undo --netns CLI: exit" 0 "$RC"
assert_eq "undo --netns CLI: restored" 0 "$(in_ns "$CLI" sysctl -n net.netfilter.nf_conntrack_acct)"

# undo --force: a record of SRV restored in CLI only when forced.
run_ctad srvts apply --netns "$SRV" --enable-timestamp --yes
assert_eq "apply (for --force): exit" 0 "$RC"
rec=$(sed -n 's|^undo record: .*/\(undo-[0-9-]*\.json\) .*|\1|p' "$LAB_TMP/srvts.out")
[[ -n "$rec" ]] || fail "apply did not name its undo record"
in_ns "$CLI" sysctl -qw net.netfilter.nf_conntrack_timestamp=1 || die "cannot set timestamps in $CLI"
run_ctad noforce undo --netns "$CLI" --yes "$rec"
assert_eq "undo of another namespace's record without --force: exit" 1 "$RC"
assert_eq "undo without --force: CLI unchanged" 1 "$(in_ns "$CLI" sysctl -n net.netfilter.nf_conntrack_timestamp)"
run_ctad force undo --netns "$CLI" --force --yes "$rec"
assert_eq "undo --force: exit" 0 "$RC"
assert_eq "undo --force: says so" 1 "$(count 'force given, restoring here anyway' "$LAB_TMP/force.err")"
assert_eq "undo --force: the record's original written in CLI" 0 \
	"$(in_ns "$CLI" sysctl -n net.netfilter.nf_conntrack_timestamp)"
assert_eq "undo --force: SRV untouched" "1 1" "$(knobs)"

lab_finish
