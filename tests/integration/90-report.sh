#!/usr/bin/env bash
# 90-report: `ctadvisor report` of a lab namespace, opened in a real browser.
# srv holds N TCP connections and M unreplied UDP flows; a third namespace
# has a hostile name (markup, quotes, &). The report is made with a watch
# summary (watch --save of srv) and a kernel log (a logparse fixture plus a
# LOG-target line whose prefix is markup), then headless Chromium loads it
# from inside a namespace with no network at all (only lo, down) and dumps
# the DOM; report_dom.py parses it. The page must hold what the kernel and
# ctadvisor's other commands say: the entry count is conntrack -C, the top
# port holds N, the plan chart has its four sizings and the recommendation
# plan gives for the same peak, the watch's peak, every invalid reason with
# logparse's count, the TCP flags, the hostile strings as text (no script
# element anywhere), and a screenshot that is not blank.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

N=12 # held TCP connections
M=7  # unreplied UDP flows
TCP_PORT=5090
UDP_DEAD=9990
HERE=$(cd "$(dirname "$0")" && pwd)
FIXTURE="$HERE/../fixtures/logparse/dmesg.log"
EVIL='<script>alert(1)</script>"&'\''x'
EVIL_LOG="$EVIL"$'\001' # and a control character
EVIL_NAME='<script>alert(1)"&'\''x' # a netns name cannot hold a slash

command -v chromium >/dev/null || die "chromium is not installed (Debian package chromium)"
command -v python3 >/dev/null || die "python3 is not installed (Debian package python3)"

lab_netns CLI cli
lab_netns SRV srv
lab_netns BLK nonet # the browser's: no route to anything
lab_netns EVIL_NS "$EVIL_NAME"
ip -n "$BLK" link set lo down || die "cannot take lo down in $BLK"
lab_veth "$CLI" v0 "$SRV" v1
lab_addr "$CLI" v0 10.213.90.1/24
lab_addr "$SRV" v1 10.213.90.2/24
lab_ct_enable "$SRV"
in_ns "$SRV" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3600 ||
	die "cannot raise nf_conntrack_udp_timeout in $SRV"
lab_bg "$SRV" tcpsrv "$TOOLS/tcp_hold" server 10.213.90.2 "$TCP_PORT"
wait_line tcpsrv listening
lab_bg "$CLI" tcpcli "$TOOLS/tcp_hold" client 10.213.90.2 "$TCP_PORT" "$N"
wait_line tcpcli ready
in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.90.2 "$UDP_DEAD" "$M" 30900 "$M" >/dev/null ||
	die "udp_send flows failed"
wait_for "$N ESTABLISHED TCP entries in $SRV" ct_has "$SRV" "ESTABLISHED.*dport=$TCP_PORT " "$N"
wait_for "$M UNREPLIED UDP entries in $SRV" ct_has "$SRV" "UNREPLIED" "$M"
count_now=$(in_ns "$SRV" conntrack -C)
assert_eq "conntrack -C (lab sanity)" "$((N + M))" "$count_now"

# The inputs: a watch summary and a log with a hostile LOG prefix.
wrc=0
timeout -k 10 600 "$CTADVISOR" watch --netns "$SRV" --interval 100ms --duration 300ms \
	--save "$LAB_TMP/w.json" >/dev/null 2>"$LAB_TMP/watch.err" || wrc=$?
((wrc <= 2)) || die "watch exited $wrc: $(head -c 1000 "$LAB_TMP/watch.err")"
peak=$(jq -r .peak_count "$LAB_TMP/w.json") || die "watch --save wrote no JSON"
log="$LAB_TMP/kern.log"
cp "$FIXTURE" "$log"
printf '[  200.5] %s IN=v1 OUT= SRC=10.213.90.1 DST=10.213.90.2 LEN=60 TTL=64 ID=1 PROTO=TCP SPT=4000 DPT=80 WINDOW=1 RES=0x00 SYN URGP=0 \n' \
	"$EVIL_LOG" >>"$log"
timeout -k 10 300 "$CTADVISOR" logparse -f json "$log" >"$LAB_TMP/lp.json" || [[ $? -le 2 ]] ||
	die "logparse of the log failed"
timeout -k 10 300 "$CTADVISOR" plan --netns "$SRV" --from "$LAB_TMP/w.json" --format json \
	>"$LAB_TMP/plan.json" || die "plan --from failed: $(cat "$LAB_TMP/plan.json")"

