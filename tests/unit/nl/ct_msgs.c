/* ct_msgs.c: ctnetlink conntrack entry messages built by hand for the nl/
 * decoder tests (ct_msgs.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <endian.h>
#include <errno.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "ct_msgs.h"

struct tuple {
	uint8_t family;
	const char *src, *dst;
	uint8_t proto;
	uint16_t sport, dport;
};

struct nlmsghdr *put_header(char *buf, uint8_t family, uint8_t msg)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | msg;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = 1;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	return nlh;
}

static void put_addr(struct nlmsghdr *nlh, uint16_t type4, uint16_t type6, const struct tuple *t,
		     const char *text)
{
	uint8_t addr[16];

	assert_int_equal(inet_pton(t->family, text, addr), 1);
	if (t->family == AF_INET)
		mnl_attr_put(nlh, type4, 4, addr);
	else
		mnl_attr_put(nlh, type6, 16, addr);
}

static void put_tuple(struct nlmsghdr *nlh, uint16_t type, const struct tuple *t)
{
	struct nlattr *outer = mnl_attr_nest_start(nlh, type);
	struct nlattr *ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);

	put_addr(nlh, CTA_IP_V4_SRC, CTA_IP_V6_SRC, t, t->src);
	put_addr(nlh, CTA_IP_V4_DST, CTA_IP_V6_DST, t, t->dst);
	mnl_attr_nest_end(nlh, ip);
	struct nlattr *proto = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, t->proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(t->sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(t->dport));
	mnl_attr_nest_end(nlh, proto);
	mnl_attr_nest_end(nlh, outer);
}

static void put_counters(struct nlmsghdr *nlh, uint16_t type, uint64_t packets, uint64_t bytes)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u64(nlh, CTA_COUNTERS_PACKETS, htobe64(packets));
	mnl_attr_put_u64(nlh, CTA_COUNTERS_BYTES, htobe64(bytes));
	mnl_attr_nest_end(nlh, nest);
}

static void put_tcp_state(struct nlmsghdr *nlh, uint8_t state)
{
	struct nlattr *pi = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
	struct nlattr *tcp = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);

	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, state);
	mnl_attr_nest_end(nlh, tcp);
	mnl_attr_nest_end(nlh, pi);
}

/* IPv4 TCP ESTABLISHED, assured, with counters and a start timestamp. */
struct nlmsghdr *build_v4_tcp(char *buf)
{
	static const struct tuple orig = {AF_INET, "10.1.2.3", "10.9.8.7", 6, 40000, 443};
	static const struct tuple repl = {AF_INET, "10.9.8.7", "10.1.2.3", 6, 443, 40000};
	struct nlmsghdr *nlh = put_header(buf, AF_INET, IPCTNL_MSG_CT_NEW);

	put_tuple(nlh, CTA_TUPLE_ORIG, &orig);
	put_tuple(nlh, CTA_TUPLE_REPLY, &repl);
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(IPS_SEEN_REPLY_BIT | IPS_ASSURED_BIT | 8));
	mnl_attr_put_u32(nlh, CTA_TIMEOUT, htonl(431990));
	mnl_attr_put_u32(nlh, CTA_MARK, htonl(0));
	put_tcp_state(nlh, 3);
	put_counters(nlh, CTA_COUNTERS_ORIG, 10, 1500);
	put_counters(nlh, CTA_COUNTERS_REPLY, 8, 9000);
	struct nlattr *ts = mnl_attr_nest_start(nlh, CTA_TIMESTAMP);
	mnl_attr_put_u64(nlh, CTA_TIMESTAMP_START, htobe64(1700000000000000000ull));
	mnl_attr_nest_end(nlh, ts);
	mnl_attr_put_u32(nlh, CTA_USE, htonl(1));
	mnl_attr_put_u32(nlh, CTA_ID, htonl(12345));
	return nlh;
}

/* IPv6 UDP unreplied in zone 5 with a mark; no counters, no protoinfo. */
struct nlmsghdr *build_v6_udp(char *buf)
{
	static const struct tuple orig = {AF_INET6, "fd00::1", "fd00::53", 17, 5353, 53};
	static const struct tuple repl = {AF_INET6, "fd00::53", "fd00::1", 17, 53, 5353};
	struct nlmsghdr *nlh = put_header(buf, AF_INET6, IPCTNL_MSG_CT_NEW);

	put_tuple(nlh, CTA_TUPLE_ORIG, &orig);
	put_tuple(nlh, CTA_TUPLE_REPLY, &repl);
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(8));
	mnl_attr_put_u32(nlh, CTA_TIMEOUT, htonl(29));
	mnl_attr_put_u32(nlh, CTA_MARK, htonl(0xbeef));
	mnl_attr_put_u16(nlh, CTA_ZONE, htons(5));
	return nlh;
}

