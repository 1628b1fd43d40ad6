/* render_invalid.c: the invalid-packet report (logparse, watch --invalid) as
 * text readable at 80 columns (the JSON is render_invalid_json.c); every
 * string that came from a log line or a packet (LOG prefixes, interface
 * names, file names) is escaped first. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>

#include "escape.h"
#include "textwrap.h"
#include "render_invalid.h"
#include "../rules/snapshot.h"

#define IW_KEY     17 /* "  " plus the key column */
#define ANSI_RESET "\033[0m"

const char *const render_invalid_status_names[3] = {"OK", "WARNING", "CRITICAL"};
static const char *const status_colors[] = {"\033[32m", "\033[1;33m", "\033[1;31m"};
const char *render_invalid_proto(unsigned proto, char *buf, size_t size)
{
	const char *name = snap_proto_name(proto);

	if (name != NULL)
		return name;
	snprintf(buf, size, "proto-%u", proto);
	return buf;
}

const char *render_invalid_addr(const struct logparse_top *t, char *buf, size_t size)
{
	if ((t->family != AF_INET && t->family != AF_INET6) ||
	    inet_ntop(t->family, t->addr, buf, (socklen_t)size) == NULL)
		snprintf(buf, size, "?");
	return buf;
}

const struct inv_ns *render_invalid_netns(const struct render_invalid_meta *m, uint32_t ino)
{
	for (size_t i = 0; m->inv != NULL && i < m->inv->n; i++)
		if (m->inv->ns[i].ino == ino)
			return &m->inv->ns[i];
	return NULL;
}

const char *render_invalid_netns_owner(const struct inv_ns *ns, char *buf, size_t size)
{
	buf[0] = '\0';
	if (ns->has_pod || ns->has_container || ns->n_comm > 0)
		inventory_owner_text(ns, buf, size);
	return buf;
}

const char *render_invalid_knob(const char *knob)
{
	static const char pfx[] = "net.netfilter.";

	return strncmp(knob, pfx, sizeof(pfx) - 1) == 0 ? knob + sizeof(pfx) - 1 : knob;
}

/* ---- text ---- */

/* A line filled item by item, wrapping to indent when full. */

