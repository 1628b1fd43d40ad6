/* test_nl_ct_decode.c: the one ctnetlink entry decoder, nl_ct_entry_decode(),
 * on built messages (ct_msgs.c, ev_msgs.c and NAT'd ones built here): IPv4
 * and IPv6, TCP, UDP and ICMP, a reply tuple that differs from the
 * original, zone, mark, a DESTROY event; missing attributes; wrong sizes of
 * attributes only some views used to read; cuts at every length in heap
 * blocks of exactly that size (ASan sees a read past the message). Then
 * that its four views (walk, NAT, flush, events) agree with it and accept
 * and refuse the same messages. */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "../../../nl/flush_nl.h"
#include "../../../nl/nl_ct.h"
#include "../../../nl/nl_ct_decode.h"
#include "../../../nl/nl_events.h"
/* ev_msgs.h brings the kernel's IPS_* enum, which ct_msgs.h's bit macros
 * would rename: it comes first. */
#include "ev_msgs.h"
#include "ct_msgs.h"

static void assert_addr(const uint8_t *got, int family, const char *text)
{
	uint8_t want[16] = {0};

	assert_int_equal(inet_pton(family, text, want), 1);
	assert_memory_equal(got, want, 16);
}

/* A tuple for the NAT'd messages built here: ICMP puts its id, others
 * their ports; bad_len gives the attribute of type bad_type that size. */
struct spec {
	const char *src, *dst;
	uint8_t proto;
	uint16_t sport, dport; /* sport is the ICMP id for ICMP */
	uint16_t bad_type, bad_len;
	bool bad_in_ip; /* bad_type is a CTA_IP_* type, else a CTA_PROTO_* one */
};

static void put_u16_or_bad(struct nlmsghdr *nlh, const struct spec *t, uint16_t type, uint16_t v)
{
	static const uint8_t junk[8] = {0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee};
	uint16_t be = htons(v);

	if (!t->bad_in_ip && t->bad_type == type)
		mnl_attr_put(nlh, type, t->bad_len, junk);
	else
		mnl_attr_put(nlh, type, sizeof(be), &be);
}

static void put_spec(struct nlmsghdr *nlh, uint16_t type, const struct spec *t)
{
	struct nlattr *tup = mnl_attr_nest_start(nlh, type), *n;
	uint32_t a;

	n = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	assert_int_equal(inet_pton(AF_INET, t->src, &a), 1);
	mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, a);
	assert_int_equal(inet_pton(AF_INET, t->dst, &a), 1);
	if (t->bad_in_ip && t->bad_type == CTA_IP_V4_DST) {
		uint8_t wide[16] = {0}; /* a bad length of up to 16 bytes */

		memcpy(wide, &a, sizeof(a));
		mnl_attr_put(nlh, CTA_IP_V4_DST, t->bad_len, wide);
	} else {
		mnl_attr_put_u32(nlh, CTA_IP_V4_DST, a);
	}
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, t->proto);
	if (t->proto == IPPROTO_ICMP) {
		put_u16_or_bad(nlh, t, CTA_PROTO_ICMP_ID, t->sport);
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_TYPE, 8);
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_CODE, 0);
	} else {
		put_u16_or_bad(nlh, t, CTA_PROTO_SRC_PORT, t->sport);
		put_u16_or_bad(nlh, t, CTA_PROTO_DST_PORT, t->dport);
	}
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, tup);
}

/* A source-NAT'd flow: 10.1.0.1 -> 198.51.100.1 leaves as 192.0.2.1. */
static struct nlmsghdr *build_nat(char *buf, uint8_t proto, const struct spec *bad)
{
	struct spec orig = {"10.1.0.1", "198.51.100.1", proto, 51000, 443, 0, 0, false};
	struct spec reply = {"198.51.100.1", "192.0.2.1", proto, 443, 40003, 0, 0, false};
	struct nlmsghdr *nlh = put_header(buf, AF_INET, IPCTNL_MSG_CT_NEW);

