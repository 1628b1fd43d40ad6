/* logparse_nflog(): hand-built IPv4/IPv6 packets with TCP, UDP, ICMP, ICMPv6
 * and IPv6 extension headers; each is also cut at every length into an
 * exact-size heap buffer (no over-read, truncated flag set). */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "../../../logparse/logparse.h"

static const char pfx_flags[] = "nf_ct_proto_6: invalid tcp flag combination ";

/* IPv4 20 + TCP 20: 192.0.2.10:40000 -> 198.51.100.1:443, SYN FIN, DF, TTL 64. */
static const uint8_t v4_tcp[] = {
    0x45, 0x00, 0x00, 0x28, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00, 192,  0,
    2,    10,   198,  51,   100,  1,    0x9c, 0x40, 0x01, 0xbb, 0x00, 0x00, 0x00, 0x07,
    0x00, 0x00, 0x00, 0x09, 0x50, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* IPv4 with 4 bytes of options (IHL 6) + UDP 8: 10.0.0.1:53 -> 10.0.0.2:5353. */
static const uint8_t v4_opt_udp[] = {
    0x46, 0x00, 0x00, 0x24, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00, 10,   0,    0,    1,
    10,   0,    0,    2,    0x01, 0x01, 0x00, 0x00, 0x00, 0x35, 0x14, 0xe9, 0x00, 0x08, 0x00, 0x00,
};

/* IPv4 + ICMP echo request. */
static const uint8_t v4_icmp[] = {
    0x45, 0x00, 0x00, 0x1c, 0x00, 0x02, 0x00, 0x00, 0x40, 0x01, 0x00, 0x00, 10,   0,
    0,    1,    10,   0,    0,    3,    8,    0,    0x00, 0x00, 0x00, 0x01, 0x00, 0x01,
};

/* IPv6 (tc 0xb8, flow 0x12345) + hop-by-hop 8 + fragment (offset 0) + TCP 20, 2001:db8::1:1234 ->
 * 2001:db8::2:80, RST ACK. */
static const uint8_t v6_ext_tcp[] = {
    0x6b,
    0x81,
    0x23,
    0x45,
    0x00,
    0x24,
    0x00,
    0x40,
    0x20,
    0x01,
    0x0d,
    0xb8,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    1,
    0x20,
    0x01,
    0x0d,
    0xb8,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    2,
    /* hop-by-hop: next 44, len 0, PadN */
    44,
    0,
    1,
    4,
    0,
    0,
    0,
    0,
    /* fragment: next 6, offset 0, M=1 */
    6,
    0,
    0x00,
    0x01,
    0,
    0,
    0,
    1,
    /* TCP */
    0x04,
    0xd2,
    0x00,
    0x50,
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    2,
    0x50,
    0x14,
    0x00,
    0x10,
    0,
    0,
    0,
    0,
};

/* IPv6 + ICMPv6 echo request (type 128). */
static const uint8_t v6_icmp6[] = {
    0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 58, 255, 0xfe, 0x80, 0,    0,    0, 0, 0, 0,
    0,    0,    0,    0,    0,    0,    0,  1,   0xff, 0x02, 0x00, 0x00, 0, 0, 0, 0,
    0,    0,    0,    0,    0,    0,    0,  1,   128,  0,    0,    0,    0, 1, 0, 1,
};

/* IPv6 (flow 0xabcde, hop limit 63) + UDP 8: [2001:db8::5]:5353 ->
 * [2001:db8::1]:53, UDP length 8. */
static const uint8_t v6_udp[] = {
    0x60, 0x0a, 0xbc, 0xde, 0x00, 0x08, 17, 63, 0x20, 0x01, 0x0d, 0xb8, 0,    0,    0,    0,
    0,    0,    0,    0,    0,    0,    0,  5,  0x20, 0x01, 0x0d, 0xb8, 0,    0,    0,    0,
    0,    0,    0,    0,    0,    0,    0,  1,  0x14, 0xe9, 0x00, 0x35, 0x00, 0x08, 0x12, 0x34,
};

struct pkt_case {
	const char *prefix;
	const uint8_t *pkt;
	size_t len;
	uint8_t family;
	uint8_t proto;
	uint16_t sport, dport;
	uint8_t tcp_flags;
	uint32_t has;
};

#define ALL_TCP                                                                                    \
	(LOGPARSE_PKT_ADDRS | LOGPARSE_PKT_PROTO | LOGPARSE_PKT_IP | LOGPARSE_PKT_PORTS |          \
	 LOGPARSE_PKT_TCP)

static const struct pkt_case cases[] = {
    {pfx_flags, v4_tcp, sizeof(v4_tcp), AF_INET, 6, 40000, 443, LOGPARSE_TCP_SYN | LOGPARSE_TCP_FIN,
     ALL_TCP},
    {"nf_ct_proto_17: bad checksum ", v4_opt_udp, sizeof(v4_opt_udp), AF_INET, 17, 53, 5353, 0,
     LOGPARSE_PKT_ADDRS | LOGPARSE_PKT_PROTO | LOGPARSE_PKT_IP | LOGPARSE_PKT_PORTS},
    {"nf_ct_proto_1: invalid icmp type ", v4_icmp, sizeof(v4_icmp), AF_INET, 1, 0, 0, 0,
     LOGPARSE_PKT_ADDRS | LOGPARSE_PKT_PROTO | LOGPARSE_PKT_IP | LOGPARSE_PKT_ICMP},
    {"nf_ct_proto_6: invalid rst ", v6_ext_tcp, sizeof(v6_ext_tcp), AF_INET6, 6, 1234, 80,
     LOGPARSE_TCP_RST | LOGPARSE_TCP_ACK, ALL_TCP},
    {"nf_ct_proto_58: ICMPv6 checksum failed ", v6_icmp6, sizeof(v6_icmp6), AF_INET6, 58, 0, 0, 0,
     LOGPARSE_PKT_ADDRS | LOGPARSE_PKT_PROTO | LOGPARSE_PKT_IP | LOGPARSE_PKT_ICMP},
    {"nf_ct_proto_17: bad checksum ", v6_udp, sizeof(v6_udp), AF_INET6, 17, 5353, 53, 0,
     LOGPARSE_PKT_ADDRS | LOGPARSE_PKT_PROTO | LOGPARSE_PKT_IP | LOGPARSE_PKT_PORTS},
};

static void test_decode_packets(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pkt_case *c = &cases[i];
		struct logparse_event ev;
		int rc =
		    logparse_nflog(c->prefix, strlen(c->prefix), c->pkt, c->len, c->family, &ev);

		if (rc || ev.kind != LOGPARSE_KIND_CT_INVALID || ev.pkt.family != c->family ||
		    ev.pkt.proto != c->proto || ev.pkt.sport != c->sport ||
		    ev.pkt.dport != c->dport || ev.pkt.tcp_flags != c->tcp_flags ||
		    ev.pkt.has != c->has || ev.pkt.is_truncated || ev.pkt.is_bad_header)
			fail_msg("case %zu: rc %d fam %u proto %u %u>%u flags %#x has %#x trunc %d",
				 i, rc, ev.pkt.family, ev.pkt.proto, ev.pkt.sport, ev.pkt.dport,
				 ev.pkt.tcp_flags, ev.pkt.has, ev.pkt.is_truncated);
	}
}

