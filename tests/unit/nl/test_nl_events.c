/* Unit tests: ctnetlink event decoding in nl_events.c, on messages built
 * the way the kernel's ctnetlink_conntrack_event() sends them (ev_msgs.c),
 * on malformed ones, and on the recorded dump of tests/fixtures/netlink/.
 * The lifetime accounting is test_nl_events_account.c. */
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

#include "../fixture.h"
#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "../../../nl/nl_events.h"
#include "ev_msgs.h"

/* ---- decode ---- */

static void test_decode_new(void **state)
{
	uint8_t buf[1024] __attribute__((aligned(4)));
	struct ev e = ev_new(IPPROTO_TCP, 0xdeadbeef, TCP_CONNTRACK_SYN_SENT);
	struct nl_events_msg m;

	(void)state;
	e.start_ns = UINT64_C(1700000000123456789); /* a NEW carries only the start */
	assert_int_equal(nl_events_decode(put_event(buf, &e), &m), 0);
	assert_true(m.is_new);
	assert_false(m.is_update);
	assert_true(m.has_id);
	assert_int_equal(m.id, 0xdeadbeef);
	assert_int_equal(m.proto, 6);
	assert_true(m.has_status);
	assert_int_equal(m.status, 0x8);
	assert_true(m.has_tcp_state);
	assert_int_equal(m.tcp_state, 1); /* SYN_SENT */
	assert_int_equal(m.start_ns, UINT64_C(1700000000123456789));
	assert_int_equal(m.stop_ns, 0);
	assert_false(m.has_tstamp); /* no stop: not a lifetime */
}

/* NEW without NLM_F_CREATE is a state change of an existing entry. */
static void test_decode_update(void **state)
{
	uint8_t buf[1024] __attribute__((aligned(4)));
	struct ev e = ev_update(IPPROTO_TCP, 42, ST_ASSURED, TCP_CONNTRACK_ESTABLISHED);
	struct nl_events_msg m;

	(void)state;
	assert_int_equal(nl_events_decode(put_event(buf, &e), &m), 0);
	assert_false(m.is_new);
	assert_true(m.is_update);
	assert_int_equal(m.id, 42);
	assert_int_equal(m.status, 0xe);
	assert_int_equal(m.status & 0x4, 0x4); /* IPS_ASSURED */
	assert_int_equal(m.tcp_state, 3);      /* ESTABLISHED */
	/* NLM_F_EXCL alone does not make a new entry. */
	e.flags = NLM_F_EXCL;
	assert_int_equal(nl_events_decode(put_event(buf, &e), &m), 0);
	assert_false(m.is_new);
	assert_true(m.is_update);
}

static void test_decode_destroy(void **state)
{
	uint8_t buf[1024] __attribute__((aligned(4)));
	struct ev e = ev_destroy(IPPROTO_UDP, 7, ST_ASSURED, NO_TCP_STATE);
	struct nl_events_msg m;

	(void)state;
	e.start_ns = UINT64_C(5000000000);
	e.stop_ns = UINT64_C(185250000000);
	e.ts_pad = 1;
	assert_int_equal(nl_events_decode(put_event(buf, &e), &m), 0);
	assert_false(m.is_new);
	assert_false(m.is_update);
	assert_int_equal(m.id, 7);
	assert_int_equal(m.proto, 17);
	assert_false(m.has_tcp_state);
	assert_true(m.has_tstamp);
	assert_int_equal(m.start_ns, UINT64_C(5000000000));
	assert_int_equal(m.stop_ns, UINT64_C(185250000000));
	/* A stop before the start is no lifetime. */
	e.stop_ns = UINT64_C(4999999999);
	assert_int_equal(nl_events_decode(put_event(buf, &e), &m), 0);
	assert_false(m.has_tstamp);
	/* ICMP, and no CTA_ID. */
	e = ev_destroy(IPPROTO_ICMP, 0, ST_UNREPLIED, NO_TCP_STATE);
	assert_int_equal(nl_events_decode(put_event(buf, &e), &m), 0);
	assert_int_equal(m.proto, 1);
	assert_false(m.has_id);
	assert_int_equal(m.id, 0);
	assert_false(m.has_tstamp);
}