/* A future kernel's attributes, top level and inside the tuple, between
 * known ones: they are skipped and the rest still decodes. */
struct nlmsghdr *build_unknown_attr(char *buf)
{
	static const struct tuple repl = {AF_INET, "192.0.2.9", "192.0.2.1", 132, 38412, 9};
	static const uint8_t blob[7] = {1, 2, 3, 4, 5, 6, 7};
	struct nlmsghdr *nlh = put_header(buf, AF_INET, IPCTNL_MSG_CT_NEW);
	struct nlattr *outer = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);

	mnl_attr_put(nlh, CTA_TUPLE_MAX + 3, sizeof(blob), blob);
	struct nlattr *ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, htonl(0xc0000201));
	mnl_attr_put_u32(nlh, CTA_IP_V4_DST, htonl(0xc0000209));
	mnl_attr_nest_end(nlh, ip);
	struct nlattr *proto = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, 132);
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(38412));
	mnl_attr_nest_end(nlh, proto);
	mnl_attr_nest_end(nlh, outer);
	mnl_attr_put(nlh, CTA_MAX + 7, sizeof(blob), blob);
	put_tuple(nlh, CTA_TUPLE_REPLY, &repl);
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(IPS_SEEN_REPLY_BIT));
	mnl_attr_put(nlh, CTA_MAX + 1, 0, NULL);
	return nlh;
}

static void put_field(struct nlmsghdr *nlh, const struct shape *sh, enum field f, uint16_t type,
		      size_t len, const void *data)
{
	static const uint8_t junk[32] = {0xee};

	if (sh->bad == f)
		mnl_attr_put(nlh, type, sh->bad_len, junk);
	else
		mnl_attr_put(nlh, type, len, data);
}

/* Unknown types: a 7-byte one (padded) and an empty nest with the
 * NLA_F_NESTED flag, both past the level's known maximum. */
static void put_unknown(struct nlmsghdr *nlh, const struct shape *sh, uint16_t level_max)
{
	static const uint8_t blob[7] = {1, 2, 3, 4, 5, 6, 7};

	if (!sh->with_unknown)
		return;
	mnl_attr_put(nlh, level_max + 1, sizeof(blob), blob);
	mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, (uint16_t)(level_max + 9)));
}

static void put_full_orig(struct nlmsghdr *nlh, const struct shape *sh, uint8_t family)
{
	static const uint8_t v4[4] = {10, 1, 2, 3};
	static const uint8_t v6[16] = {0xfd, [15] = 1};
	uint8_t proto = 6;
	uint16_t dport = htons(443), sport = htons(40000);
	struct nlattr *outer = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);

	put_unknown(nlh, sh, CTA_TUPLE_MAX);
	struct nlattr *ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	put_unknown(nlh, sh, CTA_IP_MAX);
	if (family == AF_INET || sh->bad == F_V4_SRC)
		put_field(nlh, sh, F_V4_SRC, CTA_IP_V4_SRC, 4, v4);
	if (family == AF_INET6 || sh->bad == F_V6_SRC)
		put_field(nlh, sh, F_V6_SRC, CTA_IP_V6_SRC, 16, v6);
	put_unknown(nlh, sh, CTA_IP_MAX);
	mnl_attr_nest_end(nlh, ip);
	struct nlattr *pr = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	put_unknown(nlh, sh, CTA_PROTO_MAX);
	put_field(nlh, sh, F_PROTO_NUM, CTA_PROTO_NUM, 1, &proto);
	mnl_attr_put(nlh, CTA_PROTO_SRC_PORT, 2, &sport);
	put_field(nlh, sh, F_DST_PORT, CTA_PROTO_DST_PORT, 2, &dport);
	put_unknown(nlh, sh, CTA_PROTO_MAX);
	mnl_attr_nest_end(nlh, pr);
	put_unknown(nlh, sh, CTA_TUPLE_MAX);
	mnl_attr_nest_end(nlh, outer);
}

static void put_full_protoinfo(struct nlmsghdr *nlh, const struct shape *sh)
{
	static const uint8_t flags[2] = {0x23, 0x23};
	uint8_t state = 3;
	struct nlattr *pi = mnl_attr_nest_start(nlh, CTA_PROTOINFO);

	put_unknown(nlh, sh, CTA_PROTOINFO_MAX);
	struct nlattr *tcp = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);
	put_unknown(nlh, sh, CTA_PROTOINFO_TCP_MAX);
	put_field(nlh, sh, F_TCP_STATE, CTA_PROTOINFO_TCP_STATE, 1, &state);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_WSCALE_ORIGINAL, 7);
	mnl_attr_put(nlh, CTA_PROTOINFO_TCP_FLAGS_ORIGINAL, sizeof(flags), flags);
	put_unknown(nlh, sh, CTA_PROTOINFO_TCP_MAX);
	mnl_attr_nest_end(nlh, tcp);
	put_unknown(nlh, sh, CTA_PROTOINFO_MAX);
	mnl_attr_nest_end(nlh, pi);
}

