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

/* Skip a balanced (open ... close) group starting at c->p: 0, or -EAGAIN
 * when the line ends inside it (cut short). */
static int lp_skip_group(struct lp_cur *c, char open, char close)
{
	int depth = 0;

	while (c->p < c->end) {
		char ch = *c->p++;

		if (ch == open)
			depth++;
		else if (ch == close && --depth <= 0)
			return 0;
	}
	return -EAGAIN;
}

/* 1 when a value that does not parse was written masked or elided by the
 * person who pasted it. Any field: "...", "\u2026" (the ellipsis), "***",
 * "<ip>", "[redacted]". An address (addr set) also: x or X in place of
 * digits, with hex digits, '.' and ':' around them ("xxx.xxx.xxx.xxx",
 * "XXXX:XXXX::1", "10.0.x.x"). Anything else is a malformed value. */
static int lp_masked(const char *v, size_t n, int addr)
{
	int mark = 0, other = 0;

	if (n >= 2 && ((v[0] == '<' && v[n - 1] == '>') || (v[0] == '[' && v[n - 1] == ']')))
		return 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (ch == '*' || (addr && (ch == 'x' || ch == 'X'))) {
			mark = 1;
		} else if (ch == 0xe2 && i + 2 < n && (unsigned char)v[i + 1] == 0x80 &&
			   (unsigned char)v[i + 2] == 0xa6) {
			mark = 1;
			i += 2;
		} else if (ch == '.') {
			if (i >= 2 && v[i - 1] == '.' && v[i - 2] == '.')
				mark = 1;
		} else if (!(addr && (lp_hexdig((char)ch) || ch == ':'))) {
			other = 1;
		}
	}
	return mark && !other;
}

/* nf_log_syslog's keys (IPv4, IPv6, bridge, ARP). Only these start the
 * packet fields: no conntrack message holds an upper-case word with '='. */
static const char *const lp_keys[] = {
    "IN",    "OUT", "PHYSIN", "PHYSOUT", "MAC",  "MACSRC", "MACDST", "MACPROTO", "SRC",
    "DST",   "LEN", "TOS",    "PREC",    "TTL",  "ID",     "TC",     "HOPLIMIT", "FLOWLBL",
    "PROTO", "SPT", "DPT",    "SEQ",     "ACK",  "WINDOW", "RES",    "URGP",     "TYPE",
    "CODE",  "MTU", "UID",    "GID",     "MARK", "SPI",    "VLAN",
};

int lp_field_key(const char *k, size_t n)
{
	for (size_t i = 0; i < sizeof(lp_keys) / sizeof(lp_keys[0]); i++) {
		if (strlen(lp_keys[i]) == n && memcmp(lp_keys[i], k, n) == 0)
			return 1;
	}
	return 0;
}

/* A bare upper-case word at the very end that starts a key ("PRO" of
 * PROTO=): the line was cut inside that field. */
static int lp_key_cut(const char *w, size_t n)
{
	for (size_t i = 0; i < sizeof(lp_keys) / sizeof(lp_keys[0]); i++) {
		if (strlen(lp_keys[i]) > n && memcmp(lp_keys[i], w, n) == 0)
			return 1;
	}
	return 0;
}

/* Whole value as a decimal <= max (max < 2^60: no overflow), or hex with
 * an optional 0x. 0 or -EINVAL. */
static inline int lp_num(const char *v, size_t vlen, uint64_t max, int hex, uint64_t *out)
{
	struct lp_cur c = {v, v + vlen};
	uint64_t n = 0;

	if (hex)
		return lp_hex(&c, max, out) || c.p != c.end ? -EINVAL : 0;
	if (vlen == 0)
		return -EINVAL;
	for (size_t i = 0; i < vlen; i++) {
		unsigned d = (unsigned)(v[i] - '0');

		if (d > 9 || (n = n * 10 + d) > max)
			return -EINVAL;
	}
	*out = n;
	return 0;
}

