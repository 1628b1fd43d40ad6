/* ev_msgs.c: ctnetlink conntrack events built by hand for the nl/ event
 * tests (ev_msgs.h). */
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

#include "ev_msgs.h"

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
struct nlmsghdr *put_event(void *buf, const struct ev *e)
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

struct ev ev_new(uint8_t proto, uint32_t id, int tcp_state)
{
	return (struct ev){.type = IPCTNL_MSG_CT_NEW,
			   .flags = NLM_F_CREATE | NLM_F_EXCL,
			   .proto = proto,
			   .id = id,
			   .status = ST_UNREPLIED,
			   .tcp_state = tcp_state};
}

struct ev ev_update(uint8_t proto, uint32_t id, uint32_t status, int tcp_state)
{
	return (struct ev){.type = IPCTNL_MSG_CT_NEW,
			   .proto = proto,
			   .id = id,
			   .status = status,
			   .tcp_state = tcp_state};
}

struct ev ev_destroy(uint8_t proto, uint32_t id, uint32_t status, int tcp_state)
{
	return (struct ev){.type = IPCTNL_MSG_CT_DELETE,
			   .proto = proto,
			   .id = id,
			   .status = status,
			   .tcp_state = tcp_state};
}

/* Feed one event at now_ms. */
void feed(struct nl_events *ev, const struct ev *e, uint64_t now_ms)
{
	uint8_t buf[1024] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = put_event(buf, e);

	assert_int_equal(nl_events_feed(ev, buf, nlh->nlmsg_len, now_ms), 0);
}

int ev_setup(void **state)
{
	int err = 0;

	*state = nl_events_new(&err);
	return *state ? 0 : -1;
}

int ev_teardown(void **state)
{
	nl_events_close(*state);
	return 0;
}
