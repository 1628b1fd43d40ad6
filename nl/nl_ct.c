/* nl_ct.c: ctnetlink conntrack message to walk_entry (and nat_entry), read
 * directly. The dump loop that feeds them is nl_ct_dump.c.
 * libnetfilter_conntrack's nfct_nlmsg_parse() decodes every attribute into
 * an object (two thirds of the walk's CPU) and exit()s on an attribute of an
 * unexpected size; here each nest is read in one pass with a switch over the
 * few types the walk needs, and a bad size is -EBADMSG.
 *
 * The loops follow libmnl's mnl_attr_for_each_nested()/mnl_attr_ok() rules,
 * inlined. Each stops at the first attribute that does not fit in what is
 * left of its nest; rest_ok() then turns "stopped early" into -EBADMSG.
 * Loops are bounded by the message length, never by NLMSG_ALIGN of it. */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "nl_ct.h"

#define MSG_CT_NEW ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW)

/* The entry being built, and what is only known once the whole message is
 * read (the port and TCP state count only for some protocols). */
struct ct_dec {
	struct walk_entry e;
	bool has_orig, has_dport;
};

/* Attribute access, inline: the libmnl equivalents are out-of-line calls
 * through the PLT, and these loops run a dozen times per entry. */
static inline uint16_t attr_type(const struct nlattr *a)
{
	return a->nla_type & NLA_TYPE_MASK;
}

static inline uint16_t attr_len(const struct nlattr *a)
{
	return (uint16_t)(a->nla_len - NLA_HDRLEN);
}

static inline const void *attr_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

/* a's header, then all of a, lies before end (mnl_attr_ok()). */
static inline bool attr_fits(const struct nlattr *a, const void *end)
{
	ptrdiff_t rem = (const char *)end - (const char *)a;

	return rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= rem;
}

static inline const struct nlattr *attr_next(const struct nlattr *a)
{
	return (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len));
}

static inline const void *nest_end(const struct nlattr *nest)
{
	return (const char *)nest + nest->nla_len;
}

/* Every attribute a from start up to end; stops at the first that does not
 * fit (see rest_ok()). */
#define for_each_attr(a, start, end)                                                               \
	for ((a) = (const struct nlattr *)(start); attr_fits((a), (end)); (a) = attr_next(a))

#define for_each_nested(a, nest) for_each_attr (a, attr_data(nest), nest_end(nest))

/* A loop over attributes ends with pos at the end of its area (or up to 3
 * bytes past it, when the last attribute's padding was left off). Anything
 * before the end is an attribute that overruns its nest or trailing bytes. */
static inline int rest_ok(const struct nlattr *pos, const void *end)
{
	return (const char *)end - (const char *)pos > 0 ? -EBADMSG : 0;
}

/* Copy an attribute's payload of exactly len bytes; wrong size: -EBADMSG. */
static int get_exact(const struct nlattr *a, void *out, size_t len)
{
	if (attr_len(a) != len)
		return -EBADMSG;
	memcpy(out, attr_data(a), len);
	return 0;
}

static int get_be16(const struct nlattr *a, uint16_t *v)
{
	uint16_t raw;

	if (get_exact(a, &raw, sizeof(raw)) < 0)
		return -EBADMSG;
	*v = ntohs(raw);
	return 0;
}

static int get_be32(const struct nlattr *a, uint32_t *v)
{
	uint32_t raw;

	if (get_exact(a, &raw, sizeof(raw)) < 0)
		return -EBADMSG;
	*v = ntohl(raw);
	return 0;
}

static int get_be64(const struct nlattr *a, uint64_t *v)
{
	uint64_t raw;

	if (get_exact(a, &raw, sizeof(raw)) < 0)
		return -EBADMSG;
	*v = be64toh(raw);
	return 0;
}

/* CTA_TUPLE_IP: the source address of the message's own family. Both
 * address sizes are checked whatever the family. */
