/* Unit tests: the lifetime accounting of nl_events.c (per class: flows,
 * timeouts, lifetimes, the census of open flows), fed events built the
 * way the kernel sends them (ev_msgs.c). Expected figures are worked out
 * by hand in the comments. */
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
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "../../../nl/nl_events.h"
#include "ev_msgs.h"

/* ---- accounting ---- */

/* SYN_SENT -> ESTABLISHED, destroyed in ESTABLISHED by its timeout, with
 * timestamps: 10 s .. 310.5 s = 300.5 s. */
static void test_tcp_established_timeout(void **state)
{
	struct nl_events *ev = *state;
	const struct nl_events_stats *st = nl_events_get_stats(ev);
	struct ev e = ev_new(IPPROTO_TCP, 100, TCP_CONNTRACK_SYN_SENT);

	feed(ev, &e, 1000);
	e = ev_update(IPPROTO_TCP, 100, ST_ASSURED, TCP_CONNTRACK_ESTABLISHED);
	feed(ev, &e, 1100);
	e = ev_destroy(IPPROTO_TCP, 100, ST_ASSURED, TCP_CONNTRACK_ESTABLISHED);
	e.start_ns = UINT64_C(10000000000);
	e.stop_ns = UINT64_C(310500000000);
	feed(ev, &e, 999000); /* the timestamps win over the clock */
	assert_int_equal(st->new_events[NL_EV_TCP], 1);
	assert_int_equal(st->destroy_events[NL_EV_TCP], 1);
	assert_int_equal(st->lifetimes[NL_EV_TCP], 1);
	assert_true(st->lifetime_sum_s[NL_EV_TCP] == 300.5);
	assert_int_equal(st->flows[NL_FC_TCP_ESTABLISHED][NL_END_TIMEOUT].n, 1);
	assert_true(st->flows[NL_FC_TCP_ESTABLISHED][NL_END_TIMEOUT].sum_s == 300.5);
	assert_int_equal(st->flows[NL_FC_TCP_ESTABLISHED][NL_END_CLOSED].n, 0);
	assert_int_equal(st->flows[NL_FC_TCP_OTHER][NL_END_TIMEOUT].n, 0);
	assert_int_equal(st->new_events[NL_EV_UDP] + st->destroy_events[NL_EV_UDP], 0);
	assert_int_equal(st->bad_messages, 0);
	assert_int_equal(st->untracked, 0);
	/* Nothing left open. */
	nl_events_census(ev, 2000000);
	for (int c = 0; c < NL_FC_CLASSES; c++)
		assert_int_equal(st->flows[c][NL_END_OPEN].n, 0);
}

/* Established flows that close: TIME_WAIT after FIN, CLOSE after a RST;
 * one is remembered as established although its DESTROY shows neither
 * ASSURED nor an established state. No timestamps: the clock gives the
 * lifetimes, 60 s and 2.5 s. */
static void test_tcp_established_closed(void **state)
{
	struct nl_events *ev = *state;
	const struct nl_events_stats *st = nl_events_get_stats(ev);
	struct ev e = ev_new(IPPROTO_TCP, 1, TCP_CONNTRACK_SYN_SENT);

	feed(ev, &e, 10000);
	e = ev_update(IPPROTO_TCP, 1, ST_ASSURED, TCP_CONNTRACK_ESTABLISHED);
	feed(ev, &e, 10010);
	e = ev_update(IPPROTO_TCP, 1, ST_ASSURED, TCP_CONNTRACK_FIN_WAIT);
	feed(ev, &e, 60000);
	e = ev_destroy(IPPROTO_TCP, 1, ST_ASSURED, TCP_CONNTRACK_TIME_WAIT);
	feed(ev, &e, 70000);

	e = ev_new(IPPROTO_TCP, 2, TCP_CONNTRACK_SYN_SENT);
	feed(ev, &e, 20000);
	e = ev_update(IPPROTO_TCP, 2, ST_UNREPLIED | IPS_SEEN_REPLY, TCP_CONNTRACK_ESTABLISHED);
	feed(ev, &e, 20100);
	e = ev_destroy(IPPROTO_TCP, 2, ST_UNREPLIED | IPS_SEEN_REPLY, TCP_CONNTRACK_CLOSE);
	feed(ev, &e, 22500);

	assert_int_equal(st->new_events[NL_EV_TCP], 2);
	assert_int_equal(st->destroy_events[NL_EV_TCP], 2);
	assert_int_equal(st->lifetimes[NL_EV_TCP], 2);
	assert_true(st->lifetime_sum_s[NL_EV_TCP] == 62.5);
	assert_int_equal(st->flows[NL_FC_TCP_ESTABLISHED][NL_END_CLOSED].n, 2);
	assert_true(st->flows[NL_FC_TCP_ESTABLISHED][NL_END_CLOSED].sum_s == 62.5);
	assert_int_equal(st->flows[NL_FC_TCP_ESTABLISHED][NL_END_TIMEOUT].n, 0);
	assert_int_equal(st->flows[NL_FC_TCP_OTHER][NL_END_CLOSED].n, 0);
}

