#!/usr/bin/env bash
# 41-plan: `ctadvisor plan` against arithmetic done here by hand and the
# kernel's own figures: the recommendation for an explicit target (tidy
# rounding, buckets a multiple of page/8 = 512), memory with the slab size
# from /sys/kernel/slab/nf_conntrack/slab_size, the demand taken from a
# watch summary's peak (a lab namespace holding N TCP flows), a Little's-law
# what-if from a 'watch --events' summary (M unreplied UDP flows that timed
# out) whose --set changes the projected entries by the model's own
# arithmetic, bad inputs rejected with exit 3 and a one-line error naming the
# option, and the --save plan file that apply reads (apply --from-plan
# --dry-run in the host namespace: read-only).
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

N=30
M=25
TCP_PORT=5041
UDP_PORT=5241
SLAB_FILE=/sys/kernel/slab/nf_conntrack/slab_size
[[ -r "$SLAB_FILE" ]] || die "$SLAB_FILE unreadable (nf_conntrack not loaded, or not SLUB)"
SLAB=$(cat "$SLAB_FILE")
PAGE=$(getconf PAGESIZE)
PER_PAGE=$((PAGE / 8))

# The sizing model of DESIGN.md, in integers: demand in entries, headroom
# in percent. Prints "max buckets".
tidy()
{
	local x=$1 step=65536
	((x <= 1024)) && { echo 1024; return; }
	((x <= 131072)) && step=1024
	((x > 131072 && x <= 1048576)) && step=16384
	echo $(((x + step - 1) / step * step))
}
expect_plan()
{
	local demand=$1 headroom=$2 load=$3 raw max b
	raw=$(((demand * 100 + (100 - headroom) - 1) / (100 - headroom)))
	max=$(tidy "$raw")
	b=$(((max + load - 1) / load))
	b=$(((b + PER_PAGE - 1) / PER_PAGE * PER_PAGE))
	echo "$max $b"
}

PLAN_RC=0
run_plan()
{
	PLAN_RC=0
	timeout -k 10 600 "$CTADVISOR" plan "$@" >"$LAB_TMP/plan.out" 2>"$LAB_TMP/plan.err" || PLAN_RC=$?
	if grep -qE 'Sanitizer|runtime error:' "$LAB_TMP/plan.err"; then
		fail "plan $*: sanitizer report: $(head -c 2000 "$LAB_TMP/plan.err")"
	fi
}
pj()
{
	jq -r "$1" "$LAB_TMP/plan.out" || die "plan output is not JSON: $(head -c 500 "$LAB_TMP/plan.out")"
}
# check_rec WHAT MAX BUCKETS: the sizing of the last plan, and its
# recommendation: the sizing where it raises, the current settings kept
# where it would lower them (a plan never shrinks without a day's summary
# and --allow-shrink; a knob never goes down while the other goes up).
check_rec()
{
	local cur_max cur_b rec_max=$2 rec_b=$3
	cur_max=$(sysctl -n net.netfilter.nf_conntrack_max)
	cur_b=$(sysctl -n net.netfilter.nf_conntrack_buckets)
	((rec_max < cur_max)) && rec_max=$cur_max
	((rec_b < cur_b)) && rec_b=$cur_b
	assert_eq "$1: sized max" "$2" "$(pj .sized.max)"
	assert_eq "$1: sized buckets" "$3" "$(pj .sized.buckets)"
	assert_eq "$1: recommendation max" "$rec_max" "$(pj '.recommendation["net.netfilter.nf_conntrack_max"]')"
	assert_eq "$1: recommendation buckets" "$rec_b" "$(pj '.recommendation["net.netfilter.nf_conntrack_buckets"]')"
	assert_eq "$1: buckets a multiple of $PER_PAGE" 0 "$(($3 % PER_PAGE))"
	assert_eq "$1: slab bytes from $SLAB_FILE" "$SLAB" "$(pj .inputs.slab_bytes)"
	assert_eq "$1: memory without extensions" "$((rec_max * SLAB + rec_b * 8))" "$(pj .memory.mem_bytes)"
	assert_eq "$1: memory with extensions" "$((rec_max * (SLAB + 128) + rec_b * 8))" "$(pj .memory.mem_ext_bytes)"
	if ((rec_max == cur_max && rec_b == cur_b)); then
		assert_eq "$1: kept, and says why" "none true" "$(pj '"\(.change) \(.kept_why != null)"')"
	fi
}

