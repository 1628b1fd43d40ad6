/* classify.c: map conntrack's report text to a catalog entry. The patterns
 * are the kernel's format strings of three wording generations (see
 * kernel-conntrack.md 1.4 and 1.6); {type:name} marks a number parsed into
 * struct logparse_args rather than made part of the reason. Literal text is
 * compared ignoring ASCII case: old kernels wrote "TCP", "HW ICMP", "RST". */
#include <errno.h>
#include <string.h>

#include "logparse_int.h"

#define D LOGPARSE_VERDICT_DROPPED_INVALID
#define A LOGPARSE_VERDICT_ACCEPTED

struct lp_pattern {
	uint8_t proto;
	uint8_t verdict;
	uint8_t reason;
	const char *pat;
};

static const struct lp_pattern lp_patterns[] = {
    {6, D, LP_R_TCP_SHORT, "short packet"},
    {6, D, LP_R_TCP_TRUNC, "truncated packet"},
    {6, D, LP_R_TCP_TRUNC, "truncated/malformed packet"},
    {6, D, LP_R_TCP_CSUM, "bad checksum"},
    {6, D, LP_R_TCP_CSUM, "bad TCP checksum"},
    {6, D, LP_R_TCP_FLAGS, "invalid tcp flag combination"},
    {6, D, LP_R_TCP_NEW, "invalid new"},
    {6, A, LP_R_TCP_IGN, "packet (index {d:index}) in dir {d:dir} ignored, state {s:state}"},
    {6, D, LP_R_TCP_INV, "packet (index {d:index}) in dir {d:dir} invalid, state {s:state}"},
    {6, A, LP_R_TCP_IGN, "invalid packet ignored in state {s:state}"},
    {6, A, LP_R_TCP_IGN, "invalid packet ignored"},
    {6, D, LP_R_TCP_INV, "invalid state"},
    {6, A, LP_R_TCP_CHALLENGE, "challenge-ack ignored"},
    {6, D, LP_R_TCP_RST, "invalid rst"},
    {6, A, LP_R_TCP_MORE, "{u:bytes} bytes more than expected"},
    {6, D, LP_R_TCP_SEQ_OVER,
     "SEQ is over upper bound {u:bound} (over the window of the receiver)"},
    {6, D, LP_R_TCP_ACK_OVER, "ACK is over upper bound {u:bound} (ACKed data not seen yet)"},
    {6, A, LP_R_TCP_SEQ_UNDER,
     "SEQ is under lower bound {u:bound} (already ACKed data retransmitted)"},
    {6, A, LP_R_TCP_ACK_UNDER, "ignored ACK under lower bound {u:bound} (possible overly delayed)"},
    {6, D, LP_R_TCP_LOWER_TMO,
     "packet (index {d:index}, dir {d:dir}) response for index {d:rindex} lower timeout to "
     "{u:timeout}"},
    /* <= 6.0: window checks without numbers, all invalid */
    {6, D, LP_R_TCP_SEQ_OVER, "SEQ is over the upper bound (over the window of the receiver)"},
    {6, D, LP_R_TCP_SEQ_UNDER, "SEQ is under the lower bound (already ACKed data retransmitted)"},
    {6, D, LP_R_TCP_ACK_OVER, "ACK is over the upper bound (ACKed data not seen yet)"},
    {6, D, LP_R_TCP_ACK_UNDER, "ACK is under the lower bound (possible overly delayed ACK)"},
    {6, D, LP_R_TCP_BUG, "BUG"},
    {17, D, LP_R_UDP_SHORT, "short packet"},
    {17, D, LP_R_UDP_TRUNC, "truncated/malformed packet"},
    {17, D, LP_R_UDP_CSUM, "bad checksum"},
    {136, D, LP_R_UDPL_SHORT, "short packet"},
    {136, D, LP_R_UDPL_TRUNC, "truncated/malformed packet"},
    {136, D, LP_R_UDPL_COV, "invalid checksum coverage"},
    {136, D, LP_R_UDPL_MISSING, "checksum missing"},
    {136, D, LP_R_UDPL_CSUM, "bad checksum"},
    {1, D, LP_R_ICMP_SHORT, "short packet"},
    {1, D, LP_R_ICMP_CSUM, "bad hw icmp checksum"},
    {1, D, LP_R_ICMP_TYPE, "invalid icmp type"},
    {1, D, LP_R_ICMP_DADDR, "outer daddr {a:outer} != inner {a:inner}"},
    {58, D, LP_R_ICMP6_SHORT, "short packet"},
    {58, D, LP_R_ICMP6_CSUM, "ICMPv6 checksum failed"},
    {58, D, LP_R_ICMP6_REDIR_SHORT, "short redirect"},
    {58, D, LP_R_ICMP6_REDIR_SRC, "invalid saddr or hoplimit for redirect"},
    {58, D, LP_R_ICMP6_REDIR_OPT, "redirect without options"},
    {58, D, LP_R_ICMP6_DADDR, "outer daddr {a:outer} != inner {a:inner}"},
    {132, D, LP_R_SCTP_SHORT, "short packet"},
    {132, D, LP_R_SCTP_HDR, "failed to read header"},
    {132, D, LP_R_SCTP_CRC, "bad CRC"},
    {132, D, LP_R_SCTP_BASIC,
     "{w:func} failed. chunk num {d:chunk_num}, type {d:chunk_type}, len {d:chunk_len} flag "
     "{d:chunk_flag}{n}"},
    {132, D, LP_R_SCTP_VTAG,
     "verification tag check failed {x:vtag} vs {x:vtag_expected} for dir {d:dir}"},
    {132, D, LP_R_SCTP_STATE, "Invalid, old_state {d:old_state}, dir {d:dir}, type {d:chunk_type}"},
    {33, D, LP_R_DCCP_TRUNC, "truncated/malformed packet"},
    {33, D, LP_R_DCCP_COV, "bad checksum coverage"},
    {33, D, LP_R_DCCP_CSUM, "bad checksum"},
    {33, D, LP_R_DCCP_TYPE, "reserved packet type"},
    {33, D, LP_R_DCCP_PICKUP, "not picking up existing connection"},
    {33, D, LP_R_DCCP_STATE, "invalid state transition"},
    {33, A, LP_R_DCCP_IGN, "invalid packet ignored"},
    {33, A, LP_R_DCCP_IGN, "invalid packet"},
};

