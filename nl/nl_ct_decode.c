/* nl_ct_decode.c: ctnetlink conntrack message to struct ct_entry, read
 * directly. libnetfilter_conntrack's nfct_nlmsg_parse() decodes every
 * attribute into an object (two thirds of the walk's CPU) and exit()s on
 * an attribute of an unexpected size; here each nest is read in one pass
 * with a switch over the types some caller needs, and a bad size is
 * -EBADMSG.
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

#include "nl_ct_decode.h"

#define MSG_CT_NEW    ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW)
#define MSG_CT_DELETE ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE)

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

static int get_be16(const struct nlattr *a, uint16_t *v, bool *has)
{
	uint16_t raw;

	if (get_exact(a, &raw, sizeof(raw)) < 0)
		return -EBADMSG;
	*v = ntohs(raw);
	*has = true;
	return 0;
}

static int get_be32(const struct nlattr *a, uint32_t *v, bool *has)
{
	uint32_t raw;

	if (get_exact(a, &raw, sizeof(raw)) < 0)
		return -EBADMSG;
	*v = ntohl(raw);
	*has = true;
	return 0;
}

static int get_be64(const struct nlattr *a, uint64_t *v, bool *has)
{
	uint64_t raw;

	if (get_exact(a, &raw, sizeof(raw)) < 0)
		return -EBADMSG;
	*v = be64toh(raw);
	*has = true;
	return 0;
}

/* An address of len bytes (checked whatever the family), kept when it is
 * of the message's own family. Inline, with len a constant: no memcpy()
 * call. */
static inline int get_addr(const struct nlattr *a, size_t len, bool keep, uint8_t *out, bool *has)
{
	if (attr_len(a) != len)
		return -EBADMSG;
	if (keep) {
		memcpy(out, attr_data(a), len);
		*has = true;
	}
	return 0;
}

/* CTA_TUPLE_IP: the addresses of the message's own family. Every address
 * size is checked whatever the family. */
static int dec_ip(const struct nlattr *nest, uint8_t family, struct ct_tuple *t)
{
	const bool is_v4 = family == AF_INET, is_v6 = family == AF_INET6;
	const struct nlattr *attr;

	for_each_nested (attr, nest) {
		int rc = 0;

		switch (attr_type(attr)) {
		case CTA_IP_V4_SRC:
			rc = get_addr(attr, 4, is_v4, t->src, &t->has_src);
			break;
		case CTA_IP_V4_DST:
			rc = get_addr(attr, 4, is_v4, t->dst, &t->has_dst);
			break;
		case CTA_IP_V6_SRC:
			rc = get_addr(attr, 16, is_v6, t->src, &t->has_src);
			break;
		case CTA_IP_V6_DST:
			rc = get_addr(attr, 16, is_v6, t->dst, &t->has_dst);
			break;
		}
		if (rc < 0)
			return rc;
	}
	return rest_ok(attr, nest_end(nest));
}

static int dec_proto(const struct nlattr *nest, struct ct_tuple *t)
{
	const struct nlattr *attr;

	for_each_nested (attr, nest) {
		int rc = 0;

		switch (attr_type(attr)) {
		case CTA_PROTO_NUM:
			rc = get_exact(attr, &t->proto, 1);
			t->has_proto = rc == 0;
			break;
		case CTA_PROTO_SRC_PORT:
			rc = get_be16(attr, &t->sport, &t->has_sport);
			break;
		case CTA_PROTO_DST_PORT:
			rc = get_be16(attr, &t->dport, &t->has_dport);
			break;
		case CTA_PROTO_ICMP_ID:
		case CTA_PROTO_ICMPV6_ID:
			rc = get_be16(attr, &t->icmp_id, &t->has_icmp_id);
			break;
		}
		if (rc < 0)
			return rc;
	}
	return rest_ok(attr, nest_end(nest));
}

static int dec_tuple(const struct nlattr *nest, uint8_t family, struct ct_tuple *t)
{
	const struct nlattr *attr;

	for_each_nested (attr, nest) {
		int rc = 0;

		switch (attr_type(attr)) {
		case CTA_TUPLE_IP:
			rc = dec_ip(attr, family, t);
			break;
		case CTA_TUPLE_PROTO:
			rc = dec_proto(attr, t);
			break;
		}
		if (rc < 0)
			return rc;
	}
	return rest_ok(attr, nest_end(nest));
}

/* CTA_PROTOINFO -> CTA_PROTOINFO_TCP -> CTA_PROTOINFO_TCP_STATE. */
static int dec_tcp(const struct nlattr *nest, struct ct_entry *e)
{
	const struct nlattr *attr;
	uint8_t state;

	for_each_nested (attr, nest) {
		if (attr_type(attr) != CTA_PROTOINFO_TCP_STATE)
			continue;
		if (get_exact(attr, &state, 1) < 0)
			return -EBADMSG;
		e->tcp_state = state;
	}
	return rest_ok(attr, nest_end(nest));
}