# 1. An explicit target: 1000000 / 0.8 = 1250000 -> 1310720 (steps of 65536).
run_plan --target 1000000 --format json
assert_eq "plan --target exit status" 0 "$PLAN_RC"
read -r max b < <(expect_plan 1000000 20 1)
assert_eq "hand arithmetic for 1000000 (self-check)" "1310720 1310720" "$max $b"
check_rec "target 1000000" "$max" "$b"
assert_eq "target: demand" 1000000 "$(pj .demand.entries)"
assert_eq "target: max_raw" 1250000 "$(pj .max_raw)"
assert_eq "target: RAM vs /proc/meminfo" "$(($(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) * 1024))" \
	"$(pj .inputs.ram_bytes)"
run_plan --target 1000000 --headroom 50 --load 4 --format json
read -r max b < <(expect_plan 1000000 50 4)
check_rec "target 1000000, headroom 50 %, load 4" "$max" "$b"
run_plan --target 100 --format json
check_rec "target 100 (the 1024 floor)" 1024 1024

# 2. Demand from a watch summary of a lab namespace holding N flows.
lab_netns CLI cli
lab_netns SRV srv
lab_veth "$CLI" v0 "$SRV" v1
lab_addr "$CLI" v0 10.213.41.1/24
lab_addr "$SRV" v1 10.213.41.2/24
lab_ct_enable "$SRV"
lab_bg "$SRV" tcpsrv "$TOOLS/tcp_hold" server 10.213.41.2 "$TCP_PORT"
wait_line tcpsrv listening
lab_bg "$CLI" tcpcli "$TOOLS/tcp_hold" client 10.213.41.2 "$TCP_PORT" "$N"
wait_line tcpcli ready
wait_for "$N ESTABLISHED entries in $SRV" ct_has "$SRV" "ESTABLISHED.*dport=$TCP_PORT " "$N"
wrc=0
timeout -k 10 600 "$CTADVISOR" watch --netns "$SRV" --interval 100ms --duration 300ms \
	--save "$LAB_TMP/w.json" >/dev/null 2>"$LAB_TMP/watch.err" || wrc=$?
((wrc <= 2)) || die "watch exited $wrc: $(head -c 1000 "$LAB_TMP/watch.err")"
peak=$(jq -r .peak_count "$LAB_TMP/w.json") || die "watch --save wrote no JSON"
assert_eq "watch peak vs conntrack -C (lab sanity)" "$(in_ns "$SRV" conntrack -C)" "$peak"
assert_eq "watch peak is the held flows (lab sanity)" "$N" "$peak"

# 3000 entries: 30 x 100 -> 3750 -> 4096.
run_plan --from "$LAB_TMP/w.json" --growth 100 --format json
assert_eq "plan --from exit status" 0 "$PLAN_RC"
assert_eq "from: demand source" peak "$(pj .demand.source)"
# The knobs are global: the demand is the busiest namespace's count when
# that is larger than the summary's peak (another lab namespace, the host).
busiest=$(pj .demand.busiest_netns.entries)
base=$((peak > busiest ? peak : busiest))
assert_eq "from: base entries = max(summary's peak, busiest namespace $busiest)" "$base" \
	"$(pj .demand.base_entries)"
assert_eq "from: demand = base x 100" "$((base * 100))" "$(pj .demand.entries)"
read -r max b < <(expect_plan $((base * 100)) 20 1)
# ...and the buckets hold every namespace's entries together.
all=$(pj .demand.all_netns_entries)
if ((all > base)); then
	read -r amax _ < <(expect_plan $((all * 100)) 20 1)
	((amax > b)) && b=$amax
fi
check_rec "from x100" "$max" "$b"
# The summary has no event figures: a what-if says what it needs.
run_plan --from "$LAB_TMP/w.json" --set nf_conntrack_tcp_timeout_established=86400 --format json
assert_eq "what-if without events: exit status" 0 "$PLAN_RC"
assert_eq "what-if without events: no projection" null "$(pj .little)"
assert_eq "what-if without events: the note names watch --events --save" true \
	"$(pj '.note | contains("watch --events --save")')"
# A what-if from event figures: M unreplied UDP flows into SRV, whose own
# udp_timeout is 2 s, seen NEW and DESTROY by 'watch --events'.
in_ns "$SRV" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=2 || die "cannot set udp_timeout in $SRV"
timeout -k 10 600 "$CTADVISOR" watch --netns "$SRV" --events --interval 200ms --duration 600s \
	--format json --save "$LAB_TMP/we.json" >"$LAB_TMP/watch.out" 2>"$LAB_TMP/watch.err" &