static int lp_proto(const char *v, size_t vlen, uint8_t *proto)
{
	uint64_t n;

	if (vlen == 3 && memcmp(v, "TCP", 3) == 0) { /* most lines: skip the table */
		*proto = 6;
		return 0;
	}
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

/* Keys are compared by length first: one switch instead of a chain of
 * string compares for each of the ~20 tokens of a line. */
#define KEY(k) (memcmp(key, k, sizeof(k) - 1) == 0)

/* Fields of the outer IP header (before PROTO=). */
static int lp_ip_field(const char *key, size_t klen, const char *v, size_t vlen,
		       struct logparse_pkt *pkt)
{
	uint64_t n = 0;

	switch (klen) {
	case 2:
		if (KEY("IN"))
			lp_copy(pkt->in, sizeof(pkt->in), v, vlen);
		else if (KEY("ID") && !lp_num(v, vlen, 65535, 0, &n))
			pkt->ip_id = (uint16_t)n;
		else if (KEY("TC") && !lp_num(v, vlen, 255, 0, &n))
			pkt->tos = (uint8_t)n;
		else if (KEY("ID") || KEY("TC"))
			return -EINVAL;
		return 0;
	case 3:
		if (KEY("SRC"))
			return lp_addr(v, vlen, &pkt->family, pkt->src);
		if (KEY("DST"))
			return lp_addr(v, vlen, &pkt->family, pkt->dst);
		if (KEY("OUT"))
			lp_copy(pkt->out, sizeof(pkt->out), v, vlen);
		else if (KEY("LEN") && !lp_num(v, vlen, 65535, 0, &n))
			pkt->len = (uint16_t)n, pkt->has |= LOGPARSE_PKT_IP;
		else if (KEY("TTL") && !lp_num(v, vlen, 255, 0, &n))
			pkt->ttl = (uint8_t)n;
		else if (KEY("TOS") && !lp_num(v, vlen, 255, 1, &n))
			pkt->tos = (uint8_t)n;
		else if (KEY("LEN") || KEY("TTL") || KEY("TOS"))
			return -EINVAL;
		return 0;
	case 7:
		if (!KEY("FLOWLBL"))
			return 0;
		if (lp_num(v, vlen, 0xfffff, 0, &n))
			return -EINVAL;
		pkt->flowlbl = (uint32_t)n;
		return 0;
	case 8:
		if (!KEY("HOPLIMIT"))
			return 0;
		if (lp_num(v, vlen, 255, 0, &n))
			return -EINVAL;
		pkt->ttl = (uint8_t)n;
		return 0;
	default:
		return 0;
	}
}

/* A numeric field: 1 key matched and v parsed into *n, 0 another key,
 * -EINVAL key matched but v is bad. */
#define NUM_FIELD(k, max, hex) (KEY(k) ? (lp_num(v, vlen, max, hex, &n) ? -EINVAL : 1) : 0)

/* TCP header fields after PROTO=TCP. */
static int lp_tcp_field(const char *key, size_t klen, const char *v, size_t vlen,
			struct logparse_pkt *pkt)
{
	uint64_t n = 0;
	int rc;

	if (klen == 6) {
		if ((rc = NUM_FIELD("WINDOW", 65535, 0)) > 0)
			pkt->window = (uint16_t)n, pkt->has |= LOGPARSE_PKT_TCP;
		return rc < 0 ? rc : 0;
	}
	if (klen != 3)
		return 0;
	if ((rc = NUM_FIELD("SEQ", UINT32_MAX, 0)) != 0) {
		if (rc > 0)
			pkt->seq = (uint32_t)n;
	} else if ((rc = NUM_FIELD("ACK", UINT32_MAX, 0)) != 0) {
		if (rc > 0)
			pkt->ack = (uint32_t)n;
	} else if ((rc = NUM_FIELD("RES", 255, 1)) > 0) {
		pkt->tcp_res = (uint8_t)n;
	}
	return rc < 0 ? rc : 0;
}

/* Fields after PROTO=: ports, TCP, ICMP. */
static int lp_l4_field(const char *key, size_t klen, const char *v, size_t vlen,
		       struct logparse_pkt *pkt)
{
	uint64_t n = 0;
	int rc = 0;

	if (klen == 3 && (rc = NUM_FIELD("DPT", 65535, 0)) != 0) {
		if (rc > 0)
			pkt->dport = (uint16_t)n, pkt->has |= LOGPARSE_PKT_PORTS;
	} else if (klen == 3 && (rc = NUM_FIELD("SPT", 65535, 0)) != 0) {
		if (rc > 0)
			pkt->sport = (uint16_t)n;
	} else if (klen == 4 && (rc = NUM_FIELD("TYPE", 255, 0)) != 0) {
		if (rc > 0)
			pkt->icmp_type = (uint8_t)n, pkt->has |= LOGPARSE_PKT_ICMP;
	} else if (klen == 4 && (rc = NUM_FIELD("CODE", 255, 0)) != 0) {
		if (rc > 0)
			pkt->icmp_code = (uint8_t)n;
	} else if (pkt->proto == 6) {
		return lp_tcp_field(key, klen, v, vlen, pkt);
	}
	return rc < 0 ? rc : 0;
}

/* A word without '=': DF before PROTO=, TCP flags after PROTO=TCP. */
static void lp_bare_word(const char *w, size_t wlen, int after_proto, struct logparse_pkt *pkt)
{
	if (!after_proto) {
		if (wlen == 2 && memcmp(w, "DF", 2) == 0)
			pkt->is_df = true;
		return;
	}
	if (pkt->proto != 6 || wlen != 3)
		return;
	for (unsigned b = 0; b < 8; b++) {
		if (w[0] == lp_flag_names[b][0] && memcmp(w, lp_flag_names[b], 3) == 0) {
			pkt->tcp_flags |= (uint8_t)(1u << b);
			return;
		}
	}
}

/* One token t[0, tlen); eq its first '=' or NULL. */
static int lp_token(const char *t, size_t tlen, const char *eq, int *after_proto,
		    struct logparse_pkt *pkt)
{
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

/* End of the token at p: its first ' ' or '\t', or end; *eq is its first
 * '=' or NULL. Sixteen bytes per step: this runs over every byte of the
 * packet fields, the bulk of a report line. */
static inline const char *lp_token_end(const char *p, const char *end, const char **eq)
{
	*eq = NULL;
#if LP_VEC_LE
	while (end - p >= 16) {
		lp_v16 a;
		unsigned sp, e;

		memcpy(&a, p, sizeof(a));
		sp = lp_v16_first((lp_v16)((a == ' ') | (a == '\t')));
		if (!*eq && (e = lp_v16_first((lp_v16)(a == '='))) < sp)
			*eq = p + e;
		if (sp < 16)
			return p + sp;
		p += 16;
	}
#endif
	for (; p < end && *p != ' ' && *p != '\t'; p++) {
		if (*p == '=' && !*eq)
			*eq = p;
	}
	return p;
}

/* 1 when v[0, n) can be the start of a good value of key k that a cut
 * line ended inside: empty, a partial address, a name or hex number begun.
 * A decimal field fails only by its digits (too big, a sign, a letter):
 * no cut makes that. */
static int lp_cut_value(const char *k, size_t klen, const char *v, size_t n)
{
	size_t i = 0;

	if (n == 0)
		return 1;
	if (klen == 5 && memcmp(k, "PROTO", 5) == 0) {
		for (size_t j = 0; j < sizeof(lp_proto_names) / sizeof(lp_proto_names[0]); j++) {
			if (strlen(lp_proto_names[j].name) > n &&
			    lp_ieq(lp_proto_names[j].name, v, n))
				return 1;
		}
		return 0;
	}
	if (klen == 3 && (memcmp(k, "SRC", 3) == 0 || memcmp(k, "DST", 3) == 0)) {
		for (; i < n && (lp_hexdig(v[i]) || v[i] == '.' || v[i] == ':'); i++)
			;
		return i == n;
	}
	/* TOS=0x, RES=0x: hex with its 0x begun */
	return n <= 2 && v[0] == '0' && (n == 1 || lp_lower(v[1]) == 'x');
}

/* A token that does not parse: masked (kept, flagged), the last bytes of a
 * cut line (kept, *cut set), else malformed. 0 or -EINVAL. */
static int lp_bad_token(const char *t, const char *p, const char *end, const char *eq,
			struct logparse_pkt *pkt, bool *cut)
{
	size_t klen, vlen;

	if (!eq)
		return -EINVAL;
	klen = (size_t)(eq - t);
	vlen = (size_t)(p - eq - 1);
	if (lp_masked(eq + 1, vlen,
		      klen == 3 && (memcmp(t, "SRC", 3) == 0 || memcmp(t, "DST", 3) == 0))) {
		pkt->is_masked = true;
		return 0;
	}
	/* nothing after it, not even the kernel's trailing blank */
	if (p == end && lp_cut_value(t, klen, eq + 1, vlen)) {
		*cut = true;
		return 0;
	}
	return -EINVAL;
}

int lp_parse_fields(const char *p, size_t len, struct logparse_pkt *out, bool *cut)
{
	const char *end = p + len;
	struct logparse_pkt pkt = {0};
	int after_proto = 0;

	while (p < end) {
		const char *t, *eq;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			break;
		if (*p == '[' || *p == '(') {
			struct lp_cur c = {p, end};

			if (lp_skip_group(&c, *p, *p == '[' ? ']' : ')'))
				*cut = true;
			p = c.p;
			continue;
		}
		t = p;
		p = lp_token_end(p, end, &eq);
		if (!eq && p == end && p - t < 8 && lp_key_cut(t, (size_t)(p - t)))
			*cut = true;
		if (lp_token(t, (size_t)(p - t), eq, &after_proto, &pkt) &&
		    lp_bad_token(t, p, end, eq, &pkt, cut))
			return -EINVAL;
	}
	if (pkt.family)
		pkt.has |= LOGPARSE_PKT_ADDRS;
	*out = pkt;
	return 0;
}