static int dec_ip(const struct nlattr *nest, struct ct_dec *d)
{
	uint8_t addr[16];
	const struct nlattr *attr;

	for_each_nested (attr, nest) {
		switch (attr_type(attr)) {
		case CTA_IP_V4_SRC:
			if (get_exact(attr, addr, 4) < 0)
				return -EBADMSG;
			if (d->e.family == AF_INET)
				memcpy(d->e.src, addr, 4);
			break;
		case CTA_IP_V6_SRC:
			if (get_exact(attr, addr, 16) < 0)
				return -EBADMSG;
			if (d->e.family == AF_INET6)
				memcpy(d->e.src, addr, 16);
			break;
		}
	}
	return rest_ok(attr, nest_end(nest));
}

static int dec_proto(const struct nlattr *nest, struct ct_dec *d)
{
	const struct nlattr *attr;

	for_each_nested (attr, nest) {
		int rc = 0;

		switch (attr_type(attr)) {
		case CTA_PROTO_NUM:
			rc = get_exact(attr, &d->e.proto, 1);
			break;
		case CTA_PROTO_DST_PORT:
			rc = get_be16(attr, &d->e.dport);
			d->has_dport = rc == 0;
			break;
		}
		if (rc < 0)
			return rc;
	}
	return rest_ok(attr, nest_end(nest));
}

static int dec_tuple(const struct nlattr *nest, struct ct_dec *d)
{
	const struct nlattr *attr;

	for_each_nested (attr, nest) {
		int rc = 0;

		switch (attr_type(attr)) {
		case CTA_TUPLE_IP:
			rc = dec_ip(attr, d);
			break;
		case CTA_TUPLE_PROTO:
			rc = dec_proto(attr, d);
			break;
		}
		if (rc < 0)
			return rc;
	}
	d->has_orig = true;
	return rest_ok(attr, nest_end(nest));
}

/* CTA_PROTOINFO -> CTA_PROTOINFO_TCP -> CTA_PROTOINFO_TCP_STATE. */
static int dec_tcp(const struct nlattr *nest, struct ct_dec *d)
{
	const struct nlattr *attr;
	uint8_t state;

	for_each_nested (attr, nest) {
		if (attr_type(attr) != CTA_PROTOINFO_TCP_STATE)
			continue;
		if (get_exact(attr, &state, 1) < 0)
			return -EBADMSG;
		d->e.tcp_state = state;
	}
	return rest_ok(attr, nest_end(nest));
}

static int dec_protoinfo(const struct nlattr *nest, struct ct_dec *d)
{
	const struct nlattr *attr;

	for_each_nested (attr, nest) {
		if (attr_type(attr) == CTA_PROTOINFO_TCP && dec_tcp(attr, d) < 0)
			return -EBADMSG;
	}
	return rest_ok(attr, nest_end(nest));
}

/* One direction's counters, added to the entry's totals. Kernels before
 * 2.6.28 sent 32-bit counters (CTA_COUNTERS32_*). */
static int dec_counters(const struct nlattr *nest, struct ct_dec *d)
{
	uint64_t packets = 0, bytes = 0;
	uint32_t v32 = 0;
	const struct nlattr *attr;

	for_each_nested (attr, nest) {
		int rc = 0;

		switch (attr_type(attr)) {
		case CTA_COUNTERS_PACKETS:
			rc = get_be64(attr, &packets);
			break;
		case CTA_COUNTERS_BYTES:
			rc = get_be64(attr, &bytes);
			break;
		case CTA_COUNTERS32_PACKETS:
			rc = get_be32(attr, &v32);
			packets = v32;
			break;
		case CTA_COUNTERS32_BYTES:
			rc = get_be32(attr, &v32);
			bytes = v32;
			break;
		default:
			continue;
		}
		if (rc < 0)
			return rc;
		d->e.has_acct = true;
	}
	d->e.packets += packets;
	d->e.bytes += bytes;
	return rest_ok(attr, nest_end(nest));
}

/* Timestamping is on when the entry carries its start time. */
static int dec_tstamp(const struct nlattr *nest, struct ct_dec *d)
{
	const struct nlattr *attr;
	uint64_t start;

	for_each_nested (attr, nest) {
		if (attr_type(attr) != CTA_TIMESTAMP_START)
			continue;
		if (get_be64(attr, &start) < 0)
			return -EBADMSG;
		d->e.has_tstamp = true;
	}
	return rest_ok(attr, nest_end(nest));
}

