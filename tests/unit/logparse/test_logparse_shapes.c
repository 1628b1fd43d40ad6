/* logparse_line() on the shapes lines take in the field (issue 15): where
 * the packet fields begin (class 1), wrappers and heads (2), LOG prefixes
 * and masked values (3), cut lines (4), table full in a netns (5), owner
 * and notice lines (6), look-alikes (7). Every line is written here from
 * the kernel's format strings and the tools' documented formats. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "../../../logparse/logparse.h"

#define PKT4 "SRC=192.0.2.7 DST=198.51.100.9 LEN=52 TOS=0x00 PREC=0x00 TTL=57 ID=4242 DF "
#define TCPF "PROTO=TCP SPT=51234 DPT=443 SEQ=3735928559 ACK=305419896 WINDOW=502 RES=0x00 "

struct reason_case {
	const char *line;
	const char *reason; /* catalog id */
	int has_fields;     /* SRC= parsed */
	int truncated;
};

/* Class 1: the reason ends where the fields begin, wherever they begin. */
static const struct reason_case reason_cases[] = {
    {"nf_ct_proto_6: invalid tcp flag combination " PKT4 TCPF "FIN URGP=0", "tcp-invalid-flags", 1,
     0},
    {"nf_ct_proto_6: invalid tcp flag combination " PKT4 "PROTO=TCP SPT=1 DPT=2 SEQ=5 ACK=6",
     "tcp-invalid-flags", 1, 0},
    {"nf_ct_proto_6: invalid tcp flag combination", "tcp-invalid-flags", 0, 0},
    {"nf_ct_proto_6: invalid tcp flag combination ", "tcp-invalid-flags", 0, 0},
    {"nf_ct_proto_6: invalid new MAC= " PKT4 TCPF "ACK URGP=0", "tcp-invalid-new", 1, 0},
    {"nf_ct_proto_6: invalid new PHYSIN=veth3 PHYSOUT=eth0 " PKT4 TCPF "FIN ACK URGP=0 MARK=0x4",
     "tcp-invalid-new", 1, 0},
    {"nf_ct_proto_6: 3312 bytes more than expected IN=eth0 OUT= " PKT4 TCPF
     "ACK URGP=0 OPT (0101080A00C0FFEE) UID=1000 GID=1000",
     "tcp-bytes-more-than-expected", 1, 0},
    {"nf_ct_proto_6: invalid packet ignored in state ESTABLISHED " PKT4 TCPF "SYN URGP=0",
     "tcp-packet-ignored-state", 1, 0},
    {"nf_ct_proto_6: SEQ is over upper bound 2864434397 (over the window of the receiver) " PKT4
	 TCPF "ACK URGP=0",
     "tcp-seq-over-upper-bound", 1, 0},
    {"nf_ct_tcp: SEQ is over the upper bound (over the window of the receiver) IN=eth0 OUT= " PKT4,
     "tcp-seq-over-upper-bound", 1, 0},
    {"nf_ct_tcp: invalid TCP flag combination SRC=10.1.1.1 DST=10.1.1.2 LEN=40 PROTO=TCP",
     "tcp-invalid-flags", 1, 0},
    {"nf_ct_proto_17: bad checksum IN=br0 OUT= SRC=10.0.0.3 DST=10.0.0.4 LEN=33 PROTO=UDP SPT=5 "
     "DPT=53 LEN=13",
     "udp-bad-checksum", 1, 0},
    {"nf_ct_proto_1: outer daddr 10.0.0.5 != inner 10.0.0.6 SRC=10.0.0.7 DST=10.0.0.5 LEN=56 "
     "PROTO=ICMP TYPE=3 CODE=3 [SRC=10.0.0.5 DST=10.0.0.6 LEN=28 PROTO=UDP SPT=1 DPT=2 LEN=8 ]",
     "icmp-outer-daddr-mismatch", 1, 0},
    /* class 4: cut inside the reason or inside a field */
    {"nf_ct_proto_6: SEQ is over upper bound 28644", "tcp-seq-over-upper-bound", 0, 1},
    {"nf_ct_proto_6: invalid tcp flag combin", "tcp-invalid-flags", 0, 1},
    {"nf_ct_proto_6: invalid", "unknown", 0, 1},
    {"nf_ct_proto_6: invalid new IN=eth0 OUT= SRC=192.0.2.7 DST=198.51.100.9 LEN=52 TOS=0x00 "
     "PREC=0x00 TT",
     "tcp-invalid-new", 1, 1},
    {"nf_ct_proto_6: invalid new IN=eth0 OUT= SRC=192.0.2.7 DST=198.51", "tcp-invalid-new", 1, 1},
    {"nf_ct_proto_6: invalid new IN=eth0 OUT= SRC=192.0.2.7 DST=198.51.100.9 PROTO=TCP SPT=1 "
     "DPT=2 OPT (0204",
     "tcp-invalid-new", 1, 1},
};

