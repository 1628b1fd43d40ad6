#!/usr/bin/env bash
# 44-plan-kube: plan uses a running kube-proxy's own values. A fake
# kube-proxy (a copy of sh named kube-proxy, in a lab namespace, with the
# flags on its command line) stands in for the daemon; against the real
# host's CPU count:
#  1. --conntrack-max-per-core=1048576 --conntrack-min 200000 (both flag
#     forms): plan shows those values (not 32768 and 131072), the 1.36+
#     rule (1048576 x CPUs capped at 1048576) beside the older one (no
#     cap), and warns that kube-proxy overwrites the recommendation at its
#     next start, naming the flag to set instead.
#  2. --conntrack-max-per-core=0: "leaves max alone", no warning.
#  3. --config FILE with conntrack.maxPerCore 40000 (and a flag of 0,
#     which kube-proxy then ignores): the file's value is used.
# Nothing is written: plan only reads.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

lab_netns KP kp
FAKE="$LAB_TMP/bin/kube-proxy"
mkdir -p "$LAB_TMP/bin"
cp "$(command -v sh)" "$FAKE" || die "cannot copy sh as a fake kube-proxy"
CPUS=$(nproc --all)
TARGET=300000

# start_fake NAME FLAGS...: the fake kube-proxy; it exits on SIGTERM and
# takes its sleep with it.
start_fake()
{
	local name=$1
	shift
	lab_bg "$KP" "$name" "$FAKE" -c 'trap "kill \$c; exit 0" TERM; sleep 600 & c=$!; wait' \
		kube-proxy "$@"
	wait_for "the fake kube-proxy ($name) runs" is_fake "${LAB_PID_OF[$name]}"
}

is_fake()
{
	[[ "$(cat "/proc/$1/comm" 2>/dev/null)" == kube-proxy ]]
}

stop_fake()
{
	local pid=${LAB_PID_OF[$1]}
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
}

plan_both()
{
	"$CTADVISOR" plan -f json --target "$TARGET" >"$LAB_TMP/$1.json" 2>"$LAB_TMP/$1.err" ||
		die "plan -f json failed: $(cat "$LAB_TMP/$1.err")"
	"$CTADVISOR" plan --target "$TARGET" >"$LAB_TMP/$1.txt" 2>&1 ||
		die "plan failed: $(cat "$LAB_TMP/$1.txt")"
}

kj()
{
	jq -r "$2" "$LAB_TMP/$1.json" || die "plan output $1 unreadable by jq $2"
}

# ---- 1. its own values, both rules, the warning ----
start_fake big --conntrack-max-per-core=1048576 --conntrack-min 200000
pid=${LAB_PID_OF[big]}
plan_both big
rec=$(kj big '.recommendation["net.netfilter.nf_conntrack_max"]')
assert_eq "its process" "pid $pid" "$(kj big .kube_proxy.process)"
assert_eq "values from its command line" "flags 1048576 200000" \
	"$(kj big '"\(.kube_proxy.values_from) \(.kube_proxy.max_per_core) \(.kube_proxy.min)"')"
assert_eq "1.36+ rule: 1048576 x $CPUS capped" 1048576 "$(kj big .kube_proxy.max)"
assert_eq "before 1.36: no cap" $((1048576 * CPUS)) "$(kj big .kube_proxy.max_before_1_36)"
assert_eq "compare row is its value" 1048576 "$(kj big .compare.kube_proxy.max)"
assert_eq "effect: it raises the recommendation" raises "$(kj big .kube_proxy.effect)"
grep -q "kube-proxy 1.36+ ($CPUS CPUs) *1048576" "$LAB_TMP/big.txt" &&
	echo "ok: text names the 1.36+ rule" || fail "no 1.36+ row: $(cat "$LAB_TMP/big.txt")"
if ((CPUS > 1)); then
	grep -q "kube-proxy before 1.36 *$((1048576 * CPUS))" "$LAB_TMP/big.txt" &&
		echo "ok: text shows the older rule" || fail "no older row: $(cat "$LAB_TMP/big.txt")"
fi
tr '\n' ' ' <"$LAB_TMP/big.txt" | tr -s ' ' >"$LAB_TMP/big.flat"
grep -q "WARNING: kube-proxy (pid $pid) sets nf_conntrack_max = 1048576 at its next start, over the recommended $rec" \
	"$LAB_TMP/big.flat" && echo "ok: overwrite warning" || fail "no overwrite warning: $(cat "$LAB_TMP/big.txt")"
per_core=$(((rec + CPUS - 1) / CPUS))
grep -q "Set --conntrack-max-per-core=$per_core (conntrack.maxPerCore: $per_core" "$LAB_TMP/big.flat" &&
	echo "ok: names the flag to set" || fail "no flag to set: $(cat "$LAB_TMP/big.txt")"
stop_fake big

# ---- 2. max-per-core 0 leaves max alone ----
start_fake zero --conntrack-max-per-core=0
plan_both zero
assert_eq "0: leaves max alone" "true leaves 0" \
	"$(kj zero '"\(.kube_proxy.leaves_max) \(.kube_proxy.effect) \(.kube_proxy.max)"')"
grep -q "leaves max alone" "$LAB_TMP/zero.txt" && echo "ok: text says leaves max alone" ||
	fail "no 'leaves max alone': $(cat "$LAB_TMP/zero.txt")"
assert_eq "0: no warning" 0 "$(count 'WARNING: kube-proxy' "$LAB_TMP/zero.txt")"
stop_fake zero

# ---- 3. a --config file wins over the flags ----
printf 'kind: KubeProxyConfiguration\nconntrack:\n  maxPerCore: 40000\n  min: null\nmode: iptables\n' \
	>"$LAB_TMP/kp.yaml"
start_fake cfg --config "$LAB_TMP/kp.yaml" --conntrack-max-per-core=0
plan_both cfg
want=$((40000 * CPUS))
((want > 131072)) || want=131072
assert_eq "config: its file's values" "config 40000 131072 $want" \
	"$(kj cfg '"\(.kube_proxy.values_from) \(.kube_proxy.max_per_core) \(.kube_proxy.min) \(.kube_proxy.max)"')"
assert_eq "config: the path" "$LAB_TMP/kp.yaml" "$(kj cfg .kube_proxy.config)"
stop_fake cfg

lab_finish
