#!/usr/bin/env bash
# 54-monitoring-80: Icinga 2 and Nagios 4 run the SHIPPED command
# definitions, as `make install` wrote them, against a lab namespace whose
# table is 80 % full, with the shipped thresholds (-w 75 -c 90: the Icinga 2
# CheckCommand's defaults, left unset in the Service; check_ctadvisor_netns!75!90
# for Nagios), then again with -c 79.
#
# nf_conntrack_max is global (read-only in a namespace) and is the only
# limit, so, as 03-table-full does, the test lowers the GLOBAL value: to
# L = 1000, or more when another namespace on the machine holds more than
# L - 500 entries. The lab namespace is filled first, at the original max,
# with 0.8 L unreplied UDP flows (timeout raised so none expires); the max
# is lowered only while the monitoring clients run, restored right after
# and, whatever happens, by the EXIT trap (lib.sh).
#
# Each client runs in the foreground from a temporary configuration until
# it has recorded a result (a bounded poll, no fixed duration), then gets
# TERM. Asserted: the state each recorded (Icinga 2: SERVICESTATE of its
# perfdata file and the state file written at shutdown; Nagios: the
# SERVICE ALERT of its log and its perfdata file) is WARNING (CRITICAL
# with -c 79), and the perfdata each parsed has 'fill'=F%;75;90;0;100 with
# F computed from conntrack -C and the max (80), and 'entries'=COUNT;;;0;MAX.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"
# shellcheck source=nagios.sh
source "$(dirname "$0")/nagios.sh"

command -v icinga2 >/dev/null || die "icinga2 missing (Debian package icinga2-bin)"
command -v nagios4 >/dev/null || die "nagios4 missing (Debian package nagios4-core)"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
MAX_KNOB=net.netfilter.nf_conntrack_max
MARGIN=500

# The shipped definitions as installed, naming the binary under test by its
# installed path: no DESTDIR, so the paths in them are real.
INST="$LAB_TMP/inst"
make -s -C "$SRC" BUILD="$(dirname "$CTADVISOR")" PREFIX="$INST" install >"$LAB_TMP/install.log" 2>&1 ||
	die "make install failed: $(cat "$LAB_TMP/install.log")"
IC_DEF="$INST/share/ctadvisor/icinga2/ctadvisor.conf"
NG_DEF="$INST/share/ctadvisor/nagios/ctadvisor.cfg"
assert_eq "installed icinga2 CheckCommand names the installed binary" 1 \
	"$(grep -cF "vars.ctadvisor_binary = \"$INST/sbin/ctadvisor\"" "$IC_DEF")"
assert_eq "installed nagios commands name the installed binary" 2 \
	"$(grep -cF "command_line    $INST/sbin/ctadvisor check" "$NG_DEF")"

lab_netns CLI mcli
lab_netns SRV msrv
lab_veth "$CLI" v0 "$SRV" v1
lab_addr "$CLI" v0 10.213.54.1/24
lab_addr "$SRV" v1 10.213.54.2/24
lab_ct_enable "$SRV"
in_ns "$SRV" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3600 || die "cannot raise udp timeout"

orig_max=$(sysctl -n "$MAX_KNOB") || die "cannot read $MAX_KNOB"
[[ "$orig_max" =~ ^[0-9]+$ ]] || die "unexpected $MAX_KNOB value '$orig_max'"
lab_on_exit "sysctl -qw $MAX_KNOB=$orig_max"
peak=$(peak_ct_count)
LOW=$(((peak + MARGIN + 999) / 1000 * 1000))
((LOW >= 1000)) || LOW=1000
((orig_max == 0 || LOW < orig_max)) ||
	die "cannot lower $MAX_KNOB=$orig_max to $LOW (busiest namespace's count $peak + $MARGIN)"
N=$((LOW * 8 / 10))
echo "note: original $MAX_KNOB=$orig_max, busiest namespace count $peak; filling the lab with" \
	"$N flows, then lowering the max to $LOW"

in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.54.2 20000 "$N" 30000 1000 >/dev/null || die "udp_send failed"
wait_for "$N UNREPLIED entries" ct_has "$SRV" UNREPLIED "$N"

# The monitoring clients, each started in the background, polled until it
# recorded a result, stopped with TERM. A client that exits early, never
# records a result or ignores TERM fails the test with its log.
CLIENT_PID=""
start_client()
{
	local log=$1
	shift
	"$@" >"$log" 2>&1 &
	CLIENT_PID=$!
	LAB_PIDS+=("$CLIENT_PID")
}

# wait_result WHO LOG CMD...: poll CMD until it succeeds (bounded: a hang
# guard of 600 tries 0.1 s apart, not a timing assertion).
wait_result()
{
	local who=$1 log=$2 i
	shift 2
	for ((i = 0; i < 600; i++)); do
		"$@" && return 0
		kill -0 "$CLIENT_PID" 2>/dev/null ||
			die "$who exited before recording a result: $(tail -n 30 "$log")"
		sleep 0.1
	done
	die "$who recorded no result: $(tail -n 30 "$log")"
}