	if (proto == IPPROTO_ICMP) {
		orig.sport = 77;
		reply.sport = 1234;
	}
	if (bad != NULL) {
		reply.bad_type = bad->bad_type;
		reply.bad_len = bad->bad_len;
		reply.bad_in_ip = bad->bad_in_ip;
	}
	put_spec(nlh, CTA_TUPLE_ORIG, &orig);
	put_spec(nlh, CTA_TUPLE_REPLY, &reply);
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(IPS_SEEN_REPLY_BIT | (1u << 4) /* SRC_NAT */));
	mnl_attr_put_u32(nlh, CTA_MARK, htonl(0x42));
	mnl_attr_put_u16(nlh, CTA_ZONE, htons(7));
	mnl_attr_put_u32(nlh, CTA_ID, htonl(0xdeadbeef));
	return nlh;
}

static void test_v4_tcp(void **state)
{
	char buf[BUF_SIZE] = {0};
	struct nlmsghdr *nlh = build_v4_tcp(buf);
	const struct nlattr *first = mnl_nlmsg_get_payload_offset(nlh, sizeof(struct nfgenmsg));
	struct ct_entry e;

	(void)state;
	assert_int_equal(nl_ct_entry_decode(nlh, &e), 0);
	assert_int_equal(e.family, AF_INET);
	assert_false(e.is_destroy);
	assert_false(e.is_create); /* a dump entry: NLM_F_MULTI only */
	assert_true(e.has_orig && e.has_reply);
	assert_addr(e.orig.src, AF_INET, "10.1.2.3");
	assert_addr(e.orig.dst, AF_INET, "10.9.8.7");
	assert_addr(e.reply.src, AF_INET, "10.9.8.7");
	assert_addr(e.reply.dst, AF_INET, "10.1.2.3");
	assert_int_equal(e.orig.proto, IPPROTO_TCP);
	assert_int_equal(e.orig.sport, 40000);
	assert_int_equal(e.orig.dport, 443);
	assert_int_equal(e.reply.sport, 443);
	assert_int_equal(e.reply.dport, 40000);
	assert_false(e.orig.has_icmp_id);
	assert_true(e.has_status && e.has_timeout && e.has_mark && e.has_id);
	assert_false(e.has_zone);
	assert_int_equal(e.status, IPS_SEEN_REPLY_BIT | IPS_ASSURED_BIT | 8);
	assert_int_equal(e.timeout_s, 431990);
	assert_int_equal(e.mark, 0);
	assert_int_equal(e.id, 12345);
	assert_int_equal(e.tcp_state, 3);
	assert_true(e.has_counters && e.has_acct);
	assert_int_equal(e.packets, 18);
	assert_int_equal(e.bytes, 10500);
	assert_true(e.has_tstamp && e.has_start);
	assert_false(e.has_stop);
	assert_int_equal(e.start_ns, 1700000000000000000ull);
	/* The original tuple as sent: the first attribute, borrowed. */
	assert_ptr_equal(e.orig_raw, first);
	assert_int_equal(e.orig_raw_len, first->nla_len);
}

static void test_v6_udp_zone_mark(void **state)
{
	char buf[BUF_SIZE] = {0};
	struct ct_entry e;

	(void)state;
	assert_int_equal(nl_ct_entry_decode(build_v6_udp(buf), &e), 0);
	assert_int_equal(e.family, AF_INET6);
	assert_addr(e.orig.src, AF_INET6, "fd00::1");
	assert_addr(e.orig.dst, AF_INET6, "fd00::53");
	assert_addr(e.reply.src, AF_INET6, "fd00::53");
	assert_int_equal(e.orig.proto, IPPROTO_UDP);
	assert_int_equal(e.orig.dport, 53);
	assert_true(e.has_zone && e.has_mark);
	assert_int_equal(e.zone, 5);
	assert_int_equal(e.mark, 0xbeef);
	assert_int_equal(e.tcp_state, -1);
	assert_false(e.has_counters || e.has_acct || e.has_tstamp || e.has_id);
}

