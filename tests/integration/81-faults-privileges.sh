#!/usr/bin/env bash
# 81-faults-privileges: every command run as nobody, without capabilities
# (setpriv), inside a lab namespace holding a few conntrack entries (issue
# 7, Faults: privileges). Each must end with a documented status (<= 3),
# never a crash or a sanitizer report, say what it lacked (CAP_NET_ADMIN,
# or CAP_SYS_ADMIN for setns), change nothing, and never give a misleading
# OK: check's OK comes with the count read from /proc, and the report lists
# every part it could not read (counters over netlink, the walk) and the
# partial-data finding; the walk is null, not zero.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
export CTADVISOR_STATE_DIR="$LAB_TMP/state"
ENTRIES=3

lab_netns NS ns
lab_ct_enable "$NS"
in_ns "$NS" sysctl -qw net.netfilter.nf_conntrack_acct=0 net.netfilter.nf_conntrack_log_invalid=0 ||
	die "cannot reset acct/log_invalid in $NS"
for ((i = 1; i <= ENTRIES; i++)); do
	in_ns "$NS" conntrack -I -p udp -s 10.214.0.1 -d 10.214.0.2 --sport $((40000 + i)) --dport 53 \
		-t 3600 >/dev/null 2>&1 || die "conntrack -I failed in $NS"
done

# What nobody must not be able to change.
state()
{
	printf '%s %s %s entries=%s records=%s' \
		"$(in_ns "$NS" sysctl -n net.netfilter.nf_conntrack_acct)" \
		"$(in_ns "$NS" sysctl -n net.netfilter.nf_conntrack_log_invalid)" \
		"$(in_ns "$NS" sysctl -n net.netfilter.nf_log.2)" \
		"$(in_ns "$NS" conntrack -C)" \
		"$({ find "$CTADVISOR_STATE_DIR" -name 'undo-*' 2>/dev/null || true; } | wc -l)"
}
orig=$(state)
assert_eq "lab sanity: entries" "$ENTRIES" "$(in_ns "$NS" conntrack -C)"

# run_nobody NAME ARGS...: ctadvisor ARGS as nobody inside NS; RC, and
# $LAB_TMP/NAME.{out,err}.
RC=0
run_nobody()
{
	local name=$1
	shift
	RC=0
	timeout -k 10 120 ip netns exec "$NS" "${NOBODY[@]}" "$CTADVISOR" "$@" </dev/null \
		>"$LAB_TMP/$name.out" 2>"$LAB_TMP/$name.err" || RC=$?
	echo "--- nobody: ctadvisor $* (exit $RC)"
	head -c 1500 "$LAB_TMP/$name.err"
	# The findings decide check's status: show them with it.
	grep -E '^CONNTRACK|^ +\[(WARNING|CRITICAL|INFO)\]' "$LAB_TMP/$name.out" || true
}

# NAME@EXIT@ERE that stderr must match (empty: none)@ERE that stdout must
# match (empty: none)@ARGS (split on blanks)
CASES=(
	'check@0@@^CONNTRACK OK - 3 of @check --color never'
	'check_netns@3@cannot enter network namespace .*Operation not permitted \(run as root: setns needs CAP_SYS_ADMIN\)@@check --netns NSNAME'
	'watch@3@reading the conntrack statistics failed: Operation not permitted \(ctnetlink needs CAP_NET_ADMIN@@watch --duration 1s'
	'watch_invalid@3@cannot bind NFLOG group 0: Operation not permitted \(needs CAP_NET_ADMIN@@watch --invalid --duration 1s'
	'watch_events@3@cannot subscribe to conntrack events: Operation not permitted@@watch --events --duration 1s'
	'plan@0@@current count +3 entries@plan'
	'apply_dry@1@nf_conntrack_acct is read-only here: run as root@nf_conntrack_acct +0 -> 1@apply --enable-acct --dry-run'
	'apply_yes@1@nf_conntrack_acct is read-only here: run as root@@apply --enable-acct --yes'
	'apply_global@1@nf_conntrack_max is global.*run this in the host namespace@@apply --set nf_conntrack_max=300000 --yes'
	'apply_netns@3@cannot enter network namespace .*Operation not permitted@@apply --netns NSNAME --enable-acct --yes'
	'flush_dry@3@reading the table needs CAP_NET_ADMIN@@flush --all --dry-run'
	'flush_yes@3@reading the table needs CAP_NET_ADMIN@@flush --all --yes'
	'nat@3@the table dump failed: Operation not permitted \(run as root: it needs CAP_NET_ADMIN\)@@nat --interval 1s'
	'inventory@1@@setns failed: EPERM@inventory'
)

