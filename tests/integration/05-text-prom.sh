#!/usr/bin/env bash
# 05-text-prom: the text and Prometheus renderers agree with the JSON one
# and with the kernel. Text: contains the status word of the JSON output,
# same exit status, no colour escapes when not on a terminal. Prometheus:
# every line follows the exposition format 0.0.4 grammar, every sample's
# family has # HELP and # TYPE before it, ctadvisor_conntrack_entries equals
# conntrack -C, the per-CPU ctadvisor_conntrack_stat_<name>_total counters
# sum to conntrack -S, the TCP state
# gauge equals conntrack -L, and ctadvisor_check_status equals the exit code.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

N=6
M=4

lab_netns CLI cli
lab_netns SRV srv
lab_veth "$CLI" v0 "$SRV" v1
lab_addr "$CLI" v0 10.213.5.1/24
lab_addr "$SRV" v1 10.213.5.2/24
lab_ct_enable "$SRV"
in_ns "$SRV" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3600 ||
	die "cannot raise nf_conntrack_udp_timeout in $SRV"
lab_bg "$SRV" tcpsrv "$TOOLS/tcp_hold" server 10.213.5.2 5001
wait_line tcpsrv listening
lab_bg "$CLI" tcpcli "$TOOLS/tcp_hold" client 10.213.5.2 5001 "$N"
wait_line tcpcli ready
in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.5.2 9999 "$M" 30000 "$M" >/dev/null ||
	die "udp_send failed"
wait_for "$N ESTABLISHED entries in $SRV" ct_has "$SRV" ESTABLISHED "$N"
wait_for "$M UNREPLIED entries in $SRV" ct_has "$SRV" UNREPLIED "$M"
count=$(in_ns "$SRV" conntrack -C)
assert_eq "conntrack -C in $SRV (lab sanity)" "$((N + M))" "$count"

# JSON: the reference status.
run_check --netns "$SRV" --format json
require_json --netns "$SRV" --format json
status=$(check_jq .status)
json_rc=$CHECK_RC
assert_eq "JSON exit_code vs exit status" "$json_rc" "$(check_jq .exit_code)"
case "$status" in
OK) want_rc=0 ;; WARNING) want_rc=1 ;; CRITICAL) want_rc=2 ;; *) want_rc=3 ;;
esac
assert_eq "exit status for JSON status $status" "$want_rc" "$json_rc"

# Text, default format and explicit: the first line is the monitoring
# plugin's "CONNTRACK <STATE> - ... | perfdata".
for args in "" "--format text"; do
	# shellcheck disable=SC2086 # $args is a deliberate word list
	run_check --netns "$SRV" $args
	assert_eq "text ($args) exit status vs JSON" "$json_rc" "$CHECK_RC"
	if grep -qw "$status" "$LAB_TMP/check.out"; then
		echo "ok: text ($args) shows status $status"
	else
		fail "text ($args): expected the status word $status, actual output: $(head -c 1000 "$LAB_TMP/check.out")"
	fi
	if grep -q $'\x1b' "$LAB_TMP/check.out"; then
		fail "text ($args): expected no colour escapes when stdout is not a terminal"
	else
		echo "ok: text ($args) has no colour escapes"
	fi
	assert_ge "text ($args) lines" 3 "$(wc -l <"$LAB_TMP/check.out")"
	assert_eq "text ($args) plugin line" "CONNTRACK $status - " \
		"$(head -n1 "$LAB_TMP/check.out" | cut -c1-$((${#status} + 13)))"
done