/* Old kernels (<= 4.13) named the tracker instead of the protocol number. */
static const struct {
	const char *name;
	uint8_t proto;
} lp_old_names[] = {
    {"tcp", 6},     {"udp", 17},   {"udplite", 136}, {"icmp", 1},
    {"icmpv6", 58}, {"sctp", 132}, {"dccp", 33},
};

static int lp_store_int(struct logparse_args *a, const char *name, size_t nlen, int64_t v)
{
#define F(n, bit, m)                                                                               \
	{                                                                                          \
		n, sizeof(n) - 1, bit, offsetof(struct logparse_args, m)                           \
	}
	static const struct {
		const char *name;
		size_t len;
		uint32_t bit;
		size_t off;
	} f[] = {
	    F("index", LOGPARSE_ARG_INDEX, index),
	    F("dir", LOGPARSE_ARG_DIR, dir),
	    F("rindex", LOGPARSE_ARG_RINDEX, resp_index),
	    F("old_state", LOGPARSE_ARG_OLDST, old_state),
	    F("chunk_num", LOGPARSE_ARG_CHUNK, chunk_num),
	    F("chunk_type", LOGPARSE_ARG_CHUNK, chunk_type),
	    F("chunk_len", LOGPARSE_ARG_CHUNK, chunk_len),
	    F("chunk_flag", LOGPARSE_ARG_CHUNK, chunk_flag),
	    F("bound", LOGPARSE_ARG_BOUND, bound),
	    F("bytes", LOGPARSE_ARG_BYTES, bytes),
	    F("timeout", LOGPARSE_ARG_TIMEOUT, timeout_jiffies),
	    F("vtag", LOGPARSE_ARG_VTAG, vtag),
	    F("vtag_expected", LOGPARSE_ARG_VTAG, vtag_expected),
	};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		int32_t s = (int32_t)v;
		uint32_t u = (uint32_t)v;

		if (f[i].len != nlen || memcmp(f[i].name, name, nlen) != 0)
			continue;
		/* int32_t and uint32_t members share the representation size */
		memcpy((char *)a + f[i].off, v < 0 ? (const void *)&s : (const void *)&u, 4);
		a->has |= f[i].bit;
		return 0;
	}
	return -EINVAL;
#undef F
}

