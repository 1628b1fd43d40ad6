/* line.c: classify one kernel log line (wrapper already handled in
 * wrapper.c): conntrack reports, table full, LOG-target lines, rate-limit
 * notes, the boot line. Any byte value may appear; nothing past len is read. */
#include <errno.h>
#include <string.h>

#include "logparse_int.h"

/* An interface name has at most IFNAMSIZ - 1 bytes. */
#define LP_IFNAME_MAX 15

/* Position of an "IN=" token that is followed by " OUT=", or NULL. The token
 * starts the text, follows a blank, or is glued to a LOG prefix that did not
 * end with one (--log-prefix "DROP:" gives "DROP:IN=eth0 OUT= ..."); glued,
 * it is not the end of "PHYSIN=" (bridge lines), and its value must be an
 * interface name: the " OUT=" search stays within LP_IFNAME_MAX bytes, so a
 * line of "IN=IN=IN=..." costs one pass. One memchr pass over '=': most
 * unrelated lines hold none or a few, and this scan runs on nearly every line. */
static const char *lp_find_in(const char *p, size_t len)
{
	const char *end = p + len, *q = p + 2;

	if (len < 3)
		return NULL;
	while ((q = memchr(q, '=', (size_t)(end - q))) != NULL) {
		const char *t = q - 2;

		if (t[0] == 'I' && t[1] == 'N') {
			size_t room = (size_t)(end - q);
			const char *sp;

			if (t == p || t[-1] == ' ') {
				sp = memchr(q, ' ', room);
			} else if (t - p >= 4 && memcmp(t - 4, "PHYS", 4) == 0) {
				sp = NULL;
			} else {
				sp = memchr(q, ' ',
					    room < LP_IFNAME_MAX + 2 ? room : LP_IFNAME_MAX + 2);
			}
			if (sp && (size_t)(end - sp) >= 5 && memcmp(sp, " OUT=", 5) == 0)
				return t;
		}
		q++;
	}
	return NULL;
}

/* Where the packet fields begin, wherever that is: the first token that is
 * one of nf_log_syslog's keys ("SRC=", "MAC=", "PHYSIN=", ...) at the start
 * or after a blank, or an "IN=" token as lp_find_in() finds it (glued to a
 * LOG prefix). any: every key starts the fields (a conntrack report, whose
 * message never holds one); else (a LOG line of a user's rule, whose prefix
 * might) only "IN=" followed by " OUT=", or "SRC=" with a " DST=" after it
 * and no "OUT=" before it (a paste that dropped IN= OUT=): a packet, not a
 * word with '='. NULL when the text holds none. The SRC
 * test searches to the end once at most: a line of "SRC=SRC=..." costs one
 * pass. */
static const char *lp_find_fields(const char *p, size_t len, int any)
{
	const char *end = p + len, *q = p, *in = lp_find_in(p, len);
	const char *lim = in ? in : end;
	int src_tried = 0;

	while ((q = memchr(q, '=', (size_t)(lim - q))) != NULL) {
		const char *k = q;

		while (k > p && q - k < 8 && k[-1] >= 'A' && k[-1] <= 'Z')
			k--;
		if (k < q && (k == p || k[-1] == ' ' || k[-1] == '\t') &&
		    lp_field_key(k, (size_t)(q - k))) {
			if (any)
				return k;
			if (!src_tried && q - k == 3 && memcmp(k, "SRC", 3) == 0) {
				src_tried = 1;
				/* trimmed: no OUT= before it (then IN= was there) */
				if (memmem(q, (size_t)(end - q), " DST=", 5) &&
				    !memmem(p, (size_t)(k - p), "OUT=", 4))
					return k;
			}
		}
		q++;
	}
	return in;
}

/* 1 when the line ends with lit (NUL-terminated constant). */
static int lp_ends_with(const struct lp_cur *c, const char *lit, size_t n)
{
	return lp_left(c) >= n && memcmp(c->end - n, lit, n) == 0;
}