static int dec_protoinfo(const struct nlattr *nest, struct ct_entry *e)
{
	const struct nlattr *attr;

	for_each_nested (attr, nest) {
		if (attr_type(attr) == CTA_PROTOINFO_TCP && dec_tcp(attr, e) < 0)
			return -EBADMSG;
	}
	return rest_ok(attr, nest_end(nest));
}

/* One direction's counters, added to the entry's totals. Kernels before
 * 2.6.28 sent 32-bit counters (CTA_COUNTERS32_*). */
static int dec_counters(const struct nlattr *nest, struct ct_entry *e)
{
	uint64_t packets = 0, bytes = 0;
	uint32_t v32 = 0;
	const struct nlattr *attr;

	e->has_counters = true;
	for_each_nested (attr, nest) {
		int rc = 0;

		switch (attr_type(attr)) {
		case CTA_COUNTERS_PACKETS:
			rc = get_be64(attr, &packets, &e->has_acct);
			break;
		case CTA_COUNTERS_BYTES:
			rc = get_be64(attr, &bytes, &e->has_acct);
			break;
		case CTA_COUNTERS32_PACKETS:
			rc = get_be32(attr, &v32, &e->has_acct);
			packets = v32;
			break;
		case CTA_COUNTERS32_BYTES:
			rc = get_be32(attr, &v32, &e->has_acct);
			bytes = v32;
			break;
		}
		if (rc < 0)
			return rc;
	}
	e->packets += packets;
	e->bytes += bytes;
	return rest_ok(attr, nest_end(nest));
}

static int dec_tstamp(const struct nlattr *nest, struct ct_entry *e)
{
	const struct nlattr *attr;

	e->has_tstamp = true;
	for_each_nested (attr, nest) {
		int rc = 0;

		switch (attr_type(attr)) {
		case CTA_TIMESTAMP_START:
			rc = get_be64(attr, &e->start_ns, &e->has_start);
			break;
		case CTA_TIMESTAMP_STOP:
			rc = get_be64(attr, &e->stop_ns, &e->has_stop);
			break;
		}
		if (rc < 0)
			return rc;
	}
	return rest_ok(attr, nest_end(nest));
}

static int dec_top(const struct nlattr *attr, struct ct_entry *e)
{
	switch (attr_type(attr)) {
	case CTA_TUPLE_ORIG:
		e->has_orig = true;
		e->orig_raw = attr;
		e->orig_raw_len = attr->nla_len;
		return dec_tuple(attr, e->family, &e->orig);
	case CTA_TUPLE_REPLY:
		e->has_reply = true;
		return dec_tuple(attr, e->family, &e->reply);
	case CTA_STATUS:
		return get_be32(attr, &e->status, &e->has_status);
	case CTA_MARK:
		return get_be32(attr, &e->mark, &e->has_mark);
	case CTA_ZONE:
		return get_be16(attr, &e->zone, &e->has_zone);
	case CTA_TIMEOUT:
		return get_be32(attr, &e->timeout_s, &e->has_timeout);
	case CTA_ID:
		return get_be32(attr, &e->id, &e->has_id);
	case CTA_PROTOINFO:
		return dec_protoinfo(attr, e);
	case CTA_COUNTERS_ORIG:
	case CTA_COUNTERS_REPLY:
		return dec_counters(attr, e);
	case CTA_TIMESTAMP:
		return dec_tstamp(attr, e);
	default:
		return 0;
	}
}

int nl_ct_entry_decode(const struct nlmsghdr *nlh, struct ct_entry *e)
{
	const size_t hdr = NLMSG_HDRLEN + sizeof(struct nfgenmsg);
	const struct nfgenmsg *nfg = (const void *)((const char *)nlh + NLMSG_HDRLEN);
	const char *payload = (const char *)nlh + hdr;
	const struct nlattr *attr;
	const char *end;

	if (nlh->nlmsg_len < hdr || nlh->nlmsg_len > INT32_MAX)
		return -EBADMSG;
	if (nlh->nlmsg_type != MSG_CT_NEW && nlh->nlmsg_type != MSG_CT_DELETE)
		return -ENOENT;
	*e = (struct ct_entry){.tcp_state = -1,
			       .family = nfg->nfgen_family,
			       .is_destroy = nlh->nlmsg_type == MSG_CT_DELETE,
			       .is_create = (nlh->nlmsg_flags & NLM_F_CREATE) != 0};
	end = (const char *)nlh + nlh->nlmsg_len;
	for_each_attr (attr, payload, end) {
		if (dec_top(attr, e) < 0)
			return -EBADMSG;
	}
	return rest_ok(attr, end);
}
