/* flush.c: the flush filter (parse, check, match) and the one-line format
 * of an entry. The decoder and the kernel side (scan, delete) are in nl/.
 * Filters follow conntrack -D's options and meanings: addresses and ports
 * are the original direction's, --src-nat/--dst-nat are the IPS_SRC_NAT /
 * IPS_DST_NAT status bits, --mark M/MASK matches (mark & MASK) == M. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "ct_abi.h"
#include "flush.h"

/* Names as conntrack -L prints them, indexed by enum tcp_conntrack. */
static const char *const tcp_state_names[] = {
    "NONE",       "SYN_SENT", "SYN_RECV",  "ESTABLISHED", "FIN_WAIT",
    "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",       "SYN_SENT2",
};
#define N_TCP_STATES (sizeof(tcp_state_names) / sizeof(tcp_state_names[0]))

static const struct {
	const char *name;
	uint8_t num;
} proto_names[] = {
    {"tcp", IPPROTO_TCP},       {"udp", IPPROTO_UDP},   {"udplite", IPPROTO_UDPLITE},
    {"sctp", IPPROTO_SCTP},     {"dccp", IPPROTO_DCCP}, {"icmp", IPPROTO_ICMP},
    {"icmpv6", IPPROTO_ICMPV6}, {"gre", IPPROTO_GRE},
};
#define N_PROTOS (sizeof(proto_names) / sizeof(proto_names[0]))

void flush_filter_init(struct flush_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->sport = -1;
	f->dport = -1;
	f->tcp_state = -1;
}

/* A whole unsigned number in 0..max; base 0 (0x.. hex) when hex is set. */
static int parse_uint(const char *s, uint64_t max, bool hex, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, hex ? 0 : 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static int parse_family(const char *s, uint8_t *out)
{
	if (strcmp(s, "ipv4") == 0 || strcmp(s, "inet") == 0 || strcmp(s, "4") == 0)
		*out = AF_INET;
	else if (strcmp(s, "ipv6") == 0 || strcmp(s, "inet6") == 0 || strcmp(s, "6") == 0)
		*out = AF_INET6;
	else
		return -EINVAL;
	return 0;
}

static int parse_proto(const char *s, uint8_t *out)
{
	uint64_t v;
	int rc;

	for (size_t i = 0; i < N_PROTOS; i++)
		if (strcasecmp(s, proto_names[i].name) == 0) {
			*out = proto_names[i].num;
			return 0;
		}
	rc = parse_uint(s, 255, false, &v);
	if (rc == 0)
		*out = (uint8_t)v;
	return rc;
}

/* ADDR or ADDR/PLEN, IPv4 or IPv6. */
static int parse_prefix(const char *s, struct flush_prefix *out)
{
	struct flush_prefix p = {.is_set = true};
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	uint64_t plen;

	if (alen == 0 || alen >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, p.addr) == 1)
		p.family = AF_INET;
	else if (inet_pton(AF_INET6, addr, p.addr) == 1)
		p.family = AF_INET6;
	else
		return -EINVAL;
	plen = p.family == AF_INET ? 32 : 128;
	if (slash != NULL && parse_uint(slash + 1, plen, false, &plen) < 0)
		return slash[1] >= '0' && slash[1] <= '9' ? -ERANGE : -EINVAL;
	p.plen = (uint8_t)plen;
	*out = p;
	return 0;
}