static int lp_done_text(struct lp_cur c)
{
	(void)lp_eat(&c, ".");
	lp_skip_spaces(&c);
	return c.p == c.end;
}

/* "table full, dropping packet" or "table full in netns N, dropping packet" */
static int lp_table_full(struct lp_cur c, struct logparse_event *ev)
{
	uint64_t ns;

	ev->kind = LOGPARSE_KIND_TABLE_FULL;
	if (lp_eat(&c, ", dropping packet"))
		return lp_done_text(c) ? 0 : -EINVAL;
	if (!lp_eat(&c, " in netns ") || lp_u64(&c, UINT32_MAX, &ns) ||
	    !lp_eat(&c, ", dropping packet") || !lp_done_text(c))
		return -EINVAL;
	ev->netns = (uint32_t)ns;
	ev->has_netns = true;
	return 0;
}

/* "nf_conntrack version 0.5.0 (65536 buckets, 262144 max)" */
static int lp_boot(struct lp_cur c, struct logparse_event *ev)
{
	const char *paren = memchr(c.p, '(', lp_left(&c));
	uint64_t b, m;

	if (!paren)
		return -EINVAL;
	c.p = paren + 1;
	if (lp_u64(&c, UINT64_MAX, &b) || !lp_eat(&c, " buckets, ") || lp_u64(&c, UINT64_MAX, &m) ||
	    !lp_eat(&c, " max)"))
		return -EINVAL;
	ev->kind = LOGPARSE_KIND_BOOT;
	ev->buckets = b;
	ev->max_entries = m;
	return 0;
}

/* Lines from nf_conntrack core (the prefix may be doubled by pr_fmt, once
 * or more by a wrapper that adds its own). Any other text after the prefix
 * is a notice of the kernel's conntrack: never an unrelated line. */
static int lp_core(struct lp_cur c, struct logparse_event *ev)
{
	if (lp_eat(&c, "nf_conntrack version "))
		return lp_boot(c, ev);
	if (!lp_eat(&c, "nf_conntrack: ") && !lp_eat(&c, "ip_conntrack: "))
		return -ENOENT;
	while (lp_eat(&c, "nf_conntrack: "))
		;
	if (lp_eat(&c, "table full"))
		return lp_table_full(c, ev);
	if (lp_eat(&c, "expectation table full")) {
		ev->kind = LOGPARSE_KIND_EXPECT_FULL;
		return 0;
	}
	if (lp_eat(&c, "falling back to vmalloc")) {
		ev->kind = LOGPARSE_KIND_VMALLOC;
		return lp_done_text(c) ? 0 : -EINVAL;
	}
	if (lp_left(&c) > 6 && memcmp(c.p, "nf_ct_", 6) == 0)
		return -EAGAIN; /* a report behind the doubled prefix */
	return lp_core_notice(c, ev);
}

/* "<name>: N callbacks suppressed" */
static int lp_ratelimit(struct lp_cur c, struct logparse_event *ev)
{
	const char *colon = memchr(c.p, ':', lp_left(&c));
	uint64_t n;

	if (!colon || colon == c.p || memchr(c.p, ' ', (size_t)(colon - c.p)))
		return -EINVAL;
	lp_copy(ev->text, sizeof(ev->text), c.p, (size_t)(colon - c.p));
	c.p = colon + 1;
	lp_skip_spaces(&c);
	if (lp_u64(&c, UINT64_MAX, &n) || !lp_eat(&c, " callbacks suppressed") || c.p != c.end)
		return -EINVAL;
	ev->kind = LOGPARSE_KIND_RATELIMIT;
	ev->count = n;
	return 0;
}

/* A conntrack report: the message up to where the packet fields begin
 * (lp_find_fields: IN=, or SRC= when a paste dropped IN= OUT= MAC=, or the
 * line's end), then the fields. A message without fields awaits them on
 * the next line. */
