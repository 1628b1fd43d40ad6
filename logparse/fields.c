/* fields.c: the packet part of a LOG line, as written by nf_log_syslog:
 * "IN=eth0 OUT= MAC=.. SRC=.. DST=.. LEN=.. TOS=0x00 PREC=0x00 TTL=64 ID=0 DF
 * PROTO=TCP SPT=.. DPT=.. SEQ=.. ACK=.. WINDOW=.. RES=0x00 SYN FIN URGP=0".
 * Bracketed parts (the header quoted by an ICMP error, INCOMPLETE [..]) and
 * OPT (..) are skipped so they never overwrite the outer packet's fields. */
#include <errno.h>
#include <string.h>

#include "logparse_int.h"

static const struct {
	const char *name;
	uint8_t num;
} lp_proto_names[] = {
    {"TCP", 6},    {"UDP", 17},  {"UDPLITE", 136}, {"ICMP", 1}, {"ICMPv6", 58},
    {"SCTP", 132}, {"DCCP", 33}, {"GRE", 47},      {"ESP", 50}, {"AH", 51},
};

static const char *const lp_flag_names[8] = {"FIN", "SYN", "RST", "PSH",
					     "ACK", "URG", "ECE", "CWR"};

/* Skip a balanced (open ... close) group starting at c->p. */
static void lp_skip_group(struct lp_cur *c, char open, char close)
{
	int depth = 0;

	while (c->p < c->end) {
		char ch = *c->p++;

		if (ch == open)
			depth++;
		else if (ch == close && --depth <= 0)
			return;
	}
}

static int lp_num(const char *v, size_t vlen, uint64_t max, int hex, uint64_t *out)
{
	struct lp_cur c = {v, v + vlen};

	if ((hex ? lp_hex(&c, max, out) : lp_u64(&c, max, out)) || c.p != c.end)
		return -EINVAL;
	return 0;
}

static int lp_proto(const char *v, size_t vlen, uint8_t *proto)
{
	uint64_t n;

	for (size_t i = 0; i < sizeof(lp_proto_names) / sizeof(lp_proto_names[0]); i++) {
		const char *name = lp_proto_names[i].name;

		if (strlen(name) == vlen && lp_ieq(name, v, vlen)) {
			*proto = lp_proto_names[i].num;
			return 0;
		}
	}
	if (lp_num(v, vlen, 255, 0, &n))
		return -EINVAL;
	*proto = (uint8_t)n;
	return 0;
}

#define KEY(k) (klen == sizeof(k) - 1 && memcmp(key, k, klen) == 0)

/* Fields of the outer IP header (before PROTO=). */
static int lp_ip_field(const char *key, size_t klen, const char *v, size_t vlen,
		       struct logparse_pkt *pkt)
{
	uint64_t n = 0;
	int rc = 0;

	if (KEY("IN"))
		lp_copy(pkt->in, sizeof(pkt->in), v, vlen);
	else if (KEY("OUT"))
		lp_copy(pkt->out, sizeof(pkt->out), v, vlen);
	else if (KEY("SRC"))
		rc = lp_addr(v, vlen, &pkt->family, pkt->src);
	else if (KEY("DST"))
		rc = lp_addr(v, vlen, &pkt->family, pkt->dst);
	else if (KEY("LEN") && !(rc = lp_num(v, vlen, 65535, 0, &n)))
		pkt->len = (uint16_t)n, pkt->has |= LOGPARSE_PKT_IP;
	else if ((KEY("TOS") || KEY("TC")) && !(rc = lp_num(v, vlen, 255, KEY("TOS"), &n)))
		pkt->tos = (uint8_t)n;
	else if ((KEY("TTL") || KEY("HOPLIMIT")) && !(rc = lp_num(v, vlen, 255, 0, &n)))
		pkt->ttl = (uint8_t)n;
	else if (KEY("ID") && !(rc = lp_num(v, vlen, 65535, 0, &n)))
		pkt->ip_id = (uint16_t)n;
	else if (KEY("FLOWLBL") && !(rc = lp_num(v, vlen, 0xfffff, 0, &n)))
		pkt->flowlbl = (uint32_t)n;
	return rc;
}