static void test_reason_ends_where_fields_begin(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(reason_cases) / sizeof(reason_cases[0]); i++) {
		const struct reason_case *c = &reason_cases[i];
		struct logparse_event ev;
		int rc = logparse_line(c->line, strlen(c->line), &ev);

		if (rc != 0 || ev.kind != LOGPARSE_KIND_CT_INVALID)
			fail_msg("case %zu: rc %d kind %d", i, rc, rc ? 0 : ev.kind);
		if (strcmp(ev.reason->id, c->reason) != 0)
			fail_msg("case %zu: reason %s, want %s", i, ev.reason->id, c->reason);
		if (!!(ev.pkt.has & LOGPARSE_PKT_ADDRS) != c->has_fields ||
		    ev.truncated != c->truncated)
			fail_msg("case %zu: fields %#x truncated %d", i, ev.pkt.has, ev.truncated);
	}
}

static void test_numbers_still_parsed(void **state)
{
	struct logparse_event ev;
	const char *l = reason_cases[6].line;

	(void)state;
	assert_int_equal(logparse_line(l, strlen(l), &ev), 0);
	assert_true(ev.args.has & LOGPARSE_ARG_BYTES);
	assert_int_equal(ev.args.bytes, 3312);
	assert_int_equal(ev.pkt.dport, 443);
	assert_int_equal(ev.pkt.seq, 3735928559u);
	l = reason_cases[7].line;
	assert_int_equal(logparse_line(l, strlen(l), &ev), 0);
	assert_string_equal(ev.args.state, "ESTABLISHED");
	assert_int_equal(ev.verdict, LOGPARSE_VERDICT_ACCEPTED);
}

struct head_case {
	const char *line;
	enum logparse_format fmt;
	enum logparse_kind kind;
};

#define TF  "nf_conntrack: table full, dropping packet"
#define INV "nf_ct_proto_6: invalid new IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=40 PROTO=TCP"

/* Class 2: wrappers and heads. */
static const struct head_case head_cases[] = {
    {"kernel: " TF, LOGPARSE_FMT_KERNEL_TAG, LOGPARSE_KIND_TABLE_FULL},
    {"kernel: [ 81.000002] " INV, LOGPARSE_FMT_KERNEL_TAG, LOGPARSE_KIND_CT_INVALID},
    {"nf_conntrack: nf_conntrack: table full, dropping packet", LOGPARSE_FMT_BARE,
     LOGPARSE_KIND_TABLE_FULL},
    {"Nov 24 14:14:32 node7 kernel: nf_conntrack: nf_conntrack: table full, dropping packet",
     LOGPARSE_FMT_SYSLOG, LOGPARSE_KIND_TABLE_FULL},
    {"[00] " TF, LOGPARSE_FMT_BARE, LOGPARSE_KIND_TABLE_FULL},
    {"[00] [  402.118000] " INV, LOGPARSE_FMT_BARE, LOGPARSE_KIND_CT_INVALID},
    {"shipper-7 node7/kern kernel: " TF, LOGPARSE_FMT_BARE, LOGPARSE_KIND_TABLE_FULL},
    {TF, LOGPARSE_FMT_BARE, LOGPARSE_KIND_TABLE_FULL}, /* journalctl -o cat */
    {"[ 1234.567890] node7 kernel: " TF, LOGPARSE_FMT_MONOTONIC, LOGPARSE_KIND_TABLE_FULL},
    {"1795529672.123456 node7 kernel: " INV, LOGPARSE_FMT_UNIX, LOGPARSE_KIND_CT_INVALID},
    {"2026-11-24T14:14:32.123456789Z stderr F I1124 14:14:32.123456       1 conntrack.go:100] "
     "Setting nf_conntrack_max to 262144",
     LOGPARSE_FMT_CRI, LOGPARSE_KIND_OWNER},
    {"2026-11-24T14:14:32.5+00:00 stdout F Nov 24 14:14:32 node7 kernel: " TF, LOGPARSE_FMT_CRI,
     LOGPARSE_KIND_TABLE_FULL},
};