static size_t lp_token_len(const struct lp_cur *c, const char *set)
{
	size_t n = 0;

	while (c->p + n < c->end) {
		char ch = c->p[n];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || (ch != '\0' && strchr(set, ch))))
			break;
		n++;
	}
	return n;
}

/* One placeholder at c: 0 consumed, -EINVAL no parse. */
static int lp_placeholder(char type, const char *name, size_t nlen, struct lp_cur *c,
			  struct logparse_args *a)
{
	uint64_t v;
	size_t n;

	switch (type) {
	case 'd':
		if (lp_eat(c, "-"))
			return lp_u64(c, 0x80000000u, &v)
				   ? -EINVAL
				   : lp_store_int(a, name, nlen, -(int64_t)v);
		if (lp_u64(c, 0x7fffffffu, &v))
			return -EINVAL;
		return lp_store_int(a, name, nlen, (int64_t)v);
	case 'u':
		if (lp_u64(c, UINT32_MAX, &v))
			return -EINVAL;
		return lp_store_int(a, name, nlen, (int64_t)v);
	case 'x':
		if (lp_hex(c, UINT32_MAX, &v))
			return -EINVAL;
		return lp_store_int(a, name, nlen, (int64_t)v);
	case 's':
	case 'w':
		n = lp_token_len(c, "_");
		if (n == 0)
			return -EINVAL;
		if (type == 's') {
			lp_copy(a->state, sizeof(a->state), c->p, n);
			a->has |= LOGPARSE_ARG_STATE;
		}
		c->p += n;
		return 0;
	case 'a':
		n = lp_token_len(c, ".:");
		if (lp_addr(c->p, n, &a->addr_family, name[0] == 'o' ? a->outer : a->inner))
			return -EINVAL;
		a->has |= LOGPARSE_ARG_ADDRS;
		c->p += n;
		return 0;
	case 'n': /* the SCTP text holds a \n, maybe escaped by the log path */
		if (!lp_eat(c, "\n") && !lp_eat(c, "\\n"))
			(void)lp_eat_ci(c, "\\x0a");
		return 0;
	default:
		return -EINVAL;
	}
}

/* 1 the whole text matches pat, 2 the text ends inside pat (a cut line:
 * the kernel's 127-byte prefix, a paste), 0 not, -EINVAL a number at its
 * place is bad after some literal text matched (a placeholder first proves
 * nothing). */
static int lp_match(const char *pat, struct lp_cur c, struct logparse_args *a)
{
	const char *start = pat;

	while (*pat) {
		if (c.p == c.end && strcmp(pat, "{n}") != 0) /* the newline was trimmed */
			return 2;
		if (*pat == '{') {
			const char *colon = pat + 2, *close = strchr(pat, '}');
			int rc;

			rc = lp_placeholder(pat[1], colon + 1, (size_t)(close - colon - 1), &c, a);
			if (rc)
				return pat == start ? 0 : rc;
			pat = close + 1;
			continue;
		}
		/* exact bytes first: the kernel's own case is the common one */
		if (c.p == c.end || (*c.p != *pat && lp_lower(*c.p) != lp_lower(*pat)))
			return 0;
		c.p++;
		pat++;
	}
	return c.p == c.end;
}

static void lp_trim(struct lp_cur *c)
{
	while (c->end > c->p && (c->end[-1] == ' ' || c->end[-1] == '\t' || c->end[-1] == '\r' ||
				 c->end[-1] == '\n'))
		c->end--;
}

/* The reason of a cut message: the one entry all patterns it begins share,
 * when it holds at least 8 bytes; else unknown. Both flag it truncated. */
static void lp_cut_reason(int cut, struct lp_cur msg, struct logparse_event *ev)
{
	ev->reason = &lp_catalog[cut >= 0 && lp_left(&msg) >= 8 ? cut : LP_R_UNKNOWN];
	ev->verdict = ev->reason->verdict;
	ev->truncated = true;
	lp_copy(ev->text, sizeof(ev->text), msg.p, lp_left(&msg));
}