static int parse_state(const char *s, int *out)
{
	for (size_t i = 0; i < N_TCP_STATES; i++)
		if (strcasecmp(s, tcp_state_names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	if (strcasecmp(s, "LISTEN") == 0) { /* conntrack's alias of SYN_SENT2 */
		*out = CT_TCP_SYN_SENT2;
		return 0;
	}
	return -EINVAL;
}

/* M or M/MASK, decimal or 0x hex, 32 bits each. */
static int parse_mark(const char *s, uint32_t *mark, uint32_t *mask)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	uint64_t m, k = UINT32_MAX;
	int rc;

	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	rc = parse_uint(buf, UINT32_MAX, true, &m);
	if (rc == 0 && slash != NULL)
		rc = parse_uint(slash + 1, UINT32_MAX, true, &k);
	if (rc < 0)
		return rc;
	*mark = (uint32_t)m;
	*mask = (uint32_t)k;
	return 0;
}

static int set_port(int32_t *port, const char *value)
{
	uint64_t v;
	int rc;

	if (*port >= 0)
		return -EEXIST;
	rc = parse_uint(value, 65535, false, &v);
	if (rc == 0)
		*port = (int32_t)v;
	return rc;
}

static int set_flag(bool *flag)
{
	if (*flag)
		return -EEXIST;
	*flag = true;
	return 0;
}

static int set_prefix(struct flush_prefix *p, const char *value)
{
	return p->is_set ? -EEXIST : parse_prefix(value, p);
}

static int set_valued(struct flush_filter *f, const char *name, const char *v)
{
	uint64_t zone;
	int rc;

	if (strcmp(name, "family") == 0)
		return f->family ? -EEXIST : parse_family(v, &f->family);
	if (strcmp(name, "proto") == 0) {
		if (f->has_proto)
			return -EEXIST;
		rc = parse_proto(v, &f->proto);
		f->has_proto = rc == 0;
		return rc;
	}
	if (strcmp(name, "src") == 0)
		return set_prefix(&f->src, v);
	if (strcmp(name, "dst") == 0)
		return set_prefix(&f->dst, v);
	if (strcmp(name, "sport") == 0)
		return set_port(&f->sport, v);
	if (strcmp(name, "dport") == 0)
		return set_port(&f->dport, v);
	if (strcmp(name, "state") == 0)
		return f->tcp_state >= 0 ? -EEXIST : parse_state(v, &f->tcp_state);
	if (strcmp(name, "mark") == 0) {
		if (f->has_mark)
			return -EEXIST;
		rc = parse_mark(v, &f->mark, &f->mark_mask);
		f->has_mark = rc == 0;
		return rc;
	}
	if (strcmp(name, "zone") != 0)
		return -ENOENT;
	if (f->has_zone)
		return -EEXIST;
	rc = parse_uint(v, 65535, false, &zone);
	if (rc < 0)
		return rc;
	f->zone = (uint16_t)zone;
	f->has_zone = true;
	return 0;
}

int flush_filter_set(struct flush_filter *f, const char *name, const char *value)
{
	static const char *const flags[] = {"unreplied", "assured",   "src-nat", "dst-nat",
					    "no-acct",   "no-tstamp", "all"};
	bool *const slots[] = {&f->is_unreplied, &f->is_assured, &f->is_src_nat, &f->is_dst_nat,
			       &f->no_acct,      &f->no_tstamp,  &f->is_all};

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (strcmp(name, flags[i]) == 0)
			return value != NULL ? -EINVAL : set_flag(slots[i]);
	if (value == NULL)
		return -EINVAL;
	return set_valued(f, name, value);
}

bool flush_filter_is_empty(const struct flush_filter *f)
{
	return !f->family && !f->has_proto && !f->src.is_set && !f->dst.is_set && f->sport < 0 &&
	       f->dport < 0 && f->tcp_state < 0 && !f->is_unreplied && !f->is_assured &&
	       !f->is_src_nat && !f->is_dst_nat && !f->no_acct && !f->no_tstamp && !f->has_mark &&
	       !f->has_zone;
}

bool flush_proto_has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_UDPLITE ||
	       proto == IPPROTO_SCTP || proto == IPPROTO_DCCP;
}

int flush_filter_finish(struct flush_filter *f)
{
	if (flush_filter_is_empty(f))
		return f->is_all ? 0 : -ENODATA;
	if (f->is_all)
		return -EINVAL;
	if (f->src.is_set && f->dst.is_set && f->src.family != f->dst.family)
		return -EINVAL;
	if (f->family && ((f->src.is_set && f->src.family != f->family) ||
			  (f->dst.is_set && f->dst.family != f->family)))
		return -EINVAL;
	if (f->tcp_state >= 0) {
		if (f->has_proto && f->proto != IPPROTO_TCP)
			return -EINVAL;
		f->has_proto = true;
		f->proto = IPPROTO_TCP;
	}
	if ((f->sport >= 0 || f->dport >= 0) && f->has_proto && !flush_proto_has_ports(f->proto))
		return -EINVAL;
	return 0;
}

