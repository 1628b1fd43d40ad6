/* rules_cmd.c: the commands a finding recommends, built whole or not at
 * all: a truncated command line could do something else than it says. Any
 * word that comes from outside (the namespace the user named) is quoted for
 * the shell. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plan.h"
#include "rules_int.h"

#define KNOB_PFX     "net.netfilter."
#define BUCKET_ROUND 512       /* the kernel rounds buckets to a page of heads */
#define MAX_ROUND    65536     /* tidy steps for nf_conntrack_max */
#define KNOB_INT_MAX INT32_MAX /* max and buckets are ints in the kernel */

/* A command line under construction in a fixed buffer. */
struct cmd_line {
	char buf[RULES_CMD_LEN];
	size_t len;
	bool is_over;
};

static bool is_shell_safe(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch != '\0' && strchr("@%+=:,./_-", ch) != NULL);
}

size_t rules_shell_quote(char *buf, size_t size, const char *s)
{
	bool is_plain = s[0] != '\0';
	size_t n = 0;

	for (const char *p = s; *p; p++)
		is_plain = is_plain && is_shell_safe(*p);
#define PUT(ch)                                                                                    \
	do {                                                                                       \
		if (n + 1 < size)                                                                  \
			buf[n] = (ch);                                                             \
		n++;                                                                               \
	} while (0)
	if (!is_plain)
		PUT('\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'') {
			PUT('\'');
			PUT('\\');
			PUT('\'');
		}
		PUT(*p);
	}
	if (!is_plain)
		PUT('\'');
#undef PUT
	if (size > 0)
		buf[n < size ? n : size - 1] = '\0';
	return n;
}

static void line_put(struct cmd_line *l, const char *s)
{
	size_t n = strlen(s);

	if (l->is_over || l->len + n >= sizeof(l->buf)) {
		l->is_over = true;
		return;
	}
	memcpy(l->buf + l->len, s, n + 1);
	l->len += n;
}

static void line_word(struct cmd_line *l, const char *s)
{
	size_t room = sizeof(l->buf) - l->len;

	if (l->is_over || rules_shell_quote(l->buf + l->len, room, s) >= room) {
		l->is_over = true;
		l->buf[l->len] = '\0';
		return;
	}
	l->len += strlen(l->buf + l->len);
}

/* The namespace the user named (--netns), or NULL: none, or one that may
 * have been cut to fit the snapshot (it would name another one). */
static const char *checked_ns(const struct rules_ctx *c, bool *is_cut)
{
	const char *ns = c->snap->netns;

	*is_cut = strlen(ns) + 1 >= sizeof(c->snap->netns);
	return ns[0] != '\0' && !*is_cut ? ns : NULL;
}

static void add_line(struct rules_finding *f, const struct cmd_line *l)
{
	if (!l->is_over && f->n_commands < RULES_COMMANDS)
		memcpy(f->commands[f->n_commands++], l->buf, l->len + 1);
}

/* How to run a plain command in namespace NS, as netns_resolve() reads
 * it: a PID, a path, or a name under /run/netns. */
static void line_in_ns(struct cmd_line *l, const char *ns)
{
	char arg[RULES_CMD_LEN];
	bool is_pid = ns[strspn(ns, "0123456789")] == '\0';

	if (is_pid) {
		line_put(l, "nsenter -t ");
		line_put(l, ns);
		line_put(l, " -n ");
	} else if (strchr(ns, '/') != NULL) {
		snprintf(arg, sizeof(arg), "--net=%s", ns);
		line_put(l, "nsenter ");
		line_word(l, arg);
		line_put(l, " ");
	} else {
		line_put(l, "ip netns exec ");
		line_word(l, ns);
		line_put(l, " ");
	}
}

void rules_cmd_apply(const struct rules_ctx *c, struct rules_finding *f, bool is_global,
		     const struct rules_knob *knobs, size_t n)
{
	struct cmd_line apply = {.len = 0}, plain = {.len = 0};
	bool is_cut = false;
	const char *ns = is_global ? NULL : checked_ns(c, &is_cut);
	char kv[160];

	if (!is_global && is_cut)
		return;
	line_put(&apply, "ctadvisor apply");
	if (ns != NULL) {
		line_put(&apply, " --netns ");
		line_word(&apply, ns);
		line_in_ns(&plain, ns);
	}
	line_put(&plain, "sysctl -w");
	for (size_t i = 0; i < n; i++) {
		snprintf(kv, sizeof(kv), KNOB_PFX "%s=%" PRIu64, knobs[i].name, knobs[i].value);
		line_put(&apply, " --set ");
		line_word(&apply, kv);
		line_put(&plain, " ");
		line_word(&plain, kv);
	}
	if (apply.is_over || f->n_commands >= RULES_COMMANDS)
		return;
	add_line(f, &apply);
	if (!plain.is_over)
		memcpy(f->equivalent, plain.buf, plain.len + 1);
}

void rules_cmd_tool(const struct rules_ctx *c, struct rules_finding *f, const char *cmd, bool in_ns)
{
	struct cmd_line l = {.len = 0};
	bool is_cut = false;
	const char *ns = checked_ns(c, &is_cut);

	if (in_ns && is_cut)
		return;
	line_put(&l, cmd);
	if (in_ns && ns != NULL) {
		line_put(&l, " --netns ");
		line_word(&l, ns);
	}
	add_line(f, &l);
}

static uint64_t round_up(uint64_t v, uint64_t step)
{
	if (v > UINT64_MAX - step)
		return v;
	return (v + step - 1) / step * step;
}

uint64_t rules_buckets_for(uint64_t entries)
{
	uint64_t v = round_up(entries, BUCKET_ROUND);

	return v > KNOB_INT_MAX ? KNOB_INT_MAX / BUCKET_ROUND * BUCKET_ROUND : v;
}

/* Commands that double a bounded table: max, buckets to match, then plan. */
void rules_cmd_raise_max(const struct rules_ctx *c, struct rules_finding *f, uint64_t demand)
{
	const uint64_t cap = KNOB_INT_MAX / MAX_ROUND * MAX_ROUND;

	if (c->max > 0) {
		/* plan's arithmetic: demand / (1 - headroom), tidy, above max. */
		double want = ceil((double)demand / (1.0 - PLAN_DEFAULT_HEADROOM));
		uint64_t m = want < (double)cap ? plan_tidy_max((uint64_t)want) : cap;

		if (m <= (uint64_t)c->max)
			m = (uint64_t)c->max < cap ? plan_tidy_max((uint64_t)c->max + 1) : cap;
		if (m > cap)
			m = cap;
		struct rules_knob k[2] = {{"nf_conntrack_max", m},
					  {"nf_conntrack_buckets", rules_buckets_for(m)}};

		rules_cmd_apply(c, f, true, k, c->buckets < 0 || (uint64_t)c->buckets < m ? 2 : 1);
	}
	rules_cmd_tool(c, f, "ctadvisor plan", false);
}
