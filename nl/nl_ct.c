/* nl_ct.c: a ctnetlink conntrack message to the walk_entry of the walk and
 * the nat_entry of the NAT view: nl_ct_entry_decode() (nl_ct_decode.c)
 * reads the message, these keep what each view needs. The dump loop that
 * feeds them is nl_ct_dump.c. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "nl_ct.h"
#include "nl_ct_decode.h"

#define MSG_CT_NEW ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW)

static bool has_ports(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
	case IPPROTO_UDPLITE:
	case IPPROTO_DCCP:
		return true;
	default:
		return false;
	}
}

/* A dump entry: a NEW message, decoded. */
static int decode_entry(const struct nlmsghdr *nlh, struct ct_entry *c)
{
	if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_type != MSG_CT_NEW)
		return -EBADMSG;
	return nl_ct_entry_decode(nlh, c) < 0 ? -EBADMSG : 0;
}

int nl_ct_decode(const struct nlmsghdr *nlh, struct walk_entry *e)
{
	struct ct_entry c;
	bool ports;

	/* A dump entry without its original tuple is not one we can count. */
	if (decode_entry(nlh, &c) < 0 || !c.has_orig)
		return -EBADMSG;
	ports = c.orig.has_dport && has_ports(c.orig.proto);
	*e = (struct walk_entry){.family = c.family,
				 .proto = c.orig.proto,
				 .has_ports = ports,
				 .dport = ports ? c.orig.dport : 0,
				 .tcp_state = c.orig.proto == IPPROTO_TCP ? c.tcp_state : -1,
				 .status = c.status,
				 .has_mark = c.has_mark,
				 .mark = c.mark,
				 .zone = c.zone,
				 .has_timeout = c.has_timeout,
				 .timeout_s = c.timeout_s,
				 .has_acct = c.has_acct,
				 .packets = c.packets,
				 .bytes = c.bytes,
				 .has_tstamp = c.has_start};
	memcpy(e->src, c.orig.src, sizeof(e->src));
	return 0;
}

/* ---- the NAT view: both tuples ---- */

static void nat_fill(const struct ct_entry *c, struct nat_entry *e)
{
	const struct ct_tuple *reply = &c->reply;
	bool is_icmp = reply->proto == IPPROTO_ICMP || reply->proto == IPPROTO_ICMPV6;

	memset(e, 0, sizeof(*e));
	e->family = c->family;
	e->proto = c->orig.proto;
	e->zone = c->zone;
	e->status = c->status;
	e->tcp_state = e->proto == IPPROTO_TCP ? c->tcp_state : -1;
	memcpy(e->client, c->orig.src, 16);
	memcpy(e->nat_addr, reply->dst, 16);
	memcpy(e->dst, reply->src, 16);
	if (is_icmp && reply->has_icmp_id) {
		e->has_ports = true;
		e->nat_port = reply->icmp_id; /* the id NAT rewrites */
	} else if (!is_icmp && has_ports(e->proto) && reply->has_sport && reply->has_dport) {
		e->has_ports = true;
		e->dport = reply->sport;
		e->nat_port = reply->dport;
	}
}

int nl_ct_decode_nat(const struct nlmsghdr *nlh, struct nat_entry *e)
{
	struct ct_entry c;

	if (decode_entry(nlh, &c) < 0 || !c.has_orig || !c.has_reply || !c.reply.has_src ||
	    !c.reply.has_dst || !c.orig.has_src)
		return -EBADMSG;
	nat_fill(&c, e);
	return 0;
}
