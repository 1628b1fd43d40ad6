/* logparse_int.h: helpers shared by the logparse .c files. Private: nothing
 * outside logparse/ includes this. */
#ifndef CTADVISOR_LOGPARSE_INT_H
#define CTADVISOR_LOGPARSE_INT_H

#include <errno.h>

#include "logparse.h"

/* Catalog indices (catalog.c). */
enum lp_reason_idx {
	LP_R_UNKNOWN,
	LP_R_HELPER_DROP,
	LP_R_TCP_SHORT,
	LP_R_TCP_TRUNC,
	LP_R_TCP_CSUM,
	LP_R_TCP_FLAGS,
	LP_R_TCP_NEW,
	LP_R_TCP_IGN,
	LP_R_TCP_INV,
	LP_R_TCP_CHALLENGE,
	LP_R_TCP_RST,
	LP_R_TCP_MORE,
	LP_R_TCP_SEQ_OVER,
	LP_R_TCP_ACK_OVER,
	LP_R_TCP_SEQ_UNDER,
	LP_R_TCP_ACK_UNDER,
	LP_R_TCP_LOWER_TMO,
	LP_R_TCP_BUG,
	LP_R_UDP_SHORT,
	LP_R_UDP_TRUNC,
	LP_R_UDP_CSUM,
	LP_R_UDPL_SHORT,
	LP_R_UDPL_TRUNC,
	LP_R_UDPL_COV,
	LP_R_UDPL_MISSING,
	LP_R_UDPL_CSUM,
	LP_R_ICMP_SHORT,
	LP_R_ICMP_CSUM,
	LP_R_ICMP_TYPE,
	LP_R_ICMP_DADDR,
	LP_R_ICMP6_SHORT,
	LP_R_ICMP6_CSUM,
	LP_R_ICMP6_REDIR_SHORT,
	LP_R_ICMP6_REDIR_SRC,
	LP_R_ICMP6_REDIR_OPT,
	LP_R_ICMP6_DADDR,
	LP_R_SCTP_SHORT,
	LP_R_SCTP_HDR,
	LP_R_SCTP_CRC,
	LP_R_SCTP_BASIC,
	LP_R_SCTP_VTAG,
	LP_R_SCTP_STATE,
	LP_R_DCCP_TRUNC,
	LP_R_DCCP_COV,
	LP_R_DCCP_CSUM,
	LP_R_DCCP_TYPE,
	LP_R_DCCP_PICKUP,
	LP_R_DCCP_STATE,
	LP_R_DCCP_IGN,
	LP_R_COUNT
};

extern const struct logparse_reason lp_catalog[LP_R_COUNT];

/* A read cursor over untrusted text: never moves past end. */
struct lp_cur {
	const char *p, *end;
};

static inline size_t lp_left(const struct lp_cur *c)
{
	return (size_t)(c->end - c->p);
}

/* The helpers below run on every byte of a candidate line: inline, so the
 * compiler folds their constants (max / 10, literal lengths) per call site. */
static inline unsigned char lp_lower(char c)
{
	unsigned char u = (unsigned char)c;

	return (u >= 'A' && u <= 'Z') ? (unsigned char)(u | 0x20u) : u;
}

/* 1 when the n bytes match ignoring ASCII case. */
static inline int lp_ieq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (lp_lower(a[i]) != lp_lower(b[i]))
			return 0;
	}
	return 1;
}

/* Consume lit (NUL-terminated constant) if the cursor starts with it: 1, else 0.
 * A byte loop rather than strlen + memcmp: nearly every call fails on its
 * first byte. */
static inline int lp_eat(struct lp_cur *c, const char *lit)
{
	const char *p = c->p;

	for (; *lit != '\0'; lit++, p++) {
		if (p == c->end || *p != *lit)
			return 0;
	}
	c->p = p;
	return 1;
}