static int dec_top(const struct nlattr *attr, struct ct_dec *d)
{
	struct walk_entry *e = &d->e;

	switch (attr_type(attr)) {
	case CTA_TUPLE_ORIG:
		return dec_tuple(attr, d);
	case CTA_STATUS:
		return get_be32(attr, &e->status);
	case CTA_MARK:
		e->has_mark = true;
		return get_be32(attr, &e->mark);
	case CTA_ZONE: /* absent for the default zone 0 */
		return get_be16(attr, &e->zone);
	case CTA_TIMEOUT:
		e->has_timeout = true;
		return get_be32(attr, &e->timeout_s);
	case CTA_PROTOINFO:
		return dec_protoinfo(attr, d);
	case CTA_COUNTERS_ORIG:
	case CTA_COUNTERS_REPLY:
		return dec_counters(attr, d);
	case CTA_TIMESTAMP:
		return dec_tstamp(attr, d);
	default:
		return 0;
	}
}

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

int nl_ct_decode(const struct nlmsghdr *nlh, struct walk_entry *e)
{
	const size_t hdr = NLMSG_HDRLEN + sizeof(struct nfgenmsg);
	const struct nfgenmsg *nfg = (const void *)((const char *)nlh + NLMSG_HDRLEN);
	const char *payload = (const char *)nlh + hdr;
	struct ct_dec d = {.e.tcp_state = -1};
	const struct nlattr *attr;
	size_t payload_len;

	if (nlh->nlmsg_len < hdr || nlh->nlmsg_len > INT32_MAX || nlh->nlmsg_type != MSG_CT_NEW)
		return -EBADMSG;
	payload_len = nlh->nlmsg_len - hdr;
	d.e.family = nfg->nfgen_family;
	for_each_attr (attr, payload, payload + payload_len) {
		if (dec_top(attr, &d) < 0)
			return -EBADMSG;
	}
	/* A dump entry without its original tuple is not one we can count. */
	if (rest_ok(attr, payload + payload_len) < 0 || !d.has_orig)
		return -EBADMSG;
	d.e.has_ports = d.has_dport && has_ports(d.e.proto);
	if (!d.e.has_ports)
		d.e.dport = 0;
	if (d.e.proto != IPPROTO_TCP)
		d.e.tcp_state = -1;
	*e = d.e;
	return 0;
}

/* ---- the NAT view: both tuples ---- */

/* One tuple's addresses and ports (or ICMP id), as the NAT view needs. */
struct nat_tuple {
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint8_t proto;
	bool has_src, has_dst, has_sport, has_dport, has_id;
};

static int dec_nat_ip(const struct nlattr *nest, uint8_t family, struct nat_tuple *t)
{
	const struct nlattr *attr;

	for_each_nested (attr, nest) {
		uint16_t type = attr_type(attr);
		bool is_v4 = type == CTA_IP_V4_SRC || type == CTA_IP_V4_DST;
		bool is_src = type == CTA_IP_V4_SRC || type == CTA_IP_V6_SRC;
		uint8_t addr[16] = {0};

		if (type < CTA_IP_V4_SRC || type > CTA_IP_V6_DST)
			continue;
		if (get_exact(attr, addr, is_v4 ? 4 : 16) < 0)
			return -EBADMSG;
		if ((family == AF_INET) != is_v4)
			continue;
		memcpy(is_src ? t->src : t->dst, addr, 16);
		*(is_src ? &t->has_src : &t->has_dst) = true;
	}
	return rest_ok(attr, nest_end(nest));
}

static int dec_nat_proto(const struct nlattr *nest, struct nat_tuple *t)
{
	const struct nlattr *attr;

	for_each_nested (attr, nest) {
		int rc = 0;

		switch (attr_type(attr)) {
		case CTA_PROTO_NUM:
			rc = get_exact(attr, &t->proto, 1);
			break;
		case CTA_PROTO_SRC_PORT:
			rc = get_be16(attr, &t->sport);
			t->has_sport = rc == 0;
			break;
		case CTA_PROTO_DST_PORT:
			rc = get_be16(attr, &t->dport);
			t->has_dport = rc == 0;
			break;
		case CTA_PROTO_ICMP_ID:
		case CTA_PROTO_ICMPV6_ID:
			rc = get_be16(attr, &t->sport); /* the id NAT rewrites */
			t->has_id = rc == 0;
			break;
		}
		if (rc < 0)
			return rc;
	}
	return rest_ok(attr, nest_end(nest));
}

