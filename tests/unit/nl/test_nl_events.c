/* Unit tests: ctnetlink event decoding and the lifetime accounting of
 * nl_events.c, on messages built the way the kernel's
 * ctnetlink_conntrack_event() sends them (NEW with NLM_F_CREATE|NLM_F_EXCL,
 * an update as NEW with no flags, DELETE with CTA_TIMESTAMP start and stop)
 * and on the recorded dump of tests/fixtures/netlink/. Expected figures are
 * worked out by hand in the comments. */
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

#define NO_TCP_STATE (-1)
#define ST_ASSURED   (IPS_CONFIRMED | IPS_SEEN_REPLY | IPS_ASSURED) /* 0xe */
#define ST_UNREPLIED IPS_CONFIRMED                                  /* 0x8 */

/* One event as the kernel would send it. */
struct ev {
	uint8_t type;      /* IPCTNL_MSG_CT_NEW or IPCTNL_MSG_CT_DELETE */
	uint16_t flags;    /* NLM_F_CREATE|NLM_F_EXCL for a new entry */
	uint8_t proto;     /* IPPROTO_* */
	uint32_t id;       /* 0: no CTA_ID */
	uint32_t status;   /* IPS_* */
	int tcp_state;     /* TCP_CONNTRACK_*, or NO_TCP_STATE */
	uint64_t start_ns; /* 0: no CTA_TIMESTAMP */
	uint64_t stop_ns;  /* 0: start only (a NEW or an update) */
	int ts_pad;        /* put CTA_TIMESTAMP_PAD first, as 32-bit arches do */
};

static void put_tuple(struct nlmsghdr *nlh, uint16_t type, uint8_t proto, uint16_t sport,
		      uint16_t dport)
{
	struct nlattr *t = mnl_attr_nest_start(nlh, type), *n;

	n = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, htonl(0x0a000001));
	mnl_attr_put_u32(nlh, CTA_IP_V4_DST, htonl(0x0a000002));
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, proto);
	if (proto == IPPROTO_ICMP) {
		mnl_attr_put_u16(nlh, CTA_PROTO_ICMP_ID, htons(77));
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_TYPE, 8);
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_CODE, 0);
	} else {
		mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(sport));
		mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(dport));
	}
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, t);
}

static void put_protoinfo(struct nlmsghdr *nlh, uint8_t state)
{
	struct nlattr *pi = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
	struct nlattr *tcp = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);
	struct nf_ct_tcp_flags fl = {.flags = 0, .mask = 0};

	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, state);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_WSCALE_ORIGINAL, 7);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_WSCALE_REPLY, 7);
	mnl_attr_put(nlh, CTA_PROTOINFO_TCP_FLAGS_ORIGINAL, sizeof(fl), &fl);
	mnl_attr_put(nlh, CTA_PROTOINFO_TCP_FLAGS_REPLY, sizeof(fl), &fl);
	mnl_attr_nest_end(nlh, tcp);
	mnl_attr_nest_end(nlh, pi);
}

static void put_tstamp(struct nlmsghdr *nlh, const struct ev *e)
{
	struct nlattr *ts = mnl_attr_nest_start(nlh, CTA_TIMESTAMP);

	if (e->ts_pad)
		mnl_attr_put(nlh, CTA_TIMESTAMP_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, CTA_TIMESTAMP_START, htobe64(e->start_ns));
	if (e->stop_ns)
		mnl_attr_put_u64(nlh, CTA_TIMESTAMP_STOP, htobe64(e->stop_ns));
	mnl_attr_nest_end(nlh, ts);
}

/* The attribute order of ctnetlink_conntrack_event(). */
static struct nlmsghdr *put_event(void *buf, const struct ev *e)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | e->type;
	nlh->nlmsg_flags = e->flags;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	put_tuple(nlh, CTA_TUPLE_ORIG, e->proto, 40000, 443);
	put_tuple(nlh, CTA_TUPLE_REPLY, e->proto, 443, 40000);
	if (e->id)
		mnl_attr_put_u32(nlh, CTA_ID, htonl(e->id));
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(e->status));
	if (e->start_ns)
		put_tstamp(nlh, e);
	if (e->type != IPCTNL_MSG_CT_DELETE)
		mnl_attr_put_u32(nlh, CTA_TIMEOUT, htonl(120));
	if (e->tcp_state != NO_TCP_STATE)
		put_protoinfo(nlh, (uint8_t)e->tcp_state);
	mnl_attr_put_u32(nlh, CTA_MARK, htonl(0));
	return nlh;
}

static struct ev ev_new(uint8_t proto, uint32_t id, int tcp_state)
{
	return (struct ev){.type = IPCTNL_MSG_CT_NEW,
			   .flags = NLM_F_CREATE | NLM_F_EXCL,
			   .proto = proto,
			   .id = id,
			   .status = ST_UNREPLIED,
			   .tcp_state = tcp_state};
}

static struct ev ev_update(uint8_t proto, uint32_t id, uint32_t status, int tcp_state)
{
	return (struct ev){.type = IPCTNL_MSG_CT_NEW,
			   .proto = proto,
			   .id = id,
			   .status = status,
			   .tcp_state = tcp_state};
}

static struct ev ev_destroy(uint8_t proto, uint32_t id, uint32_t status, int tcp_state)
{
	return (struct ev){.type = IPCTNL_MSG_CT_DELETE,
			   .proto = proto,
			   .id = id,
			   .status = status,
			   .tcp_state = tcp_state};
}

/* Feed one event at now_ms. */
static void feed(struct nl_events *ev, const struct ev *e, uint64_t now_ms)
{
	uint8_t buf[1024] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = put_event(buf, e);

	assert_int_equal(nl_events_feed(ev, buf, nlh->nlmsg_len, now_ms), 0);
}

static int setup(void **state)
{
	int err = 0;

	*state = nl_events_new(&err);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	nl_events_close(*state);
	return 0;
}

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
	    cmocka_unit_test_setup_teardown(test_tcp_established_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tcp_established_closed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tcp_not_established, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_udp_icmp_other, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_census_open, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_destroy_unseen, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_feed_batch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fixture_dump, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