/* NAT'd: the reply tuple is not the original reversed. */
static void test_nat_reply_differs(void **state)
{
	char buf[BUF_SIZE] = {0};
	struct ct_entry e;

	(void)state;
	assert_int_equal(nl_ct_entry_decode(build_nat(buf, IPPROTO_TCP, NULL), &e), 0);
	assert_addr(e.orig.src, AF_INET, "10.1.0.1");
	assert_addr(e.reply.dst, AF_INET, "192.0.2.1"); /* the NAT address */
	assert_int_equal(e.orig.sport, 51000);
	assert_int_equal(e.reply.dport, 40003); /* the NAT port */
	assert_int_equal(e.zone, 7);
	assert_int_equal(e.mark, 0x42);
	assert_int_equal(e.tcp_state, -1); /* no protoinfo sent */
	assert_int_equal(nl_ct_entry_decode(build_nat(buf, IPPROTO_ICMP, NULL), &e), 0);
	assert_int_equal(e.orig.proto, IPPROTO_ICMP);
	assert_true(e.orig.has_icmp_id && e.reply.has_icmp_id);
	assert_int_equal(e.orig.icmp_id, 77);
	assert_int_equal(e.reply.icmp_id, 1234);
	assert_false(e.orig.has_sport || e.orig.has_dport);
}

static void test_destroy_event(void **state)
{
	uint8_t buf[1024] __attribute__((aligned(4))) = {0};
	struct ev ev = ev_destroy(IPPROTO_UDP, 7, ST_ASSURED, NO_TCP_STATE);
	struct ct_entry e;

	(void)state;
	ev.start_ns = 5000000000ull;
	ev.stop_ns = 185250000000ull;
	ev.ts_pad = 1;
	assert_int_equal(nl_ct_entry_decode(put_event(buf, &ev), &e), 0);
	assert_true(e.is_destroy);
	assert_true(e.has_start && e.has_stop);
	assert_int_equal(e.start_ns, 5000000000ull);
	assert_int_equal(e.stop_ns, 185250000000ull);
	assert_int_equal(e.id, 7);
	ev = ev_new(IPPROTO_TCP, 9, 1);
	assert_int_equal(nl_ct_entry_decode(put_event(buf, &ev), &e), 0);
	assert_false(e.is_destroy);
	assert_true(e.is_create);
	assert_int_equal(e.tcp_state, 1);
}

/* Only the headers: a message with nothing in it decodes to nothing; the
 * dump's views refuse it (no original tuple), the event view takes it. */
static void test_missing_attributes(void **state)
{
	char buf[BUF_SIZE] = {0};
	struct nlmsghdr *nlh = put_header(buf, AF_INET, IPCTNL_MSG_CT_NEW);
	struct ct_entry e;
	struct walk_entry w;
	struct nat_entry n;
	struct flush_entry f;
	struct nl_events_msg m;

	(void)state;
	assert_int_equal(nl_ct_entry_decode(nlh, &e), 0);
	assert_false(e.has_orig || e.has_reply || e.has_status || e.has_mark || e.has_zone ||
		     e.has_timeout || e.has_id || e.has_counters || e.has_tstamp);
	assert_null(e.orig_raw);
	assert_int_equal(e.tcp_state, -1);
	assert_int_equal(nl_ct_decode(nlh, &w), -EBADMSG);
	assert_int_equal(nl_ct_decode_nat(nlh, &n), -EBADMSG);
	assert_int_equal(flush_decode(nlh, &f), -EBADMSG);
	assert_int_equal(nl_events_decode(nlh, &m), 0);
	assert_false(m.has_id || m.has_status || m.has_tcp_state);
}