static void test_decode_fields(void **state)
{
	struct logparse_event ev;
	uint8_t a[16];

	(void)state;
	assert_int_equal(
	    logparse_nflog(pfx_flags, sizeof(pfx_flags), v4_tcp, sizeof(v4_tcp), AF_INET, &ev), 0);
	assert_string_equal(ev.reason->id, "tcp-invalid-flags");
	inet_pton(AF_INET, "192.0.2.10", a);
	assert_memory_equal(ev.pkt.src, a, 4);
	assert_int_equal(ev.pkt.ttl, 64);
	assert_int_equal(ev.pkt.ip_id, 0x1234);
	assert_int_equal(ev.pkt.len, 40);
	assert_true(ev.pkt.is_df);
	assert_int_equal(ev.pkt.seq, 7);
	assert_int_equal(ev.pkt.ack, 9);
	assert_int_equal(ev.pkt.window, 0x0400);
	assert_int_equal(logparse_nflog("x", 1, v6_ext_tcp, sizeof(v6_ext_tcp), AF_INET6, &ev), 0);
	assert_int_equal(ev.kind, LOGPARSE_KIND_LOG_RULE);
	assert_string_equal(ev.text, "x");
	inet_pton(AF_INET6, "2001:db8::2", a);
	assert_memory_equal(ev.pkt.dst, a, 16);
	assert_int_equal(ev.pkt.tos, 0xb8);
	assert_int_equal(ev.pkt.flowlbl, 0x12345);
	assert_int_equal(ev.pkt.ttl, 64);
	assert_int_equal(ev.pkt.icmp_type, 0);
	assert_int_equal(logparse_nflog("nf_ct_proto_17: bad checksum ", 30, v6_udp, sizeof(v6_udp),
					AF_INET6, &ev),
			 0);
	assert_string_equal(ev.reason->id, "udp-bad-checksum");
	assert_int_equal(ev.proto_num, 17);
	inet_pton(AF_INET6, "2001:db8::5", a);
	assert_memory_equal(ev.pkt.src, a, 16);
	inet_pton(AF_INET6, "2001:db8::1", a);
	assert_memory_equal(ev.pkt.dst, a, 16);
	assert_int_equal(ev.pkt.len, 48); /* payload length 8 + the 40-byte header */
	assert_int_equal(ev.pkt.ttl, 63);
	assert_int_equal(ev.pkt.flowlbl, 0xabcde);
	assert_int_equal(ev.pkt.tos, 0);
	assert_false(ev.pkt.has & LOGPARSE_PKT_TCP);
	assert_int_equal(logparse_nflog(NULL, 0, v6_icmp6, sizeof(v6_icmp6), AF_INET6, &ev), 0);
	assert_int_equal(ev.pkt.icmp_type, 128);
	assert_string_equal(ev.text, "");
}