static void test_class_names(void **state)
{
	(void)state;
	assert_int_equal(nl_events_class_of(6), NL_EV_TCP);
	assert_int_equal(nl_events_class_of(17), NL_EV_UDP);
	assert_int_equal(nl_events_class_of(136), NL_EV_UDP); /* UDP-Lite */
	assert_int_equal(nl_events_class_of(1), NL_EV_ICMP);
	assert_int_equal(nl_events_class_of(58), NL_EV_ICMP); /* ICMPv6 */
	assert_int_equal(nl_events_class_of(132), NL_EV_OTHER);
	assert_string_equal(nl_events_class_name(NL_EV_UDP), "udp");
	assert_string_equal(nl_events_fclass_name(NL_FC_UDP_STREAM), "udp_stream");
	assert_string_equal(nl_events_fclass_knob(NL_FC_TCP_OTHER),
			    "net.netfilter.nf_conntrack_tcp_timeout_syn_sent");
	assert_string_equal(nl_events_end_name(NL_END_TIMEOUT), "timed_out");
	assert_string_equal(nl_events_end_name(NL_END_OPEN), "open");
}

/* ---- malformed messages: an error code and *out untouched ---- */

static void expect_rejected(const struct nlmsghdr *nlh, int rc)
{
	struct nl_events_msg m, before;

	memset(&m, 0xa5, sizeof(m));
	memcpy(&before, &m, sizeof(m));
	assert_int_equal(nl_events_decode(nlh, &m), rc);
	assert_memory_equal(&m, &before, sizeof(m));
}

static void test_decode_truncated(void **state)
{
	uint8_t buf[1024] __attribute__((aligned(4)));
	struct ev e = ev_new(IPPROTO_TCP, 9, TCP_CONNTRACK_SYN_SENT);
	struct nlmsghdr *nlh = put_event(buf, &e);
	uint32_t full = nlh->nlmsg_len;

	(void)state;
	/* The last attribute (CTA_MARK, 8 bytes) cut by 4 and by 6. */
	nlh->nlmsg_len = full - 4;
	expect_rejected(nlh, -EBADMSG);
	nlh->nlmsg_len = full - 6;
	expect_rejected(nlh, -EBADMSG);
	/* Shorter than nlmsghdr + nfgenmsg (20 bytes). */
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	expect_rejected(nlh, -EBADMSG);
	nlh->nlmsg_len = 0;
	expect_rejected(nlh, -EBADMSG);
	/* Exactly the headers: a valid event with nothing in it. */
	nlh->nlmsg_len = NLMSG_HDRLEN + sizeof(struct nfgenmsg);
	{
		struct nl_events_msg m;

		assert_int_equal(nl_events_decode(nlh, &m), 0);
		assert_true(m.is_new);
		assert_false(m.has_id);
		assert_false(m.has_status);
	}
}

static void test_decode_bad_lengths(void **state)
{
	uint8_t buf[1024] __attribute__((aligned(4)));
	struct nlmsghdr *nlh;
	struct nlattr *n;
	struct nfgenmsg *nfg;

	(void)state;
	/* CTA_ID with a 2-byte payload. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	mnl_attr_put_u16(nlh, CTA_ID, 1);
	expect_rejected(nlh, -EBADMSG);
	/* CTA_STATUS as a u64. */
	nlh->nlmsg_len = NLMSG_HDRLEN + sizeof(*nfg);
	mnl_attr_put_u64(nlh, CTA_STATUS, 1);
	expect_rejected(nlh, -EBADMSG);
	/* CTA_TIMESTAMP_START as a u32. */
	nlh->nlmsg_len = NLMSG_HDRLEN + sizeof(*nfg);
	n = mnl_attr_nest_start(nlh, CTA_TIMESTAMP);
	mnl_attr_put_u32(nlh, CTA_TIMESTAMP_START, 1);
	mnl_attr_nest_end(nlh, n);
	expect_rejected(nlh, -EBADMSG);
	/* CTA_PROTO_NUM as a u16. */
	nlh->nlmsg_len = NLMSG_HDRLEN + sizeof(*nfg);
	n = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	{
		struct nlattr *p = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);

		mnl_attr_put_u16(nlh, CTA_PROTO_NUM, 6);
		mnl_attr_nest_end(nlh, p);
	}
	mnl_attr_nest_end(nlh, n);
	expect_rejected(nlh, -EBADMSG);
	/* CTA_PROTOINFO_TCP_STATE as a u32. */
	nlh->nlmsg_len = NLMSG_HDRLEN + sizeof(*nfg);
	n = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
	{
		struct nlattr *t = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);

		mnl_attr_put_u32(nlh, CTA_PROTOINFO_TCP_STATE, 3);
		mnl_attr_nest_end(nlh, t);
	}
	mnl_attr_nest_end(nlh, n);
	expect_rejected(nlh, -EBADMSG);
	/* CTA_TUPLE_ORIG with a 2-byte payload (not a nest). */
	nlh->nlmsg_len = NLMSG_HDRLEN + sizeof(*nfg);
	mnl_attr_put_u16(nlh, CTA_TUPLE_ORIG, 6);
	expect_rejected(nlh, -EBADMSG);
}