/* Never established: a SYN that timed out (120 s by the clock) and one
 * refused by a RST (CLOSE, 0.25 s). */
static void test_tcp_not_established(void **state)
{
	struct nl_events *ev = *state;
	const struct nl_events_stats *st = nl_events_get_stats(ev);
	struct ev e = ev_new(IPPROTO_TCP, 11, TCP_CONNTRACK_SYN_SENT);

	feed(ev, &e, 1000);
	e = ev_destroy(IPPROTO_TCP, 11, ST_UNREPLIED, TCP_CONNTRACK_SYN_SENT);
	feed(ev, &e, 121000);
	e = ev_new(IPPROTO_TCP, 12, TCP_CONNTRACK_SYN_SENT);
	feed(ev, &e, 5000);
	e = ev_update(IPPROTO_TCP, 12, ST_UNREPLIED | IPS_SEEN_REPLY, TCP_CONNTRACK_CLOSE);
	feed(ev, &e, 5250);
	e = ev_destroy(IPPROTO_TCP, 12, ST_UNREPLIED | IPS_SEEN_REPLY, TCP_CONNTRACK_CLOSE);
	feed(ev, &e, 5250);

	assert_int_equal(st->flows[NL_FC_TCP_OTHER][NL_END_TIMEOUT].n, 1);
	assert_true(st->flows[NL_FC_TCP_OTHER][NL_END_TIMEOUT].sum_s == 120.0);
	assert_int_equal(st->flows[NL_FC_TCP_OTHER][NL_END_CLOSED].n, 1);
	assert_true(st->flows[NL_FC_TCP_OTHER][NL_END_CLOSED].sum_s == 0.25);
	assert_int_equal(st->flows[NL_FC_TCP_ESTABLISHED][NL_END_TIMEOUT].n +
			     st->flows[NL_FC_TCP_ESTABLISHED][NL_END_CLOSED].n,
			 0);
	assert_true(st->lifetime_sum_s[NL_EV_TCP] == 120.25);
}

/* UDP: one unreplied (timed out after 30 s), one that became a stream
 * (assured by an update; 180 s by timestamps); ICMP and ICMPv6 echo (30 s
 * each by the clock); SCTP in "other". */