static void test_wrappers_and_heads(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(head_cases) / sizeof(head_cases[0]); i++) {
		const struct head_case *c = &head_cases[i];
		struct logparse_event ev;
		int rc = logparse_line(c->line, strlen(c->line), &ev);

		if (rc != 0 || ev.kind != c->kind || ev.format != c->fmt)
			fail_msg("case %zu: rc %d kind %d format %s", i, rc, rc ? 0 : ev.kind,
				 rc ? "" : logparse_format_name(ev.format));
	}
}

static void test_unix_and_cri_times(void **state)
{
	struct logparse_event ev;
	const char *l = head_cases[9].line;

	(void)state;
	assert_int_equal(logparse_line(l, strlen(l), &ev), 0);
	assert_true(ev.ts.flags & LOGPARSE_TS_UTC);
	assert_int_equal(ev.ts.epoch_sec, 1795529672LL);
	assert_int_equal(ev.ts.wall_usec, 123456);
	assert_int_equal(ev.ts.mon, 11);
	assert_int_equal(ev.ts.mday, 24);
	assert_int_equal(ev.ts.hour, 14);
	l = "2026-11-24T14:14:32.1Z stdout P " TF;
	assert_int_equal(logparse_line(l, strlen(l), &ev), -ENOENT); /* a container's, not kernel */
	l = "2026-11-24T14:14:32.1Z stdout P I1124 14:14:32.1 1 conntrack.go:1] Setting "
	    "nf_conntrack_max to 5";
	assert_int_equal(logparse_line(l, strlen(l), &ev), 0);
	assert_true(ev.truncated); /* a partial record */
}

static void test_records(void **state)
{
	struct logparse_origin kern = {LOGPARSE_FMT_JOURNAL_JSON, true, "kernel",
				       1795529672000001LL, false};
	struct logparse_origin app = {LOGPARSE_FMT_JOURNAL_JSON, false, "alertd", -1, false};
	struct logparse_origin kp = {LOGPARSE_FMT_JOURNAL_JSON, false, "kube-proxy", -1, false};
	struct logparse_origin dock = {LOGPARSE_FMT_DOCKER_JSON, false, NULL, -1, false};
	struct logparse_event ev;
	static const char owner[] = "I1124 14:14:32.000001    7 conntrack.go:120] \"Set sysctl\" "
				    "entry=\"net/netfilter/nf_conntrack_tcp_timeout_close_wait\" "
				    "value=3600\n";

	(void)state;
	assert_int_equal(logparse_record(TF, strlen(TF), &kern, &ev), 0);
	assert_int_equal(ev.kind, LOGPARSE_KIND_TABLE_FULL);
	assert_int_equal(ev.format, LOGPARSE_FMT_JOURNAL_JSON);
	assert_int_equal(ev.ts.epoch_sec, 1795529672LL);
	assert_int_equal(logparse_record(TF, strlen(TF), &app, &ev), -ENOENT);
	assert_int_equal(logparse_record(owner, strlen(owner), &kp, &ev), 0);
	assert_int_equal(ev.kind, LOGPARSE_KIND_OWNER);
	assert_string_equal(ev.knob, "net.netfilter.nf_conntrack_tcp_timeout_close_wait");
	assert_int_equal(ev.value, 3600);
	assert_int_equal(logparse_record(owner, strlen(owner), &dock, &ev), 0);
	assert_int_equal(ev.format, LOGPARSE_FMT_DOCKER_JSON);
	assert_string_equal(ev.owner, "kube-proxy");
}