for ((i = 0; i < ${#CASES[@]}; i++)); do
	IFS='@' read -r name want_rc err_re out_re args <<<"${CASES[i]}"
	read -ra argv <<<"${args//NSNAME/$NS}"
	run_nobody "$name" "${argv[@]}"
	what="case $i ($name: ${argv[*]})"
	assert_eq "$what: exit" "$want_rc" "$RC"
	if grep -qE 'Sanitizer|runtime error:|Segmentation|core dumped' "$LAB_TMP/$name.err"; then
		fail "$what: crash or sanitizer report: $(head -c 2000 "$LAB_TMP/$name.err")"
	fi
	if [[ -n "$err_re" ]]; then
		if grep -qE -- "$err_re" "$LAB_TMP/$name.err"; then
			echo "ok: $what: stderr says /$err_re/"
		else
			fail "$what: stderr lacks /$err_re/: $(head -c 1000 "$LAB_TMP/$name.err")"
		fi
	fi
	if [[ -n "$out_re" ]]; then
		if grep -qE -- "$out_re" "$LAB_TMP/$name.out"; then
			echo "ok: $what: stdout says /$out_re/"
		else
			fail "$what: stdout lacks /$out_re/: $(head -c 1000 "$LAB_TMP/$name.out")"
		fi
	fi
	assert_eq "$what: nothing changed" "$orig" "$(state)"
done

# check's OK is not a misleading one: the text report names what was
# missing, and the JSON says the walk was not done (null) and why.
assert_eq "check text: Problems name CAP_NET_ADMIN (counters, walk)" 1 \
	"$(tr -s ' \n' ' ' <"$LAB_TMP/check.out" | grep -c 'counters (EPERM): ctnetlink GET_STATS_CPU failed: Operation not permitted (ctnetlink needs CAP_NET_ADMIN')"
assert_eq "check text: the walk section says it was not done" 1 "$(count 'not done (see Problems' "$LAB_TMP/check.out")"
assert_eq "check text: partial-data finding" 1 "$(count '\[INFO\] partial-data' "$LAB_TMP/check.out")"
run_nobody check_json check --format json
assert_eq "check json: exit" 0 "$RC"
# -s and length: jq 1.6 -e passes on empty input.
if jq -e -s --argjson n "$ENTRIES" 'length == 1 and (.[0] |
	.status == "OK" and .occupancy.count == $n and .occupancy.source == "proc"
	and .walk == null
	and any(.problems[]; .what == "walk" and .error == "EPERM" and (.detail | contains("CAP_NET_ADMIN")))
	and any(.problems[]; .what == "occupancy" and .error == "EPERM")
	and any(.findings[]; .id == "partial-data"))' "$LAB_TMP/check_json.out" >/dev/null; then
	echo "ok: check json: OK with the count from /proc, walk null, problems and partial-data listed"
else
	fail "check json is a misleading OK: $(jq -c '{status, occupancy, walk, problems, f: [.findings[].id]}' "$LAB_TMP/check_json.out" 2>&1 | head -c 1500)"
fi
# The plugin status line itself says the OK is partial, with as many parts
# as the JSON lists problems (a monitoring system shows only that line).
n_problems=$(jq '.problems | length' "$LAB_TMP/check_json.out")
[[ "$n_problems" =~ ^[1-9][0-9]*$ ]] || fail "check json: no problems listed ($n_problems)"
assert_eq "check text: the status line says partial: $n_problems parts unread" 1 \
	"$(head -n1 "$LAB_TMP/check.out" | grep -cE "^CONNTRACK OK - .*; partial: $n_problems parts? unread \(see below\) \|")"
run_nobody inventory_json inventory --format json
assert_eq "inventory json: exit" 1 "$RC"
assert_eq "inventory json: the lab namespace is unreadable with EPERM (setns)" 1 \
	"$(jq --arg ns "$NS" '[.namespaces[] | select(.name == $ns and .error.what == "setns" and .error.errno == "EPERM" and .count == null)] | length' "$LAB_TMP/inventory_json.out")"
assert_eq "inventory json: counted as unreadable" 1 \
	"$(jq '.totals.unreadable >= 1' "$LAB_TMP/inventory_json.out" | grep -c true)"

lab_finish