/* Message of protocol proto (trimmed): fill ev. 0 or -EINVAL. */
static int lp_classify_msg(uint8_t proto, struct lp_cur msg, struct logparse_event *ev)
{
	struct lp_cur sub;
	int malformed = 0, cut = -2; /* -2 no prefix match, -1 more than one reason */

	lp_skip_spaces(&msg);
	sub = msg;
	/* SCTP/DCCP carry their own "nf_ct_sctp: " inside the proto prefix */
	if (lp_eat(&sub, "nf_ct_sctp: ") || lp_eat(&sub, "nf_ct_dccp: "))
		msg = sub;
	lp_skip_spaces(&msg);
	lp_trim(&msg);
	for (size_t i = 0; i < sizeof(lp_patterns) / sizeof(lp_patterns[0]); i++) {
		const char *pat = lp_patterns[i].pat;
		struct logparse_args a;
		int rc;

		if (lp_patterns[i].proto != proto)
			continue;
		/* lp_match would fail on the first byte: skip it (and the clear) */
		if (pat[0] != '{' && (msg.p == msg.end || lp_lower(*msg.p) != lp_lower(pat[0])))
			continue;
		memset(&a, 0, sizeof(a));
		rc = lp_match(pat, msg, &a);
		if (rc < 0)
			malformed = 1;
		if (rc == 2)
			cut = (cut == -2 || cut == lp_patterns[i].reason) ? lp_patterns[i].reason
									  : -1;
		if (rc != 1)
			continue;
		ev->reason = &lp_catalog[lp_patterns[i].reason];
		ev->verdict = (enum logparse_verdict)lp_patterns[i].verdict;
		ev->args = a;
		lp_copy(ev->text, sizeof(ev->text), msg.p, lp_left(&msg));
		return 0;
	}
	if (malformed)
		return -EINVAL;
	if (cut != -2 && msg.p < msg.end) {
		lp_cut_reason(cut, msg, ev);
		return 0;
	}
	ev->reason = &lp_catalog[LP_R_UNKNOWN];
	ev->verdict = LOGPARSE_VERDICT_DROPPED_INVALID;
	lp_copy(ev->text, sizeof(ev->text), msg.p, lp_left(&msg));
	return 0;
}

/* Characters of a helper name besides letters and digits: "netbios-ns",
 * "snmp_trap", and the H.323 helpers "Q.931", "H.245" (and "RAS"). */
#define LP_HELPER_CHARS "_-."

/* "dropping packet: <text>" after a helper name. */
static int lp_helper(struct lp_cur c, const char *name, size_t nlen, struct logparse_event *ev)
{
	if (nlen == 0 || !lp_eat(&c, "dropping packet"))
		return -ENOENT;
	(void)lp_eat(&c, ":");
	lp_skip_spaces(&c);
	lp_trim(&c);
	ev->reason = &lp_catalog[LP_R_HELPER_DROP];
	ev->verdict = LOGPARSE_VERDICT_DROPPED_INVALID;
	lp_copy(ev->helper, sizeof(ev->helper), name, nlen);
	lp_copy(ev->text, sizeof(ev->text), c.p, lp_left(&c));
	return 0;
}

/* "nf_ct_<name>: ...": old per-tracker prefix or a helper. */
static int lp_classify_named(struct lp_cur c, struct logparse_event *ev)
{
	size_t n = lp_token_len(&c, LP_HELPER_CHARS);
	const char *name = c.p;

	if (n == 0 || n >= lp_left(&c) || c.p[n] != ':')
		return -ENOENT;
	c.p += n + 1;
	for (size_t i = 0; i < sizeof(lp_old_names) / sizeof(lp_old_names[0]); i++) {
		if (strlen(lp_old_names[i].name) == n && lp_ieq(lp_old_names[i].name, name, n)) {
			ev->proto_num = lp_old_names[i].proto;
			return lp_classify_msg(ev->proto_num, c, ev);
		}
	}
	lp_skip_spaces(&c);
	return lp_helper(c, name, n, ev);
}

int lp_classify_ct(const char *msg, size_t len, struct logparse_event *ev)
{
	struct lp_cur c = {msg, msg + len};
	uint64_t proto;

	if (lp_eat(&c, "nf_ct_proto_")) {
		if (lp_u64(&c, 255, &proto) || !lp_eat(&c, ":"))
			return -EINVAL;
		ev->proto_num = (uint8_t)proto;
		return lp_classify_msg((uint8_t)proto, c, ev);
	}
	if (lp_eat(&c, "nf_ct_"))
		return lp_classify_named(c, ev);
	if (lp_eat(&c, "helper ")) {
		size_t n = lp_token_len(&c, LP_HELPER_CHARS);
		const char *name = c.p;

		c.p += n;
		if (!lp_eat(&c, " "))
			return -ENOENT;
		return lp_helper(c, name, n, ev);
	}
	return -ENOENT;
}