/* Class 3: LOG prefixes as users write them, masked addresses. */
static void test_log_prefixes_and_masks(void **state)
{
	static const struct {
		const char *line, *prefix;
		int masked;
	} c[] = {
	    {"[BLOCKED - INVALID] IN=eth0 OUT= MAC= SRC=192.0.2.1 DST=192.0.2.2 LEN=40 PROTO=TCP",
	     "[BLOCKED - INVALID]", 0},
	    {"INVALID state -- DENY IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 LEN=40",
	     "INVALID state -- DENY", 0},
	    {"ct:inv:IN=ens3 OUT= SRC=192.0.2.1 DST=192.0.2.2 LEN=40", "ct:inv:", 0},
	    {"FW DROP IN=eth0 OUT= SRC=xxx.xxx.xxx.xxx DST=192.0.2.2 LEN=40 PROTO=UDP SPT=1 DPT=2",
	     "FW DROP", 1},
	    {"FW DROP IN=eth0 OUT= SRC=2001:db8:XXXX:XXXX::1 DST=2001:db8::2 LEN=40", "FW DROP", 1},
	    {"FW DROP IN=eth0 OUT= SRC=... DST=\xe2\x80\xa6 LEN=40 PROTO=TCP SPT=... DPT=22",
	     "FW DROP", 1},
	    {"[UFW BLOCK] SRC=192.0.2.1 DST=192.0.2.2 LEN=40 PROTO=TCP SPT=1 DPT=2", "[UFW BLOCK]",
	     0},
	};
	struct logparse_event ev;

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int rc = logparse_line(c[i].line, strlen(c[i].line), &ev);

		if (rc != 0 || ev.kind != LOGPARSE_KIND_LOG_RULE || strcmp(ev.text, c[i].prefix) ||
		    ev.pkt.is_masked != c[i].masked)
			fail_msg("case %zu: rc %d kind %d prefix '%s' masked %d", i, rc,
				 rc ? 0 : ev.kind, rc ? "" : ev.text, rc ? 0 : ev.pkt.is_masked);
	}
	assert_int_equal(ev.pkt.dport, 2);
}