static int lp_ct_line(struct lp_cur c, struct logparse_event *ev)
{
	const char *in = lp_find_fields(c.p, lp_left(&c), 1);
	size_t mlen = in ? (size_t)(in - c.p) : lp_left(&c);
	int rc = lp_classify_ct(c.p, mlen, ev);

	if (rc)
		return rc;
	ev->kind = LOGPARSE_KIND_CT_INVALID;
	ev->awaits_fields = in == NULL;
	if (in && lp_parse_fields(in, (size_t)(c.end - in), &ev->pkt, &ev->truncated))
		return -EINVAL;
	return 0;
}

static int lp_log_rule(struct lp_cur c, const char *in, struct logparse_event *ev)
{
	size_t plen = (size_t)(in - c.p);

	while (plen > 0 && c.p[plen - 1] == ' ')
		plen--;
	lp_copy(ev->text, sizeof(ev->text), c.p, plen);
	ev->kind = LOGPARSE_KIND_LOG_RULE;
	return lp_parse_fields(in, (size_t)(c.end - in), &ev->pkt, &ev->truncated);
}

/* A line of the kernel's conntrack that is neither report nor core line:
 * "nf_ct_<helper>: <text>" (a notice: "nf_ct_irc: failed to register
 * helpers"), "conntrack: generic helper won't handle protocol N". */
static int lp_named_notice(struct lp_cur c, struct logparse_event *ev)
{
	const char *colon;

	if (!lp_eat(&c, "nf_ct_") && !lp_eat(&c, "conntrack: generic helper"))
		return -ENOENT;
	colon = memchr(c.p, ':', lp_left(&c) < 24 ? lp_left(&c) : 24);
	if (colon && !memchr(c.p, ' ', (size_t)(colon - c.p)))
		c.p = colon + 1;
	return lp_core_notice(c, ev);
}

static int lp_continuation(struct lp_cur c, struct logparse_event *ev)
{
	lp_skip_spaces(&c);
	if (lp_left(&c) < 3 || memcmp(c.p, "IN=", 3) != 0 || !lp_find_in(c.p, lp_left(&c)))
		return -ENOENT;
	ev->kind = LOGPARSE_KIND_CONTINUATION;
	return lp_parse_fields(c.p, lp_left(&c), &ev->pkt, &ev->truncated);
}

/* A kernel message body (wrapper gone). */
static int lp_kernel_body(struct lp_cur c, struct logparse_event *ev)
{
	const char *in;
	int rc;

	if (c.p < c.end && (*c.p == ' ' || *c.p == '\t'))
		return lp_continuation(c, ev);
	if (lp_left(&c) > 12 && (c.p[0] == 'n' || c.p[0] == 'i') &&
	    memcmp(c.p + 2, "_conntrack", 10) == 0) {
		rc = lp_core(c, ev);
		if (rc != -EAGAIN)
			return rc;
		while (lp_eat(&c, "nf_conntrack: ") || lp_eat(&c, "ip_conntrack: "))
			;
	}
	if (lp_left(&c) > 6 && (memcmp(c.p, "nf_ct_", 6) == 0 || memcmp(c.p, "helper ", 7) == 0)) {
		rc = lp_ct_line(c, ev);
		if (rc != -ENOENT)
			return rc;
	}
	if (lp_ends_with(&c, " callbacks suppressed", 21))
		return lp_ratelimit(c, ev);
	in = lp_find_fields(c.p, lp_left(&c), 0);
	if (in)
		return lp_log_rule(c, in, ev);
	return lp_named_notice(c, ev);
}

/* The body after the wrapper h: kernel lines from the kernel (or a bare
 * message), owner lines from anyone (their klog wording is kube-proxy's). */
static int lp_body(struct lp_cur c, const struct lp_head *h, struct logparse_event *ev)
{
	int rc = -ENOENT;

	if (h->origin != LP_ORIGIN_TOOL)
		rc = lp_kernel_body(c, ev);
	if (rc == -ENOENT)
		rc = lp_owner(c, ev);
	/* dmesg's stamp alone says the kernel: it is the kernel's ring */
	if (rc == -ENOENT &&
	    (h->origin == LP_ORIGIN_KERNEL || h->fmt == LOGPARSE_FMT_DMESG ||
	     h->fmt == LOGPARSE_FMT_DMESG_T) &&
	    memmem(c.p, lp_left(&c), "conntrack", 9))
		rc = -EINVAL; /* the kernel said something of conntrack we cannot read */
	return rc;
}