# Prometheus.
run_check --netns "$SRV" --format prometheus
prom="$LAB_TMP/check.out"
assert_eq "prometheus exit status vs JSON" "$json_rc" "$CHECK_RC"
name='[a-zA-Z_:][a-zA-Z0-9_:]*'
lval='"([^"\\]|\\[\\"n])*"'
label="[a-zA-Z_][a-zA-Z0-9_]*=$lval"
num='(NaN|[+-]Inf|[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?)'
sample_re="^$name(\{($label(,$label)*,?)?\})? $num( -?[0-9]+)?$"
help_re="^# HELP $name( .*)?$"
type_re="^# TYPE $name (counter|gauge|histogram|summary|untyped)$"
bad=0
samples=0
lineno=0
declare -A typed=() helped=()
while IFS= read -r line; do
	lineno=$((lineno + 1))
	if [[ -z "$line" ]]; then
		continue
	elif [[ "$line" =~ $help_re ]]; then
		helped[$(cut -d' ' -f3 <<<"$line")]=1
	elif [[ "$line" =~ $type_re ]]; then
		fam=$(cut -d' ' -f3 <<<"$line")
		if [[ -n "${typed[$fam]:-}" ]]; then
			fail "prometheus line $lineno: second # TYPE for $fam"
			bad=$((bad + 1))
		fi
		typed[$fam]=1
	elif [[ "$line" == \#* ]]; then
		continue
	elif [[ "$line" =~ $sample_re ]]; then
		samples=$((samples + 1))
		fam=${line%%[{ ]*}
		if [[ -z "${typed[$fam]:-}" || -z "${helped[$fam]:-}" ]]; then
			fail "prometheus line $lineno: sample of $fam without # HELP and # TYPE before it"
			bad=$((bad + 1))
		fi
	else
		fail "prometheus line $lineno does not match the exposition grammar: $line"
		bad=$((bad + 1))
	fi
done <"$prom"
assert_eq "prometheus lines breaking the grammar" 0 "$bad"
assert_ge "prometheus samples" 10 "$samples"

# One sample's value: prom_value NAME [LABEL="V",...]. The given labels must
# all be on the sample (others, such as a netns label, may be too) and
# exactly one sample may match: otherwise "absent" or "ambiguous".
prom_value()
{
	awk -v n="$1" -v want="${2:-}" '
		BEGIN { nw = split(want, w, ",") }
		/^#/ { next }
		{ name = $1; lab = ""
		  if (index(name, "{")) { lab = substr(name, index(name, "{") + 1)
			sub(/}$/, "", lab); name = substr(name, 1, index(name, "{") - 1) }
		  if (name != n) next
		  lab = "," lab ","
		  for (i = 1; i <= nw; i++) if (index(lab, "," w[i] ",") == 0) next
		  hits++; v = $2 }
		END { print (hits == 1 ? v : (hits > 1 ? "ambiguous" : "absent")) }' "$prom"
}

assert_eq "ctadvisor_conntrack_entries vs conntrack -C" "$count" \
	"$(prom_value ctadvisor_conntrack_entries)"
assert_eq "ctadvisor_check_status vs exit status" "$json_rc" "$(prom_value ctadvisor_check_status)"
assert_eq "ctadvisor_conntrack_entries_limit vs sysctl -n nf_conntrack_max" \
	"$(in_ns "$SRV" sysctl -n net.netfilter.nf_conntrack_max)" \
	"$(prom_value ctadvisor_conntrack_entries_limit)"
assert_eq 'ctadvisor_conntrack_walk_tcp_entries{state="ESTABLISHED"}' "$N" \
	"$(prom_value ctadvisor_conntrack_walk_tcp_entries 'state="ESTABLISHED"')"
assert_eq 'ctadvisor_conntrack_walk_entries{proto="udp"}' "$M" \
	"$(prom_value ctadvisor_conntrack_walk_entries 'proto="udp"')"
assert_eq "ctadvisor_conntrack_walk_unreplied_entries" "$M" \
	"$(prom_value ctadvisor_conntrack_walk_unreplied_entries)"

# Per-CPU stat counters, summed per stat, against conntrack -S.
# One family per counter: ctadvisor_conntrack_stat_<name>_total{cpu="N"}.
awk '/^ctadvisor_conntrack_stat_[a-z0-9_]*_total\{/ {
		name = substr($1, 1, index($1, "{") - 1)
		sub(/^ctadvisor_conntrack_stat_/, "", name); sub(/_total$/, "", name)
		s[name] += $2 }
	END { for (k in s) printf "stat.%s %d\n", k, s[k] }' "$prom" | sort >"$LAB_TMP/prom.stats"
truth_stats "$SRV" >"$LAB_TMP/truth.stats"
compare_facts "ctadvisor_conntrack_stat_*_total summed vs conntrack -S:" \
	"$LAB_TMP/truth.stats" "$LAB_TMP/prom.stats"

lab_finish
