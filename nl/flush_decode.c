/* flush_decode.c: one ctnetlink dump message to a flush_entry. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "flush_nl.h"
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

struct dec {
	struct flush_entry *e;
	bool is_reply, has_orig;
	int rc; /* why a callback stopped the parse */
};

static int attr_ok(const struct nlattr *a, enum mnl_attr_data_type type)
{
	return mnl_attr_validate(a, type) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

static int dec_ip_cb(const struct nlattr *a, void *data)
{
	struct dec *d = data;
	uint8_t *src = d->is_reply ? d->e->rsrc : d->e->src;
	uint8_t *dst = d->is_reply ? d->e->rdst : d->e->dst;
	uint16_t type = mnl_attr_get_type(a);
	size_t len = type == CTA_IP_V4_SRC || type == CTA_IP_V4_DST ? 4 : 16;

	if (type < CTA_IP_V4_SRC || type > CTA_IP_V6_DST)
		return MNL_CB_OK;
	if (mnl_attr_get_payload_len(a) != len)
		return MNL_CB_ERROR;
	memcpy(type == CTA_IP_V4_SRC || type == CTA_IP_V6_SRC ? src : dst, mnl_attr_get_payload(a),
	       len);
	return MNL_CB_OK;
}

static int dec_proto_cb(const struct nlattr *a, void *data)
{
	struct dec *d = data;
	struct flush_entry *e = d->e;
	uint16_t type = mnl_attr_get_type(a);

	if (type == CTA_PROTO_NUM) {
		if (attr_ok(a, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		if (!d->is_reply)
			e->proto = mnl_attr_get_u8(a);
		return MNL_CB_OK;
	}
	if (type != CTA_PROTO_SRC_PORT && type != CTA_PROTO_DST_PORT)
		return MNL_CB_OK;
	if (attr_ok(a, MNL_TYPE_U16) < 0)
		return MNL_CB_ERROR;
	if (type == CTA_PROTO_SRC_PORT)
		*(d->is_reply ? &e->rsport : &e->sport) = ntohs(mnl_attr_get_u16(a));
	else
		*(d->is_reply ? &e->rdport : &e->dport) = ntohs(mnl_attr_get_u16(a));
	return MNL_CB_OK;
}

static int dec_tuple_cb(const struct nlattr *a, void *data)
{
	switch (mnl_attr_get_type(a)) {
	case CTA_TUPLE_IP:
		return mnl_attr_parse_nested(a, dec_ip_cb, data);
	case CTA_TUPLE_PROTO:
		return mnl_attr_parse_nested(a, dec_proto_cb, data);
	default:
		return MNL_CB_OK;
	}
}

static int dec_tuple(const struct nlattr *a, struct dec *d, bool is_reply)
{
	d->is_reply = is_reply;
	if (!is_reply) {
		if (a->nla_len > FLUSH_TUPLE_MAX)
			return -EOVERFLOW;
		memcpy(d->e->tuple, a, a->nla_len);
		d->e->tuple_len = a->nla_len;
		d->has_orig = true;
	}
	return mnl_attr_parse_nested(a, dec_tuple_cb, d) < 0 ? -EBADMSG : 0;
}

static int dec_tcp_cb(const struct nlattr *a, void *data)
{
	struct dec *d = data;

	if (mnl_attr_get_type(a) != CTA_PROTOINFO_TCP_STATE)
		return MNL_CB_OK;
	if (attr_ok(a, MNL_TYPE_U8) < 0)
		return MNL_CB_ERROR;
	d->e->tcp_state = mnl_attr_get_u8(a);
	return MNL_CB_OK;
}

static int dec_protoinfo_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) != CTA_PROTOINFO_TCP)
		return MNL_CB_OK;
	return mnl_attr_parse_nested(a, dec_tcp_cb, data);
}

static int dec_u32(const struct nlattr *a, uint32_t *out)
{
	if (attr_ok(a, MNL_TYPE_U32) < 0)
		return -EBADMSG;
	*out = ntohl(mnl_attr_get_u32(a));
	return 0;
}

static int dec_top(const struct nlattr *a, struct dec *d)
{
	struct flush_entry *e = d->e;

	switch (mnl_attr_get_type(a)) {
	case CTA_TUPLE_ORIG:
		return dec_tuple(a, d, false);
	case CTA_TUPLE_REPLY:
		return dec_tuple(a, d, true);
	case CTA_STATUS:
		return dec_u32(a, &e->status);
	case CTA_MARK:
		return dec_u32(a, &e->mark);
	case CTA_TIMEOUT:
		return dec_u32(a, &e->timeout_s);
	case CTA_ID:
		e->has_id = true;
		return dec_u32(a, &e->id);
	case CTA_ZONE:
		if (attr_ok(a, MNL_TYPE_U16) < 0)
			return -EBADMSG;
		e->zone = ntohs(mnl_attr_get_u16(a));
		return 0;
	case CTA_PROTOINFO:
		return mnl_attr_parse_nested(a, dec_protoinfo_cb, d) < 0 ? -EBADMSG : 0;
	case CTA_COUNTERS_ORIG:
	case CTA_COUNTERS_REPLY:
		e->has_acct = true;
		return 0;
	case CTA_TIMESTAMP:
		e->has_tstamp = true;
		return 0;
	default:
		return 0;
	}
}

static int dec_top_cb(const struct nlattr *a, void *data)
{
	struct dec *d = data;
	int rc = dec_top(a, d);

	if (rc < 0) {
		d->rc = rc;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int flush_decode(const struct nlmsghdr *nlh, struct flush_entry *out)
{
	const struct nfgenmsg *nfg;
	struct flush_entry e;
	struct dec d = {.e = &e, .rc = -EBADMSG};

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*nfg) || nlh->nlmsg_type != MSG_CT_NEW)
		return -EBADMSG;
	memset(&e, 0, sizeof(e));
	nfg = mnl_nlmsg_get_payload(nlh);
	e.family = nfg->nfgen_family;
	e.tcp_state = -1;
	if (mnl_attr_parse(nlh, sizeof(*nfg), dec_top_cb, &d) < 0)
		return d.rc;
	if (!d.has_orig)
		return -EBADMSG;
	e.has_ports = flush_proto_has_ports(e.proto);
	if (e.proto != IPPROTO_TCP)
		e.tcp_state = -1;
	*out = e;
	return 0;
}
