#!/usr/bin/env bash
# 33-apply-global: nf_conntrack_max and nf_conntrack_buckets in the INITIAL
# namespace, where only they can be changed. The new values stay close to
# the current ones (max + 1024, buckets + 512: one page of bucket heads) so
# the resize is cheap, and the EXIT trap writes the originals back whatever
# happens. A dry run changes nothing; apply sets both (read back);
# --persist writes the sysctl.d drop-in into a temporary directory (and,
# nf_conntrack being built in or a module, the modprobe.d file only for a
# module); a second apply has nothing to do; undo restores the originals.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

export CTADVISOR_STATE_DIR="$LAB_TMP/state"
SYSCTL_DIR="$LAB_TMP/sysctl.d"
MODPROBE_DIR="$LAB_TMP/modprobe.d"
MODLOAD_DIR="$LAB_TMP/modules-load.d"
mkdir -p "$SYSCTL_DIR" "$MODPROBE_DIR" "$MODLOAD_DIR"
# What an earlier apply --persist left: kept by the merge, and exactly this
# content back after undo.
conf="$SYSCTL_DIR/90-ctadvisor.conf"
printf '# an earlier apply\nnet.netfilter.nf_conntrack_tcp_timeout_close_wait = 60\n' >"$conf"
cp "$conf" "$LAB_TMP/conf.before"

values()
{
	sysctl -n net.netfilter.nf_conntrack_max net.netfilter.nf_conntrack_buckets | xargs
}

# The test must run in the initial namespace, where the global knobs are
# writable; anything else is a broken lab, not a pass.
[[ -e /proc/sys/net/netfilter/nf_log_all_netns ]] ||
	die "not in the initial network namespace (no nf_log_all_netns)"
orig_max=$(sysctl -n net.netfilter.nf_conntrack_max) || die "cannot read nf_conntrack_max"
orig_buckets=$(sysctl -n net.netfilter.nf_conntrack_buckets) || die "cannot read nf_conntrack_buckets"
lab_on_exit "sysctl -qw net.netfilter.nf_conntrack_buckets=$orig_buckets"
lab_on_exit "sysctl -qw net.netfilter.nf_conntrack_max=$orig_max"
lab_on_exit "[[ \$(sysctl -n net.netfilter.nf_conntrack_max) == $orig_max && \$(sysctl -n net.netfilter.nf_conntrack_buckets) == $orig_buckets ]]"
new_max=$((orig_max + 1024))
new_buckets=$((orig_buckets + 512))
orig="$orig_max $orig_buckets"

run_ctad dry apply --set nf_conntrack_max=$new_max --set net.netfilter.nf_conntrack_buckets=$new_buckets \
	--persist --sysctl-dir "$SYSCTL_DIR" --modprobe-dir "$MODPROBE_DIR" --dry-run
assert_eq "dry run: exit" 0 "$RC"
assert_eq "dry run: values unchanged" "$orig" "$(values)"
assert_eq "dry run: no file written" 1 "$(find "$SYSCTL_DIR" "$MODPROBE_DIR" -type f | wc -l)"
assert_eq "dry run: the earlier file untouched" "" "$(cmp "$conf" "$LAB_TMP/conf.before" 2>&1)"

run_ctad apply apply --set nf_conntrack_max=$new_max --set net.netfilter.nf_conntrack_buckets=$new_buckets \
	--persist --sysctl-dir "$SYSCTL_DIR" --modprobe-dir "$MODPROBE_DIR" --yes
assert_eq "apply: exit" 0 "$RC"
assert_eq "apply: values" "$new_max $new_buckets" "$(values)"
assert_eq "apply: buckets written before max when growing" 1 \
	"$(awk '/applied/ { print $1 }' "$LAB_TMP/apply.out" | xargs | grep -c 'buckets net.netfilter.nf_conntrack_max')"
[[ -f "$conf" ]] || fail "no $conf written"
assert_eq "persist: max in sysctl.d" 1 "$(count "^net.netfilter.nf_conntrack_max = $new_max$" "$conf")"
assert_eq "persist: the earlier apply's knob kept" 1 \
	"$(count "^net.netfilter.nf_conntrack_tcp_timeout_close_wait = 60$" "$conf")"