static void test_udp_icmp_other(void **state)
{
	struct nl_events *ev = *state;
	const struct nl_events_stats *st = nl_events_get_stats(ev);
	struct ev e = ev_new(IPPROTO_UDP, 21, NO_TCP_STATE);

	feed(ev, &e, 0 + 1000);
	e = ev_destroy(IPPROTO_UDP, 21, ST_UNREPLIED, NO_TCP_STATE);
	feed(ev, &e, 31000);
	e = ev_new(IPPROTO_UDP, 22, NO_TCP_STATE);
	feed(ev, &e, 2000);
	e = ev_update(IPPROTO_UDP, 22, ST_ASSURED, NO_TCP_STATE);
	feed(ev, &e, 5000);
	e = ev_destroy(IPPROTO_UDP, 22, ST_ASSURED, NO_TCP_STATE);
	e.start_ns = UINT64_C(2000000000);
	e.stop_ns = UINT64_C(182000000000);
	feed(ev, &e, 400000);
	e = ev_new(IPPROTO_ICMP, 31, NO_TCP_STATE);
	feed(ev, &e, 1000);
	e = ev_destroy(IPPROTO_ICMP, 31, ST_ASSURED, NO_TCP_STATE);
	feed(ev, &e, 31000);
	e = ev_new(IPPROTO_ICMPV6, 32, NO_TCP_STATE);
	feed(ev, &e, 1000);
	e = ev_destroy(IPPROTO_ICMPV6, 32, ST_UNREPLIED, NO_TCP_STATE);
	feed(ev, &e, 31000);
	e = ev_new(IPPROTO_SCTP, 41, NO_TCP_STATE);
	feed(ev, &e, 1000);

	assert_int_equal(st->new_events[NL_EV_UDP], 2);
	assert_int_equal(st->destroy_events[NL_EV_UDP], 2);
	assert_true(st->lifetime_sum_s[NL_EV_UDP] == 210.0);
	assert_int_equal(st->flows[NL_FC_UDP][NL_END_TIMEOUT].n, 1);
	assert_true(st->flows[NL_FC_UDP][NL_END_TIMEOUT].sum_s == 30.0);
	assert_int_equal(st->flows[NL_FC_UDP_STREAM][NL_END_TIMEOUT].n, 1);
	assert_true(st->flows[NL_FC_UDP_STREAM][NL_END_TIMEOUT].sum_s == 180.0);
	assert_int_equal(st->flows[NL_FC_UDP][NL_END_CLOSED].n, 0);
	assert_int_equal(st->new_events[NL_EV_ICMP], 2);
	assert_int_equal(st->destroy_events[NL_EV_ICMP], 2);
	assert_int_equal(st->flows[NL_FC_ICMP][NL_END_TIMEOUT].n, 2);
	assert_true(st->flows[NL_FC_ICMP][NL_END_TIMEOUT].sum_s == 60.0);
	assert_int_equal(st->new_events[NL_EV_OTHER], 1);
	assert_int_equal(st->destroy_events[NL_EV_OTHER], 0);
	assert_int_equal(st->new_events[NL_EV_TCP], 0);
	/* The SCTP flow is open: 9 s old at 10 s. */
	nl_events_census(ev, 10000);
	assert_int_equal(st->flows[NL_FC_OTHER][NL_END_OPEN].n, 1);
	assert_true(st->flows[NL_FC_OTHER][NL_END_OPEN].sum_s == 9.0);
}

/* Flows still open at the end: by the class they reached, with their age;
 * a second census replaces the first; a destroyed flow leaves it. */
static void test_census_open(void **state)
{
	struct nl_events *ev = *state;
	const struct nl_events_stats *st = nl_events_get_stats(ev);
	struct ev e = ev_new(IPPROTO_TCP, 51, TCP_CONNTRACK_SYN_SENT);

	feed(ev, &e, 1000);
	e = ev_update(IPPROTO_TCP, 51, ST_ASSURED, TCP_CONNTRACK_ESTABLISHED);
	feed(ev, &e, 1500);
	e = ev_new(IPPROTO_TCP, 52, TCP_CONNTRACK_SYN_SENT);
	feed(ev, &e, 3000);
	e = ev_new(IPPROTO_UDP, 53, NO_TCP_STATE);
	feed(ev, &e, 2000);
	e = ev_new(IPPROTO_UDP, 54, NO_TCP_STATE);
	feed(ev, &e, 4000);

	nl_events_census(ev, 11000);
	assert_int_equal(st->flows[NL_FC_TCP_ESTABLISHED][NL_END_OPEN].n, 1);
	assert_true(st->flows[NL_FC_TCP_ESTABLISHED][NL_END_OPEN].sum_s == 10.0);
	assert_int_equal(st->flows[NL_FC_TCP_OTHER][NL_END_OPEN].n, 1);
	assert_true(st->flows[NL_FC_TCP_OTHER][NL_END_OPEN].sum_s == 8.0);
	assert_int_equal(st->flows[NL_FC_UDP][NL_END_OPEN].n, 2);
	assert_true(st->flows[NL_FC_UDP][NL_END_OPEN].sum_s == 16.0); /* 9 + 7 */

	e = ev_destroy(IPPROTO_UDP, 53, ST_UNREPLIED, NO_TCP_STATE);
	feed(ev, &e, 32000);
	nl_events_census(ev, 21000);
	assert_int_equal(st->flows[NL_FC_TCP_ESTABLISHED][NL_END_OPEN].n, 1);
	assert_true(st->flows[NL_FC_TCP_ESTABLISHED][NL_END_OPEN].sum_s == 20.0);
	assert_int_equal(st->flows[NL_FC_UDP][NL_END_OPEN].n, 1);
	assert_true(st->flows[NL_FC_UDP][NL_END_OPEN].sum_s == 17.0);
	assert_int_equal(st->flows[NL_FC_UDP][NL_END_TIMEOUT].n, 1);
	assert_true(st->flows[NL_FC_UDP][NL_END_TIMEOUT].sum_s == 30.0);
	/* A clock before a flow's start: age 0, not a huge number. */
	nl_events_census(ev, 500);
	assert_int_equal(st->flows[NL_FC_UDP][NL_END_OPEN].n, 1);
	assert_true(st->flows[NL_FC_UDP][NL_END_OPEN].sum_s == 0.0);
}