static inline void lp_skip_spaces(struct lp_cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

/* Decimal number <= max; at least one digit. 0 or -EINVAL (cursor kept).
 * v * 10 + d <= max is tested as v < max / 10, or equal and d <= max % 10:
 * two compares per digit, folded to constants when max is one. */
static inline int lp_u64(struct lp_cur *c, uint64_t max, uint64_t *out)
{
	const uint64_t lim = max / 10;
	const unsigned rem = (unsigned)(max % 10);
	const char *p = c->p;
	uint64_t v = 0;

	if (p == c->end || (unsigned)(*p - '0') > 9)
		return -EINVAL;
	for (; p < c->end && (unsigned)(*p - '0') <= 9; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v >= lim && (v > lim || d > rem))
			return -EINVAL;
		v = v * 10 + d;
	}
	c->p = p;
	*out = v;
	return 0;
}

/* 16-byte vectors (GCC/clang generic vectors: SSE2 on x86-64, NEON on
 * arm64): compare masks hold 0xff per matching byte. */
typedef unsigned char lp_v16 __attribute__((vector_size(16)));
typedef uint64_t lp_v2 __attribute__((vector_size(16)));

/* 1 when lane byte order is memory order, as lp_v16_first() needs. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LP_VEC_LE 1
#else
#define LP_VEC_LE 0
#endif

/* Index of the first nonzero byte of a compare mask m, 16 when none. */
static inline unsigned lp_v16_first(lp_v16 m)
{
	lp_v2 w = (lp_v2)m;

	if (w[0])
		return (unsigned)__builtin_ctzll(w[0]) / 8;
	if (w[1])
		return 8 + (unsigned)__builtin_ctzll(w[1]) / 8;
	return 16;
}

static inline int lp_hexdig(char ch)
{
	unsigned char l = lp_lower(ch);

	return (l >= '0' && l <= '9') || (l >= 'a' && l <= 'f');
}

int lp_eat_ci(struct lp_cur *c, const char *lit);
int lp_hex(struct lp_cur *c, uint64_t max, uint64_t *out);
int lp_addr(const char *p, size_t len, uint8_t *family, uint8_t addr[16]);
void lp_copy(char *dst, size_t size, const char *src, size_t len);

/* Classify a conntrack report text ("nf_ct_proto_6: invalid new ...",
 * old "nf_ct_tcp: ...", helper drops) that runs up to the packet fields.
 * 0 ev->reason/verdict/args/text set; -ENOENT not a conntrack report; -EINVAL. */
int lp_classify_ct(const char *msg, size_t len, struct logparse_event *ev);

/* Parse LOG-target fields "IN=.. OUT=.. SRC=.." into *pkt: masked values
 * set pkt->is_masked, a line cut inside the last field sets *cut (both
 * kept). 0 or -EINVAL. */
int lp_parse_fields(const char *p, size_t len, struct logparse_pkt *pkt, bool *cut);
/* 1 when k[0, n) is a key nf_log_syslog writes ("SRC", "PHYSIN", ...). */
int lp_field_key(const char *k, size_t n);

/* Who wrote the message, as far as the wrapper says. */
enum lp_origin {
	LP_ORIGIN_UNKNOWN = 0, /* no ident: a bare message, dmesg (the kernel's ring) */
	LP_ORIGIN_KERNEL,      /* "kernel:" ident, journal _TRANSPORT=kernel */
	LP_ORIGIN_TOOL,        /* another program: only its owner lines count */
};
struct lp_head {
	enum logparse_format fmt;
	enum lp_origin origin;
	bool partial; /* CRI "P": part of a line */
};

/* Strip a log wrapper; *body is what follows, *h what it was. 0, -ENOENT
 * (a program whose lines are not ours). */
int lp_strip_wrapper(const char *line, size_t len, struct lp_cur *body, struct logparse_time *ts,
		     struct lp_head *h);
/* Epoch seconds (UTC) into ts: wall clock, year, UTC flags. */
void lp_time_from_epoch(struct logparse_time *ts, int64_t sec, uint32_t usec);

/* kinds.c: the text after "nf_conntrack: " that is no event of its own
 * (a notice; N callbacks suppressed); a tool's line setting a knob. 0 and
 * ev set, -ENOENT. */
int lp_core_notice(struct lp_cur c, struct logparse_event *ev);
int lp_owner(struct lp_cur c, struct logparse_event *ev);
/* 1 when c starts with a klog header "I1124 14:14:32.123456   1 file.go:12] ". */
int lp_klog_header(struct lp_cur *c);

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t lp_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