/* Classes 5, 6, 7: table full per netns, owner and notice lines, look-alikes. */
static void test_kinds_and_lookalikes(void **state)
{
	static const struct {
		const char *line;
		int rc;
		enum logparse_kind kind;
	} c[] = {
	    {"kernel: nf_conntrack: nf_conntrack: table full in netns 4026532611, dropping packet",
	     0, LOGPARSE_KIND_TABLE_FULL},
	    {"Nov 24 14:14:32 node7 kube-proxy[812]: I1124 14:14:32.000100     812 "
	     "conntrack.go:52] Setting nf_conntrack_max to 524288",
	     0, LOGPARSE_KIND_OWNER},
	    {"I1124 14:14:32.000100       1 conntrack.go:100] \"Setting nf_conntrack_max\" "
	     "nfConntrackMax=131072",
	     0, LOGPARSE_KIND_OWNER},
	    {"I1124 14:14:32.000100 1 conntrack.go:83] Set sysctl "
	     "'net/netfilter/nf_conntrack_tcp_timeout_established' to 86400",
	     0, LOGPARSE_KIND_OWNER},
	    {"I1124 14:14:32.000100 1 proxier.go:83] Set sysctl 'net/ipv4/conf/all/route_localnet' "
	     "to 1",
	     -ENOENT, 0},
	    {"[ 3.1] nf_conntrack: default automatic helper assignment has been turned off for "
	     "security reasons and CT-based firewall rule not found.",
	     0, LOGPARSE_KIND_NOTICE},
	    {"[ 3.1] conntrack: generic helper won't handle protocol 47. Please consider loading the "
	     "specific helper module.",
	     0, LOGPARSE_KIND_NOTICE},
	    {"[ 3.1] nf_conntrack: 17 callbacks suppressed", 0, LOGPARSE_KIND_RATELIMIT},
	    {"[ 3.1] nf_ct_sip: dropping packet: cannot parse SDP message IN= OUT= SRC=10.0.0.1 "
	     "DST=10.0.0.2 LEN=400 PROTO=UDP SPT=5060 DPT=5060 LEN=380",
	     0, LOGPARSE_KIND_CT_INVALID},
	    /* look-alikes */
	    {"root@node7:~# dmesg | grep 'nf_conntrack: table full'", -ENOENT, 0},
	    {"alert: conntrack table full on node7 (98%)", -ENOENT, 0},
	    {"Nov 24 14:14:32 node7 haproxy[91]: connection table full, dropping", -ENOENT, 0},
	    {"[ 9.2] TCP: request_sock_TCP: Possible SYN flooding on port 80. Sending cookies.",
	     -ENOENT, 0},
	    {"[ 9.2] neighbour: arp_cache: neighbor table overflow!", -ENOENT, 0},
	    {"Nov 24 14:14:32 node7 alertd[3]: nf_conntrack: table full, dropping packet", -ENOENT,
	     0},
	};
	struct logparse_event ev;

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int rc = logparse_line(c[i].line, strlen(c[i].line), &ev);

		if (rc != c[i].rc || (rc == 0 && ev.kind != c[i].kind))
			fail_msg("case %zu: rc %d kind %d", i, rc, rc ? 0 : ev.kind);
	}
	assert_int_equal(logparse_line(c[0].line, strlen(c[0].line), &ev), 0);
	assert_true(ev.has_netns);
	assert_int_equal(ev.netns, 4026532611u);
	assert_int_equal(logparse_line(c[8].line, strlen(c[8].line), &ev), 0);
	assert_string_equal(ev.helper, "sip");
	assert_string_equal(ev.text, "cannot parse SDP message");
	assert_int_equal(logparse_line(c[1].line, strlen(c[1].line), &ev), 0);
	assert_string_equal(ev.knob, "net.netfilter.nf_conntrack_max");
	assert_int_equal(ev.value, 524288);
}

/* Property: every line gets exactly one kind, and a catalog reason after a
 * kernel tag is never unknown, whatever wrapper and field layout. */
static void test_property_reason_after_tag(void **state)
{
	static const char *const heads[] = {"", "kernel: ", "[ 5.5] ",
					    "Nov 24 14:14:32 h kernel: ", "[00] "};
	static const char *const tails[] = {"", " IN=eth0 OUT= " PKT4, " " PKT4 TCPF "SYN URGP=0",
					    " MAC= " PKT4};
	char line[512];

	(void)state;
	for (size_t i = 0; i < logparse_catalog_count(); i++) {
		const struct logparse_reason *r = logparse_catalog_at(i);

		assert_non_null(r);
		assert_non_null(logparse_catalog_find(r->id, strlen(r->id)));
	}
	for (size_t h = 0; h < sizeof(heads) / sizeof(heads[0]); h++) {
		for (size_t t = 0; t < sizeof(tails) / sizeof(tails[0]); t++) {
			struct logparse_event ev;
			int n = snprintf(line, sizeof(line), "%snf_ct_proto_6: invalid rst%s",
					 heads[h], tails[t]);

			assert_int_equal(logparse_line(line, (size_t)n, &ev), 0);
			if (ev.kind != LOGPARSE_KIND_CT_INVALID ||
			    strcmp(ev.reason->id, "tcp-invalid-rst") != 0)
				fail_msg("'%s': kind %d %s", line, ev.kind, ev.reason->id);
			assert_string_equal(logparse_kind_name(ev.kind), "ct_invalid");
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reason_ends_where_fields_begin),
	    cmocka_unit_test(test_numbers_still_parsed),
	    cmocka_unit_test(test_wrappers_and_heads),
	    cmocka_unit_test(test_unix_and_cri_times),
	    cmocka_unit_test(test_records),
	    cmocka_unit_test(test_log_prefixes_and_masks),
	    cmocka_unit_test(test_kinds_and_lookalikes),
	    cmocka_unit_test(test_property_reason_after_tag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