LAB_PIDS+=($!)
LAB_PID_OF[watch]=$!
wait_line watch '{"type":"sample"'
sent=$(in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.41.2 "$UDP_PORT" "$M" 21000 "$M") ||
	die "udp_send failed: $sent"
assert_eq "udp_send (lab sanity)" "sent $M" "$sent"
udp_gone()
{
	in_ns "$SRV" conntrack -L >/dev/null 2>&1 # evicts expired entries: DESTROY events
	(($(in_ns "$SRV" conntrack -C) == N))
}
wait_for "the $M UDP flows gone from $SRV" udp_gone
kill -INT "${LAB_PID_OF[watch]}"
wrc=0
wait "${LAB_PID_OF[watch]}" || wrc=$?
((wrc <= 2)) || die "watch --events exited $wrc: $(head -c 1000 "$LAB_TMP/watch.err")"
assert_eq "events summary: udp class flows (lab sanity)" "$M" "$(jq .events.classes.udp.flows "$LAB_TMP/we.json")"
assert_eq "events summary: all timed out" "$M" "$(jq .events.classes.udp.timed_out.n "$LAB_TMP/we.json")"
assert_eq "events summary: udp timeout during the watch" 2 "$(jq .events.classes.udp.timeout_s "$LAB_TMP/we.json")"
# Without --set: the table of classes, nothing changed.
run_plan --from "$LAB_TMP/we.json" --format json
assert_eq "little without --set: exit status" 0 "$PLAN_RC"
assert_eq "little without --set: udp entries = new/s x lifetime (of the summary)" true \
	"$(jq --slurpfile w "$LAB_TMP/we.json" '.little.classes[] | select(.class == "udp")
		| (.entries - $w[0].events.classes.udp.new_per_s * $w[0].events.classes.udp.mean_lifetime_s)
		| fabs < 1e-6' "$LAB_TMP/plan.out")"
# udp_timeout 2 -> 1: flows that timed out live (lifetime - 2 + 1), or
# min(lifetime, 1) if they were seen for less than 2 s; so fewer entries.
run_plan --from "$LAB_TMP/we.json" --set udp_timeout=1 --format json
assert_eq "what-if udp_timeout=1: exit status" 0 "$PLAN_RC"
assert_eq "what-if udp_timeout=1: the udp class changed" true \
	"$(pj '.little.classes[] | select(.class == "udp") | .changed')"
assert_eq "what-if udp_timeout=1: fewer entries" true "$(pj '.little.entries_after < .little.entries')"
assert_eq "what-if udp_timeout=1: udp lifetime after, by the stated model" true \
	"$(jq --slurpfile w "$LAB_TMP/we.json" '.little.classes[] | select(.class == "udp")
		| $w[0].events.classes.udp.timed_out.mean_lifetime_s as $l
		| (if $l >= 2 then $l - 2 + 1 elif $l < 1 then $l else 1 end) as $want
		| (.lifetime_after_s - $want) | fabs < 1e-6' "$LAB_TMP/plan.out")"
assert_eq "what-if udp_timeout=1: a knob of another class leaves it alone" false \
	"$(jq '.little.classes[] | select(.class == "udp") | .changed' < <(
		"$CTADVISOR" plan --from "$LAB_TMP/we.json" --set udp_timeout_stream=1 --format json))"
run_plan --from "$LAB_TMP/we.json" --set udp_timeout=1
assert_eq "what-if text: exit status" 0 "$PLAN_RC"
line=$(grep -E '^  -> [0-9]+ entries instead of [0-9]+ ' "$LAB_TMP/plan.out") ||
	die "no what-if line in the text plan: $(head -c 3000 "$LAB_TMP/plan.out")"
read -r _ after _ _ _ before _ <<<"$line"
assert_eq "what-if text: fewer entries after ($line)" 1 "$((after < before ? 1 : 0))"
assert_eq "what-if text: states the model" 1 "$(grep -c '^  model: a flow that timed out' "$LAB_TMP/plan.out")"

# Current count in the lab namespace (no --from): the held flows.
run_plan --netns "$SRV" --growth 2 --format json
assert_eq "current: demand source" current "$(pj .demand.source)"
count=$(in_ns "$SRV" conntrack -C)
busiest=$(pj .demand.busiest_netns.entries)
assert_ge "current: busiest namespace >= conntrack -C in $SRV" "$count" "$busiest"
assert_eq "current: base entries = the busiest namespace's count" "$busiest" "$(pj .demand.base_entries)"