static void test_not_an_entry(void **state)
{
	char buf[BUF_SIZE] = {0};
	struct nlmsghdr *nlh = put_header(buf, AF_UNSPEC, IPCTNL_MSG_CT_GET_STATS);
	struct ct_entry e;

	(void)state;
	assert_int_equal(nl_ct_entry_decode(nlh, &e), -ENOENT);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK_EXP << 8) | IPCTNL_MSG_EXP_NEW;
	assert_int_equal(nl_ct_entry_decode(nlh, &e), -ENOENT);
	nlh->nlmsg_type = NLMSG_DONE;
	assert_int_equal(nl_ct_entry_decode(nlh, &e), -ENOENT);
	nlh = build_v4_tcp(buf);
	nlh->nlmsg_len = NLMSG_HDRLEN + 3; /* inside the nfgenmsg */
	assert_int_equal(nl_ct_entry_decode(nlh, &e), -EBADMSG);
}

/* The four views of one message: each accepts it or refuses it with the
 * decoder, and what each keeps is what the decoder read. */
static void views_agree(const struct nlmsghdr *nlh, int want)
{
	struct ct_entry e;
	struct walk_entry w;
	struct nat_entry n;
	struct flush_entry f;
	struct nl_events_msg m;

	assert_int_equal(nl_ct_entry_decode(nlh, &e), want);
	assert_int_equal(nl_ct_decode(nlh, &w), want);
	assert_int_equal(nl_ct_decode_nat(nlh, &n), want);
	assert_int_equal(flush_decode(nlh, &f), want);
	assert_int_equal(nl_events_decode(nlh, &m), want);
	if (want < 0)
		return;
	assert_memory_equal(w.src, e.orig.src, 16);
	assert_int_equal(w.status, e.status);
	assert_int_equal(w.packets, e.packets);
	assert_memory_equal(n.client, e.orig.src, 16);
	assert_memory_equal(n.nat_addr, e.reply.dst, 16);
	assert_memory_equal(n.dst, e.reply.src, 16);
	assert_int_equal(n.zone, e.zone);
	assert_memory_equal(f.rdst, e.reply.dst, 16);
	assert_int_equal(f.mark, e.mark);
	assert_int_equal(f.id, e.id);
	assert_int_equal(f.tuple_len, e.orig_raw_len);
	assert_memory_equal(f.tuple, e.orig_raw, f.tuple_len);
	assert_int_equal(m.id, e.id);
	assert_int_equal(m.proto, e.orig.proto);
	assert_int_equal(m.status, e.status);
}

static void test_views_agree(void **state)
{
	char buf[BUF_SIZE] = {0};

	(void)state;
	views_agree(build_v4_tcp(buf), 0);
	views_agree(build_v6_udp(buf), 0);
	views_agree(build_nat(buf, IPPROTO_TCP, NULL), 0);
	views_agree(build_nat(buf, IPPROTO_ICMP, NULL), 0);
	views_agree(build_unknown_attr(buf), 0);
}

/* Attributes of the reply tuple the walk never kept, or only NAT and flush
 * read, one size wrong: every view refuses the message alike. */
static void test_wrong_sizes_everywhere(void **state)
{
	static const struct spec bad[] = {
	    {.bad_type = CTA_IP_V4_DST, .bad_len = 2, .bad_in_ip = true},
	    {.bad_type = CTA_IP_V4_DST, .bad_len = 16, .bad_in_ip = true},
	    {.bad_type = CTA_PROTO_SRC_PORT, .bad_len = 1},
	    {.bad_type = CTA_PROTO_DST_PORT, .bad_len = 4},
	    {.bad_type = CTA_PROTO_ICMP_ID, .bad_len = 0},
	    {.bad_type = CTA_PROTO_ICMP_ID, .bad_len = 3},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char buf[BUF_SIZE] = {0};
		uint8_t proto = bad[i].bad_type == CTA_PROTO_ICMP_ID ? IPPROTO_ICMP : IPPROTO_TCP;

		views_agree(build_nat(buf, proto, &bad[i]), -EBADMSG);
	}
}