# stop_client WHO: TERM, then wait (bounded) for it to exit.
stop_client()
{
	local who=$1 i rc=0
	kill -TERM "$CLIENT_PID" 2>/dev/null || true
	for ((i = 0; i < 300; i++)); do
		kill -0 "$CLIENT_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$CLIENT_PID" 2>/dev/null; then
		kill -KILL "$CLIENT_PID" 2>/dev/null || true
		fail "$who ignored TERM (killed)"
	fi
	wait "$CLIENT_PID" 2>/dev/null || rc=$?
	echo "note: $who stopped (status $rc)"
}

# ---- Icinga 2 ----
# The lines are kept the moment they are seen: icinga2 renames its spool
# file each second, and a rotation at shutdown in the same second can
# replace the file that held them.
ic_has_result()
{
	grep -hs 'SERVICEDESC::conntrack' "$1"/spool/service-perfdata.* >"$1/perfdata.seen"
}

# run_icinga DIR [VARS...]: the Service's extra vars lines (thresholds); none
# means the CheckCommand's own defaults.
run_icinga()
{
	local dir=$1 v vars=""
	shift
	for v in "$@"; do
		vars+="		$v"$'\n'
	done
	mkdir -p "$dir"/{data,log,cache,spool,run}
	cat >"$dir/icinga2.conf" <<-CONF
		include "$IC_DEF"
		object CheckerComponent "checker" { }
		object PerfdataWriter "perfdata" {
			service_temp_path = "$dir/spool/service-perfdata.tmp"
			service_perfdata_path = "$dir/spool/service-perfdata"
			host_temp_path = "$dir/spool/host-perfdata.tmp"
			host_perfdata_path = "$dir/spool/host-perfdata"
			rotation_interval = 1s
		}
		object Host "lab" {
			check_command = "ctadvisor"
			enable_active_checks = false
		}
		object Service "conntrack" {
			host_name = "lab"
			check_command = "ctadvisor"
			check_interval = 1s
			retry_interval = 1s
			max_check_attempts = 1
			vars.ctadvisor_netns = "$SRV"
			vars.ctadvisor_state_dir = "$dir/state"
		$vars}
	CONF
	local args=(-c "$dir/icinga2.conf" -DRunAsUser=root -DRunAsGroup=root -DDataDir="$dir/data"
		-DLogDir="$dir/log" -DCacheDir="$dir/cache" -DSpoolDir="$dir/spool" -DInitRunDir="$dir/run")
	icinga2 daemon -C "${args[@]}" >"$dir/validate.log" 2>&1 ||
		die "icinga2 rejected the configuration: $(grep -E 'critical|Error' "$dir/validate.log" | head -20)"
	start_client "$dir/daemon.log" icinga2 daemon "${args[@]}"
	wait_result icinga2 "$dir/daemon.log" ic_has_result "$dir"
	stop_client icinga2
	cat "$dir/perfdata.seen" "$dir"/spool/service-perfdata.* >"$dir/perfdata.all" 2>/dev/null || true
}

# check_icinga DIR STATE PERF: the first result icinga2 recorded.
check_icinga()
{
	local dir=$1 state=$2 perf=$3 first
	first=$(grep 'SERVICEDESC::conntrack' "$dir/perfdata.all" | head -n1)
	echo "icinga2 recorded: $first"
	assert_eq "icinga2 recorded state" "SERVICESTATE::$state" "$(grep -o 'SERVICESTATE::[A-Z]*' <<<"$first")"
	assert_eq "icinga2 parsed perfdata: fill" "'fill'=$perf" \
		"$(tr '\t' '\n' <<<"$first" | sed -n 's/^SERVICEPERFDATA:://p' | grep -oE "'?fill'?=[^ ]*" |
			sed -E "s/^'?fill'?=/'fill'=/")"
	assert_eq "icinga2 parsed perfdata: entries" "'entries'=$count;;;0;$max" \
		"$(tr '\t' '\n' <<<"$first" | sed -n 's/^SERVICEPERFDATA:://p' | grep -oE "'?entries'?=[^ ]*" |
			sed -E "s/^'?entries'?=/'entries'=/")"
	# The state file icinga2 wrote at shutdown keeps the plugin output.
	if [[ -s "$dir/data/icinga2.state" ]] &&
		grep -qF "CONNTRACK $state - netns $SRV: $count of $max entries ($FILL_TXT% full); ${state,,}: table-fill" \
			"$dir/data/icinga2.state"; then
		echo "ok: icinga2 state file holds 'CONNTRACK $state - netns $SRV: $count of $max entries ($FILL_TXT% full); ${state,,}: table-fill'"
	else
		fail "icinga2 state file: no 'CONNTRACK $state ... $count of $max' output: $(grep -o 'CONNTRACK[^"]*' "$dir/data/icinga2.state" 2>/dev/null | head -c 600)"
	fi
}

