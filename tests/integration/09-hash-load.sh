#!/usr/bin/env bash
# 09-hash-load: a max of a few times the buckets is not a warning (issue
# 16, "hash-load"). kube-proxy leaves nf_conntrack_max = 2 x buckets on a
# node with more than 8 CPUs, and the kernel itself sizes max = 8 x
# hashsize when hashsize= is given: chains of 4 and 16 at a full table,
# far from the random 50-79 at which the kernel drops. For an idle lab
# namespace, `check --netns LAB` must then report occupancy.max and buckets
# equal to sysctl's, load_at_max = 2 x max / buckets, no hash-load finding,
# OK and exit 0. The rule still works: with --load-warn under that load it
# warns (exit 1) with the same figures as evidence.
#
# The ratio is made by RAISING the global nf_conntrack_max to 2 x and 8 x
# the buckets, which refuses nothing anywhere (a limit only, the memory is
# per entry), rather than by resizing the shared hash; the original is
# saved first and restored on every path (lab_set_global) and checked.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

MAX_KNOB=net.netfilter.nf_conntrack_max
BUCKETS_KNOB=net.netfilter.nf_conntrack_buckets

lab_netns LAB lab
lab_no_ipv6 "$LAB"
lab_ct_enable "$LAB"
buckets=$(sysctl -n "$BUCKETS_KNOB") || die "cannot read $BUCKETS_KNOB"
peak=$(peak_ct_count)
((peak < 2 * buckets)) || die "a namespace holds $peak entries, above 2 x $buckets buckets"

for ratio in 2 8; do
	lab_set_global "$MAX_KNOB" $((ratio * buckets))
	max=$LAB_GLOBAL_NOW
	assert_eq "max = $ratio x buckets, as $LAB sees it (lab sanity)" "$((ratio * buckets)) $buckets" \
		"$(in_ns "$LAB" sysctl -n "$MAX_KNOB") $(in_ns "$LAB" sysctl -n "$BUCKETS_KNOB")"
	run_check --netns "$LAB" --format json
	require_json
	what="max = $ratio x buckets"
	echo "$what: findings $(check_jq '[.findings[] | "\(.id)/\(.severity)"] | join(" ")')"
	assert_eq "$what: occupancy.max, buckets vs sysctl" "$max $buckets" \
		"$(check_jq '"\(.occupancy.max) \(.occupancy.buckets)"')"
	assert_eq "$what: occupancy.load_at_max (2 x max / buckets)" $((2 * ratio)) \
		"$(check_jq '.occupancy.load_at_max')"
	assert_eq "$what: hash-load findings" 0 "$(check_jq '[.findings[] | select(.id == "hash-load")] | length')"
	assert_eq "$what: status" OK "$(check_jq .status)"
	assert_eq "$what: exit status" 0 "$CHECK_RC"
done

# The rule is live: a --load-warn below the load at max warns.
lab_set_global "$MAX_KNOB" $((2 * buckets))
run_check --netns "$LAB" --format json --load-warn 3
require_json
hl() { check_jq ".findings[] | select(.id == \"hash-load\") | $1"; }
assert_eq "--load-warn 3 at load 4: hash-load severity" warning "$(hl .severity)"
assert_eq "--load-warn 3: evidence max buckets load_at_max" "$((2 * buckets)) $buckets 4" \
	"$(hl '"\(.evidence.max) \(.evidence.buckets) \(.evidence.load_at_max)"')"
assert_eq "--load-warn 3: exit status" 1 "$CHECK_RC"
lab_restore_global "$MAX_KNOB"

lab_finish