/* A DESTROY whose NEW was not seen counts as an event; with timestamps its
 * lifetime counts by protocol, but it is in no flow class. An update of an
 * unknown flow changes nothing. */
static void test_destroy_unseen(void **state)
{
	struct nl_events *ev = *state;
	const struct nl_events_stats *st = nl_events_get_stats(ev);
	struct ev e = ev_update(IPPROTO_TCP, 61, ST_ASSURED, TCP_CONNTRACK_ESTABLISHED);

	feed(ev, &e, 1000);
	e = ev_destroy(IPPROTO_TCP, 61, ST_ASSURED, TCP_CONNTRACK_ESTABLISHED);
	e.start_ns = UINT64_C(1000000000);
	e.stop_ns = UINT64_C(8000000000);
	feed(ev, &e, 2000);
	e = ev_destroy(IPPROTO_UDP, 62, ST_UNREPLIED, NO_TCP_STATE);
	feed(ev, &e, 3000);

	assert_int_equal(st->new_events[NL_EV_TCP], 0);
	assert_int_equal(st->destroy_events[NL_EV_TCP], 1);
	assert_int_equal(st->destroy_events[NL_EV_UDP], 1);
	assert_int_equal(st->lifetimes[NL_EV_TCP], 1);
	assert_true(st->lifetime_sum_s[NL_EV_TCP] == 7.0);
	assert_int_equal(st->lifetimes[NL_EV_UDP], 0); /* no start known */
	for (int c = 0; c < NL_FC_CLASSES; c++)
		for (int k = 0; k < NL_END_KINDS; k++)
			assert_int_equal(st->flows[c][k].n, 0);
	/* A NEW without CTA_ID cannot be matched: untracked. */
	e = ev_new(IPPROTO_UDP, 0, NO_TCP_STATE);
	feed(ev, &e, 4000);
	assert_int_equal(st->new_events[NL_EV_UDP], 1);
	assert_int_equal(st->untracked, 1);
	nl_events_census(ev, 9000);
	assert_int_equal(st->flows[NL_FC_UDP][NL_END_OPEN].n, 0);
}

/* Several events in one buffer; a malformed one is counted and skipped,
 * a message of another type is ignored without being counted as bad. */