/* 1 when the byte at q (found by memchr) starts or ends a trigger word. */
static int lp_trigger_at(const char *p, const char *end, const char *q)
{
	size_t before = (size_t)(q - p), after = (size_t)(end - q);

	switch (*q) {
	case '=': /* "IN=", "SRC=" (a paste without IN=) */
		return (before >= 2 && q[-2] == 'I' && q[-1] == 'N') ||
		       (before >= 3 && q[-3] == 'S' && q[-2] == 'R' && q[-1] == 'C');
	case '_': /* "nf_ct_" (seen at its first '_'), "_conntrack" */
		return (after >= 4 && memcmp(q, "_ct_", 4) == 0) ||
		       (after >= 10 && memcmp(q, "_conntrack", 10) == 0);
	default: /* 'h' */
		return after >= 7 && memcmp(q, "helper ", 7) == 0;
	}
}

/* The exact trigger test of lp_line_may_match(): three memchr passes. */
static int lp_line_triggers(const char *p, size_t len)
{
	static const char triggers[] = "=_h";
	const char *end = p + len;

	for (const char *t = triggers; *t != '\0'; t++) {
		const char *q = p;

		while ((q = memchr(q, *t, (size_t)(end - q))) != NULL) {
			if (lp_trigger_at(p, end, q))
				return 1;
			q++;
		}
	}
	return 0;
}

/* Marks the positions of the 16 at q that start a byte pair "N=" or "C="
 * (of "IN=", "SRC="), "_c" (of "nf_ct_" and "_conntrack") or "lp" (of "helper ").
 * Generic vectors: SSE2 on x86-64, NEON on arm64, plain code elsewhere.
 * Pairs are rare in other lines, where the letters alone ('h' above all)
 * are not. */
static inline lp_v16 lp_pairs16(const char *q)
{
	lp_v16 a, b;

	memcpy(&a, q, sizeof(a));
	memcpy(&b, q + 1, sizeof(b));
	return (lp_v16)((((a == 'N') | (a == 'C')) & (b == '=')) | ((a == '_') & (b == 'c')) |
			((a == 'l') & (b == 'p')));
}

/* Whole-line prefilter, before the wrapper is parsed: every line of ours
 * holds "IN=", "nf_ct_", "_conntrack" or "helper ", or ends with the
 * rate-limit note. A vector pass over byte pairs rejects most other lines
 * (most of a kernel log) for less than the timestamp parse or one memchr
 * per trigger letter; a line with a pair gets the exact test. Either way
 * the answer for an unrelated line is -ENOENT. */
static int lp_line_may_match(const char *p, size_t len)
{
	const char *end = p + len, *q;
	lp_v16 acc;
	lp_v2 w;

	if (len >= 21 && memcmp(end - 21, " callbacks suppressed", 21) == 0)
		return 1;
	if (len < 17)
		return lp_line_triggers(p, len);
	/* one test per 64 bytes: most lines have no pair, ours show theirs early */
	acc = lp_pairs16(end - 17); /* the last window overlaps: every pair is seen */
	for (q = p; end - q >= 65; q += 64) {
		acc |= lp_pairs16(q) | lp_pairs16(q + 16) | lp_pairs16(q + 32) | lp_pairs16(q + 48);
		w = (lp_v2)acc;
		if (w[0] | w[1])
			return lp_line_triggers(p, len);
	}
	for (; end - q >= 17; q += 16)
		acc |= lp_pairs16(q);
	w = (lp_v2)acc;
	return (w[0] | w[1]) ? lp_line_triggers(p, len) : 0;
}

/* A CRI record's message: itself a line of any format; without a wrapper
 * it is the container's own output (a tool's, not the kernel's). */