static void iw_line(struct tw *w, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A whole key line whose value is one formatted, wrapped text. */
static void iw_line(struct tw *w, const char *key, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tw_key(w, IW_KEY, key);
	tw_words(w, buf);
	tw_end(w);
}

/* "2026-11-24 14:14:13 UTC (113.000123 s after boot)", from the numbers
 * only: the stamp as written is not printed. */
static const char *ts_str(const struct logparse_time *t, char *buf, size_t size)
{
	static const char *const mons[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	size_t n = 0;

	buf[0] = '\0';
	if ((t->flags & LOGPARSE_TS_WALL) && (t->flags & LOGPARSE_TS_YEAR))
		n = (size_t)snprintf(buf, size, "%04u-%02u-%02u %02u:%02u:%02u%s", t->year, t->mon,
				     t->mday, t->hour, t->min, t->sec,
				     (t->flags & LOGPARSE_TS_UTC) ? " UTC" : "");
	else if ((t->flags & LOGPARSE_TS_WALL) && t->mon >= 1 && t->mon <= 12)
		n = (size_t)snprintf(buf, size, "%s %u %02u:%02u:%02u", mons[t->mon - 1], t->mday,
				     t->hour, t->min, t->sec);
	if ((t->flags & LOGPARSE_TS_MONO) && n < size)
		snprintf(buf + n, size - n, "%s%" PRId64 ".%06u s after boot%s", n ? " (" : "",
			 t->mono_sec, t->mono_usec, n ? ")" : "");
	if (buf[0] == '\0')
		snprintf(buf, size, "time unknown");
	return buf;
}

static void text_live(struct tw *w, const struct render_invalid_meta *m)
{
	iw_line(w, "listened", "%.1f s", m->duration_s);
	if (m->is_counts_only)
		iw_line(w, "nflog",
			"not listening: NFLOG group 0 is held by another socket (--force), so "
			"only the kernel's invalid counter below was counted, without reasons");
	else
		iw_line(w, "nflog",
			"%" PRIu64 " packets received, %" PRIu64 " lost (%" PRIu64
			" ENOBUFS errors), %" PRIu64 " not decodable",
			m->nflog_packets, m->nflog_lost, m->enobufs, m->nflog_bad_messages);
	if (m->kernel_invalid_delta == UINT64_MAX)
		iw_line(w, "kernel", "conntrack -S invalid and error counters: not readable");
	else if (m->kernel_error_delta == UINT64_MAX)
		iw_line(w, "kernel", "conntrack -S invalid grew by %" PRIu64 " while listening",
			m->kernel_invalid_delta);
	else
		iw_line(w, "kernel",
			"conntrack -S invalid grew by %" PRIu64 ", error by %" PRIu64
			" while listening (the ICMP and ICMPv6 reasons below count in error, "
			"the others in invalid)",
			m->kernel_invalid_delta, m->kernel_error_delta);
	if (m->nflog_lost > 0)
		iw_line(w, "note",
			"%" PRIu64 " reports were lost before ctadvisor read them: the counts "
			"below miss them (a busier system needs a larger socket buffer)",
			m->nflog_lost);
	if (m->nflog_bad_messages > 0)
		iw_line(w, "note",
			"%" PRIu64
			" NFLOG messages could not be decoded (an attribute of an unexpected "
			"size): the counts below miss them; if it happens again, report it to the "
			"ctadvisor developers with the kernel version ('uname -r')",
			m->nflog_bad_messages);
	if (m->nflog_not_reported != UINT64_MAX && m->nflog_not_reported > 0)
		iw_line(w, "note",
			"%" PRIu64 " invalid packets counted by the kernel were not reported by "
			"NFLOG: lost after the last report received (no sequence gap shows "
			"them) or never logged by the kernel; the counts below miss them",
			m->nflog_not_reported);
}

/* The understood lines by kind, only the kinds seen; then the lines that
 * were cut or masked (counted as far as they go). */
static void text_kinds(struct tw *w, const struct logparse_agg_result *r)
{
	tw_key(w, IW_KEY, "kinds");
	for (unsigned k = LOGPARSE_KIND_CT_INVALID; k <= LOGPARSE_KIND_MAX; k++)
		if (r->by_kind[k] != 0)
			tw_itemf(w, ", ", "%s %" PRIu64, logparse_kind_name(k), r->by_kind[k]);
	if (w->is_first)
		tw_item(w, "", "none");
	tw_end(w);
	if (r->lines_truncated + r->masked > 0)
		iw_line(w, "partial lines",
			"counted; %" PRIu64 " truncated, %" PRIu64
			" with masked addresses (what they hold is counted, what is cut or "
			"masked is not)",
			r->lines_truncated, r->masked);
}

static void text_header(struct tw *w, const struct logparse_agg_result *r,
			const struct render_invalid_meta *m, bool color)
{
	int code = m->status >= 0 && m->status <= 2 ? m->status : 2;

	fprintf(w->out, "ctadvisor %s: %s%s%s\n", m->is_live ? "watch --invalid" : "logparse",
		color ? status_colors[code] : "", render_invalid_status_names[code],
		color ? ANSI_RESET : "");
	tw_key(w, IW_KEY, "source");
	tw_words(w, m->source != NULL ? m->source : "");
	tw_end(w);
	if (m->netns != NULL && m->netns[0] != '\0') {
		tw_key(w, IW_KEY, "netns");
		tw_words(w, m->netns);
		tw_end(w);
	}
	if (m->is_live)
		text_live(w, m);
	if (!m->is_live || r->lines > 0)
		iw_line(w, "lines",
			"%" PRIu64 " read: %" PRIu64 " understood, %" PRIu64 " unrelated, %" PRIu64
			" not understood",
			r->lines, r->lines - r->unrelated - r->not_understood, r->unrelated,
			r->not_understood);
	if (!m->is_live && r->lines > 0)
		text_kinds(w, r);
	if (r->counts_lower_bound)
		iw_line(w, "note",
			"the kernel rate limit suppressed %" PRIu64 " messages (in %" PRIu64
			" rate-limit line%s): every count below is a lower bound",
			r->suppressed, r->by_kind[LOGPARSE_KIND_RATELIMIT],
			r->by_kind[LOGPARSE_KIND_RATELIMIT] == 1 ? "" : "s");
}

static void text_reason_rows(FILE *out, const struct logparse_agg_result *r,
			     enum logparse_verdict verdict, const char *title)
{
	bool is_any = false;
	char pbuf[16];

	for (size_t i = 0; i < r->n_reasons; i++) {
		const struct logparse_reason_count *rc = &r->reasons[i];

		if (rc->verdict != verdict)
			continue;
		if (!is_any)
			fprintf(out, "  %-46s %10s  %s\n", title, "count", "proto");
		is_any = true;
		fprintf(out, "    %-44s %10" PRIu64 "  %s\n", rc->reason->id, rc->count,
			rc->reason->proto
			    ? render_invalid_proto(rc->reason->proto, pbuf, sizeof(pbuf))
			    : "-");
	}
}

static void text_protocols(struct tw *w, const struct logparse_agg_result *r)
{
	char pbuf[16], fbuf[32];

	tw_key(w, IW_KEY, "protocols");
	for (unsigned p = 0; p < 256; p++)
		if (r->by_proto[p] != 0)
			tw_itemf(w, ", ", "%s %" PRIu64,
				 render_invalid_proto(p, pbuf, sizeof(pbuf)), r->by_proto[p]);
	tw_end(w);
	tw_key(w, IW_KEY, "tcp flags");
	for (unsigned f = 0; f < 256; f++)
		if (r->by_tcp_flags[f] != 0)
			tw_itemf(w, ", ", "%s %" PRIu64,
				 logparse_tcp_flags_str((uint8_t)f, fbuf, sizeof(fbuf)),
				 r->by_tcp_flags[f]);
	if (w->is_first)
		tw_item(w, "", "none seen");
	tw_end(w);
	iw_line(w, "direction", "original %" PRIu64 ", reply %" PRIu64 ", not stated %" PRIu64,
		r->by_dir[0], r->by_dir[1], r->by_dir[2]);
}

static void text_ifaces(struct tw *w, const struct logparse_agg_result *r)
{
	char name[4 * LOGPARSE_TEXT_MAX];

	tw_key(w, IW_KEY, "interfaces");
	for (size_t i = 0; i < r->n_ifaces; i++) {
		render_escape(name, sizeof(name), r->ifaces[i].name, RENDER_ESC_TEXT);
		tw_itemf(w, ", ", "%s (in %" PRIu64 ", out %" PRIu64 ")", name, r->ifaces[i].count,
			 r->ifaces[i].count_out);
	}
	if (r->ifaces_other > 0)
		tw_itemf(w, ", ", "others %" PRIu64, r->ifaces_other);
	if (w->is_first)
		tw_item(w, "", "none named");
	tw_end(w);
}

/* "5" or "3-5" when the sketch may overcount. */
static const char *top_count(const struct logparse_top *t, char *buf, size_t size)
{
	if (t->error == 0)
		snprintf(buf, size, "%" PRIu64, t->count);
	else
		snprintf(buf, size, "%" PRIu64 "-%" PRIu64, t->count - t->error, t->count);
	return buf;
}

static void text_tops(struct tw *w, const struct logparse_agg_result *r)
{
	char addr[INET6_ADDRSTRLEN], cnt[48], pbuf[16];

	tw_key(w, IW_KEY, "top sources");
	for (size_t i = 0; i < r->n_top_src; i++)
		tw_itemf(w, ", ", "%s %s", render_invalid_addr(&r->top_src[i], addr, sizeof(addr)),
			 top_count(&r->top_src[i], cnt, sizeof(cnt)));
	if (w->is_first)
		tw_item(w, "", "no addresses logged");
	tw_end(w);
	tw_key(w, IW_KEY, "top dest ports");
	for (size_t i = 0; i < r->n_top_dport; i++)
		tw_itemf(w, ", ", "%s/%u %s",
			 render_invalid_proto(r->top_dport[i].proto, pbuf, sizeof(pbuf)),
			 r->top_dport[i].port, top_count(&r->top_dport[i], cnt, sizeof(cnt)));
	if (w->is_first)
		tw_item(w, "", "no ports logged");
	tw_end(w);
}

/* Whether the packets marked invalid were dropped: the ruleset decides. */
static void text_ruleset(struct tw *w, const struct render_invalid_meta *m)
{
	if (!m->is_live) {
		iw_line(w, "dropped?",
			"only where the ruleset of the host that logged them drops ct state "
			"invalid: run 'ctadvisor watch --invalid' there to read it");
		return;
	}
	switch (m->ruleset) {
	case INVALID_RULESET_DROPS:
		/* tw_words() escapes it for the terminal */
		iw_line(w, "ruleset", "drops the packets marked invalid: %s",
			m->ruleset_rule != NULL ? m->ruleset_rule : "");
		break;
	case INVALID_RULESET_PASSES:
		iw_line(w, "ruleset",
			"no rule drops ct state invalid: the packets marked invalid went on, "
			"untracked (unless a chain's drop policy stopped them)");
		break;
	default:
		iw_line(w, "ruleset",
			"not read (nft and iptables-save could not be run): the packets marked "
			"invalid were dropped only if a rule drops ct state invalid");
	}
}

static void text_invalid(struct tw *w, const struct logparse_agg_result *r,
			 const struct render_invalid_meta *m)
{
	uint64_t helper = invalid_reports_helper_dropped(r);
	char t1[96];

	fputs("\nInvalid packets (conntrack's reports)\n", w->out);
	if (r->marked_invalid + r->accepted == 0) {
		iw_line(w, "total", "none reported");
		return;
	}
	iw_line(w, "total",
		"%" PRIu64 " reported: %" PRIu64 " marked invalid, %" PRIu64
		" accepted (tracked, logged only)",
		r->marked_invalid + r->accepted, r->marked_invalid, r->accepted);
	if (helper > 0)
		iw_line(w, "helpers",
			"%" PRIu64 " of them dropped by a conntrack helper itself, whatever the "
			"ruleset",
			helper);
	if (r->marked_invalid > helper)
		text_ruleset(w, m);
	/* NFLOG packets carry no time stamp; logs mostly do. */
	if (r->has_first && r->first_seen.flags != 0) {
		iw_line(w, "first seen", "%s", ts_str(&r->first_seen, t1, sizeof(t1)));
		iw_line(w, "last seen", "%s", ts_str(&r->last_seen, t1, sizeof(t1)));
	}
	fputc('\n', w->out);
	text_reason_rows(w->out, r, LOGPARSE_VERDICT_DROPPED_INVALID, "Marked invalid");
	text_reason_rows(w->out, r, LOGPARSE_VERDICT_ACCEPTED, "Accepted (logged only)");
	fputc('\n', w->out);
	text_protocols(w, r);
	text_ifaces(w, r);
	text_tops(w, r);
	if (r->truncated > 0 || r->bad_header > 0)
		iw_line(w, "packets",
			"%" PRIu64 " truncated, %" PRIu64 " with a header that does not parse",
			r->truncated, r->bad_header);
}

/* "netns 4026532890 (lab-blue, pod default/web): 3": the inode the kernel
 * wrote, and what inventory knows of it on this host when looked up. */
static void text_netns_row(struct tw *w, const struct logparse_netns_count *c,
			   const struct render_invalid_meta *m, const char *key)
{
	const struct inv_ns *ns = render_invalid_netns(m, c->netns);
	char owner[512] = "";

	if (!c->has_netns) {
		iw_line(w, key, "initial: %" PRIu64, c->count);
		return;
	}
	if (m->inv == NULL) {
		iw_line(w, key, "netns %" PRIu32 ": %" PRIu64, c->netns, c->count);
		return;
	}
	if (ns == NULL) {
		iw_line(w, key,
			"netns %" PRIu32 " (not found on this host: gone, or held only by "
			"processes this user cannot read): %" PRIu64,
			c->netns, c->count);
		return;
	}
	render_invalid_netns_owner(ns, owner, sizeof(owner));
	/* tw_words() escapes the name and owner (from the host) */
	iw_line(w, key, "netns %" PRIu32 " (%s%s%s): %" PRIu64, c->netns,
		ns->name[0] ? ns->name : "not pinned", owner[0] ? ", " : "", owner, c->count);
}

static void text_table_full(struct tw *w, const struct logparse_agg_result *r,
			    const struct render_invalid_meta *m)
{
	char t1[96], t2[96];

	fputs("\nTable full (new connections dropped)\n", w->out);
	if (r->table_full == 0) {
		iw_line(w, "events", "none");
		return;
	}
	iw_line(w, "events", "%" PRIu64 ", first %s, last %s", r->table_full,
		ts_str(&r->table_full_first, t1, sizeof(t1)),
		ts_str(&r->table_full_last, t2, sizeof(t2)));
	for (size_t i = 0; i < r->n_table_full_netns; i++)
		text_netns_row(w, &r->table_full_netns[i], m, i ? "" : "by netns");
	if (r->table_full_netns_other > 0)
		iw_line(w, "", "other namespaces: %" PRIu64, r->table_full_netns_other);
	iw_line(w, "check",
		"nf_conntrack_max and nf_conntrack_buckets: run 'ctadvisor check' "
		"and 'ctadvisor plan'");
}

static void text_log_rules(struct tw *w, const struct logparse_agg_result *r)
{
	char name[4 * LOGPARSE_TEXT_MAX], item[4 * LOGPARSE_TEXT_MAX + 32];

	tw_key(w, IW_KEY, "LOG rules");
	tw_itemf(w, "", "%" PRIu64 " %s:", r->by_kind[LOGPARSE_KIND_LOG_RULE],
		 r->by_kind[LOGPARSE_KIND_LOG_RULE] == 1 ? "line" : "lines");
	for (size_t i = 0; i < r->n_log_prefixes; i++) {
		render_escape(name, sizeof(name), r->log_prefixes[i].name, RENDER_ESC_TEXT);
		snprintf(item, sizeof(item), "\"%s\" %" PRIu64, name, r->log_prefixes[i].count);
		tw_label(w, i ? ", " : " ", item); /* any rule may set any prefix */
	}
	if (r->log_prefixes_other > 0)
		tw_itemf(w, ", ", "others %" PRIu64, r->log_prefixes_other);
	tw_end(w);
}

static void text_other(struct tw *w, const struct logparse_agg_result *r)
{
	const uint64_t *k = r->by_kind;

	if (k[LOGPARSE_KIND_EXPECT_FULL] + k[LOGPARSE_KIND_VMALLOC] + k[LOGPARSE_KIND_BOOT] +
		k[LOGPARSE_KIND_LOG_RULE] + k[LOGPARSE_KIND_NOTICE] ==
	    0)
		return;
	fputs("\nOther kernel messages\n", w->out);
	if (k[LOGPARSE_KIND_EXPECT_FULL] > 0)
		iw_line(w, "expect full",
			"%" PRIu64 " (expectation table full: related connections of helpers such "
			"as ftp or sip refused; see nf_conntrack_expect_max)",
			k[LOGPARSE_KIND_EXPECT_FULL]);
	if (k[LOGPARSE_KIND_VMALLOC] > 0)
		iw_line(w, "vmalloc",
			"%" PRIu64 " (the hash table was allocated with vmalloc: memory was "
			"fragmented; harmless)",
			k[LOGPARSE_KIND_VMALLOC]);
	if (k[LOGPARSE_KIND_BOOT] > 0)
		iw_line(w, "boot line", "%" PRIu64 " buckets, %" PRIu64 " max (at module load)",
			r->boot_buckets, r->boot_max);
	if (k[LOGPARSE_KIND_NOTICE] > 0)
		iw_line(w, "notices",
			"%" PRIu64 " other conntrack messages of the kernel (helper "
			"assignment, helpers that will not handle a protocol, module notices): "
			"informational",
			k[LOGPARSE_KIND_NOTICE]);
	if (k[LOGPARSE_KIND_LOG_RULE] > 0)
		text_log_rules(w, r);
}

/* Who sets the conntrack knobs, from their own log lines (kube-proxy's):
 * as plan says for the live host, a change made by hand is undone there. */
static void text_owners(struct tw *w, const struct logparse_agg_result *r)
{
	if (r->n_owners == 0)
		return;
	fputs("\nKnob owners (tools that set conntrack knobs)\n", w->out);
	for (size_t i = 0; i < r->n_owners; i++) {
		const struct logparse_owner_count *o = &r->owners[i];
		char val[32] = "a value";

		if (o->has_value)
			snprintf(val, sizeof(val), "%" PRIu64, o->value);
		/* tw_words() escapes owner and knob (from the log) */
		iw_line(w, i ? "" : "set by", "%s set %s to %s (%" PRIu64 " %s)", o->owner,
			render_invalid_knob(o->knob), val, o->count,
			o->count == 1 ? "line" : "lines");
	}
	iw_line(w, "note",
		"these tools set the knobs again when they start: change the value where "
		"they take it (kube-proxy: --conntrack-max-per-core, --conntrack-min, "
		"--conntrack-tcp-timeout-established or the conntrack section of its "
		"configuration), not only with 'ctadvisor apply'");
}

/* One escaped line, word by word; a word wider than a line is cut. */
static void text_raw_line(struct tw *w, const char *line)
{
	char esc[4 * LOGPARSE_TEXT_MAX + 1], *save = NULL;
	bool is_first = true;

	render_escape(esc, sizeof(esc), line, RENDER_ESC_TEXT);
	tw_startf(w, 6, "    ");
	for (char *t = strtok_r(esc, " ", &save); t != NULL; t = strtok_r(NULL, " ", &save)) {
		tw_label(w, is_first ? "" : " ", t);
		is_first = false;
	}
	tw_end(w);
}

/* The first lines not understood, so that a user can report them. */
static void text_not_understood(struct tw *w, const struct logparse_agg_result *r)
{
	if (r->n_not_understood_lines == 0)
		return;
	fprintf(w->out, "\nLines not understood (the first %zu of %" PRIu64 ")\n",
		r->n_not_understood_lines, r->not_understood);
	for (size_t i = 0; i < r->n_not_understood_lines; i++)
		text_raw_line(w, r->not_understood_lines[i]);
	iw_line(w, "report",
		"they look like conntrack's but ctadvisor cannot read them: please report "
		"them (with 'uname -r') to the ctadvisor developers");
}

static bool reason_seen_before(const struct logparse_agg_result *r, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (r->reasons[j].reason == r->reasons[i].reason)
			return true;
	return false;
}

static void text_explain(struct tw *w, const struct logparse_agg_result *r)
{
	static const char *const keys[] = {"meaning", "causes", "check"};
	char pbuf[16];

	if (r->n_reasons == 0)
		return;
	fputs("\nWhat the reasons mean\n", w->out);
	for (size_t i = 0; i < r->n_reasons; i++) {
		const struct logparse_reason *rs = r->reasons[i].reason;
		const char *texts[] = {rs->meaning, rs->causes, rs->advice};

		if (reason_seen_before(r, i))
			continue;
		fprintf(w->out, "  %s (%s)\n", rs->id,
			rs->proto ? render_invalid_proto(rs->proto, pbuf, sizeof(pbuf))
				  : "any protocol");
		for (size_t k = 0; k < 3; k++) {
			tw_start(w, 4, keys[k], 9);
			tw_words(w, texts[k] != NULL ? texts[k] : "");
			tw_end(w);
		}
	}
}

int render_invalid_text(FILE *out, const struct logparse_agg_result *res,
			const struct render_invalid_meta *meta, bool color)
{
	struct tw w = {.out = out};

	text_header(&w, res, meta, color);
	text_invalid(&w, res, meta);
	text_table_full(&w, res, meta);
	text_owners(&w, res);
	text_other(&w, res);
	text_explain(&w, res);
	text_not_understood(&w, res);
	if (fflush(out) != 0 || ferror(out))
		return -EIO;
	return 0;
}
