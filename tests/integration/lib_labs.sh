# shellcheck shell=bash disable=SC2016 # jq programs are single-quoted on purpose
# lib_labs.sh: more of lib.sh (which sources it; a test sources lib.sh
# only): the lab pairs several tests build (lab_udp_pair, lab_nat_router),
# the global knobs a test may have to change and how they come back
# (peak_ct_count, lab_set_global), and a watch run in the background
# (lab_watch, watch_end). The same rules as lib.sh: random namespace names,
# traffic only inside the lab, restore and clean up on every path.

# Largest conntrack count over every network namespace in use here (those
# of running processes and those pinned under /run/netns): how low the
# global nf_conntrack_max may go without refusing anyone else's flows.
peak_ct_count()
{
	local p ino c peak=0
	local -A seen=()
	for p in /proc/[0-9]*/ns/net /run/netns/*; do
		ino=$(stat -L -c %i "$p" 2>/dev/null) || continue
		[[ -z "${seen[$ino]:-}" ]] || continue
		seen[$ino]=1
		c=$(nsenter --net="$p" cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null) ||
			continue
		((c > peak)) && peak=$c
	done
	echo "$peak"
}

# lab_set_global KNOB VALUE: set a knob of the initial namespace (only
# nf_conntrack_max and nf_conntrack_buckets are global and unavoidable).
# The first call saves the original and registers its restore, and a
# check that it was restored, on every path; lab_restore_global KNOB puts
# it back early. The kernel may round (buckets): LAB_GLOBAL_NOW holds what
# it reads back.
declare -A LAB_ORIG=()
LAB_GLOBAL_NOW=
lab_set_global()
{
	local knob=$1 val=$2 orig
	if [[ -z "${LAB_ORIG[$knob]:-}" ]]; then
		orig=$(sysctl -n "$knob") || die "cannot read $knob"
		[[ "$orig" =~ ^[0-9]+$ ]] || die "unexpected $knob value '$orig'"
		LAB_ORIG[$knob]=$orig
		lab_on_exit "[[ \$(sysctl -n $knob) == $orig ]]"
		lab_on_exit "sysctl -qw $knob=$orig"
	fi
	sysctl -qw "$knob=$val" || die "cannot set $knob=$val (not the initial namespace?)"
	# shellcheck disable=SC2034 # the tests read it
	LAB_GLOBAL_NOW=$(sysctl -n "$knob") || die "cannot read $knob back"
}

lab_restore_global()
{
	local knob=$1
	sysctl -qw "$knob=${LAB_ORIG[$knob]}" || die "cannot restore $knob=${LAB_ORIG[$knob]}"
	assert_eq "$knob restored" "${LAB_ORIG[$knob]}" "$(sysctl -n "$knob")"
}

# lab_watch NAME NS ARGS...: start `ctadvisor watch --netns NS --format
# json ARGS` in the background (JSON lines in $LAB_TMP/NAME.out, stderr in
# NAME.err; killed at exit) and wait until it has printed its first sample.
lab_watch()
{
	local name=$1 ns=$2
	shift 2
	timeout -k 10 900 "$CTADVISOR" watch --netns "$ns" --format json "$@" </dev/null \
		>"$LAB_TMP/$name.out" 2>"$LAB_TMP/$name.err" &
	LAB_PIDS+=($!)
	# shellcheck disable=SC2004 # LAB_PID_OF is lib.sh's associative array
	LAB_PID_OF[$name]=$!
	wait_line "$name" '{"type":"sample"'
}

# watch_end NAME [SIGNAL]: stop the watch NAME with SIGNAL (none: wait for
# its --duration); its exit status in WATCH_RC, its summary object in
# $LAB_TMP/NAME.summary (read it with wj NAME JQ). No summary fails the lab.
WATCH_RC=0
watch_end()
{
	local name=$1 pid=${LAB_PID_OF[$1]}
	[[ -z "${2:-}" ]] || kill "-$2" "$pid"
	WATCH_RC=0
	wait "$pid" || WATCH_RC=$?
	echo "--- ctadvisor watch $name (exit $WATCH_RC)"
	cat "$LAB_TMP/$name.err"
	((WATCH_RC <= 3)) || die "watch $name exited $WATCH_RC: $(head -c 2000 "$LAB_TMP/$name.err")"
	if grep -qE 'Sanitizer|runtime error:' "$LAB_TMP/$name.err"; then
		fail "watch $name: sanitizer report: $(head -c 2000 "$LAB_TMP/$name.err")"
	fi
	jq -c -s 'map(select(.type == "summary")) | last' "$LAB_TMP/$name.out" \
		>"$LAB_TMP/$name.summary" || die "watch $name output is not JSON lines: $(head -c 500 "$LAB_TMP/$name.out")"
	[[ "$(cat "$LAB_TMP/$name.summary")" != null ]] ||
		die "watch $name printed no summary: $(tail -c 500 "$LAB_TMP/$name.out")"
	jq . "$LAB_TMP/$name.summary"
}

wj()
{
	jq -r "$2" "$LAB_TMP/$1.summary" || die "watch $1 summary unreadable by jq $2"
}

# watch_samples NAME MIN: the watch NAME has printed at least MIN samples.
watch_samples()
{
	(($(grep -c '^{"type":"sample"' "$LAB_TMP/$1.out" || true) >= $2))
}

# watch_catch_up NAME: wait (bounded) until the watch NAME has printed two
# more samples, so that one was taken wholly after what came before.
watch_catch_up()
{
	local n
	n=$(grep -c '^{"type":"sample"' "$LAB_TMP/$1.out" || true)
	wait_for "two more samples from watch $1" watch_samples "$1" $((n + 2))
}

# lab_no_ipv6 NS: IPv6 off in NS (MLD and router solicitations would add
# entries of their own to a table a test counts).
lab_no_ipv6()
{
	in_ns "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 ||
		die "cannot disable IPv6 in $1"
}

# lab_udp_pair NET: namespaces CLI and LAB (names in $CLI, $LAB), IPv6 off,
# joined by veth v0/v1 with NET.1/24 and NET.2/24 (NET as 10.208.1);
# conntrack on in LAB with an hour's UDP timeout, so the unreplied flows
# udp_send sends from CLI stay in LAB's table. lab_udp_join NET makes LAB
# again (after `ip netns del "$LAB"`) next to the same CLI.
lab_udp_pair()
{
	lab_netns CLI cli
	lab_no_ipv6 "$CLI"
	lab_udp_join "$1"
}

lab_udp_join()
{
	lab_netns LAB lab
	lab_no_ipv6 "$LAB"
	lab_veth "$CLI" v0 "$LAB" v1
	lab_addr "$CLI" v0 "$1.1/24"
	lab_addr "$LAB" v1 "$1.2/24"
	lab_ct_enable "$LAB"
	in_ns "$LAB" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3600 ||
		die "cannot raise nf_conntrack_udp_timeout in $LAB"
}

# lab_nat_router NET RANGE: client -- router -- server, namespaces CLI, RTR
# and SRV (names in $CLI, $RTR, $SRV): CLI NET.1.1, RTR NET.1.254 and
# NET.2.254, SRV NET.2.2 (in $SRV_IP), routed through RTR, which forwards
# and masquerades the TCP leaving towards SRV into the source ports RANGE
# (e.g. 40000-40009), conntrack on. A connect from CLI that finds no port
# gives up after its SYN and one retransmit (tcp_syn_retries=1).
lab_nat_router()
{
	local net=$1 range=$2
	SRV_IP=$net.2.2
	lab_netns CLI cli
	lab_netns RTR rtr
	lab_netns SRV srv
	lab_veth "$CLI" v0 "$RTR" v1
	lab_veth "$RTR" v2 "$SRV" v3
	lab_addr "$CLI" v0 "$net.1.1/24"
	lab_addr "$RTR" v1 "$net.1.254/24"
	lab_addr "$RTR" v2 "$net.2.254/24"
	lab_addr "$SRV" v3 "$SRV_IP/24"
	ip -n "$CLI" route add default via "$net.1.254" || die "cannot route $CLI"
	ip -n "$SRV" route add default via "$net.2.254" || die "cannot route $SRV"
	in_ns "$RTR" sysctl -qw net.ipv4.ip_forward=1 || die "cannot enable forwarding in $RTR"
	in_ns "$CLI" sysctl -qw net.ipv4.tcp_syn_retries=1 || die "cannot set tcp_syn_retries in $CLI"
	in_ns "$RTR" nft -f - <<-EOF_NFT || die "cannot load the NAT table in $RTR"
		table ip labnat {
			chain post {
				type nat hook postrouting priority srcnat;
				oifname "v2" meta l4proto tcp masquerade to :$range
			}
		}
	EOF_NFT
	lab_ct_enable "$RTR"
}

# lab_nat_hold PORT N: in a lab_nat_router lab, a tcp_hold server on
# $SRV_IP:PORT and a client in CLI holding N connections to it through the
# router, whose table then shows them ESTABLISHED (helpers "srv", "held").
lab_nat_hold()
{
	lab_bg "$SRV" srv "$TOOLS/tcp_hold" server "$SRV_IP" "$1"
	wait_line srv listening
	lab_bg "$CLI" held "$TOOLS/tcp_hold" client "$SRV_IP" "$1" "$2"
	wait_line held ready
	wait_for "$2 ESTABLISHED entries in $RTR" ct_has "$RTR" ESTABLISHED "$2"
}