static void test_decode_not_an_event(void **state)
{
	uint8_t buf[1024] __attribute__((aligned(4)));
	struct ev e = ev_new(IPPROTO_TCP, 9, TCP_CONNTRACK_SYN_SENT);
	struct nlmsghdr *nlh = put_event(buf, &e);

	(void)state;
	/* The expectation subsystem's NEW. */
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK_EXP << 8) | IPCTNL_MSG_EXP_NEW;
	expect_rejected(nlh, -ENOENT);
	/* ctnetlink, but a GET and a GET_STATS. */
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	expect_rejected(nlh, -ENOENT);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET_STATS;
	expect_rejected(nlh, -ENOENT);
	/* NLMSG_DONE (with its 4-byte payload). */
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_len = NLMSG_HDRLEN + 4;
	expect_rejected(nlh, -ENOENT);
}

/* ---- the recorded dump ---- */

/* The kernel's dump replies are IPCTNL_MSG_CT_NEW with NLM_F_MULTI, no
 * NLM_F_CREATE: they decode as updates. conntrack -L then: 2 TCP
 * ESTABLISHED [ASSURED], 8 UDP [UNREPLIED], 1 ICMP, timestamps on (a start,
 * no stop), all ids distinct; then NLMSG_DONE. Fed as events they make no
 * NEW, no DESTROY and no bad message. */
static void test_fixture_dump(void **state)
{
	static uint8_t buf[16384] __attribute__((aligned(4)));
	struct nl_events *ev = *state;
	const struct nl_events_stats *st = nl_events_get_stats(ev);
	size_t len = read_fixture("ct-dump.bin", buf, sizeof(buf));
	const struct nlmsghdr *nlh = (const void *)buf;
	unsigned tcp = 0, tcp_est = 0, udp = 0, udp_assured = 0, icmp = 0, done = 0, n = 0;
	uint32_t ids[16];
	int left = (int)len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		struct nl_events_msg m;
		int rc = nl_events_decode(nlh, &m);

		if (nlh->nlmsg_type == NLMSG_DONE) {
			assert_int_equal(rc, -ENOENT);
			done++;
			continue;
		}
		assert_int_equal(rc, 0);
		assert_false(m.is_new);
		assert_true(m.is_update);
		assert_true(m.has_id && m.has_status);
		assert_false(m.has_tstamp);
		assert_true(m.start_ns != 0);
		assert_true(n < 16);
		for (unsigned i = 0; i < n; i++)
			assert_true(ids[i] != m.id);
		ids[n++] = m.id;
		tcp += m.proto == 6;
		tcp_est += m.proto == 6 && m.has_tcp_state && m.tcp_state == 3 && (m.status & 0x4);
		udp += m.proto == 17;
		udp_assured += m.proto == 17 && (m.status & 0x4);
		icmp += m.proto == 1;
		assert_true(m.has_tcp_state == (m.proto == 6));
	}
	assert_int_equal(left, 0);
	assert_int_equal(n, 11);
	assert_int_equal(done, 1);
	assert_int_equal(tcp, 2);
	assert_int_equal(tcp_est, 2);
	assert_int_equal(udp, 8);
	assert_int_equal(udp_assured, 0);
	assert_int_equal(icmp, 1);

	assert_int_equal(nl_events_feed(ev, buf, len, 1000), 0);
	for (int c = 0; c < NL_EV_CLASSES; c++) {
		assert_int_equal(st->new_events[c], 0);
		assert_int_equal(st->destroy_events[c], 0);
	}
	assert_int_equal(st->bad_messages, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode_new),
	    cmocka_unit_test(test_decode_update),
	    cmocka_unit_test(test_decode_destroy),
	    cmocka_unit_test(test_class_names),
	    cmocka_unit_test(test_decode_truncated),
	    cmocka_unit_test(test_decode_bad_lengths),
	    cmocka_unit_test(test_decode_not_an_event),
	    cmocka_unit_test_setup_teardown(test_fixture_dump, ev_setup, ev_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