static void test_wrong_sizes_top(void **state)
{
	static const uint8_t junk[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	static const struct {
		uint16_t type, len;
	} bad[] = {{CTA_ID, 2}, {CTA_ID, 8}, {CTA_ZONE, 4}, {CTA_MARK, 1}, {CTA_TIMEOUT, 8}};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char buf[BUF_SIZE] = {0};
		struct nlmsghdr *nlh = build_v4_tcp(buf);

		mnl_attr_put(nlh, bad[i].type, bad[i].len, junk);
		views_agree(nlh, -EBADMSG);
	}
	{
		char buf[BUF_SIZE] = {0};
		struct nlmsghdr *nlh = build_v4_tcp(buf);
		struct nlattr *ts = mnl_attr_nest_start(nlh, CTA_TIMESTAMP);

		mnl_attr_put_u32(nlh, CTA_TIMESTAMP_STOP, 1); /* a u64 */
		mnl_attr_nest_end(nlh, ts);
		views_agree(nlh, -EBADMSG);
	}
}

/* The message cut at every length, each copy in a heap block of exactly
 * that size: 0 or -EBADMSG, never a read past it (ASan), and the full
 * message decodes. */
static void cut_everywhere(const struct nlmsghdr *full, size_t i)
{
	for (uint32_t len = NLMSG_HDRLEN; len <= full->nlmsg_len; len++) {
		struct nlmsghdr *cut = malloc(len);
		struct ct_entry e;
		int rc;

		assert_non_null(cut);
		memcpy(cut, full, len);
		cut->nlmsg_len = len;
		rc = nl_ct_entry_decode(cut, &e);
		if (rc != 0 && rc != -EBADMSG)
			fail_msg("case %zu, len %u: rc %d", i, len, rc);
		if (len < NLMSG_HDRLEN + sizeof(struct nfgenmsg) && rc != -EBADMSG)
			fail_msg("case %zu, len %u: a cut header decoded", i, len);
		if (len == full->nlmsg_len && rc != 0)
			fail_msg("case %zu: the whole message: rc %d", i, rc);
		free(cut);
	}
}

static void test_cut_everywhere(void **state)
{
	uint8_t ebuf[1024] __attribute__((aligned(4))) = {0};
	char buf[BUF_SIZE] = {0};
	struct ev ev = ev_destroy(IPPROTO_TCP, 3, ST_ASSURED, 7);

	(void)state;
	ev.start_ns = 1;
	ev.stop_ns = 2;
	cut_everywhere(build_v4_tcp(buf), 0);
	cut_everywhere(build_v6_udp(buf), 1);
	cut_everywhere(build_nat(buf, IPPROTO_ICMP, NULL), 2);
	cut_everywhere(build_full_v4_unknown(buf), 3);
	cut_everywhere(put_event(ebuf, &ev), 4);
}

/* A nest whose length runs past the message, in a block of exactly the
 * message's size. */
static void test_nest_past_message(void **state)
{
	char buf[BUF_SIZE] = {0};
	struct nlmsghdr *full = build_nat(buf, IPPROTO_TCP, NULL);
	struct nlattr *orig = mnl_nlmsg_get_payload_offset(full, sizeof(struct nfgenmsg));
	struct nlmsghdr *copy;
	struct ct_entry e;

	(void)state;
	orig->nla_len = (uint16_t)(full->nlmsg_len); /* longer than what follows it */
	copy = malloc(full->nlmsg_len);
	assert_non_null(copy);
	memcpy(copy, full, full->nlmsg_len);
	assert_int_equal(nl_ct_entry_decode(copy, &e), -EBADMSG);
	free(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_v4_tcp),
	    cmocka_unit_test(test_v6_udp_zone_mark),
	    cmocka_unit_test(test_nat_reply_differs),
	    cmocka_unit_test(test_destroy_event),
	    cmocka_unit_test(test_missing_attributes),
	    cmocka_unit_test(test_not_an_entry),
	    cmocka_unit_test(test_views_agree),
	    cmocka_unit_test(test_wrong_sizes_everywhere),
	    cmocka_unit_test(test_wrong_sizes_top),
	    cmocka_unit_test(test_cut_everywhere),
	    cmocka_unit_test(test_nest_past_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