/* Fields after PROTO=: ports, TCP, ICMP. */
static int lp_l4_field(const char *key, size_t klen, const char *v, size_t vlen,
		       struct logparse_pkt *pkt)
{
	uint64_t n = 0;
	int rc = 0;
	int is_tcp = pkt->proto == 6;

	if ((KEY("SPT") || KEY("DPT")) && !(rc = lp_num(v, vlen, 65535, 0, &n))) {
		if (KEY("SPT"))
			pkt->sport = (uint16_t)n;
		else
			pkt->dport = (uint16_t)n, pkt->has |= LOGPARSE_PKT_PORTS;
	} else if (is_tcp && KEY("SEQ") && !(rc = lp_num(v, vlen, UINT32_MAX, 0, &n))) {
		pkt->seq = (uint32_t)n;
	} else if (is_tcp && KEY("ACK") && !(rc = lp_num(v, vlen, UINT32_MAX, 0, &n))) {
		pkt->ack = (uint32_t)n;
	} else if (is_tcp && KEY("WINDOW") && !(rc = lp_num(v, vlen, 65535, 0, &n))) {
		pkt->window = (uint16_t)n, pkt->has |= LOGPARSE_PKT_TCP;
	} else if (is_tcp && KEY("RES") && !(rc = lp_num(v, vlen, 255, 1, &n))) {
		pkt->tcp_res = (uint8_t)n;
	} else if ((KEY("TYPE") || KEY("CODE")) && !(rc = lp_num(v, vlen, 255, 0, &n))) {
		if (KEY("TYPE"))
			pkt->icmp_type = (uint8_t)n, pkt->has |= LOGPARSE_PKT_ICMP;
		else
			pkt->icmp_code = (uint8_t)n;
	}
	return rc;
}

static void lp_bare_word(const char *w, size_t wlen, int after_proto, struct logparse_pkt *pkt)
{
	if (!after_proto) {
		if (wlen == 2 && memcmp(w, "DF", 2) == 0)
			pkt->is_df = true;
		return;
	}
	if (pkt->proto != 6)
		return;
	for (unsigned b = 0; b < 8; b++) {
		if (wlen == 3 && memcmp(w, lp_flag_names[b], 3) == 0)
			pkt->tcp_flags |= (uint8_t)(1u << b);
	}
}

static int lp_token(const char *t, size_t tlen, int *after_proto, struct logparse_pkt *pkt)
{
	const char *eq = memchr(t, '=', tlen);
	size_t klen, vlen;

	if (!eq) {
		lp_bare_word(t, tlen, *after_proto, pkt);
		return 0;
	}
	klen = (size_t)(eq - t);
	vlen = tlen - klen - 1;
	if (klen == 5 && memcmp(t, "PROTO", 5) == 0) {
		*after_proto = 1;
		pkt->has |= LOGPARSE_PKT_PROTO;
		return lp_proto(eq + 1, vlen, &pkt->proto);
	}
	if (*after_proto)
		return lp_l4_field(t, klen, eq + 1, vlen, pkt);
	return lp_ip_field(t, klen, eq + 1, vlen, pkt);
}

int lp_parse_fields(const char *p, size_t len, struct logparse_pkt *out)
{
	struct lp_cur c = {p, p + len};
	struct logparse_pkt pkt = {0};
	int after_proto = 0;

	while (c.p < c.end) {
		const char *t;

		lp_skip_spaces(&c);
		if (c.p == c.end)
			break;
		if (*c.p == '[' || *c.p == '(') {
			lp_skip_group(&c, *c.p, *c.p == '[' ? ']' : ')');
			continue;
		}
		t = c.p;
		while (c.p < c.end && *c.p != ' ' && *c.p != '\t')
			c.p++;
		if (lp_token(t, (size_t)(c.p - t), &after_proto, &pkt))
			return -EINVAL;
	}
	if (pkt.family)
		pkt.has |= LOGPARSE_PKT_ADDRS;
	*out = pkt;
	return 0;
}