static void test_feed_batch(void **state)
{
	struct nl_events *ev = *state;
	const struct nl_events_stats *st = nl_events_get_stats(ev);
	uint8_t buf[4096] __attribute__((aligned(4)));
	size_t off = 0;
	struct nlmsghdr *nlh;
	struct ev e;

	e = ev_new(IPPROTO_UDP, 71, NO_TCP_STATE);
	nlh = put_event(buf + off, &e);
	off += NLMSG_ALIGN(nlh->nlmsg_len);
	e = ev_new(IPPROTO_TCP, 72, TCP_CONNTRACK_SYN_SENT);
	nlh = put_event(buf + off, &e);
	off += NLMSG_ALIGN(nlh->nlmsg_len);
	/* A DESTROY whose CTA_ID is 2 bytes. */
	nlh = mnl_nlmsg_put_header(buf + off);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct nfgenmsg));
	mnl_attr_put_u16(nlh, CTA_ID, 71);
	off += NLMSG_ALIGN(nlh->nlmsg_len);
	/* An expectation event. */
	e = ev_new(IPPROTO_TCP, 73, TCP_CONNTRACK_SYN_SENT);
	nlh = put_event(buf + off, &e);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK_EXP << 8) | IPCTNL_MSG_EXP_NEW;
	off += NLMSG_ALIGN(nlh->nlmsg_len);
	e = ev_destroy(IPPROTO_UDP, 71, ST_UNREPLIED, NO_TCP_STATE);
	nlh = put_event(buf + off, &e);
	off += NLMSG_ALIGN(nlh->nlmsg_len);
	assert_true(off < sizeof(buf));

	assert_int_equal(nl_events_feed(ev, buf, off, 5000), 0);
	assert_int_equal(st->new_events[NL_EV_UDP], 1);
	assert_int_equal(st->new_events[NL_EV_TCP], 1);
	assert_int_equal(st->destroy_events[NL_EV_UDP], 1);
	assert_int_equal(st->destroy_events[NL_EV_TCP], 0);
	assert_int_equal(st->bad_messages, 1);
	assert_int_equal(st->flows[NL_FC_UDP][NL_END_TIMEOUT].n, 1);
	assert_true(st->flows[NL_FC_UDP][NL_END_TIMEOUT].sum_s == 0.0);
	nl_events_census(ev, 6000);
	assert_int_equal(st->flows[NL_FC_TCP_OTHER][NL_END_OPEN].n, 1);
	assert_true(st->flows[NL_FC_TCP_OTHER][NL_END_OPEN].sum_s == 1.0);
	/* A buffer that ends inside a message, or with bytes too few for a
	 * header: not a sequence of messages; the whole messages before the
	 * cut still count. */
	e = ev_new(IPPROTO_ICMP, 74, NO_TCP_STATE);
	nlh = put_event(buf, &e);
	off = NLMSG_ALIGN(nlh->nlmsg_len);
	e = ev_destroy(IPPROTO_ICMP, 74, ST_UNREPLIED, NO_TCP_STATE);
	nlh = put_event(buf + off, &e);
	assert_int_equal(nl_events_feed(ev, buf, off + nlh->nlmsg_len - 8, 8000), -EBADMSG);
	assert_int_equal(nl_events_feed(ev, buf, off + 10, 8000), -EBADMSG);
	assert_int_equal(st->new_events[NL_EV_ICMP], 2);
	assert_int_equal(st->destroy_events[NL_EV_ICMP], 0);
	assert_int_equal(st->bad_messages, 1 + 2); /* each cut datagram counts once */
	assert_int_equal(nl_events_feed(ev, buf, 0, 8000), 0);
	/* An error reply from the kernel stops the feed. */
	{
		struct nlmsgerr *err;

		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = NLMSG_ERROR;
		err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
		err->error = -ENOBUFS;
		assert_int_equal(nl_events_feed(ev, buf, nlh->nlmsg_len, 7000), -EBADMSG);
		assert_int_equal(st->bad_messages, 4);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_tcp_established_timeout, ev_setup, ev_teardown),
	    cmocka_unit_test_setup_teardown(test_tcp_established_closed, ev_setup, ev_teardown),
	    cmocka_unit_test_setup_teardown(test_tcp_not_established, ev_setup, ev_teardown),
	    cmocka_unit_test_setup_teardown(test_udp_icmp_other, ev_setup, ev_teardown),
	    cmocka_unit_test_setup_teardown(test_census_open, ev_setup, ev_teardown),
	    cmocka_unit_test_setup_teardown(test_destroy_unseen, ev_setup, ev_teardown),
	    cmocka_unit_test_setup_teardown(test_feed_batch, ev_setup, ev_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
