/* kinds.c: conntrack lines that are not per-packet events: the kernel's
 * other nf_conntrack notices, and the lines of the tools that own the
 * conntrack knobs (kube-proxy sets nf_conntrack_max and the TCP timeouts at
 * start: its klog lines say so, which tells who will undo a manual change). */
#include <errno.h>
#include <string.h>

#include "logparse_int.h"

static void lp_trim_end(struct lp_cur *c)
{
	while (c->end > c->p && (c->end[-1] == ' ' || c->end[-1] == '\t' || c->end[-1] == '.'))
		c->end--;
}

int lp_core_notice(struct lp_cur c, struct logparse_event *ev)
{
	struct lp_cur t;
	uint64_t n;

	lp_skip_spaces(&c);
	lp_trim_end(&c);
	if (c.p == c.end)
		return -ENOENT;
	t = c;
	if (lp_u64(&t, UINT64_MAX, &n) == 0 && lp_eat(&t, " callbacks suppressed") &&
	    t.p == t.end) {
		ev->kind = LOGPARSE_KIND_RATELIMIT;
		ev->count = n;
		lp_copy(ev->text, sizeof(ev->text), "nf_conntrack", 12);
		return 0;
	}
	ev->kind = LOGPARSE_KIND_NOTICE;
	lp_copy(ev->text, sizeof(ev->text), c.p, lp_left(&c));
	return 0;
}

static int lp_digits(struct lp_cur *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (c->p + i >= c->end || (unsigned)(c->p[i] - '0') > 9)
			return 0;
	}
	c->p += n;
	return 1;
}

/* klog: "Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg", L one of IWEF. */
int lp_klog_header(struct lp_cur *c)
{
	struct lp_cur t = *c;
	const char *close;
	uint64_t tid;

	if (lp_left(&t) < 20 || !strchr("IWEF", *t.p) || *t.p == '\0')
		return 0;
	t.p++;
	if (!lp_digits(&t, 4) || !lp_eat(&t, " ") || !lp_digits(&t, 2) || !lp_eat(&t, ":") ||
	    !lp_digits(&t, 2) || !lp_eat(&t, ":") || !lp_digits(&t, 2) || !lp_eat(&t, "."))
		return 0;
	while (t.p < t.end && (unsigned)(*t.p - '0') <= 9)
		t.p++;
	lp_skip_spaces(&t);
	if (lp_u64(&t, UINT64_MAX, &tid) || !lp_eat(&t, " "))
		return 0;
	close = memchr(t.p, ']', lp_left(&t) < 128 ? lp_left(&t) : 128);
	if (!close || close == t.p || memchr(t.p, ' ', (size_t)(close - t.p)))
		return 0;
	t.p = close + 1;
	lp_skip_spaces(&t);
	*c = t;
	return 1;
}

/* "net/netfilter/nf_conntrack_x" (or with dots) into the sysctl name
 * "net.netfilter.nf_conntrack_x"; only conntrack knobs. 0 or -ENOENT. */
static int lp_knob(const char *p, size_t n, struct logparse_event *ev)
{
	char buf[sizeof(ev->knob)];

	if (n == 0 || n >= sizeof(buf) || !memmem(p, n, "conntrack", 9))
		return -ENOENT;
	for (size_t i = 0; i < n; i++) {
		buf[i] = p[i];
		if (buf[i] == '/')
			buf[i] = '.';
	}
	lp_copy(ev->knob, sizeof(ev->knob), buf, n);
	return 0;
}

static int lp_owner_set(struct lp_cur *t, struct logparse_event *ev)
{
	uint64_t v;

	if (lp_u64(t, UINT64_MAX, &v))
		return -ENOENT;
	ev->value = v;
	ev->has_value = true;
	ev->kind = LOGPARSE_KIND_OWNER;
	lp_copy(ev->owner, sizeof(ev->owner), "kube-proxy", 10);
	return 0;
}

/* "Set sysctl 'net/netfilter/X' to N" or, structured, "\"Set sysctl\"
 * entry=\"net/netfilter/X\" value=N". */
static int lp_owner_sysctl(struct lp_cur t, struct logparse_event *ev)
{
	const char *k, *q;

	if (lp_eat(&t, " '")) {
		k = t.p;
		q = memchr(k, '\'', lp_left(&t));
		if (!q || lp_knob(k, (size_t)(q - k), ev))
			return -ENOENT;
		t.p = q + 1;
		return lp_eat(&t, " to ") ? lp_owner_set(&t, ev) : -ENOENT;
	}
	if (!lp_eat(&t, "\" entry=\""))
		return -ENOENT;
	k = t.p;
	q = memchr(k, '"', lp_left(&t));
	if (!q || lp_knob(k, (size_t)(q - k), ev))
		return -ENOENT;
	t.p = q + 1;
	return lp_eat(&t, " value=") ? lp_owner_set(&t, ev) : -ENOENT;
}

int lp_owner(struct lp_cur c, struct logparse_event *ev)
{
	struct lp_cur t;

	(void)lp_klog_header(&c);
	t = c;
	(void)lp_eat(&t, "\"");
	if (lp_eat(&t, "Setting nf_conntrack_max")) {
		lp_copy(ev->knob, sizeof(ev->knob), "net.netfilter.nf_conntrack_max", 30);
		if (lp_eat(&t, " to ") || lp_eat(&t, "\" nfConntrackMax="))
			return lp_owner_set(&t, ev);
		return -ENOENT;
	}
	if (lp_eat(&t, "Set sysctl"))
		return lp_owner_sysctl(t, ev);
	return -ENOENT;
}
