#!/usr/bin/env bash
# 80-faults-files: check against broken /proc and /sys files, and apply
# --persist into a full file system (issue 7, Faults: files).
#
# CTADVISOR_ROOT points check's /proc and /sys readers at a crafted tree.
# check runs as nobody (setpriv, no capabilities) inside a lab namespace, so
# every ctnetlink request fails with EPERM and the /proc fallbacks read the
# tree. A base tree with known values proves the tree is what is read
# (count, max, counters, slab size); each case then breaks one file:
# nf_conntrack not loaded, nf_conntrack_max non-numeric / overflowing /
# empty, nf_conntrack_count non-numeric / unreadable, /proc/net/stat
# malformed / cut / empty, the slab size missing (with and without the
# slabinfo fallback), and an unusable CTADVISOR_ROOT. Each runs with
# --format text and json: the status and exit code, the problem named, the
# JSON valid, never a crash.
#
# apply --persist into a 16 KiB tmpfs filled up: exit 3 with "not
# persisted"; as cmd_apply.c documents, the running value stays set (the
# undo record restores it); no file and no temp file is left behind.
# A global knob refused in a lab namespace (read-only there) is
# 30-apply-undo.sh's.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
export CTADVISOR_STATE_DIR="$LAB_TMP/state"

# The trees must be readable by nobody: LAB_TMP is not.
TREES=$(mktemp -d "/tmp/$LAB_ID-trees.XXXXXX")
lab_on_exit "rm -rf '$TREES'"
chmod 755 "$TREES"
BASE="$TREES/base"

