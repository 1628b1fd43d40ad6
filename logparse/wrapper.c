/* wrapper.c: strip what log tools put in front of a kernel message and keep
 * its timestamp: dmesg "[ 1234.567890] ", dmesg -T "[Tue Nov 24 14:14:32
 * 2026] ", syslog/journalctl "Nov 24 14:14:32[.123456] [host] kernel: ", ISO
 * "2026-11-24T14:14:32.123+00:00 host kernel: ", RFC 5424 "<4>1 2026-..Z host
 * kernel - - - ", OpenWrt logread "Tue Nov 24 14:14:32 2026 kern.warn kernel: ". */
#include <errno.h>
#include <string.h>

#include "logparse_int.h"

static const char lp_months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
static const char lp_wdays[] = "MonTueWedThuFriSatSun";

static int lp_name3(struct lp_cur *c, const char *names, size_t count)
{
	if (lp_left(c) < 4 || c->p[3] != ' ')
		return 0;
	for (size_t i = 0; i < count; i++) {
		if (memcmp(c->p, names + 3 * i, 3) == 0) {
			c->p += 4;
			return (int)i + 1;
		}
	}
	return 0;
}

static int lp_num_max(struct lp_cur *c, uint64_t max, unsigned *out)
{
	uint64_t v;

	if (lp_u64(c, max, &v))
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

static int lp_digit(char ch)
{
	return (unsigned)(ch - '0') <= 9;
}

/* The common "hh:mm:ss" of two digits each, not followed by a digit: what
 * the general parse below reads from it, in a few compares. 0 or -ENOENT
 * (not that shape: take the general parse). */
static int lp_hms_fixed(struct lp_cur *c, unsigned *h, unsigned *m, unsigned *s)
{
	const char *p = c->p;

	if (lp_left(c) < 8 || p[2] != ':' || p[5] != ':' || !lp_digit(p[0]) || !lp_digit(p[1]) ||
	    !lp_digit(p[3]) || !lp_digit(p[4]) || !lp_digit(p[6]) || !lp_digit(p[7]) ||
	    (lp_left(c) > 8 && lp_digit(p[8])))
		return -ENOENT;
	*h = (unsigned)(p[0] - '0') * 10 + (unsigned)(p[1] - '0');
	*m = (unsigned)(p[3] - '0') * 10 + (unsigned)(p[4] - '0');
	*s = (unsigned)(p[6] - '0') * 10 + (unsigned)(p[7] - '0');
	c->p += 8;
	return 0;
}

/* "hh:mm:ss[.frac]" */
static int lp_hms(struct lp_cur *c, struct logparse_time *ts)
{
	unsigned h, m, s;

	if (lp_hms_fixed(c, &h, &m, &s) == 0) {
		if (h > 23 || m > 59 || s > 60)
			return -EINVAL;
	} else if (lp_num_max(c, 23, &h) || !lp_eat(c, ":") || lp_num_max(c, 59, &m) ||
		   !lp_eat(c, ":") || lp_num_max(c, 60, &s)) {
		return -EINVAL;
	}
	ts->hour = (uint8_t)h;
	ts->min = (uint8_t)m;
	ts->sec = (uint8_t)s;
	if (lp_eat(c, ".") || lp_eat(c, ",")) {
		uint32_t us = 0;
		int digits = 0;

		for (; c->p < c->end && *c->p >= '0' && *c->p <= '9'; c->p++, digits++) {
			if (digits < 6)
				us = us * 10 + (uint32_t)(*c->p - '0');
		}
		for (; digits < 6; digits++)
			us *= 10;
		ts->wall_usec = us;
	}
	ts->flags |= LOGPARSE_TS_WALL;
	return 0;
}

static void lp_set_epoch(struct logparse_time *ts, int32_t off_sec)
{
	int64_t days = lp_days_from_civil(ts->year, ts->mon, ts->mday);

	ts->epoch_sec =
	    days * 86400 + (int64_t)ts->hour * 3600 + (int64_t)ts->min * 60 + ts->sec - off_sec;
	ts->flags |= LOGPARSE_TS_YEAR;
}

/* "Mmm dd hh:mm:ss[.frac]" (day may be space padded) */
static int lp_mdhms(struct lp_cur *c, struct logparse_time *ts)
{
	unsigned d;
	int mon = lp_name3(c, lp_months, 12);

	if (!mon)
		return -EINVAL;
	lp_skip_spaces(c);
	if (lp_num_max(c, 31, &d) || d == 0 || !lp_eat(c, " "))
		return -EINVAL;
	ts->mon = (uint8_t)mon;
	ts->mday = (uint8_t)d;
	return lp_hms(c, ts);
}

/* "Www Mmm dd hh:mm:ss yyyy" (ctime, local time) */
static int lp_ctime(struct lp_cur *c, struct logparse_time *ts)
{
	unsigned y;

	if (!lp_name3(c, lp_wdays, 7) || lp_mdhms(c, ts) || !lp_eat(c, " ") ||
	    lp_num_max(c, 9999, &y) || y < 1970)
		return -EINVAL;
	ts->year = (uint16_t)y;
	lp_set_epoch(ts, 0);
	return 0;
}

/* "Z", "+hh:mm", "+hhmm": offset in seconds. */
static int lp_tz(struct lp_cur *c, int32_t *off)
{
	unsigned hh, mm;
	int sign;

	if (lp_eat(c, "Z")) {
		*off = 0;
		return 0;
	}
	if (lp_left(c) < 5 || (c->p[0] != '+' && c->p[0] != '-'))
		return -EINVAL;
	sign = c->p[0] == '-' ? -1 : 1;
	c->p++;
	if (lp_left(c) >= 4 && c->p[2] != ':') {
		if (lp_num_max(c, 2359, &hh))
			return -EINVAL;
		mm = hh % 100;
		hh /= 100;
	} else if (lp_num_max(c, 23, &hh) || !lp_eat(c, ":") || lp_num_max(c, 59, &mm)) {
		return -EINVAL;
	}
	*off = sign * (int32_t)(hh * 3600 + mm * 60);
	return 0;
}

/* "yyyy-mm-ddThh:mm:ss[.frac][tz]" */
static int lp_iso(struct lp_cur *c, struct logparse_time *ts)
{
	unsigned y, m, d;
	int32_t off = 0;

	if (lp_num_max(c, 9999, &y) || !lp_eat(c, "-") || lp_num_max(c, 12, &m) || m == 0 ||
	    !lp_eat(c, "-") || lp_num_max(c, 31, &d) || d == 0 || !lp_eat(c, "T") || lp_hms(c, ts))
		return -EINVAL;
	ts->year = (uint16_t)y;
	ts->mon = (uint8_t)m;
	ts->mday = (uint8_t)d;
	if (c->p < c->end && *c->p != ' ') {
		if (lp_tz(c, &off))
			return -EINVAL;
		ts->flags |= LOGPARSE_TS_UTC;
	}
	lp_set_epoch(ts, off);
	return 0;
}

/* "[ 1234.567890]" or "[Tue Nov 24 14:14:32 2026]", then one space. */
static int lp_bracket(struct lp_cur *c, struct logparse_time *ts)
{
	struct lp_cur t = *c;
	uint64_t sec, usec = 0;

	if (!lp_eat(&t, "["))
		return -ENOENT;
	lp_skip_spaces(&t);
	if (lp_u64(&t, INT64_MAX, &sec) == 0) {
		/* dmesg always writes the fraction: "[00] " is a serial console's */
		if (!lp_eat(&t, "."))
			return -ENOENT;
		{
			const char *frac = t.p;

			if (lp_u64(&t, 999999999, &usec))
				return -ENOENT;
			for (size_t n = (size_t)(t.p - frac); n > 6; n--)
				usec /= 10;
			for (size_t n = (size_t)(t.p - frac); n < 6; n++)
				usec *= 10;
		}
		ts->mono_sec = (int64_t)sec;
		ts->mono_usec = (uint32_t)usec;
		ts->flags |= LOGPARSE_TS_MONO;
	} else {
		const char *start = t.p;

		if (lp_ctime(&t, ts))
			return -ENOENT;
		lp_copy(ts->text, sizeof(ts->text), start, (size_t)(t.p - start));
	}
	if (!lp_eat(&t, "]"))
		return -ENOENT;
	(void)lp_eat(&t, " ");
	*c = t;
	return 0;
}

/* The programs besides the kernel whose lines logparse reads: the owners
 * of the conntrack knobs (kind OWNER). */
static int lp_tool_ident(struct lp_cur *t)
{
	if (!lp_eat(t, "kube-proxy"))
		return 0;
	if (lp_eat(t, "[")) { /* "[pid]" */
		const char *close = memchr(t->p, ']', lp_left(t));

		if (!close)
			return 0;
		t->p = close + 1;
	}
	return lp_eat(t, ":");
}

/* "[host ]kernel: " then an optional dmesg stamp, or an owner tool's
 * "[host ]kube-proxy[pid]: ". -ENOENT another program. */
static int lp_ident(struct lp_cur *c, struct logparse_time *ts, struct lp_head *h)
{
	const char *sp = memchr(c->p, ' ', lp_left(c));
	struct lp_cur t = *c;

	if (sp && sp > c->p && sp[-1] != ':')
		t.p = sp + 1; /* skip the hostname */
	if (lp_eat(&t, "kernel:")) {
		h->origin = LP_ORIGIN_KERNEL;
	} else if (lp_tool_ident(&t)) {
		h->origin = LP_ORIGIN_TOOL;
	} else {
		return -ENOENT;
	}
	(void)lp_eat(&t, " ");
	if (h->origin == LP_ORIGIN_KERNEL && t.p < t.end && *t.p == '[')
		(void)lp_bracket(&t, ts);
	*c = t;
	return 0;
}

/* "1 <iso> host kernel - - [sd] msg": RFC 5424 after "<pri>". */
static int lp_rfc5424(struct lp_cur *c, struct logparse_time *ts)
{
	const char *start = c->p;

	if (lp_iso(c, ts) || !lp_eat(c, " "))
		return -EINVAL;
	lp_copy(ts->text, sizeof(ts->text), start, (size_t)(c->p - start - 1));
	const char *sp = memchr(c->p, ' ', lp_left(c));
	if (!sp)
		return -ENOENT;
	c->p = sp + 1;
	if (!lp_eat(c, "kernel "))
		return -ENOENT;
	for (int i = 0; i < 2; i++) { /* PROCID, MSGID */
		sp = memchr(c->p, ' ', lp_left(c));
		c->p = sp ? sp + 1 : c->end;
	}
	while (c->p < c->end && *c->p == '[') { /* structured data */
		while (c->p < c->end && *c->p != ']')
			c->p += (*c->p == '\\' && lp_left(c) > 1) ? 2 : 1;
		if (c->p < c->end)
			c->p++;
	}
	if (!lp_eat(c, "- "))
		(void)lp_eat(c, " ");
	(void)lp_eat(c, "\xEF\xBB\xBF"); /* BOM */
	if (c->p < c->end && *c->p == '[')
		(void)lp_bracket(c, ts);
	return 0;
}

/* "stdout F " / "stderr P " after a CRI timestamp: 1 and h set, else 0. */
static int lp_cri_stream(struct lp_cur *t, struct lp_head *h)
{
	if (!lp_eat(t, "stdout ") && !lp_eat(t, "stderr "))
		return 0;
	if (lp_eat(t, "P"))
		h->partial = true;
	else if (!lp_eat(t, "F"))
		return 0;
	(void)lp_eat(t, " ");
	h->fmt = LOGPARSE_FMT_CRI;
	return 1;
}

/* A syslog style header: which stamp, then ident (or a CRI stream). */
static int lp_syslog(struct lp_cur *c, struct logparse_time *ts, struct lp_head *h)
{
	const char *start = c->p;
	struct lp_cur t = *c;

	if (lp_name3(&t, lp_wdays, 7)) { /* logread: ctime, then facility.level */
		t = *c;
		if (lp_ctime(&t, ts) || !lp_eat(&t, " "))
			return -ENOENT;
		lp_copy(ts->text, sizeof(ts->text), start, (size_t)(t.p - start - 1));
		const char *sp = memchr(t.p, ' ', lp_left(&t));
		if (!sp || !memchr(t.p, '.', (size_t)(sp - t.p)))
			return -ENOENT;
		t.p = sp + 1;
		h->fmt = LOGPARSE_FMT_LOGREAD;
	} else if (lp_name3(&t, lp_months, 12)) {
		t = *c;
		if (lp_mdhms(&t, ts) || !lp_eat(&t, " "))
			return -ENOENT;
		lp_copy(ts->text, sizeof(ts->text), start, (size_t)(t.p - start - 1));
		h->fmt = LOGPARSE_FMT_SYSLOG;
	} else {
		if (lp_iso(&t, ts) || !lp_eat(&t, " "))
			return -ENOENT;
		lp_copy(ts->text, sizeof(ts->text), start, (size_t)(t.p - start - 1));
		h->fmt = LOGPARSE_FMT_ISO;
		if (lp_cri_stream(&t, h)) {
			*c = t;
			return 0;
		}
	}
	if (lp_ident(&t, ts, h))
		return -ENOENT;
	*c = t;
	return 0;
}

/* journalctl -o short-unix: "1795529672.123456 host kernel: ". 0 or -ENOENT. */
static int lp_unix(struct lp_cur *c, struct logparse_time *ts, struct lp_head *h)
{
	struct lp_cur t = *c;
	struct logparse_time tmp = *ts;
	uint64_t sec, usec = 0;
	const char *frac;

	if (lp_u64(&t, INT64_MAX / 2, &sec) || t.p - c->p < 9 || !lp_eat(&t, "."))
		return -ENOENT;
	frac = t.p;
	if (lp_u64(&t, 999999, &usec) || t.p - frac != 6 || !lp_eat(&t, " "))
		return -ENOENT;
	lp_time_from_epoch(&tmp, (int64_t)sec, (uint32_t)usec);
	if (lp_ident(&t, &tmp, h))
		return -ENOENT;
	h->fmt = LOGPARSE_FMT_UNIX;
	*ts = tmp;
	*c = t;
	return 0;
}

/* What may stand before a kernel message that no wrapper explains: a
 * serial console's "[00] ", a log shipper's own prefix ending in
 * "kernel: ". Text a person typed is not that: a shell prompt or a command
 * holds quotes, pipes, '$', '#' or '>', and then the line is not the
 * kernel's (a grep for "table full" is no table-full event). */
static int lp_garbage_ok(const char *p, const char *end)
{
	for (; p < end; p++) {
		if (*p == '\'' || *p == '"' || *p == '|' || *p == '$' || *p == '#' || *p == '>' ||
		    *p == '`')
			return 0;
	}
	return 1;
}

/* A kernel message of ours starts at p: the conntrack prefixes. */
static int lp_msg_start(const char *p, const char *end)
{
	size_t n = (size_t)(end - p);

	return (n > 6 && memcmp(p, "nf_ct_", 6) == 0) ||
	       (n > 13 && memcmp(p, "nf_conntrack", 12) == 0 && (p[12] == ':' || p[12] == ' ')) ||
	       (n > 13 && memcmp(p, "ip_conntrack: ", 14) == 0);
}

/* Garbage before the message (see lp_garbage_ok): the body after a
 * "kernel: " or at a conntrack prefix after a blank, within the first 256
 * bytes. 0 and *c moved, or -ENOENT (c kept). */
static int lp_skip_garbage(struct lp_cur *c, struct logparse_time *ts, struct lp_head *h)
{
	const char *lim = c->p + (lp_left(c) < 256 ? lp_left(c) : 256);

	if (lp_msg_start(c->p, c->end))
		return -ENOENT;
	for (const char *q = c->p + 1; q < lim; q++) {
		if (q[-1] != ' ' && q[-1] != ']')
			continue;
		if ((size_t)(c->end - q) > 8 && memcmp(q, "kernel: ", 8) == 0) {
			struct lp_cur t = {q + 8, c->end};

			if (!lp_garbage_ok(c->p, q))
				return -ENOENT;
			if (t.p < t.end && *t.p == '[')
				(void)lp_bracket(&t, ts);
			h->origin = LP_ORIGIN_KERNEL;
			*c = t;
			return 0;
		}
		if (lp_msg_start(q, c->end)) {
			if (!lp_garbage_ok(c->p, q))
				return -ENOENT;
			c->p = q;
			return 0;
		}
	}
	return -ENOENT;
}

/* "[stamp] " and after it maybe "host kernel: " (journalctl -o
 * short-monotonic), or a bare "kernel: ". */
static void lp_lead(struct lp_cur *c, struct logparse_time *ts, struct lp_head *h)
{
	struct lp_cur t = *c;

	if (t.p < t.end && *t.p == '[' && lp_bracket(&t, ts) == 0) {
		h->fmt = (ts->flags & LOGPARSE_TS_MONO) ? LOGPARSE_FMT_DMESG : LOGPARSE_FMT_DMESG_T;
		*c = t;
		if (t.p < t.end && *t.p != '[' && lp_ident(&t, ts, h) == 0) {
			if (h->fmt == LOGPARSE_FMT_DMESG)
				h->fmt = LOGPARSE_FMT_MONOTONIC;
			*c = t;
		}
		return;
	}
	if (lp_eat(&t, "kernel:")) {
		(void)lp_eat(&t, " ");
		if (t.p < t.end && *t.p == '[')
			(void)lp_bracket(&t, ts);
		h->fmt = LOGPARSE_FMT_KERNEL_TAG;
		h->origin = LP_ORIGIN_KERNEL;
		*c = t;
	}
}

/* The stamped forms: syslog, ISO, CRI, logread, short-unix. 0 (c moved or
 * kept: not one of them), -ENOENT another program's line. */
static int lp_stamped(struct lp_cur *c, struct logparse_time *ts, struct lp_head *h)
{
	struct logparse_time tmp = *ts;
	struct lp_cur t = *c;

	if (lp_left(c) <= 4 || !((*c->p >= 'A' && *c->p <= 'Z') || (*c->p >= '0' && *c->p <= '9')))
		return 0;
	if (*c->p <= '9' && c->p[4] != '-')
		return (void)lp_unix(c, ts, h), 0; /* kept when not short-unix */
	if (lp_syslog(&t, &tmp, h) == 0) {
		*ts = tmp;
		*c = t;
		return 0;
	}
	h->fmt = LOGPARSE_FMT_BARE;
	return (tmp.flags & LOGPARSE_TS_WALL) ? -ENOENT : 0;
}

int lp_strip_wrapper(const char *line, size_t len, struct lp_cur *body, struct logparse_time *ts,
		     struct lp_head *h)
{
	struct lp_cur c = {line, line + len};
	struct lp_cur t = c;
	uint64_t pri;

	memset(h, 0, sizeof(*h));
	if (lp_eat(&t, "<") && lp_u64(&t, 1023, &pri) == 0 && lp_eat(&t, ">")) {
		c = t;
		if (lp_eat(&t, "1 ")) {
			if (lp_rfc5424(&t, ts))
				return -ENOENT;
			h->fmt = LOGPARSE_FMT_RFC5424;
			h->origin = LP_ORIGIN_KERNEL;
			*body = t;
			return 0;
		}
	}
	if (c.p < c.end && (*c.p == '[' || *c.p == 'k'))
		lp_lead(&c, ts, h);
	else if (lp_stamped(&c, ts, h))
		return -ENOENT;
	if (h->fmt == LOGPARSE_FMT_CRI) {
		*body = c;
		return 0;
	}
	if (h->origin != LP_ORIGIN_TOOL)
		(void)lp_skip_garbage(&c, ts, h);
	*body = c;
	return 0;
}
