#!/usr/bin/env bash
# 70-inventory: `ctadvisor inventory` over 300 namespaces created here. 30
# of them get a known number of entries inserted through ctnetlink
# (conntrack -I; no nft rule is needed for that: checked on 6.18, the
# insert works with the hooks inactive), one gets a sysctl override, one a
# process. For every one of the 300, the inventory's count must equal
# `ip netns exec NS conntrack -C`, also with --walk (live entries); every
# namespace without a process must be flagged pinned-without-process and
# the one with a sleep inside must not. The time the inventory took is
# printed, not asserted. Other namespaces on the host are ignored.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

N=300
FILLED_EVERY=10 # namespaces 0, 10, 20, ... get entries: 30 of them
OVERRIDE_AT=7
SLEEPER_AT=5

declare -A WANT=() # namespace -> entries inserted
NAMES=()
for ((i = 0; i < N; i++)); do
	ns="$LAB_ID-i$i"
	ip netns add "$ns" || die "cannot create network namespace $ns ($i of $N)"
	LAB_NETNS+=("$ns")
	NAMES+=("$ns")
	WANT[$ns]=0
done
echo "created $N namespaces"

# Namespace 10*j gets 1 + (7*j mod 23) UDP entries, distinct source ports,
# one `ip netns exec` per namespace.
for ((i = 0; i < N; i += FILLED_EVERY)); do
	ns=${NAMES[i]}
	n=$((1 + (7 * (i / FILLED_EVERY)) % 23))
	in_ns "$ns" bash -c '
		for ((p = 0; p < $1; p++)); do
			conntrack -I -p udp -s 10.70.0.1 -d 10.70.0.2 --sport $((20000 + p)) \
				--dport 53 -t 3600 2>/dev/null || exit 1
		done' _ "$n" || die "conntrack -I failed in $ns"
	WANT[$ns]=$n
done

in_ns "${NAMES[OVERRIDE_AT]}" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=123 ||
	die "cannot set nf_conntrack_udp_timeout in ${NAMES[OVERRIDE_AT]}"

sleeper_ns=${NAMES[SLEEPER_AT]}
lab_bg "$sleeper_ns" sleeper sleep 600
sleeper=${LAB_PID_OF[sleeper]}
want_ino=$(netns_inode "/run/netns/$sleeper_ns")
pid_in_ns()
{
	[[ "$(netns_inode "/proc/$sleeper/ns/net")" == "$want_ino" ]]
}
wait_for "pid $sleeper to enter $sleeper_ns" pid_in_ns

# Ground truth, after everything is in place (entries live for an hour).
for ns in "${NAMES[@]}"; do
	c=$(in_ns "$ns" conntrack -C) || die "conntrack -C failed in $ns"
	[[ "$c" == "${WANT[$ns]}" ]] || die "lab sanity: $ns holds $c entries, inserted ${WANT[$ns]}"
done
echo "ground truth: conntrack -C equals the inserted count in all $N namespaces"

# run_inventory OUT ARGS...: stdout to $LAB_TMP/OUT, stderr to OUT.err;
# the elapsed milliseconds in INV_MS. Exit 0 or 1 (a namespace of another
# test could not be read) are answers.
INV_MS=0
run_inventory()
{
	local out=$1 rc=0 t0 t1
	shift
	t0=$(date +%s%N)
	timeout -k 10 600 "$CTADVISOR" inventory "$@" >"$LAB_TMP/$out" 2>"$LAB_TMP/$out.err" || rc=$?
	t1=$(date +%s%N)
	if ((rc > 1)); then
		fail "ctadvisor inventory $* exited $rc: $(head -c 2000 "$LAB_TMP/$out.err")"
	elif grep -qE 'Sanitizer|runtime error:' "$LAB_TMP/$out.err"; then
		fail "ctadvisor inventory $*: sanitizer report: $(head -c 2000 "$LAB_TMP/$out.err")"
	fi
	INV_MS=$(((t1 - t0) / 1000000))
}

# Our namespaces as "NAME COUNT LIVE LEAK PROCS ERROR" lines, sorted.
ours()
{
	jq -r --arg p "$LAB_ID-i" '.namespaces[] | select((.name // "") | startswith($p))
		| "\(.name) \(.count) \(.live_entries) \(.pinned_without_process) \(.owner.processes) \(.error)"' \
		"$LAB_TMP/$1" | sort || die "inventory JSON unreadable: $(head -c 500 "$LAB_TMP/$1")"
}