# A browser in a namespace with no network; the DOM and a screenshot.
browse()
{
	local html=$1 out=$2
	in_ns "$BLK" timeout -k 10 120 chromium --headless --no-sandbox --disable-gpu \
		--no-first-run --disable-background-networking --disable-extensions \
		--host-resolver-rules="MAP * ~NOTFOUND" --proxy-server=127.0.0.1:9 \
		--user-data-dir="$LAB_TMP/chromium" "${@:3}" "file://$html" >"$out" 2>"$out.err" ||
		die "chromium failed on $html: $(tail -c 1000 "$out.err")"
}

dom_of()
{
	browse "$1" "$1.dom" --dump-dom
	python3 "$HERE/report_dom.py" dom "$1.dom" >"$1.json" || die "cannot parse the DOM of $1"
}

dj()
{
	jq -r "$@" "$REPORT_JSON"
}

run_ctad report report --netns "$SRV" --from "$LAB_TMP/w.json" --log "$log" \
	-o "$LAB_TMP/r.html"
assert_eq "report exit status" 0 "$RC"
[[ -s "$LAB_TMP/r.html" ]] || die "report wrote no page"
count_after=$(in_ns "$SRV" conntrack -C)
assert_eq "conntrack -C held still (lab sanity)" "$count_now" "$count_after"
dom_of "$LAB_TMP/r.html"
REPORT_JSON="$LAB_TMP/r.html.json"

assert_eq "no <script> element in the DOM" 0 "$(dj .scripts)"
assert_eq "no <script in the file" 0 "$(grep -c '<script' "$LAB_TMP/r.html" || true)"
assert_eq "a policy that forbids script" 1 \
	"$(grep -c "Content-Security-Policy\" content=\"default-src 'none'" "$LAB_TMP/r.html" || true)"
assert_eq "header: network namespace" "$SRV" "$(dj '.ids["h-netns"]')"
assert_eq "header: host" "$(uname -n)" "$(dj '.ids["h-host"]')"
assert_eq "header: version" "$("$CTADVISOR" --version | awk 'NR == 1 { print $NF }')" "$(dj '.ids["h-version"]')"
assert_eq "fill gauge: entries = conntrack -C" "$count_now" "$(dj '.ids["fill-count"]')"
assert_eq "fill gauge: max = nf_conntrack_max" \
	"$(in_ns "$SRV" sysctl -n net.netfilter.nf_conntrack_max)" "$(dj '.ids["fill-max"]')"
assert_eq "walk entries = conntrack -C" "$count_now" "$(dj '.ids["walk-entries"]')"
assert_eq "top port tcp/$TCP_PORT holds N" "$N" \
	"$(dj --arg l "tcp/$TCP_PORT" '[.charts["chart-top-dport"][] | select(.[0] == $l) | .[1]] | first // "absent"')"
assert_eq "top port udp/$UDP_DEAD holds M" "$M" \
	"$(dj --arg l "udp/$UDP_DEAD" '[.charts["chart-top-dport"][] | select(.[0] == $l) | .[1]] | first // "absent"')"
assert_eq "TCP ESTABLISHED bar" "$N" \
	"$(dj '[.charts["chart-tcp-states"][] | select(.[0] == "ESTABLISHED") | .[1]] | first // "absent"')"

# The plan chart: four sizings; the recommendation is plan's for this peak.
assert_eq "plan memory chart: 4 bars" 4 "$(dj '.charts["chart-plan-mem"] | length')"
assert_eq "plan chain chart: 4 bars" 4 "$(dj '.charts["chart-plan-chain"] | length')"
assert_eq "plan labels" "current,recommended,kernel default,kube-proxy" \
	"$(dj '[.tables["plan-data"][1:][] | .[0]] | join(",")')"
assert_eq "recommended max = plan --from" \
	"$(jq -r '.recommendation["net.netfilter.nf_conntrack_max"]' "$LAB_TMP/plan.json")" \
	"$(dj '.tables["plan-data"][] | select(.[0] == "recommended") | .[1]')"
assert_eq "recommended buckets = plan --from" \
	"$(jq -r '.recommendation["net.netfilter.nf_conntrack_buckets"]' "$LAB_TMP/plan.json")" \
	"$(dj '.tables["plan-data"][] | select(.[0] == "recommended") | .[2]')"
assert_eq "current max = nf_conntrack_max" "$(in_ns "$SRV" sysctl -n net.netfilter.nf_conntrack_max)" \
	"$(dj '.tables["plan-data"][] | select(.[0] == "current") | .[1]')"