# ---- Nagios 4 ----
ng_has_result()
{
	grep -qa 'SERVICE ALERT: lab;conntrack;' "$1/var/nagios.log" 2>/dev/null &&
		[[ -s "$1/var/service-perfdata" ]]
}

# run_nagios DIR WARN CRIT
run_nagios()
{
	local dir=$1 warn=$2 crit=$3
	# The lab's own state directory, not the host's /var/lib/nagios4.
	mkdir -p "$dir"
	sed "s|/var/lib/nagios4/ctadvisor|$dir/state|g" "$NG_DEF" >"$dir/commands.cfg"
	nagios_config "$dir" "$dir/commands.cfg" "$warn" "$crit"
	start_client "$dir/run.log" nagios4 "$dir/nagios.cfg"
	wait_result nagios4 "$dir/run.log" ng_has_result "$dir"
	stop_client nagios4
}

# check_nagios DIR STATE PERF: the first alert and perfdata line nagios4 wrote.
check_nagios()
{
	local dir=$1 state=$2 perf=$3 alert line
	alert=$(grep -a 'SERVICE ALERT: lab;conntrack;' "$dir/var/nagios.log" | head -n1)
	echo "nagios4 logged: $alert"
	assert_eq "nagios4 SERVICE ALERT state" "$state;HARD" "$(cut -d';' -f3,4 <<<"$alert")"
	# Nagios writes a ';' of plugin output as ':' (its log's field separator).
	if [[ "$alert" == *";CONNTRACK $state - netns $SRV: $count of $max entries ($FILL_TXT% full): ${state,,}: table-fill"* ]]; then
		echo "ok: nagios4 logged the plugin output ($state, $count of $max, table-fill)"
	else
		fail "nagios4 SERVICE ALERT output: $alert"
	fi
	line=$(head -n1 "$dir/var/service-perfdata")
	echo "nagios4 perfdata file: $line"
	assert_eq "nagios4 perfdata state" "$state" "$(cut -f1 <<<"$line")"
	assert_eq "nagios4 parsed perfdata: fill" "'fill'=$perf" \
		"$(cut -f2 <<<"$line" | grep -oE "'fill'=[^ ]*")"
	assert_eq "nagios4 parsed perfdata: entries" "'entries'=$count;;;0;$max" \
		"$(cut -f2 <<<"$line" | grep -oE "'entries'=[^ ]*")"
}

# ---- the low-max window ----
sysctl -qw "$MAX_KNOB=$LOW" || die "cannot lower $MAX_KNOB (not the initial namespace?)"
max=$(in_ns "$SRV" sysctl -n "$MAX_KNOB")
count=$(in_ns "$SRV" conntrack -C)
assert_eq "max seen in the lab namespace" "$LOW" "$max"
assert_eq "lab count (sanity)" "$N" "$count"
# The fill as ctadvisor writes it in perfdata (up to four decimals, trailing
# zeros dropped) and in the summary (two decimals).
FILL=$(awk -v c="$count" -v m="$max" 'BEGIN { printf "%.4f", c * 100 / m }' | sed -E 's/0+$//; s/\.$//')
FILL_TXT=$(awk -v c="$count" -v m="$max" 'BEGIN { printf "%.2f", c * 100 / m }')
assert_eq "lab fill % (count/max)" 80 "$FILL"
echo "note: lab at $count of $max entries ($FILL %)"

run_icinga "$LAB_TMP/icinga2-warn"
run_icinga "$LAB_TMP/icinga2-crit" 'vars.ctadvisor_critical = "79"'
run_nagios "$LAB_TMP/nagios-warn" 75 90
run_nagios "$LAB_TMP/nagios-crit" 75 79

sysctl -qw "$MAX_KNOB=$orig_max" || die "cannot restore $MAX_KNOB=$orig_max"
assert_eq "$MAX_KNOB restored" "$orig_max" "$(sysctl -n "$MAX_KNOB")"
assert_eq "lab count unchanged while the clients ran" "$count" "$(in_ns "$SRV" conntrack -C)"

check_icinga "$LAB_TMP/icinga2-warn" WARNING "$FILL%;75;90;0;100"
check_icinga "$LAB_TMP/icinga2-crit" CRITICAL "$FILL%;75;79;0;100"
check_nagios "$LAB_TMP/nagios-warn" WARNING "$FILL%;75;90;0;100"
check_nagios "$LAB_TMP/nagios-crit" CRITICAL "$FILL%;75;79;0;100"

lab_finish