static bool prefix_match(const struct flush_prefix *p, uint8_t family, const uint8_t *addr)
{
	unsigned full = p->plen / 8, rest = p->plen % 8;

	if (!p->is_set)
		return true;
	if (p->family != family)
		return false;
	if (memcmp(p->addr, addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((p->addr[full] ^ addr[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

static bool ports_match(const struct flush_filter *f, const struct flush_entry *e)
{
	if (f->sport < 0 && f->dport < 0)
		return true;
	if (!e->has_ports)
		return false;
	return (f->sport < 0 || f->sport == e->sport) && (f->dport < 0 || f->dport == e->dport);
}

static bool status_match(const struct flush_filter *f, uint32_t status)
{
	return (!f->is_unreplied || !(status & CT_IPS_SEEN_REPLY)) &&
	       (!f->is_assured || (status & CT_IPS_ASSURED)) &&
	       (!f->is_src_nat || (status & CT_IPS_SRC_NAT)) &&
	       (!f->is_dst_nat || (status & CT_IPS_DST_NAT));
}

bool flush_filter_match(const struct flush_filter *f, const struct flush_entry *e)
{
	if (f->family && f->family != e->family)
		return false;
	if (f->has_proto && f->proto != e->proto)
		return false;
	if (!prefix_match(&f->src, e->family, e->src) || !prefix_match(&f->dst, e->family, e->dst))
		return false;
	if (!ports_match(f, e) || !status_match(f, e->status))
		return false;
	if (f->tcp_state >= 0 && f->tcp_state != e->tcp_state)
		return false;
	if ((f->no_acct && e->has_acct) || (f->no_tstamp && e->has_tstamp))
		return false;
	if (f->has_mark && (e->mark & f->mark_mask) != f->mark)
		return false;
	return !f->has_zone || f->zone == e->zone;
}

bool flush_entry_is_nat_tcp(const struct flush_entry *e)
{
	return flush_entry_is_established_tcp(e) &&
	       (e->status & (CT_IPS_SRC_NAT | CT_IPS_DST_NAT)) != 0;
}

bool flush_entry_is_established_tcp(const struct flush_entry *e)
{
	if (e->proto != IPPROTO_TCP)
		return false;
	switch (e->tcp_state) {
	case CT_TCP_SYN_RECV:
	case CT_TCP_ESTABLISHED:
	case CT_TCP_FIN_WAIT:
	case CT_TCP_CLOSE_WAIT:
	case CT_TCP_LAST_ACK:
		return true;
	default:
		return false;
	}
}

/* ---- format ---- */

static const char *proto_name(uint8_t proto, char *buf, size_t len)
{
	for (size_t i = 0; i < N_PROTOS; i++)
		if (proto_names[i].num == proto)
			return proto_names[i].name;
	snprintf(buf, len, "%u", proto);
	return buf;
}

static void format_addr(uint8_t family, const uint8_t *a, char *buf, size_t len)
{
	if (inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

void flush_entry_format(const struct flush_entry *e, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], rs[INET6_ADDRSTRLEN], rd[INET6_ADDRSTRLEN],
	    pbuf[8];
	char ports[32] = "", rports[32] = "";
	const char *state = "";

	format_addr(e->family, e->src, s, sizeof(s));
	format_addr(e->family, e->dst, d, sizeof(d));
	format_addr(e->family, e->rsrc, rs, sizeof(rs));
	format_addr(e->family, e->rdst, rd, sizeof(rd));
	if (e->has_ports) {
		snprintf(ports, sizeof(ports), " sport=%u dport=%u", e->sport, e->dport);
		snprintf(rports, sizeof(rports), " sport=%u dport=%u", e->rsport, e->rdport);
	}
	if (e->tcp_state >= 0 && (size_t)e->tcp_state < N_TCP_STATES)
		state = tcp_state_names[e->tcp_state];
	snprintf(buf, len, "%s %s %s%ssrc=%s dst=%s%s%s src=%s dst=%s%s%s%s mark=%u zone=%u",
		 e->family == AF_INET6 ? "ipv6" : "ipv4", proto_name(e->proto, pbuf, sizeof(pbuf)),
		 state, *state ? " " : "", s, d, ports,
		 (e->status & CT_IPS_SEEN_REPLY) ? "" : " [UNREPLIED]", rs, rd, rports,
		 (e->status & CT_IPS_ASSURED) ? " [ASSURED]" : "", e->has_acct ? "" : " [no acct]",
		 e->mark, e->zone);
}