# compare OUTFILE WITH_LIVE
compare()
{
	local out=$1 with_live=$2 name count live leak procs err seen=0 bad=0
	declare -A got=()
	while read -r name count live leak procs err; do
		seen=$((seen + 1))
		[[ -z "${got[$name]:-}" ]] || fail "$out: $name listed twice"
		got[$name]=1
		[[ "$count" == "${WANT[$name]}" ]] ||
			{ fail "$out: $name count $count, conntrack -C ${WANT[$name]}"; bad=1; }
		if [[ "$with_live" == 1 && "$live" != "${WANT[$name]}" ]]; then
			fail "$out: $name live_entries $live, conntrack -C ${WANT[$name]}"
			bad=1
		fi
		[[ "$err" == null ]] || { fail "$out: $name error $err"; bad=1; }
		if [[ "$name" == "$sleeper_ns" ]]; then
			assert_eq "$out: $sleeper_ns (sleep inside) pinned_without_process" false "$leak"
			assert_ge "$out: $sleeper_ns processes" 1 "$procs"
		elif [[ "$leak" != true || "$procs" != 0 ]]; then
			fail "$out: $name (no process) pinned_without_process $leak, processes $procs"
			bad=1
		fi
	done < <(ours "$out")
	assert_eq "$out: namespaces of this lab listed" "$N" "$seen"
	if ((bad == 0)); then
		echo "ok: $out: count equals conntrack -C for all $N, leaks flagged"
	fi
}

run_inventory inv.json --format json
echo "TIME: inventory of $(jq '.totals.namespaces' "$LAB_TMP/inv.json") namespaces took $INV_MS ms"
compare inv.json 0
assert_eq "override of udp_timeout in ${NAMES[OVERRIDE_AT]}" 123 "$(jq -r --arg n "${NAMES[OVERRIDE_AT]}" \
	'.namespaces[] | select(.name == $n) | .overrides["net.netfilter.nf_conntrack_udp_timeout"].value' \
	"$LAB_TMP/inv.json")"
sum=0
for ns in "${NAMES[@]}"; do
	n=${WANT[$ns]}
	sum=$((sum + n))
done
assert_ge "totals.entries (>= this lab's $sum)" "$sum" "$(jq '.totals.entries' "$LAB_TMP/inv.json")"
assert_ge "totals.pinned_without_process (>= $((N - 1)))" $((N - 1)) \
	"$(jq '.totals.pinned_without_process' "$LAB_TMP/inv.json")"

# A pinned namespace without a process is normal (ip netns routers); a
# possible leak only when it holds no conntrack entries either.
for ns in "${NAMES[@]}"; do
	want=$(jq -r --arg n "$ns" '.namespaces[] | select(.name == $n)
		| (.pinned_without_process and .count == 0)' "$LAB_TMP/inv.json")
	assert_eq "$ns (${WANT[$ns]} entries): possible_leak" "$want" \
		"$(jq -r --arg n "$ns" '.namespaces[] | select(.name == $n) | .possible_leak' "$LAB_TMP/inv.json")"
done
assert_ge "lab namespaces with entries and no process are not called leaks" 1 \
	"$(jq '[.namespaces[] | select(.pinned_without_process and .count > 0 and (.possible_leak | not))] | length' "$LAB_TMP/inv.json")"

run_inventory walk.json --format json --walk
echo "TIME: inventory --walk of $(jq '.totals.namespaces' "$LAB_TMP/walk.json") namespaces took $INV_MS ms"
compare walk.json 1

# Prometheus: one entries sample per namespace, labelled with its name.
run_inventory inv.prom --format prometheus
n=$(grep -c "^ctadvisor_netns_conntrack_entries{netns=\"$LAB_ID-i" "$LAB_TMP/inv.prom" || true)
assert_eq "prometheus: entries samples of this lab" "$N" "$n"
top=${NAMES[0]}
for ((i = 0; i < N; i += FILLED_EVERY)); do
	a=${WANT[${NAMES[i]}]} b=${WANT[$top]}
	if ((a > b)); then
		top=${NAMES[i]}
	fi
done
assert_eq "prometheus: entries of $top" "${WANT[$top]}" "$(sed -n \
	"s/^ctadvisor_netns_conntrack_entries{netns=\"$top\",.*} \([0-9]*\)$/\1/p" "$LAB_TMP/inv.prom")"

# Text: the default top 20 lists our fullest namespace with its count.
run_inventory inv.txt
if grep -qE "^ +${WANT[$top]} .* $top +" "$LAB_TMP/inv.txt"; then
	echo "ok: text lists $top with ${WANT[$top]} entries"
else
	fail "text output lacks $top with ${WANT[$top]} entries: $(head -c 3000 "$LAB_TMP/inv.txt")"
fi
echo "--- inventory text output (first 30 lines) ---"
head -n 30 "$LAB_TMP/inv.txt"

lab_finish
