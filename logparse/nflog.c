/* nflog.c: an NFLOG packet (prefix + L3 payload, as nfnetlink_log delivers
 * conntrack's reports on group 0) turned into the same event as a log line.
 * The headers are decoded here, bounds-checked: a payload cut short sets
 * pkt.is_truncated and keeps what could be read. A conntrack prefix that is
 * malformed makes the call fail with -EINVAL, as logparse_line() does. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "logparse_int.h"

static uint16_t lp_be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t lp_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Transport header at p (len bytes available). */
static void lp_l4(const uint8_t *p, size_t len, struct logparse_pkt *pkt)
{
	size_t need = 0;

	switch (pkt->proto) {
	case 6:
		need = 20;
		break;
	case 17:
	case 136:
	case 132:
	case 33:
		need = pkt->proto == 132 ? 12 : 8;
		break;
	case 1:
	case 58:
		need = 8; /* type, code, checksum, rest of header */
		break;
	default:
		return;
	}
	if (len < need)
		pkt->is_truncated = true;
	if (pkt->proto == 1 || pkt->proto == 58) {
		if (len >= 2) {
			pkt->icmp_type = p[0];
			pkt->icmp_code = p[1];
			pkt->has |= LOGPARSE_PKT_ICMP;
		}
		return;
	}
	if (len >= 4) {
		pkt->sport = lp_be16(p);
		pkt->dport = lp_be16(p + 2);
		pkt->has |= LOGPARSE_PKT_PORTS;
	}
	if (pkt->proto == 6 && len >= 20) {
		pkt->seq = lp_be32(p + 4);
		pkt->ack = lp_be32(p + 8);
		pkt->tcp_res = p[12] & 0x0f;
		pkt->tcp_flags = p[13];
		pkt->window = lp_be16(p + 14);
		pkt->has |= LOGPARSE_PKT_TCP;
	}
}

static void lp_ipv4(const uint8_t *p, size_t len, struct logparse_pkt *pkt)
{
	size_t ihl;

	if (len < 20) {
		pkt->is_truncated = true;
		return;
	}
	ihl = (size_t)(p[0] & 0x0f) * 4;
	if ((p[0] >> 4) != 4 || ihl < 20) {
		pkt->is_bad_header = true;
		return;
	}
	pkt->family = AF_INET;
	memcpy(pkt->src, p + 12, 4);
	memcpy(pkt->dst, p + 16, 4);
	pkt->tos = p[1];
	pkt->len = lp_be16(p + 2);
	pkt->ip_id = lp_be16(p + 4);
	pkt->is_df = (p[6] & 0x40) != 0;
	pkt->ttl = p[8];
	pkt->proto = p[9];
	pkt->has |= LOGPARSE_PKT_ADDRS | LOGPARSE_PKT_PROTO | LOGPARSE_PKT_IP;
	if (len < ihl) {
		pkt->is_truncated = true;
		return;
	}
	if ((lp_be16(p + 6) & 0x1fff) != 0)
		return; /* a later fragment: no transport header */
	lp_l4(p + ihl, len - ihl, pkt);
}

/* Walk simple IPv6 extension headers; returns the offset of the transport
 * header or 0 when it cannot be reached (pkt flags say why). */
static size_t lp_ipv6_exthdrs(const uint8_t *p, size_t len, uint8_t *nh)
{
	size_t off = 40;

	for (int i = 0; i < 8; i++) {
		size_t hlen;

		switch (*nh) {
		case 0:  /* hop-by-hop */
		case 43: /* routing */
		case 60: /* destination options */
		case 51: /* AH */
		case 44: /* fragment */
			break;
		default:
			return off;
		}
		if (len < off + 8)
			return 0;
		if (*nh == 44)
			hlen = 8;
		else if (*nh == 51)
			hlen = ((size_t)p[off + 1] + 2) * 4;
		else
			hlen = ((size_t)p[off + 1] + 1) * 8;
		if (*nh == 44 && (lp_be16(p + off + 2) & 0xfff8) != 0)
			return SIZE_MAX; /* a later fragment */
		*nh = p[off];
		off += hlen;
	}
	return SIZE_MAX;
}

static void lp_ipv6(const uint8_t *p, size_t len, struct logparse_pkt *pkt)
{
	uint8_t nh;
	size_t off;

	if (len < 40) {
		pkt->is_truncated = true;
		return;
	}
	if ((p[0] >> 4) != 6) {
		pkt->is_bad_header = true;
		return;
	}
	pkt->family = AF_INET6;
	memcpy(pkt->src, p + 8, 16);
	memcpy(pkt->dst, p + 24, 16);
	pkt->tos = (uint8_t)(((p[0] & 0x0f) << 4) | (p[1] >> 4));
	pkt->flowlbl = ((uint32_t)(p[1] & 0x0f) << 16) | lp_be16(p + 2);
	pkt->len = (uint16_t)(lp_be16(p + 4) + 40);
	pkt->ttl = p[7];
	nh = p[6];
	pkt->has |= LOGPARSE_PKT_ADDRS | LOGPARSE_PKT_IP;
	off = lp_ipv6_exthdrs(p, len, &nh);
	if (off == 0) {
		pkt->is_truncated = true;
		return;
	}
	if (off == SIZE_MAX)
		return;
	pkt->proto = nh;
	pkt->has |= LOGPARSE_PKT_PROTO;
	if (off > len) {
		pkt->is_truncated = true;
		return;
	}
	lp_l4(p + off, len - off, pkt);
}

/* Prefix: a conntrack report, or a user rule's log prefix. */
static int lp_nflog_prefix(const char *prefix, size_t len, struct logparse_event *ev)
{
	size_t n = len;
	int rc = -ENOENT;

	while (n > 0 && prefix[n - 1] == '\0')
		n--; /* NFULA_PREFIX carries its NUL */
	if (n > 0)
		rc = lp_classify_ct(prefix, n, ev);
	if (rc == 0)
		ev->kind = LOGPARSE_KIND_CT_INVALID;
	if (rc != -ENOENT)
		return rc;
	memset(&ev->args, 0, sizeof(ev->args));
	ev->reason = NULL;
	ev->verdict = LOGPARSE_VERDICT_NONE;
	ev->proto_num = 0;
	while (n > 0 && prefix[n - 1] == ' ')
		n--;
	ev->kind = LOGPARSE_KIND_LOG_RULE;
	if (n > 0)
		lp_copy(ev->text, sizeof(ev->text), prefix, n);
	return 0;
}

int logparse_nflog(const char *prefix, size_t prefix_len, const uint8_t *payload,
		   size_t payload_len, uint8_t family, struct logparse_event *ev)
{
	struct logparse_event e;

	if (!ev || (!prefix && prefix_len) || (!payload && payload_len) ||
	    (family != AF_INET && family != AF_INET6))
		return -EINVAL;
	memset(&e, 0, sizeof(e));
	if (lp_nflog_prefix(prefix, prefix_len, &e))
		return -EINVAL;
	if (payload_len == 0)
		e.pkt.is_truncated = true;
	else if (family == AF_INET)
		lp_ipv4(payload, payload_len, &e.pkt);
	else
		lp_ipv6(payload, payload_len, &e.pkt);
	*ev = e;
	return 0;
}