# The watch: its peak and last count, as saved.
assert_eq "watch peak = the summary's = conntrack -C" "$peak" \
	"$(dj '.tables["chart-watch-count-data"][] | select(.[0] == "peak") | .[2]')"
assert_eq "watch peak (lab sanity)" "$count_now" "$peak"
assert_eq "watch last sample" "$(jq -r .last_count "$LAB_TMP/w.json")" \
	"$(dj '.tables["chart-watch-count-data"][] | select(.[0] == "last sample") | .[2]')"

# The log: every reason with logparse's count and verdict class, the flags.
assert_eq "reasons: as logparse" \
	"$(jq -r '[.invalid.reasons[] | "\(.id)=\(.count)"] | sort | join(" ")' "$LAB_TMP/lp.json")" \
	"$(dj '[.charts["chart-reasons"][] | "\(.[0])=\(.[1])"] | sort | join(" ")')"
assert_eq "reasons: one bar each" "$(jq '.invalid.reasons | length' "$LAB_TMP/lp.json")" \
	"$(dj '.charts["chart-reasons"] | length')"
assert_eq "marked invalid vs accepted apart" \
	"$(jq -r '"\(.invalid.marked_invalid) \(.invalid.accepted)"' "$LAB_TMP/lp.json")" \
	"$(dj '"\(.ids["logs-marked"]) \(.ids["logs-accepted"])"')"
assert_eq "TCP flags: as logparse" \
	"$(jq -r '[.invalid.tcp_flags[] | "\(.flags)=\(.count)"] | sort | join(" ")' "$LAB_TMP/lp.json")" \
	"$(dj '[.charts["chart-tcp-flags"][] | "\(.[0])=\(.[1])"] | sort | join(" ")')"

# Hostile strings are text in the DOM, whole.
assert_eq "hostile LOG prefix: one bar, as text, the control character shown" 1 \
	"$(dj --arg p "$EVIL" '[.charts["chart-log-prefix"][] | select(.[0] == $p + "\\x01")] | length')"
assert_eq "hostile namespace name: a bar, as text" 1 \
	"$(dj --arg n "$EVIL_NS" '[.charts["chart-netns"][] | select(.[0] == $n)] | length')"
assert_eq "srv in the namespace chart with conntrack -C" "$count_now" \
	"$(dj --arg n "$SRV" '[.charts["chart-netns"][] | select(.[0] == $n) | .[1]] | first // "absent"')"

# The screenshot is drawn, not blank.
browse "$LAB_TMP/r.html" "$LAB_TMP/shot.out" --screenshot="$LAB_TMP/r.png" --window-size=1200,2000
read -r w h colours < <(python3 "$HERE/report_dom.py" png "$LAB_TMP/r.png") ||
	die "cannot read the screenshot"
assert_eq "screenshot size" "1200 2000" "$w $h"
assert_ge "screenshot colours (not blank)" 16 "$colours"

# Without --from and --log: the header says so, nothing drawn empty.
run_ctad report2 report --netns "$SRV" --no-walk -o "$LAB_TMP/r2.html"
assert_eq "report --no-walk exit status" 0 "$RC"
dom_of "$LAB_TMP/r2.html"
REPORT_JSON="$LAB_TMP/r2.html.json"
assert_eq "no watch: said" 1 "$(dj '[.ids.missing | test("no watch summary")] | map(select(.)) | length')"
assert_eq "no log: said" 1 "$(dj '[.ids.missing | test("no kernel log")] | map(select(.)) | length')"
assert_eq "no watch chart" false "$(dj '.charts | has("chart-watch-count")')"
assert_eq "no reasons chart" false "$(dj '.charts | has("chart-reasons")')"
assert_eq "fill gauge still = conntrack -C" "$count_now" "$(dj '.ids["fill-count"]')"

# A bad input is an error, and the old page stays.
cp "$LAB_TMP/r.html" "$LAB_TMP/keep.html"
run_ctad bad report --netns "$SRV" --from "$LAB_TMP/nonexistent.json" -o "$LAB_TMP/keep.html"
assert_eq "report --from a missing file: exit 3" 3 "$RC"
assert_eq "the error names the file" 1 "$(grep -c 'nonexistent.json' "$LAB_TMP/bad.err" || true)"
cmp -s "$LAB_TMP/r.html" "$LAB_TMP/keep.html" || fail "a failed report replaced the page"

lab_finish