# The base tree: an initial namespace (nf_log_all_netns present) with
# nf_conntrack loaded, 1000 of 65536 entries, two CPUs of counters
# (found 16 + 32 = 48, invalid 5 + 6 = 11; nothing alarming), a 320-byte
# slab object.
make_base()
{
	local nf="$BASE/proc/sys/net/netfilter" k v
	mkdir -p "$nf" "$BASE/proc/net/stat" "$BASE/proc/self" "$BASE/sys/kernel/slab/nf_conntrack"
	for kv in max=65536 count=1000 buckets=65536 expect_max=256 acct=1 timestamp=1 events=1 \
		checksum=1 log_invalid=0 tcp_loose=1 tcp_be_liberal=0 tcp_timeout_established=432000 \
		udp_timeout=30 udp_timeout_stream=120; do
		k=${kv%%=*} v=${kv#*=}
		echo "$v" >"$nf/nf_conntrack_$k"
	done
	echo 0 >"$nf/nf_log_all_netns"
	echo 65536 >"$BASE/proc/sys/net/nf_conntrack_max"
	{
		echo "entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart"
		echo "000003e8  00000000 00000010 00000000 00000005 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000000"
		echo "000003e8  00000000 00000020 00000000 00000006 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000000"
	} >"$BASE/proc/net/stat/nf_conntrack"
	printf 'MemTotal:        8000000 kB\n' >"$BASE/proc/meminfo"
	printf 'Name:\tctadvisor\nCapEff:\t0000000000000000\n' >"$BASE/proc/self/status"
	echo 320 >"$BASE/sys/kernel/slab/nf_conntrack/slab_size"
	chmod -R a+rX "$BASE"
}

# new_tree NAME: a copy of the base tree to break; its path in TREE.
new_tree()
{
	TREE="$TREES/case-$1"
	cp -a "$BASE" "$TREE"
}

lab_netns NS ns
make_base

# The crafted cases: NAME@EXIT@JQ predicate on the JSON@ERE on the text's
# first line@ERE somewhere in the text report. Each tree is built by
# break_NAME (none for base).
break_base() { :; }
break_unloaded() { rm -rf "$TREE/proc/sys/net/netfilter" "$TREE/proc/sys/net/nf_conntrack_max"; }
break_max_abc() { echo abc >"$TREE/proc/sys/net/netfilter/nf_conntrack_max"; }
break_max_overflow() { echo 99999999999999999999 >"$TREE/proc/sys/net/netfilter/nf_conntrack_max"; }
break_max_empty() { : >"$TREE/proc/sys/net/netfilter/nf_conntrack_max"; }
break_count_abc() { printf '12abc\n' >"$TREE/proc/sys/net/netfilter/nf_conntrack_count"; }
break_count_unreadable() { chmod 000 "$TREE/proc/sys/net/netfilter/nf_conntrack_count"; }
break_stat_malformed() { printf 'garbage\n1 2 3\n' >"$TREE/proc/net/stat/nf_conntrack"; }
break_stat_cut() { head -c 200 "$BASE/proc/net/stat/nf_conntrack" >"$TREE/proc/net/stat/nf_conntrack"; }
break_stat_empty() { : >"$TREE/proc/net/stat/nf_conntrack"; }
break_slab_missing() { rm "$TREE/sys/kernel/slab/nf_conntrack/slab_size"; }
break_slabinfo()
{
	rm "$TREE/sys/kernel/slab/nf_conntrack/slab_size"
	printf 'slabinfo - version: 2.1\nnf_conntrack        10     20    256   16    1 : tunables 0 0 0\n' \
		>"$TREE/proc/slabinfo"
	chmod a+r "$TREE/proc/slabinfo"
}

CASES=(
	'base@0@.status == "OK" and .occupancy.count == 1000 and .occupancy.max == 65536 and .occupancy.source == "proc" and .counters.total.found == 48 and .counters.total.invalid == 11 and .memory.slab_object_bytes == 320@^CONNTRACK OK - 1000 of 65536@CAP_NET_ADMIN'
	'unloaded@3@.status == "UNKNOWN" and .occupancy == null and any(.problems[]; .what == "sysctl" and .error == "ENOENT" and (.detail | test("not loaded")))@^CONNTRACK UNKNOWN - @nf_conntrack is not loaded here'
	'max_abc@3@.status == "UNKNOWN" and .occupancy.count == 1000 and .occupancy.max == null and .occupancy.fill_pct == null and .settings["net.netfilter.nf_conntrack_max"].value == "abc"@^CONNTRACK UNKNOWN - cannot read the table limit \(nf_conntrack_max\)@limit unknown'
	'max_overflow@3@.status == "UNKNOWN" and .occupancy.max == null and .occupancy.fill_pct == null and .settings["net.netfilter.nf_conntrack_max"].value == "99999999999999999999"@^CONNTRACK UNKNOWN - cannot read the table limit \(nf_conntrack_max\)@limit unknown'
	'max_empty@3@.status == "UNKNOWN" and .occupancy.max == null and .settings["net.netfilter.nf_conntrack_max"].value == ""@^CONNTRACK UNKNOWN - cannot read the table limit \(nf_conntrack_max\)@limit unknown'
	'count_abc@3@.status == "UNKNOWN" and .occupancy == null and any(.problems[]; .what == "occupancy" and .error == "EINVAL")@^CONNTRACK UNKNOWN - cannot read the conntrack table size@nf_conntrack_count unreadable'
	'count_unreadable@3@.status == "UNKNOWN" and .occupancy == null and any(.problems[]; .what == "occupancy" and .error == "EACCES")@^CONNTRACK UNKNOWN - cannot read the conntrack table size@occupancy \(EACCES\)'
	'stat_malformed@0@.status == "OK" and .counters == null and .occupancy.count == 1000 and any(.problems[]; .what == "counters" and .error == "EINVAL" and (.detail | contains("/proc/net/stat/nf_conntrack")))@^CONNTRACK OK - 1000 of 65536@counters \(EINVAL\)'
	'stat_cut@0@.counters == null and any(.problems[]; .what == "counters" and .error == "EINVAL")@^CONNTRACK OK - @counters \(EINVAL\)'
	'stat_empty@0@.counters == null and any(.problems[]; .what == "counters" and (.error == "EINVAL" or .error == "ENODATA"))@^CONNTRACK OK - @counters \(E'
	'slab_missing@0@.memory.slab_object_bytes == null and .memory.at_max_bytes == null and .memory.ram_bytes == 8192000000 and any(.problems[]; .what == "memory" and .error == "ENOENT" and (.detail | test("memory figures omitted")))@^CONNTRACK OK - @memory figures omitted'
	'slabinfo@0@.memory.slab_object_bytes == 256 and all(.problems[]; .what != "memory")@^CONNTRACK OK - @per entry +256 B slab object'
)

for ((i = 0; i < ${#CASES[@]}; i++)); do
	IFS='@' read -r name want_rc pred first_re text_re <<<"${CASES[i]}"
	new_tree "$name"
	"break_$name"
	for fmt in json text; do
		RC=0
		CTADVISOR_ROOT="$TREE" timeout -k 10 120 ip netns exec "$NS" "${NOBODY[@]}" \
			"$CTADVISOR" check --format "$fmt" --color never \
			>"$LAB_TMP/$name.$fmt.out" 2>"$LAB_TMP/$name.$fmt.err" || RC=$?
		what="case $i ($name, $fmt)"
		assert_eq "$what: exit" "$want_rc" "$RC"
		if grep -qE 'Sanitizer|runtime error:' "$LAB_TMP/$name.$fmt.err"; then
			fail "$what: sanitizer report: $(head -c 2000 "$LAB_TMP/$name.$fmt.err")"
		fi
		if [[ "$fmt" == json ]]; then
			if ! jq -e -s 'length == 1 and .[0].schema == 1' "$LAB_TMP/$name.$fmt.out" >/dev/null 2>&1; then
				fail "$what: not one schema-1 JSON object: $(head -c 500 "$LAB_TMP/$name.$fmt.out")"
			elif jq -e "$pred" "$LAB_TMP/$name.$fmt.out" >/dev/null; then
				echo "ok: $what: $pred"
			else
				fail "$what: JSON does not satisfy: $pred; it has: $(jq -c '{status, occupancy, counters: (.counters | type), memory, problems}' "$LAB_TMP/$name.$fmt.out")"
			fi
		else
			if head -n 1 "$LAB_TMP/$name.$fmt.out" | grep -qE "$first_re"; then
				echo "ok: $what: first line matches $first_re"
			else
				fail "$what: first line '$(head -n 1 "$LAB_TMP/$name.$fmt.out")' does not match $first_re"
			fi
			if tr -s ' \n' ' ' <"$LAB_TMP/$name.$fmt.out" | grep -qE "$text_re"; then
				echo "ok: $what: report mentions $text_re"
			else
				fail "$what: report lacks $text_re: $(cat "$LAB_TMP/$name.$fmt.out")"
			fi
		fi
	done
done

# An unusable root: refused before anything is read.
RC=0
CTADVISOR_ROOT="/$(printf 'x%.0s' {1..5000})" "$CTADVISOR" check >"$LAB_TMP/longroot.out" \
	2>"$LAB_TMP/longroot.err" || RC=$?
assert_eq "CTADVISOR_ROOT too long: exit" 3 "$RC"
assert_eq "CTADVISOR_ROOT too long: named on stderr" 1 "$(count 'CTADVISOR_ROOT is unusable' "$LAB_TMP/longroot.err")"
# stdout is the UNKNOWN report (a monitoring system reads its first line),
# naming the cause without echoing the 5000-byte path.
assert_eq "CTADVISOR_ROOT too long: UNKNOWN line on stdout" \
	"CONNTRACK UNKNOWN - CTADVISOR_ROOT is unusable: File name too long |" "$(head -n1 "$LAB_TMP/longroot.out")"
assert_eq "CTADVISOR_ROOT too long: the path not echoed" 0 "$(count 'xxxxxxxx' "$LAB_TMP/longroot.out")"

# --- apply --persist into a full file system (initial namespace only:
# persist refuses any other). The knob is a timeout nudged by one second
# and restored by the EXIT trap whatever happens.
[[ -e /proc/sys/net/netfilter/nf_log_all_netns ]] ||
	die "not in the initial network namespace (no nf_log_all_netns)"
KNOB=net.netfilter.nf_conntrack_generic_timeout
orig=$(sysctl -n "$KNOB") || die "cannot read $KNOB"
lab_on_exit "sysctl -qw $KNOB=$orig"
lab_on_exit "[[ \$(sysctl -n $KNOB) == $orig ]]"
FULL="$LAB_TMP/full"
mkdir -p "$FULL"
mount -t tmpfs -o size=16k,mode=0755 ctad-full "$FULL" || die "cannot mount a tmpfs on $FULL"
lab_on_exit "umount '$FULL'"
dd if=/dev/zero of="$FULL/filler" bs=4k count=64 2>/dev/null || true
[[ $(stat -f -c %a "$FULL") == 0 ]] || die "the tmpfs on $FULL is not full: $(df "$FULL")"

# left: every name in FULL but the filler (temp files included).
left()
{
	find "$FULL" -mindepth 1 ! -name filler -printf '%f ' | sed 's/ $//'
}
live_records()
{
	{ find "$CTADVISOR_STATE_DIR/undo" -name 'undo-*.json' 2>/dev/null || true; } | wc -l
}

RC=0
"$CTADVISOR" apply --set "$KNOB=$((orig + 1))" --persist --sysctl-dir "$FULL" --yes </dev/null \
	>"$LAB_TMP/full.out" 2>"$LAB_TMP/full.err" || RC=$?
cat "$LAB_TMP/full.out" "$LAB_TMP/full.err"
assert_eq "persist on a full disk: exit (documented 3)" 3 "$RC"
assert_eq "persist on a full disk: says not persisted" 1 \
	"$(count 'running values are set but not persisted' "$LAB_TMP/full.err")"
assert_eq "persist on a full disk: names the cause (ENOSPC)" 1 \
	"$(count 'No space left on device' "$LAB_TMP/full.err")"
assert_eq "persist on a full disk: no file nor temp file left" "" "$(left)"
assert_eq "persist on a full disk: running value set, as documented" "$((orig + 1))" "$(sysctl -n "$KNOB")"
assert_eq "persist on a full disk: the undo record stays open" 1 "$(live_records)"
RC=0
"$CTADVISOR" undo --yes </dev/null >"$LAB_TMP/undo.out" 2>&1 || RC=$?
assert_eq "undo after the failed persist: exit" 0 "$RC"
assert_eq "undo after the failed persist: value restored" "$orig" "$(sysctl -n "$KNOB")"

# Nothing to change, still asked to persist: the same failure, no file.
RC=0
"$CTADVISOR" apply --set "$KNOB=$orig" --persist --sysctl-dir "$FULL" --yes </dev/null \
	>"$LAB_TMP/full2.out" 2>"$LAB_TMP/full2.err" || RC=$?
assert_eq "persist only, full disk: exit" 3 "$RC"
assert_eq "persist only, full disk: says nothing to do first" 1 "$(count '^nothing to do' "$LAB_TMP/full2.out")"
assert_eq "persist only, full disk: no file nor temp file left" "" "$(left)"
assert_eq "persist only, full disk: value unchanged" "$orig" "$(sysctl -n "$KNOB")"

lab_finish