static int dec_nat_tuple(const struct nlattr *nest, uint8_t family, struct nat_tuple *t)
{
	const struct nlattr *attr;

	for_each_nested (attr, nest) {
		int rc = 0;

		if (attr_type(attr) == CTA_TUPLE_IP)
			rc = dec_nat_ip(attr, family, t);
		else if (attr_type(attr) == CTA_TUPLE_PROTO)
			rc = dec_nat_proto(attr, t);
		if (rc < 0)
			return rc;
	}
	return rest_ok(attr, nest_end(nest));
}

struct nat_dec {
	struct nat_tuple orig, reply;
	bool has_orig, has_reply;
	struct ct_dec ct; /* status, zone, TCP state through the walk's decoders */
};

static int dec_nat_top(const struct nlattr *attr, uint8_t family, struct nat_dec *d)
{
	switch (attr_type(attr)) {
	case CTA_TUPLE_ORIG:
		d->has_orig = true;
		return dec_nat_tuple(attr, family, &d->orig);
	case CTA_TUPLE_REPLY:
		d->has_reply = true;
		return dec_nat_tuple(attr, family, &d->reply);
	case CTA_STATUS:
		return get_be32(attr, &d->ct.e.status);
	case CTA_ZONE:
		return get_be16(attr, &d->ct.e.zone);
	case CTA_PROTOINFO:
		return dec_protoinfo(attr, &d->ct);
	default:
		return 0;
	}
}

static void nat_fill(const struct nat_dec *d, uint8_t family, struct nat_entry *e)
{
	bool is_icmp = d->reply.proto == IPPROTO_ICMP || d->reply.proto == IPPROTO_ICMPV6;

	memset(e, 0, sizeof(*e));
	e->family = family;
	e->proto = d->orig.proto;
	e->zone = d->ct.e.zone;
	e->status = d->ct.e.status;
	e->tcp_state = e->proto == IPPROTO_TCP ? d->ct.e.tcp_state : -1;
	memcpy(e->client, d->orig.src, 16);
	memcpy(e->nat_addr, d->reply.dst, 16);
	memcpy(e->dst, d->reply.src, 16);
	if (is_icmp && d->reply.has_id) {
		e->has_ports = true;
		e->nat_port = d->reply.sport;
	} else if (!is_icmp && has_ports(e->proto) && d->reply.has_sport && d->reply.has_dport) {
		e->has_ports = true;
		e->dport = d->reply.sport;
		e->nat_port = d->reply.dport;
	}
}

int nl_ct_decode_nat(const struct nlmsghdr *nlh, struct nat_entry *e)
{
	const size_t hdr = NLMSG_HDRLEN + sizeof(struct nfgenmsg);
	const struct nfgenmsg *nfg = (const void *)((const char *)nlh + NLMSG_HDRLEN);
	const char *payload = (const char *)nlh + hdr;
	struct nat_dec d;
	const struct nlattr *attr;
	size_t payload_len;

	if (nlh->nlmsg_len < hdr || nlh->nlmsg_len > INT32_MAX || nlh->nlmsg_type != MSG_CT_NEW)
		return -EBADMSG;
	memset(&d, 0, sizeof(d));
	d.ct.e.tcp_state = -1;
	payload_len = nlh->nlmsg_len - hdr;
	for_each_attr (attr, payload, payload + payload_len) {
		if (dec_nat_top(attr, nfg->nfgen_family, &d) < 0)
			return -EBADMSG;
	}
	if (rest_ok(attr, payload + payload_len) < 0 || !d.has_orig || !d.has_reply ||
	    !d.reply.has_src || !d.reply.has_dst || !d.orig.has_src)
		return -EBADMSG;
	nat_fill(&d, nfg->nfgen_family, e);
	return 0;
}