static void put_full_counters(struct nlmsghdr *nlh, const struct shape *sh)
{
	uint64_t p64 = htobe64(10), b64 = htobe64(1500);
	uint32_t p32 = htonl(8), b32 = htonl(9000);
	struct nlattr *n = mnl_attr_nest_start(nlh, CTA_COUNTERS_ORIG);

	put_unknown(nlh, sh, CTA_COUNTERS_MAX);
	put_field(nlh, sh, F_PACKETS, CTA_COUNTERS_PACKETS, 8, &p64);
	put_field(nlh, sh, F_BYTES, CTA_COUNTERS_BYTES, 8, &b64);
	put_unknown(nlh, sh, CTA_COUNTERS_MAX);
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, CTA_COUNTERS_REPLY);
	put_field(nlh, sh, F_PACKETS32, CTA_COUNTERS32_PACKETS, 4, &p32);
	put_field(nlh, sh, F_BYTES32, CTA_COUNTERS32_BYTES, 4, &b32);
	mnl_attr_nest_end(nlh, n);
}

struct nlmsghdr *build_full(char *buf, uint8_t family, const struct shape *sh)
{
	static const struct tuple repl = {AF_INET, "10.9.8.7", "10.1.2.3", 6, 443, 40000};
	uint32_t status = htonl(IPS_SEEN_REPLY_BIT | IPS_ASSURED_BIT | 8), mark = htonl(0x42);
	uint32_t timeout = htonl(300);
	uint64_t start = htobe64(1700000000000000000ull);
	uint16_t zone = htons(7);
	struct nlmsghdr *nlh = put_header(buf, family, IPCTNL_MSG_CT_NEW);

	put_unknown(nlh, sh, CTA_MAX);
	put_full_orig(nlh, sh, family);
	if (family == AF_INET)
		put_tuple(nlh, CTA_TUPLE_REPLY, &repl);
	put_field(nlh, sh, F_STATUS, CTA_STATUS, 4, &status);
	put_field(nlh, sh, F_TIMEOUT, CTA_TIMEOUT, 4, &timeout);
	put_field(nlh, sh, F_MARK, CTA_MARK, 4, &mark);
	put_field(nlh, sh, F_ZONE, CTA_ZONE, 2, &zone);
	put_full_protoinfo(nlh, sh);
	put_full_counters(nlh, sh);
	struct nlattr *ts = mnl_attr_nest_start(nlh, CTA_TIMESTAMP);
	put_unknown(nlh, sh, CTA_TIMESTAMP_MAX);
	put_field(nlh, sh, F_TSTAMP_START, CTA_TIMESTAMP_START, 8, &start);
	put_unknown(nlh, sh, CTA_TIMESTAMP_MAX);
	mnl_attr_nest_end(nlh, ts);
	mnl_attr_put_u32(nlh, CTA_USE, htonl(1));
	put_unknown(nlh, sh, CTA_MAX);
	return nlh;
}

struct nlmsghdr *build_full_v4(char *buf)
{
	static const struct shape clean = {0};

	return build_full(buf, AF_INET, &clean);
}

struct nlmsghdr *build_full_v4_unknown(char *buf)
{
	static const struct shape unknown = {.with_unknown = true};

	return build_full(buf, AF_INET, &unknown);
}

struct nlmsghdr *build_full_v6_unknown(char *buf)
{
	static const struct shape unknown = {.with_unknown = true};

	return build_full(buf, AF_INET6, &unknown);
}

/* Attributes the walk does not read (security context, helper, labels):
 * libnetfilter_conntrack allocated for these; here they are only skipped. */
struct nlmsghdr *build_unread_attrs(char *buf)
{
	static const uint8_t labels[16] = {0x01};
	static const uint8_t info[8] = {9};
	struct nlmsghdr *nlh = build_v6_udp(buf);
	struct nlattr *nest = mnl_attr_nest_start(nlh, CTA_SECCTX);

	mnl_attr_put_strz(nlh, CTA_SECCTX_NAME, "system_u:object_r:unlabeled_t:s0");
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, CTA_HELP);
	mnl_attr_put_strz(nlh, CTA_HELP_NAME, "ftp");
	mnl_attr_put(nlh, CTA_HELP_INFO, sizeof(info), info);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put(nlh, CTA_LABELS, sizeof(labels), labels);
	return nlh;
}