static void test_bad_input(void **state)
{
	struct logparse_event ev;
	uint8_t pkt[sizeof(v4_tcp)];

	(void)state;
	assert_int_equal(logparse_nflog(pfx_flags, 3, v4_tcp, sizeof(v4_tcp), 7, &ev), -EINVAL);
	assert_int_equal(logparse_nflog(NULL, 3, v4_tcp, sizeof(v4_tcp), AF_INET, &ev), -EINVAL);
	assert_int_equal(logparse_nflog(pfx_flags, 3, NULL, 3, AF_INET, &ev), -EINVAL);
	assert_int_equal(logparse_nflog(pfx_flags, 3, v4_tcp, 3, AF_INET, NULL), -EINVAL);
	memcpy(pkt, v4_tcp, sizeof(pkt));
	pkt[0] = 0x65; /* version 6 in an AF_INET packet */
	assert_int_equal(
	    logparse_nflog(pfx_flags, sizeof(pfx_flags), pkt, sizeof(pkt), AF_INET, &ev), 0);
	assert_true(ev.pkt.is_bad_header);
	assert_int_equal(ev.pkt.has, 0);
	pkt[0] = 0x44; /* IHL below 5 */
	assert_int_equal(
	    logparse_nflog(pfx_flags, sizeof(pfx_flags), pkt, sizeof(pkt), AF_INET, &ev), 0);
	assert_true(ev.pkt.is_bad_header);
	memcpy(pkt, v4_tcp, sizeof(pkt));
	pkt[6] = 0x00;
	pkt[7] = 0x10; /* a later fragment: no ports, not truncated */
	assert_int_equal(
	    logparse_nflog(pfx_flags, sizeof(pfx_flags), pkt, sizeof(pkt), AF_INET, &ev), 0);
	assert_false(ev.pkt.has & LOGPARSE_PKT_PORTS);
	assert_false(ev.pkt.is_truncated);
}

/* Cut each packet at every length: never an over-read, always flagged. */
static void test_truncated_every_length(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pkt_case *c = &cases[i];

		for (size_t cut = 0; cut < c->len; cut++) {
			uint8_t *buf = malloc(cut ? cut : 1);
			struct logparse_event ev;
			int rc;

			assert_non_null(buf);
			memcpy(buf, c->pkt, cut);
			rc = logparse_nflog(c->prefix, strlen(c->prefix), buf, cut, c->family, &ev);
			if (rc != 0 || !ev.pkt.is_truncated || ev.kind != LOGPARSE_KIND_CT_INVALID)
				fail_msg("case %zu cut %zu: rc %d truncated %d", i, cut, rc,
					 ev.pkt.is_truncated);
			free(buf);
		}
	}
}

/* The prefix is cut too (NF_LOG_PREFIXLEN truncation or a short attribute). */
static void test_prefix_every_length(void **state)
{
	static const char p[] = "nf_ct_proto_132: verification tag check failed 1 vs 2 for dir 1 ";

	(void)state;
	for (size_t cut = 0; cut <= sizeof(p) - 1; cut++) {
		char *buf = malloc(cut ? cut : 1);
		struct logparse_event ev;
		int rc;

		assert_non_null(buf);
		memcpy(buf, p, cut);
		rc = logparse_nflog(buf, cut, v4_tcp, sizeof(v4_tcp), AF_INET, &ev);
		if (rc != 0 && rc != -EINVAL)
			fail_msg("cut %zu: rc %d", cut, rc);
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode_packets),
	    cmocka_unit_test(test_decode_fields),
	    cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_truncated_every_length),
	    cmocka_unit_test(test_prefix_every_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
