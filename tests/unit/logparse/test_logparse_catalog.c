/* Catalog: every message of kernel-conntrack.md 1.4/1.6 (and peers.md 5.4),
 * in each wording generation, reaches the right id and verdict, both as an
 * NFLOG prefix and inside a dmesg line; numbers land in the event's args. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "../../../logparse/logparse.h"

#define D LOGPARSE_VERDICT_DROPPED_INVALID
#define A LOGPARSE_VERDICT_ACCEPTED

struct ct_case {
	const char *prefix; /* exactly as handed to the logger, trailing space included */
	const char *id;
	enum logparse_verdict verdict;
	uint8_t proto;
	uint32_t args_has;
};

static const struct ct_case cases[] = {
    /* TCP, 6.1+ wording */
    {"nf_ct_proto_6: truncated packet ", "tcp-truncated-packet", D, 6, 0},
    {"nf_ct_proto_6: bad checksum ", "tcp-bad-checksum", D, 6, 0},
    {"nf_ct_proto_6: invalid tcp flag combination ", "tcp-invalid-flags", D, 6, 0},
    {"nf_ct_proto_6: invalid new ", "tcp-invalid-new", D, 6, 0},
    {"nf_ct_proto_6: packet (index 1) in dir 1 ignored, state ESTABLISHED ",
     "tcp-packet-ignored-state", A, 6, LOGPARSE_ARG_INDEX | LOGPARSE_ARG_DIR | LOGPARSE_ARG_STATE},
    {"nf_ct_proto_6: packet (index 3) in dir 0 invalid, state SYN_SENT ",
     "tcp-packet-invalid-state", D, 6, LOGPARSE_ARG_INDEX | LOGPARSE_ARG_DIR | LOGPARSE_ARG_STATE},
    {"nf_ct_proto_6: challenge-ack ignored ", "tcp-challenge-ack-ignored", A, 6, 0},
    {"nf_ct_proto_6: invalid rst ", "tcp-invalid-rst", D, 6, 0},
    {"nf_ct_proto_6: 1448 bytes more than expected ", "tcp-bytes-more-than-expected", A, 6,
     LOGPARSE_ARG_BYTES},
    {"nf_ct_proto_6: SEQ is over upper bound 65242 (over the window of the receiver) ",
     "tcp-seq-over-upper-bound", D, 6, LOGPARSE_ARG_BOUND},
    {"nf_ct_proto_6: ACK is over upper bound 4294967295 (ACKed data not seen yet) ",
     "tcp-ack-over-upper-bound", D, 6, LOGPARSE_ARG_BOUND},
    {"nf_ct_proto_6: SEQ is under lower bound 1000 (already ACKed data retransmitted) ",
     "tcp-seq-under-lower-bound", A, 6, LOGPARSE_ARG_BOUND},
    {"nf_ct_proto_6: ignored ACK under lower bound 3000000000 (possible overly delayed) ",
     "tcp-ack-under-lower-bound", A, 6, LOGPARSE_ARG_BOUND},
    {"nf_ct_proto_6: packet (index 2, dir 1) response for index 4 lower timeout to 7500 ",
     "tcp-lower-timeout", D, 6,
     LOGPARSE_ARG_INDEX | LOGPARSE_ARG_DIR | LOGPARSE_ARG_RINDEX | LOGPARSE_ARG_TIMEOUT},
    /* TCP, nf_ct_proto_N without numbers (4.14 .. 6.0) */
    {"nf_ct_proto_6: short packet ", "tcp-short-packet", D, 6, 0},
    {"nf_ct_proto_6: SEQ is over the upper bound (over the window of the receiver) ",
     "tcp-seq-over-upper-bound", D, 6, 0},
    {"nf_ct_proto_6: SEQ is under the lower bound (already ACKed data retransmitted) ",
     "tcp-seq-under-lower-bound", D, 6, 0},
    {"nf_ct_proto_6: ACK is over the upper bound (ACKed data not seen yet) ",
     "tcp-ack-over-upper-bound", D, 6, 0},
    {"nf_ct_proto_6: ACK is under the lower bound (possible overly delayed ACK) ",
     "tcp-ack-under-lower-bound", D, 6, 0},
    {"nf_ct_proto_6: BUG ", "tcp-window-bug", D, 6, 0},
    {"nf_ct_proto_6: invalid packet ignored in state ESTABLISHED ", "tcp-packet-ignored-state", A,
     6, LOGPARSE_ARG_STATE},
    {"nf_ct_proto_6: invalid state ", "tcp-packet-invalid-state", D, 6, 0},
    /* TCP, nf_ct_tcp (<= 4.13) */
    {"nf_ct_tcp: short packet ", "tcp-short-packet", D, 6, 0},
    {"nf_ct_tcp: truncated/malformed packet ", "tcp-truncated-packet", D, 6, 0},
    {"nf_ct_tcp: bad TCP checksum ", "tcp-bad-checksum", D, 6, 0},
    {"nf_ct_tcp: invalid TCP flag combination ", "tcp-invalid-flags", D, 6, 0},
    {"nf_ct_tcp: invalid packet ignored ", "tcp-packet-ignored-state", A, 6, 0},
    {"nf_ct_tcp: invalid packet ignored in state SYN_RECV ", "tcp-packet-ignored-state", A, 6,
     LOGPARSE_ARG_STATE},
    {"nf_ct_tcp: invalid state ", "tcp-packet-invalid-state", D, 6, 0},
    {"nf_ct_tcp: invalid RST ", "tcp-invalid-rst", D, 6, 0},
    {"nf_ct_tcp: SEQ is over the upper bound (over the window of the receiver) ",
     "tcp-seq-over-upper-bound", D, 6, 0},
    {"nf_ct_tcp: SEQ is under the lower bound (already ACKed data retransmitted) ",
     "tcp-seq-under-lower-bound", D, 6, 0},
    {"nf_ct_tcp: ACK is over the upper bound (ACKed data not seen yet) ",
     "tcp-ack-over-upper-bound", D, 6, 0},
    {"nf_ct_tcp: ACK is under the lower bound (possible overly delayed ACK) ",
     "tcp-ack-under-lower-bound", D, 6, 0},
    /* UDP and UDP-Lite */
    {"nf_ct_proto_17: short packet ", "udp-short-packet", D, 17, 0},
    {"nf_ct_proto_17: truncated/malformed packet ", "udp-truncated-packet", D, 17, 0},
    {"nf_ct_proto_17: bad checksum ", "udp-bad-checksum", D, 17, 0},
    {"nf_ct_udp: short packet ", "udp-short-packet", D, 17, 0},
    {"nf_ct_udp: truncated/malformed packet ", "udp-truncated-packet", D, 17, 0},
    {"nf_ct_udp: bad checksum ", "udp-bad-checksum", D, 17, 0},
    {"nf_ct_proto_136: short packet ", "udplite-short-packet", D, 136, 0},
    {"nf_ct_proto_136: truncated/malformed packet ", "udplite-truncated-packet", D, 136, 0},
    {"nf_ct_proto_136: invalid checksum coverage ", "udplite-invalid-coverage", D, 136, 0},
    {"nf_ct_proto_136: checksum missing ", "udplite-checksum-missing", D, 136, 0},
    {"nf_ct_proto_136: bad checksum ", "udplite-bad-checksum", D, 136, 0},
    {"nf_ct_udplite: invalid checksum coverage ", "udplite-invalid-coverage", D, 136, 0},
    /* ICMP, ICMPv6 */
    {"nf_ct_proto_1: short packet ", "icmp-short-packet", D, 1, 0},
    {"nf_ct_proto_1: bad hw icmp checksum ", "icmp-bad-checksum", D, 1, 0},
    {"nf_ct_proto_1: invalid icmp type ", "icmp-invalid-type", D, 1, 0},
    {"nf_ct_proto_1: outer daddr 192.0.2.1 != inner 198.51.100.7 ", "icmp-outer-daddr-mismatch", D,
     1, LOGPARSE_ARG_ADDRS},
    {"nf_ct_icmp: short packet ", "icmp-short-packet", D, 1, 0},
    {"nf_ct_icmp: bad HW ICMP checksum ", "icmp-bad-checksum", D, 1, 0},
    {"nf_ct_icmp: invalid ICMP type ", "icmp-invalid-type", D, 1, 0},
    {"nf_ct_proto_58: short packet ", "icmpv6-short-packet", D, 58, 0},
    {"nf_ct_proto_58: ICMPv6 checksum failed ", "icmpv6-bad-checksum", D, 58, 0},
    {"nf_ct_proto_58: short redirect ", "icmpv6-short-redirect", D, 58, 0},
    {"nf_ct_proto_58: invalid saddr or hoplimit for redirect ", "icmpv6-redirect-bad-source", D, 58,
     0},
    {"nf_ct_proto_58: redirect without options ", "icmpv6-redirect-no-options", D, 58, 0},
    {"nf_ct_proto_58: outer daddr 2001:db8::1 != inner 2001:db8::2 ", "icmpv6-outer-daddr-mismatch",
     D, 58, LOGPARSE_ARG_ADDRS},
    {"nf_ct_icmpv6: ICMPv6 checksum failed ", "icmpv6-bad-checksum", D, 58, 0},
    /* SCTP: double prefix, two spaces, embedded newline */
    {"nf_ct_proto_132: nf_ct_sctp: short packet  ", "sctp-short-packet", D, 132, 0},
    {"nf_ct_proto_132: nf_ct_sctp: failed to read header  ", "sctp-header-unreadable", D, 132, 0},
    {"nf_ct_proto_132: nf_ct_sctp: bad CRC  ", "sctp-bad-crc", D, 132, 0},
    {"nf_ct_proto_132: do_basic_checks failed. chunk num 1, type 0, len 0 flag 1\n ",
     "sctp-bad-chunks", D, 132, LOGPARSE_ARG_CHUNK},
    {"nf_ct_proto_132: do_basic_checks failed. chunk num 2, type 10, len 4 flag 0\\x0a ",
     "sctp-bad-chunks", D, 132, LOGPARSE_ARG_CHUNK},
    {"nf_ct_proto_132: verification tag check failed 1a2b3c4d vs deadbeef for dir 1 ",
     "sctp-vtag-mismatch", D, 132, LOGPARSE_ARG_VTAG | LOGPARSE_ARG_DIR},
    {"nf_ct_proto_132: Invalid, old_state 3, dir 0, type 6 ", "sctp-invalid-state", D, 132,
     LOGPARSE_ARG_OLDST | LOGPARSE_ARG_DIR | LOGPARSE_ARG_CHUNK},
    /* DCCP (<= 6.16) */
    {"nf_ct_proto_33: nf_ct_dccp: truncated/malformed packet  ", "dccp-truncated-packet", D, 33, 0},
    {"nf_ct_proto_33: nf_ct_dccp: bad checksum coverage  ", "dccp-bad-checksum-coverage", D, 33, 0},
    {"nf_ct_proto_33: nf_ct_dccp: bad checksum  ", "dccp-bad-checksum", D, 33, 0},
    {"nf_ct_proto_33: nf_ct_dccp: reserved packet type  ", "dccp-reserved-packet-type", D, 33, 0},
    {"nf_ct_proto_33: not picking up existing connection  ", "dccp-no-pickup", D, 33, 0},
    {"nf_ct_proto_33: invalid state transition  ", "dccp-invalid-state-transition", D, 33, 0},
    {"nf_ct_proto_33: invalid state transition ", "dccp-invalid-state-transition", D, 33, 0},
    {"nf_ct_proto_33: invalid packet ", "dccp-packet-ignored", A, 33, 0},
    {"nf_ct_dccp: invalid packet ignored ", "dccp-packet-ignored", A, 33, 0},
    {"nf_ct_dccp: not picking up existing connection ", "dccp-no-pickup", D, 33, 0},
    {"nf_ct_dccp: bad checksum ", "dccp-bad-checksum", D, 33, 0},
    /* helpers, both wordings; unknown message keeps its text */
    {"nf_ct_ftp: dropping packet: partial EPSV response ", "helper-drop", D, 0, 0},
    {"helper sip dropping packet: cannot parse SDP message ", "helper-drop", D, 0, 0},
    /* H.323 helpers: names with a dot (nf_conntrack_h323_main.c), and a port suffix */
    {"nf_ct_Q.931: dropping packet: cannot process Q.931 message ", "helper-drop", D, 0, 0},
    {"nf_ct_H.245: dropping packet: cannot process H.245 message ", "helper-drop", D, 0, 0},
    {"nf_ct_RAS: dropping packet: cannot process RAS message ", "helper-drop", D, 0, 0},
    {"helper Q.931 dropping packet: cannot process Q.931 message ", "helper-drop", D, 0, 0},
    {"helper H.245 dropping packet: cannot process H.245 message ", "helper-drop", D, 0, 0},
    {"helper RAS dropping packet: cannot process RAS message ", "helper-drop", D, 0, 0},
    {"nf_ct_ftp-2121: dropping packet: partial 227 response ", "helper-drop", D, 0, 0},
    {"nf_ct_proto_6: a message from a future kernel ", "unknown", D, 6, 0},
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static const char tcp_fields[] =
    "IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=192.0.2.10 "
    "DST=198.51.100.1 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=54321 PROTO=TCP SPT=40000 DPT=443 "
    "SEQ=1 ACK=0 WINDOW=1024 RES=0x00 SYN FIN URGP=0 ";

static void check_case(size_t i, const struct logparse_event *ev)
{
	const struct ct_case *c = &cases[i];

	if (ev->kind != LOGPARSE_KIND_CT_INVALID || ev->reason == NULL ||
	    strcmp(ev->reason->id, c->id) != 0 || ev->verdict != c->verdict ||
	    ev->proto_num != c->proto || ev->args.has != c->args_has)
		fail_msg("case %zu '%s': got kind %d id %s verdict %d proto %u args %#x", i,
			 c->prefix, ev->kind, ev->reason ? ev->reason->id : "(null)", ev->verdict,
			 ev->proto_num, ev->args.has);
}

static void test_every_message_as_nflog_prefix(void **state)
{
	(void)state;
	for (size_t i = 0; i < NCASES; i++) {
		struct logparse_event ev;
		size_t len = strlen(cases[i].prefix) + 1; /* NFULA_PREFIX keeps the NUL */
		int rc = logparse_nflog(cases[i].prefix, len, NULL, 0, AF_INET, &ev);

		if (rc != 0)
			fail_msg("case %zu '%s': rc %d", i, cases[i].prefix, rc);
		check_case(i, &ev);
		assert_true(ev.pkt.is_truncated);
	}
}

static void test_every_message_in_dmesg_line(void **state)
{
	char line[512];

	(void)state;
	for (size_t i = 0; i < NCASES; i++) {
		struct logparse_event ev;
		int n = snprintf(line, sizeof(line), "[ 4711.000001] %s%s", cases[i].prefix,
				 tcp_fields);
		int rc = logparse_line(line, (size_t)n, &ev);

		if (rc != 0)
			fail_msg("case %zu '%s': rc %d", i, cases[i].prefix, rc);
		check_case(i, &ev);
		if (ev.pkt.sport != 40000 || ev.pkt.dport != 443 ||
		    ev.pkt.tcp_flags != (LOGPARSE_TCP_SYN | LOGPARSE_TCP_FIN) ||
		    strcmp(ev.pkt.in, "eth0") != 0 || ev.ts.mono_sec != 4711 ||
		    ev.ts.mono_usec != 1)
			fail_msg("case %zu: packet fields %u %u %#x '%s' %lld", i, ev.pkt.sport,
				 ev.pkt.dport, ev.pkt.tcp_flags, ev.pkt.in,
				 (long long)ev.ts.mono_sec);
	}
}

/* Every catalog entry is reachable from some kernel message above. */
static void test_catalog_complete_and_unique(void **state)
{
	(void)state;
	assert_true(logparse_catalog_count() > 40);
	assert_null(logparse_catalog_at(logparse_catalog_count()));
	for (size_t i = 0; i < logparse_catalog_count(); i++) {
		const struct logparse_reason *r = logparse_catalog_at(i);
		size_t hits = 0;

		assert_non_null(r);
		if (!r->meaning[0] || !r->causes[0] || !r->advice[0] ||
		    r->verdict == LOGPARSE_VERDICT_NONE)
			fail_msg("entry %zu %s: empty text or verdict", i, r->id);
		for (const char *p = r->id; *p; p++) {
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
				fail_msg("entry %zu id '%s' is not kebab-case", i, r->id);
		}
		for (size_t j = 0; j < logparse_catalog_count(); j++) {
			if (j != i && strcmp(logparse_catalog_at(j)->id, r->id) == 0)
				fail_msg("entry %zu id '%s' duplicated at %zu", i, r->id, j);
		}
		for (size_t c = 0; c < NCASES; c++)
			hits += strcmp(cases[c].id, r->id) == 0;
		if (hits == 0)
			fail_msg("entry %zu '%s' has no test message", i, r->id);
		assert_ptr_equal(logparse_catalog_find(r->id, strlen(r->id)), r);
	}
	assert_null(logparse_catalog_find("tcp-invalid", 11));
	assert_non_null(logparse_catalog_find("tcp-invalid-flagsXYZ", 17));
}

static void parse_prefix(const char *prefix, struct logparse_event *ev)
{
	assert_int_equal(logparse_nflog(prefix, strlen(prefix), NULL, 0, AF_INET6, ev), 0);
}

static void test_numbers_are_fields(void **state)
{
	struct logparse_event ev;
	uint8_t a4[4];

	(void)state;
	parse_prefix("nf_ct_proto_6: ACK is over upper bound 4294967295 (ACKed data not seen yet) ",
		     &ev);
	assert_int_equal(ev.args.bound, 4294967295u);
	parse_prefix("nf_ct_proto_6: packet (index 3) in dir 0 invalid, state SYN_SENT ", &ev);
	assert_int_equal(ev.args.index, 3);
	assert_int_equal(ev.args.dir, 0);
	assert_string_equal(ev.args.state, "SYN_SENT");
	parse_prefix("nf_ct_proto_6: packet (index 2, dir 1) response for index 4 lower timeout "
		     "to 7500 ",
		     &ev);
	assert_int_equal(ev.args.index, 2);
	assert_int_equal(ev.args.dir, 1);
	assert_int_equal(ev.args.resp_index, 4);
	assert_int_equal(ev.args.timeout_jiffies, 7500);
	parse_prefix("nf_ct_proto_6: 1448 bytes more than expected ", &ev);
	assert_int_equal(ev.args.bytes, 1448);
	parse_prefix(
	    "nf_ct_proto_132: do_basic_checks failed. chunk num 1, type 0, len 0 flag 1\n ", &ev);
	assert_int_equal(ev.args.chunk_num, 1);
	assert_int_equal(ev.args.chunk_type, 0);
	assert_int_equal(ev.args.chunk_len, 0);
	assert_int_equal(ev.args.chunk_flag, 1);
	parse_prefix(
	    "nf_ct_proto_132: verification tag check failed 1a2b3c4d vs deadbeef for dir 1 ", &ev);
	assert_int_equal(ev.args.vtag, 0x1a2b3c4du);
	assert_int_equal(ev.args.vtag_expected, 0xdeadbeefu);
	assert_int_equal(ev.args.dir, 1);
	parse_prefix("nf_ct_proto_132: Invalid, old_state 3, dir 0, type 6 ", &ev);
	assert_int_equal(ev.args.old_state, 3);
	assert_int_equal(ev.args.chunk_type, 6);
	parse_prefix("nf_ct_proto_1: outer daddr 192.0.2.1 != inner 198.51.100.7 ", &ev);
	assert_int_equal(ev.args.addr_family, AF_INET);
	inet_pton(AF_INET, "198.51.100.7", a4);
	assert_memory_equal(ev.args.inner, a4, 4);
	inet_pton(AF_INET, "192.0.2.1", a4);
	assert_memory_equal(ev.args.outer, a4, 4);
	parse_prefix("nf_ct_ftp: dropping packet: partial EPSV response ", &ev);
	assert_string_equal(ev.helper, "ftp");
	assert_string_equal(ev.text, "partial EPSV response");
	parse_prefix("nf_ct_proto_6: a message from a future kernel ", &ev);
	assert_string_equal(ev.text, "a message from a future kernel");
	parse_prefix("nf_ct_Q.931: dropping packet: cannot process Q.931 message ", &ev);
	assert_string_equal(ev.helper, "Q.931");
	assert_string_equal(ev.text, "cannot process Q.931 message");
	parse_prefix("helper H.245 dropping packet: cannot process H.245 message ", &ev);
	assert_string_equal(ev.helper, "H.245");
	assert_string_equal(ev.text, "cannot process H.245 message");
}

/* A helper name ends at the first byte outside [A-Za-z0-9_.-]: a NUL or a
 * blank inside it makes the line a LOG rule's, not a helper drop. */
static void test_helper_name_bytes(void **state)
{
	static const char line[] = "nf_ct_f\0tp: dropping packet: x IN=eth0 OUT= SRC=192.0.2.1 "
				   "DST=192.0.2.2 LEN=40 PROTO=TCP SPT=1 DPT=2 ";
	static const char dmesg[] = "[ 9.000000] nf_ct_H.245: dropping packet: cannot process "
				    "H.245 message IN= OUT= SRC=192.0.2.1 DST=192.0.2.2 LEN=40 "
				    "PROTO=TCP SPT=1720 DPT=2 ";
	struct logparse_event ev;

	(void)state;
	assert_int_equal(logparse_line(line, sizeof(line) - 1, &ev), 0);
	assert_int_equal(ev.kind, LOGPARSE_KIND_LOG_RULE);
	assert_int_equal(logparse_line(dmesg, sizeof(dmesg) - 1, &ev), 0);
	assert_int_equal(ev.kind, LOGPARSE_KIND_CT_INVALID);
	assert_string_equal(ev.reason->id, "helper-drop");
	assert_string_equal(ev.helper, "H.245");
	assert_int_equal(ev.pkt.sport, 1720);
}

static void test_malformed_reports(void **state)
{
	static const char *const bad[] = {
	    "nf_ct_proto_6: packet (index x) in dir 0 invalid, state SYN_SENT ",
	    "nf_ct_proto_6: SEQ is over upper bound 4294967296 (over the window of the receiver) ",
	    "nf_ct_proto_256: invalid new ",
	    "nf_ct_proto_: invalid new ",
	    "nf_ct_proto_6 invalid new ",
	    "nf_ct_proto_1: outer daddr 300.1.1.1 != inner 1.2.3.4 ",
	    "nf_ct_proto_132: verification tag check failed zz vs 1 for dir 1 ",
	};
	struct logparse_event ev;
	char line[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int n = snprintf(line, sizeof(line), "[ 1.000000] %sIN=eth0 OUT= ", bad[i]);

		ev.kind = 0;
		if (logparse_line(line, (size_t)n, &ev) != -EINVAL)
			fail_msg("case %zu '%s' not -EINVAL", i, bad[i]);
		assert_int_equal(ev.kind, 0); /* untouched on error */
		if (logparse_nflog(bad[i], strlen(bad[i]), NULL, 0, AF_INET, &ev) != -EINVAL)
			fail_msg("nflog case %zu '%s' not -EINVAL", i, bad[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_message_as_nflog_prefix),
	    cmocka_unit_test(test_every_message_in_dmesg_line),
	    cmocka_unit_test(test_catalog_complete_and_unique),
	    cmocka_unit_test(test_numbers_are_fields),
	    cmocka_unit_test(test_malformed_reports),
	    cmocka_unit_test(test_helper_name_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
