/* flush_decode.c: one ctnetlink dump message to a flush_entry: the view of
 * the one decoder's ct_entry (nl_ct_decode.c) that flush filters on, with
 * the original tuple kept as sent for the delete request. */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>

#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "flush_nl.h"
#include "nl_ct_decode.h"
#include "../analysis/ct_abi.h"

/* analysis/ holds these by value; they must be the kernel's. */
_Static_assert(CT_IPS_SEEN_REPLY == IPS_SEEN_REPLY && CT_IPS_ASSURED == IPS_ASSURED &&
		   CT_IPS_SRC_NAT == IPS_SRC_NAT && CT_IPS_DST_NAT == IPS_DST_NAT,
	       "ct_abi.h: IPS_* status bits differ from the kernel's");
_Static_assert((int)CT_TCP_ESTABLISHED == (int)TCP_CONNTRACK_ESTABLISHED &&
		   (int)CT_TCP_TIME_WAIT == (int)TCP_CONNTRACK_TIME_WAIT &&
		   (int)CT_TCP_SYN_SENT2 == (int)TCP_CONNTRACK_SYN_SENT2 &&
		   (int)CT_TCP_STATES == (int)TCP_CONNTRACK_MAX,
	       "ct_abi.h: TCP states differ from the kernel's");

#define MSG_CT_NEW ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW)

static void fill(const struct ct_entry *c, struct flush_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->family = c->family;
	e->proto = c->orig.proto;
	memcpy(e->src, c->orig.src, 16);
	memcpy(e->dst, c->orig.dst, 16);
	memcpy(e->rsrc, c->reply.src, 16);
	memcpy(e->rdst, c->reply.dst, 16);
	e->sport = c->orig.sport;
	e->dport = c->orig.dport;
	e->rsport = c->reply.sport;
	e->rdport = c->reply.dport;
	e->has_ports = flush_proto_has_ports(e->proto);
	e->tcp_state = e->proto == IPPROTO_TCP ? c->tcp_state : -1;
	e->status = c->status;
	e->mark = c->mark;
	e->zone = c->zone;
	e->has_acct = c->has_counters;
	e->has_tstamp = c->has_tstamp;
	e->has_id = c->has_id;
	e->id = c->id;
	e->timeout_s = c->timeout_s;
	e->tuple_len = c->orig_raw_len;
	memcpy(e->tuple, c->orig_raw, c->orig_raw_len);
}

int flush_decode(const struct nlmsghdr *nlh, struct flush_entry *out)
{
	struct ct_entry c;

	if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_type != MSG_CT_NEW)
		return -EBADMSG;
	if (nl_ct_entry_decode(nlh, &c) < 0 || !c.has_orig)
		return -EBADMSG;
	if (c.orig_raw_len > FLUSH_TUPLE_MAX)
		return -EOVERFLOW;
	fill(&c, out);
	return 0;
}