rec=$(find "$CTADVISOR_STATE_DIR/undo" -name 'undo-*.json' | head -1)
assert_eq "persist: the undo record holds the file's content before" \
	"$(cat "$LAB_TMP/conf.before")" "$(jq -r --arg p "$conf" '.files[] | select(.path == $p) | .original' "$rec")"
if [[ -e /sys/module/nf_conntrack/initstate ]]; then
	assert_eq "persist (module): hashsize in modprobe.d" 1 \
		"$(count "^options nf_conntrack hashsize=$new_buckets$" "$MODPROBE_DIR/ctadvisor-nf_conntrack.conf")"
	assert_eq "persist (module): no buckets in sysctl.d" 0 "$(count buckets "$conf")"
else
	assert_eq "persist (built in): buckets in sysctl.d" 1 \
		"$(count "^net.netfilter.nf_conntrack_buckets = $new_buckets$" "$conf")"
	assert_eq "persist (built in): no modprobe.d file" 0 "$(find "$MODPROBE_DIR" -type f | wc -l)"
	assert_eq "persist (built in): explained" 1 "$(count 'built into this kernel' "$LAB_TMP/apply.out")"
fi

run_ctad again apply --set nf_conntrack_max=$new_max --set nf_conntrack_buckets=$new_buckets \
	--persist --sysctl-dir "$SYSCTL_DIR" --modprobe-dir "$MODPROBE_DIR" --yes
assert_eq "second apply: exit" 0 "$RC"
assert_eq "second apply: nothing to do" 1 "$(count '^nothing to do' "$LAB_TMP/again.out")"
assert_eq "second apply: persisted file unchanged" 1 "$(count '^already persisted' "$LAB_TMP/again.out")"

run_ctad undo undo --yes
assert_eq "undo: exit" 0 "$RC"
assert_eq "undo: originals back" "$orig" "$(values)"
assert_eq "undo: the persisted file has its content from before" "" "$(cmp "$conf" "$LAB_TMP/conf.before" 2>&1)"
assert_eq "undo: says the file was restored" 1 "$(count "file $conf restored (atomically" "$LAB_TMP/undo.out")"
assert_eq "undo: no modprobe.d file left" 0 "$(find "$MODPROBE_DIR" -type f | wc -l)"

# A modular nf_conntrack (a crafted /sys under CTADVISOR_ROOT, which apply
# reads for the module check and the owners scan only): a modules-load.d
# entry loads it before systemd-sysctl, the hash size goes to modprobe.d;
# undo removes the files that did not exist.
rm -f "$conf"
mkdir -p "$LAB_TMP/modroot/sys/module/nf_conntrack"
echo live >"$LAB_TMP/modroot/sys/module/nf_conntrack/initstate"
CTADVISOR_ROOT="$LAB_TMP/modroot" run_ctad modapply apply --set nf_conntrack_max=$new_max \
	--set hashsize=$new_buckets --persist --sysctl-dir "$SYSCTL_DIR" --modprobe-dir "$MODPROBE_DIR" \
	--modules-load-dir "$MODLOAD_DIR" --yes
assert_eq "module: exit" 0 "$RC"
assert_eq "module: values" "$new_max $new_buckets" "$(values)"
assert_eq "module: max in sysctl.d" 1 "$(count "^net.netfilter.nf_conntrack_max = $new_max$" "$conf")"
assert_eq "module: no buckets in sysctl.d" 0 "$(count buckets "$conf")"
assert_eq "module: hashsize in modprobe.d" 1 \
	"$(count "^options nf_conntrack hashsize=$new_buckets$" "$MODPROBE_DIR/ctadvisor-nf_conntrack.conf")"
assert_eq "module: modules-load.d loads nf_conntrack" 1 \
	"$(count '^nf_conntrack$' "$MODLOAD_DIR/ctadvisor-nf_conntrack.conf")"
assert_eq "module: explains the boot order" 1 "$(count 'before systemd-sysctl applies' "$LAB_TMP/modapply.out")"
run_ctad modundo undo --yes
assert_eq "module undo: exit" 0 "$RC"
assert_eq "module undo: originals back" "$orig" "$(values)"
assert_eq "module undo: every file it created removed" 0 \
	"$(find "$SYSCTL_DIR" "$MODPROBE_DIR" "$MODLOAD_DIR" -type f | wc -l)"
assert_eq "module undo: says so" 3 "$(count 'removed (it did not exist before)' "$LAB_TMP/modundo.out")"

lab_finish
