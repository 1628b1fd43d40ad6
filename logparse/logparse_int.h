/* logparse_int.h: helpers shared by the logparse .c files. Private: nothing
 * outside logparse/ includes this. */
#ifndef CTADVISOR_LOGPARSE_INT_H
#define CTADVISOR_LOGPARSE_INT_H

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

int lp_ieq(const char *a, const char *b, size_t n);
int lp_eat(struct lp_cur *c, const char *lit);
int lp_eat_ci(struct lp_cur *c, const char *lit);
void lp_skip_spaces(struct lp_cur *c);
int lp_u64(struct lp_cur *c, uint64_t max, uint64_t *out);
int lp_hex(struct lp_cur *c, uint64_t max, uint64_t *out);
int lp_addr(const char *p, size_t len, uint8_t *family, uint8_t addr[16]);
void lp_copy(char *dst, size_t size, const char *src, size_t len);

/* Classify a conntrack report text ("nf_ct_proto_6: invalid new ...",
 * old "nf_ct_tcp: ...", helper drops) that runs up to the packet fields.
 * 0 ev->reason/verdict/args/text set; -ENOENT not a conntrack report; -EINVAL. */
int lp_classify_ct(const char *msg, size_t len, struct logparse_event *ev);

/* Parse LOG-target fields "IN=.. OUT=.. SRC=.." into *pkt. 0 or -EINVAL. */
int lp_parse_fields(const char *p, size_t len, struct logparse_pkt *pkt);

/* Strip a log wrapper; *body is what follows. 0, -ENOENT (not kernel). */
int lp_strip_wrapper(const char *line, size_t len, struct lp_cur *body, struct logparse_time *ts);

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t lp_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