# 3. Bad input: exit 3, one error line naming the option, then the hint.
printf '{"type": "summary", "peak_count": -5}\n' >"$LAB_TMP/bad.json"
printf 'not json\n' >"$LAB_TMP/garbage.json"
bad_cases=(
	"--growth|--growth -1"
	"--growth|--growth 0"
	"--growth|--growth 2x5"
	"--headroom|--headroom 100"
	"--headroom|--headroom 150"
	"--mem-budget|--mem-budget 12Q"
	"--mem-budget|--mem-budget -1G"
	"--mem-budget|--netns $SRV --mem-budget 1K"
	"--target|--growth 2 --target 5"
	"--target|--target 0"
	"--load|--target 5 --load 0"
	"--set|--set nf_conntrack_max=5"
	"--set|--set tcp_timeout_established=abc"
	"--format|--format prometheus"
	"--from|--from $LAB_TMP/none.json"
	"--from|--from $LAB_TMP/bad.json"
	"--from|--from $LAB_TMP/garbage.json"
)
for c in "${bad_cases[@]}"; do
	opt=${c%%|*}
	# shellcheck disable=SC2086 # the case is a word list on purpose
	run_plan ${c#*|}
	assert_eq "plan ${c#*|}: exit status" 3 "$PLAN_RC"
	assert_eq "plan ${c#*|}: first stderr line names $opt" true \
		"$(head -n1 "$LAB_TMP/plan.err" | grep -qF -- "$opt" && echo true || echo false)"
	assert_eq "plan ${c#*|}: nothing on stdout" 0 "$(wc -c <"$LAB_TMP/plan.out")"
done

# 4. --save: a JSON plan file whose recommendation apply can read.
run_plan --target 1000000 --mem-budget 2G --save "$LAB_TMP/plan.json"
assert_eq "plan --save exit status" 0 "$PLAN_RC"
jq -e . "$LAB_TMP/plan.json" >/dev/null || die "--save wrote invalid JSON: $(head -c 500 "$LAB_TMP/plan.json")"
read -r max b < <(expect_plan 1000000 20 1)
assert_eq "saved recommendation" "{\"net.netfilter.nf_conntrack_max\":\"$max\",\"net.netfilter.nf_conntrack_buckets\":\"$b\"}" \
	"$(jq -c .recommendation "$LAB_TMP/plan.json")"
assert_eq "saved budget" $((2 << 30)) "$(jq .inputs.budget_bytes "$LAB_TMP/plan.json")"
assert_eq "saved over_budget agrees with used_bytes > budget" true \
	"$(jq '(.memory.used_bytes > .inputs.budget_bytes) == .memory.over_budget' "$LAB_TMP/plan.json")"
assert_eq "no temp files left beside the plan" 1 "$(find "$LAB_TMP" -maxdepth 1 -name 'plan.json*' | wc -l)"

# 5. The round trip: apply reads the saved plan. --dry-run in the host
# namespace only reads (the knobs are global, read-only in a lab namespace).
read_knobs()
{
	sysctl -n net.netfilter.nf_conntrack_max net.netfilter.nf_conntrack_buckets | tr '\n' ' '
}
before=$(read_knobs)
arc=0
"$CTADVISOR" apply --from-plan "$LAB_TMP/plan.json" --dry-run >"$LAB_TMP/apply.out" 2>"$LAB_TMP/apply.err" || arc=$?
assert_eq "apply --from-plan --dry-run: exit status ($(head -c 500 "$LAB_TMP/apply.err"))" 0 "$arc"
assert_eq "apply --dry-run: nothing written" "$before" "$(read_knobs)"
for knob in nf_conntrack_max nf_conntrack_buckets; do
	want=$(jq -r ".recommendation[\"net.netfilter.$knob\"]" "$LAB_TMP/plan.json")
	if [[ " $before " == *" $want "* ]]; then
		continue # already the value: apply lists no change for it
	fi
	assert_eq "apply --dry-run shows $knob -> the plan's $want" 1 \
		"$(grep -cE "^  net\.netfilter\.$knob +[0-9]+ -> $want +\(from plan " "$LAB_TMP/apply.out")"
done
assert_eq "apply --dry-run: says nothing was written" 1 \
	"$(grep -cE '^dry run: nothing written|^nothing to do' "$LAB_TMP/apply.out")"

lab_finish