static int lp_cri_inner(struct lp_cur *body, struct logparse_time *ts, struct lp_head *h)
{
	struct lp_head in;
	struct logparse_time its = {0};
	int rc = lp_strip_wrapper(body->p, lp_left(body), body, &its, &in);

	if (rc || in.fmt == LOGPARSE_FMT_CRI)
		return -ENOENT;
	h->origin = in.origin == LP_ORIGIN_UNKNOWN ? LP_ORIGIN_TOOL : in.origin;
	if (its.flags)
		*ts = its;
	return 0;
}

static int lp_finish(struct lp_cur body, const struct lp_head *h, const struct logparse_time *ts,
		     struct logparse_event *ev)
{
	struct logparse_event e;
	int rc;

	memset(&e, 0, sizeof(e)); /* the ~700-byte event is cleared only for candidates */
	e.ts = *ts;
	e.format = h->fmt;
	rc = lp_body(body, h, &e);
	if (rc)
		return rc;
	if (h->partial)
		e.truncated = true;
	*ev = e;
	return 0;
}

int logparse_line(const char *line, size_t len, struct logparse_event *ev)
{
	struct logparse_time ts;
	struct lp_cur body;
	struct lp_head h;
	int rc;

	if (!ev || (!line && len))
		return -EINVAL;
	if (!line)
		return -ENOENT;
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (!lp_line_may_match(line, len))
		return -ENOENT;
	memset(&ts, 0, sizeof(ts));
	rc = lp_strip_wrapper(line, len, &body, &ts, &h);
	if (rc == 0 && h.fmt == LOGPARSE_FMT_CRI)
		rc = lp_cri_inner(&body, &ts, &h);
	if (rc)
		return rc;
	return lp_finish(body, &h, &ts, ev);
}

int logparse_record(const char *msg, size_t len, const struct logparse_origin *o,
		    struct logparse_event *ev)
{
	struct logparse_time ts = {0};
	struct lp_cur body = {msg, msg + len};
	struct lp_head h = {0};
	int rc;

	if (!ev || !o || (!msg && len))
		return -EINVAL;
	if (!msg)
		return -ENOENT;
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
		len--;
	body.end = msg + len;
	if (!lp_line_may_match(msg, len))
		return -ENOENT;
	if (o->realtime_usec >= 0)
		lp_time_from_epoch(&ts, o->realtime_usec / 1000000,
				   (uint32_t)(o->realtime_usec % 1000000));
	if (o->format == LOGPARSE_FMT_DOCKER_JSON) {
		h.fmt = LOGPARSE_FMT_CRI; /* the same: a container's line */
		rc = lp_cri_inner(&body, &ts, &h);
		if (rc)
			return rc;
	} else {
		h.origin = o->is_kernel ? LP_ORIGIN_KERNEL : LP_ORIGIN_TOOL;
		if (!o->is_kernel && (!o->ident || strcmp(o->ident, "kube-proxy") != 0))
			return -ENOENT;
	}
	h.fmt = o->format;
	h.partial = o->partial;
	return lp_finish(body, &h, &ts, ev);
}

const char *logparse_format_name(enum logparse_format f)
{
	static const char *const names[LOGPARSE_FMT_COUNT] = {
	    "bare", "dmesg",        "dmesg-T",     "kernel-tag",      "syslog",
	    "iso",  "rfc5424",      "logread",     "short-monotonic", "short-unix",
	    "cri",  "journal-json", "docker-json",
	};

	return (unsigned)f < LOGPARSE_FMT_COUNT ? names[f] : "?";
}

const char *logparse_kind_name(enum logparse_kind k)
{
	static const char *const names[LOGPARSE_KIND_MAX + 1] = {
	    "unrelated", "ct_invalid", "table_full",   "expect_full", "log_rule", "ratelimit",
	    "boot",      "vmalloc",    "continuation", "owner",       "notice",
	};

	return (unsigned)k <= LOGPARSE_KIND_MAX ? names[k] : "?";
}
