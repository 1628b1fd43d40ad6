/* render_text.c: the check report for people, readable at 80 columns. Every
 * string that may come from outside goes through render_escape() first, so a
 * hostile netns name or knob value cannot drive the terminal. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "escape.h"
#include "textwrap.h"
#include "render.h"
#include "render_text_int.h"

/* "1.5 MiB": binary units, one decimal above bytes. */
static const char *human_bytes(char *buf, size_t size, double bytes)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	size_t u = 0;

	while (bytes >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, size, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
	return buf;
}

static void text_header(struct tw *t, const struct ct_snapshot *snap,
			const struct rules_report *rep)
{
	const char *status = render_status_name(rep);
	char ns[1024];
	enum rules_sev sev = rep->is_unknown ? RULES_SEV_WARNING : rep->worst;

	render_escape(ns, sizeof(ns), snap->netns, RENDER_ESC_TEXT);
	fprintf(t->out, "ctadvisor check: %s%s%s", t->color ? render_text_sev_color(sev) : "",
		status, t->color ? ANSI_RESET : "");
	if (ns[0] != '\0')
		fprintf(t->out, " (netns %s%s)\n", ns, snap->is_init_netns ? ", initial" : "");
	else
		fprintf(t->out, " (%s netns)\n", snap->is_init_netns ? "initial" : "current");
}

static void text_count(struct tw *t, const struct ct_snapshot *snap, const struct rules_report *rep)
{
	tw_key(t, TXT_KEY, "count");
	if (!snap->has_count && snap->has_max)
		tw_itemf(t, "", "unknown (see Problems); limit %" PRIu64, snap->max);
	else if (!snap->has_count)
		tw_item(t, "", "unknown (see Problems)");
	else if (!snap->has_max)
		tw_itemf(t, "", "%" PRIu64 " (limit unknown)", snap->count);
	else if (snap->max == 0)
		tw_itemf(t, "", "%" PRIu64 " (no limit)", snap->count);
	else if (rep->d.fill_pct >= 0)
		tw_itemf(t, "", "%" PRIu64 " of %" PRIu64 " (%.2f%% full)", snap->count, snap->max,
			 rep->d.fill_pct);
	else
		tw_itemf(t, "", "%" PRIu64 " of %" PRIu64, snap->count, snap->max);
	tw_end(t);
}

static void text_occupancy(struct tw *t, const struct ct_snapshot *snap,
			   const struct rules_report *rep)
{
	fputs("\nOccupancy\n", t->out);
	text_count(t, snap, rep);
	if (snap->has_walk) {
		tw_key(t, TXT_KEY, "live");
		tw_itemf(t, "", "%" PRIu64 " entries seen by the table walk", rep->d.live_entries);
		tw_end(t);
	}
	tw_key(t, TXT_KEY, "buckets");
	if (snap->set.buckets < 0)
		tw_item(t, "", "unknown");
	else
		tw_itemf(t, "", "%" PRId64, snap->set.buckets);
	if (rep->d.load_now >= 0)
		tw_itemf(t, ", ", "average chain %.2f now", rep->d.load_now);
	if (rep->d.load_at_max >= 0)
		tw_itemf(t, ", ", "%.2f at the limit", rep->d.load_at_max);
	tw_end(t);
	if (snap->count_src != SNAP_SRC_NONE) {
		tw_key(t, TXT_KEY, "source");
		tw_item(t, "", snap->count_src == SNAP_SRC_NETLINK ? "netlink" : "/proc");
		tw_end(t);
	}
}

/* name=value; count nouns ("entries", "packets") are left to the name. */
static void fmt_evidence(char *buf, size_t size, const struct rules_evidence *e)
{
	const char *unit = e->unit != NULL ? e->unit : "";
	char num[64];

	if (strcmp(unit, "%") == 0)
		snprintf(num, sizeof(num), "%.2f%%", e->value);
	else if (strcmp(unit, "bytes") == 0 && e->value >= 0)
		human_bytes(num, sizeof(num), e->value);
	else if (strlen(unit) <= 2) { /* "", "s", "ms" */
		size_t n = strlen(render_text_num(num, sizeof(num), e->value));

		snprintf(num + n, sizeof(num) - n, "%s", unit);
	} else
		render_text_num(num, sizeof(num), e->value);
	snprintf(buf, size, "%s=%s", e->name != NULL ? e->name : "?", num);
}

static void text_finding(struct tw *t, const struct rules_finding *f)
{
	char buf[4 * RULES_CMD_LEN]; /* an escaped command: up to 4 bytes per byte */

	render_escape(buf, sizeof(buf), f->id != NULL ? f->id : "", RENDER_ESC_TEXT);
	fprintf(t->out, "  %s%s%s %s\n", t->color ? render_text_sev_color(f->sev) : "",
		render_text_sev_tag(f->sev), t->color ? ANSI_RESET : "", buf);
	tw_startf(t, 9, "%9s", "");
	tw_words(t, f->summary);
	tw_end(t);
	if (f->n_ev > 0) {
		tw_startf(t, 19, "%9s%s", "", "evidence: ");
		for (size_t i = 0; i < f->n_ev && i < RULES_EVIDENCE; i++) {
			fmt_evidence(buf, sizeof(buf), &f->ev[i]);
			tw_item(t, ", ", buf);
		}
		tw_end(t);
	}
	/* Commands stay on one line each, so they can be copied whole. */
	for (size_t i = 0; i < f->n_commands && i < RULES_COMMANDS; i++) {
		render_escape(buf, sizeof(buf), f->commands[i], RENDER_ESC_TEXT);
		fprintf(t->out, "%9s$ %s\n", "", buf);
		/* The first command's plain form, right under it. */
		if (i == 0 && f->equivalent[0] != '\0') {
			render_escape(buf, sizeof(buf), f->equivalent, RENDER_ESC_TEXT);
			fprintf(t->out, "%11s(or, without undo or read-back: %s)\n", "", buf);
		}
	}
}

static void text_findings(struct tw *t, const struct rules_report *rep)
{
	fputs("\nFindings\n", t->out);
	if (rep->n_findings == 0)
		fputs("  none\n", t->out);
	for (size_t i = 0; i < rep->n_findings && i < RULES_FINDINGS; i++)
		text_finding(t, &rep->findings[i]);
}

static int digits(uint64_t v)
{
	return snprintf(NULL, 0, "%" PRIu64, v);
}

static int imax(int a, int b)
{
	return a > b ? a : b;
}

static bool has_slot(const struct snap_cpu_stats *st, unsigned s)
{
	return snap_stat_name(s) != NULL && (st->present & (UINT32_C(1) << s));
}

/* Column widths of the counter table; per-CPU columns only when they fit. */
struct cnt_cols {
	int name, total, cpu;
	bool is_per_cpu;
};

static void counter_cols(const struct ct_snapshot *snap, struct cnt_cols *c)
{
	*c = (struct cnt_cols){.name = 7, .total = 5, .cpu = 4}; /* "counter" "total" "cpu0" */
	for (unsigned s = 0; s < SNAP_STAT_SLOTS; s++) {
		if (!has_slot(&snap->total, s))
			continue;
		c->name = imax(c->name, (int)strlen(snap_stat_name(s)));
		c->total = imax(c->total, digits(snap->total.v[s]));
		for (size_t i = 0; i < snap->n_cpus; i++)
			c->cpu = imax(c->cpu, digits(snap->cpus[i].v[s]));
	}
	for (size_t i = 0; i < snap->n_cpus; i++)
		c->cpu = imax(c->cpu, 3 + digits(snap->cpus[i].cpu));
	c->is_per_cpu = snap->n_cpus > 0 && snap->n_cpus <= 8 &&
			2 + c->name + 2 + c->total + (int)snap->n_cpus * (2 + c->cpu) <= TW_WIDTH;
}

static void counter_row(struct tw *t, const struct ct_snapshot *snap, const struct cnt_cols *c,
			unsigned s)
{
	fprintf(t->out, "  %-*s  %*" PRIu64, c->name, snap_stat_name(s), c->total,
		snap->total.v[s]);
	for (size_t i = 0; c->is_per_cpu && i < snap->n_cpus; i++) {
		if (has_slot(&snap->cpus[i], s))
			fprintf(t->out, "  %*" PRIu64, c->cpu, snap->cpus[i].v[s]);
		else
			fprintf(t->out, "  %*s", c->cpu, "-");
	}
	fputc('\n', t->out);
}

/* The window the counter findings judge: since the previous run, or none
 * and why (no state kept, a first run, a reboot). */
static void text_window(struct tw *t, const struct ct_snapshot *snap)
{
	char win[1024];

	rules_window_text(snap, win, sizeof(win));
	tw_key(t, TXT_KEY, "window");
	tw_words(t, win);
	tw_end(t);
}

static void text_counters(struct tw *t, const struct ct_snapshot *snap)
{
	struct cnt_cols c;

	if (!snap->has_stats) {
		fputs("\nCounters\n", t->out);
		fputs("  not available (see Problems)\n", t->out);
		return;
	}
	counter_cols(snap, &c);
	fprintf(t->out, "\nCounters (%s, %zu CPUs%s)\n",
		snap->stats_src == SNAP_SRC_PROC ? "/proc" : "netlink", snap->n_cpus,
		c.is_per_cpu || snap->n_cpus == 0 ? "" : "; per CPU with --format json");
	text_window(t, snap);
	fprintf(t->out, "  %-*s  %*s", c.name, "counter", c.total, "total");
	for (size_t i = 0; c.is_per_cpu && i < snap->n_cpus; i++) {
		char cpu[16];

		snprintf(cpu, sizeof(cpu), "cpu%u", snap->cpus[i].cpu);
		fprintf(t->out, "  %*s", c.cpu, cpu);
	}
	fputc('\n', t->out);
	for (unsigned s = 0; s < SNAP_STAT_SLOTS; s++)
		if (has_slot(&snap->total, s))
			counter_row(t, snap, &c, s);
}

/* "10s", "5m", "1h", "5d": the timeout bins' bounds. */
static const char *fmt_secs(char *buf, size_t size, uint32_t s)
{
	static const struct {
		uint32_t secs;
		char unit;
	} u[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
	size_t i = 0;

	while (i < 3 && (s < u[i].secs || s % u[i].secs != 0))
		i++;
	snprintf(buf, size, "%" PRIu32 "%c", s / u[i].secs, u[i].unit);
	return buf;
}

static void walk_protocols(struct tw *t, const struct snap_walk *w)
{
	tw_key(t, TXT_KEY, "protocols");
	for (unsigned p = 0; p < 256; p++) {
		const char *name = snap_proto_name(p);

		if (w->by_proto[p] == 0)
			continue;
		if (name != NULL)
			tw_itemf(t, ", ", "%s %" PRIu64, name, w->by_proto[p]);
		else
			tw_itemf(t, ", ", "proto-%u %" PRIu64, p, w->by_proto[p]);
	}
	if (t->is_first)
		tw_item(t, "", "none");
	tw_end(t);
	tw_key(t, TXT_KEY, "tcp states");
	for (unsigned s = 0; s <= SNAP_TCP_STATES; s++)
		if (w->tcp_state[s] != 0)
			tw_itemf(t, ", ", "%s %" PRIu64, snap_tcp_state_name(s), w->tcp_state[s]);
	if (t->is_first)
		tw_item(t, "", "none");
	tw_end(t);
}

static void walk_values(struct tw *t, const char *key, const struct snap_value_count *vc, size_t n,
			uint64_t other)
{
	tw_key(t, TXT_KEY, key);
	for (size_t i = 0; i < n && i < SNAP_ZONES; i++)
		tw_itemf(t, ", ", "%" PRIu32 ": %" PRIu64, vc[i].value, vc[i].count);
	if (other > 0)
		tw_itemf(t, ", ", "others: %" PRIu64, other);
	if (t->is_first)
		tw_item(t, "", "none");
}

static void walk_flags(struct tw *t, const struct snap_walk *w)
{
	char b[32];

	tw_key(t, TXT_KEY, "unreplied");
	tw_itemf(t, "", "%" PRIu64 ", assured %" PRIu64, w->unreplied, w->assured);
	tw_end(t);
	tw_key(t, TXT_KEY, "nat");
	tw_itemf(t, "", "none %" PRIu64 ", src %" PRIu64 ", dst %" PRIu64 ", both %" PRIu64,
		 w->nat_none, w->nat_src, w->nat_dst, w->nat_both);
	tw_end(t);
	walk_values(t, "zones", w->zones, w->n_zones, w->zones_other);
	tw_end(t);
	walk_values(t, "marks", w->marks, w->n_marks, w->marks_other);
	tw_itemf(t, " ", "(%" PRIu64 " marked)", w->marked);
	tw_end(t);
	tw_key(t, TXT_KEY, "accounting");
	tw_itemf(t, "", "%" PRIu64 " with, %" PRIu64 " without", w->with_acct,
		 w->entries > w->with_acct ? w->entries - w->with_acct : 0);
	if (w->with_acct > 0)
		tw_itemf(t, "; ", "%" PRIu64 " packets, %s", w->packets,
			 human_bytes(b, sizeof(b), (double)w->bytes));
	tw_end(t);
	tw_key(t, TXT_KEY, "timestamps");
	tw_itemf(t, "", "%" PRIu64 " with, %" PRIu64 " without", w->with_tstamp,
		 w->entries > w->with_tstamp ? w->entries - w->with_tstamp : 0);
	tw_end(t);
	tw_key(t, TXT_KEY, "timeouts");
	for (size_t i = 0; i < SNAP_TIMEOUT_BINS; i++) {
		if (snap_timeout_bin_le[i] == UINT32_MAX)
			tw_itemf(t, ", ", ">%s %" PRIu64,
				 fmt_secs(b, sizeof(b), snap_timeout_bin_le[i - (i > 0)]),
				 w->timeout_bins[i]);
		else
			tw_itemf(t, ", ", "<=%s %" PRIu64,
				 fmt_secs(b, sizeof(b), snap_timeout_bin_le[i]),
				 w->timeout_bins[i]);
	}
	tw_end(t);
}

/* One item per line, keys escaped, counts aligned. */
static void walk_top(struct tw *t, const char *key, const struct snap_top_item *items, size_t n)
{
	char esc[4 * sizeof(items->key)];
	int kw = 0, cw = 0;

	for (size_t i = 0; i < n && i < SNAP_TOP_N; i++) {
		render_escape(esc, sizeof(esc), items[i].key, RENDER_ESC_TEXT);
		kw = imax(kw, tw_cols(esc));
		cw = imax(cw, digits(items[i].count));
	}
	fprintf(t->out, "  %-*s", TXT_KEY - 2, key);
	if (n == 0)
		fputs("none\n", t->out);
	for (size_t i = 0; i < n && i < SNAP_TOP_N; i++) {
		render_escape(esc, sizeof(esc), items[i].key, RENDER_ESC_TEXT);
		fprintf(t->out, "%*s%s%*s %*" PRIu64, i == 0 ? 0 : TXT_KEY, "", esc,
			kw - tw_cols(esc), "", cw, items[i].count);
		if (items[i].error > 0)
			fprintf(t->out, " (may be %" PRIu64 " high)", items[i].error);
		fputc('\n', t->out);
	}
}

static void walk_warnings(struct tw *t, const struct snap_walk *w)
{
	if (w->is_interrupted && w->attempts > 1)
		fprintf(t->out,
			"  ! the table changed during each of %u dumps: figures are approximate\n",
			w->attempts);
	else if (w->is_interrupted)
		fputs("  ! the table changed during the dump: figures are approximate\n", t->out);
	else if (w->attempts > 1)
		fprintf(t->out, "  the table changed during %u dump(s); the walk was redone\n",
			w->attempts - 1);
	if (w->lost > 0)
		fprintf(t->out,
			"  ! %" PRIu64 " netlink messages were lost (ENOBUFS): figures are low\n",
			w->lost);
	if (w->err != 0) {
		char e[RENDER_ERRNO_BUF];

		fprintf(t->out, "  ! the dump failed part-way (%s): figures are incomplete\n",
			render_errno_name(w->err, e, sizeof(e)));
	}
}

static void text_walk(struct tw *t, const struct ct_snapshot *snap)
{
	const struct snap_walk *w = &snap->walk;

	fputs("\nTable walk\n", t->out);
	if (!snap->has_walk) {
		fputs("  not done (see Problems, or --no-walk)\n", t->out);
		return;
	}
	tw_key(t, TXT_KEY, "entries");
	tw_itemf(t, "", "%" PRIu64 " live: ipv4 %" PRIu64 ", ipv6 %" PRIu64 ", other %" PRIu64,
		 w->entries, w->ipv4, w->ipv6, w->other_family);
	tw_end(t);
	walk_protocols(t, w);
	walk_flags(t, w);
	walk_top(t, "top sources", w->top_src, w->n_top_src);
	walk_top(t, "top dports", w->top_dport, w->n_top_dport);
	walk_warnings(t, w);
}

/* A byte figure from the report, "unknown" when it is -1. */
static void mem_line(struct tw *t, const char *key, int64_t bytes)
{
	char buf[32];

	tw_key(t, TXT_KEY, key);
	tw_item(t, "", bytes < 0 ? "unknown" : human_bytes(buf, sizeof(buf), (double)bytes));
}

static void text_memory(struct tw *t, const struct ct_snapshot *snap,
			const struct rules_report *rep)
{
	char buf[32];

	fputs("\nMemory\n", t->out);
	tw_key(t, TXT_KEY, "per entry");
	if (snap->has_slab)
		tw_itemf(t, "", "%" PRIu64 " B slab object", snap->slab_obj_bytes);
	else
		tw_item(t, "", "slab object size unknown");
	if (rep->d.ext_bytes >= 0)
		tw_itemf(t, ", ", "+%" PRId64 " B with extensions", rep->d.ext_bytes);
	tw_end(t);
	mem_line(t, "buckets", rep->d.buckets_bytes);
	tw_end(t);
	mem_line(t, "now", rep->d.mem_now_bytes);
	tw_end(t);
	mem_line(t, "at limit", rep->d.mem_at_max_bytes);
	if (rep->d.mem_at_max_ext_bytes >= 0)
		tw_itemf(t, ", ", "%s with extensions",
			 human_bytes(buf, sizeof(buf), (double)rep->d.mem_at_max_ext_bytes));
	tw_end(t);
	tw_key(t, TXT_KEY, "RAM");
	tw_item(t, "",
		snap->ram_bytes > 0 ? human_bytes(buf, sizeof(buf), (double)snap->ram_bytes)
				    : "unknown");
	tw_end(t);
}

static void text_settings(struct tw *t, const struct ct_snapshot *snap)
{
	char name[4 * SNAP_KNOB_NAME_LEN], value[4 * SNAP_KNOB_VALUE_LEN], e[RENDER_ERRNO_BUF];
	int w = 0;

	fputs("\nSettings (ro: not writable from here)\n", t->out);
	for (size_t i = 0; i < snap->n_knobs; i++) {
		render_escape(name, sizeof(name), snap->knobs[i].name, RENDER_ESC_TEXT);
		w = imax(w, tw_cols(name));
	}
	if (snap->n_knobs == 0)
		fputs("  none read (see Problems)\n", t->out);
	for (size_t i = 0; i < snap->n_knobs; i++) {
		const struct snap_knob *k = &snap->knobs[i];

		render_escape(name, sizeof(name), k->name, RENDER_ESC_TEXT);
		render_escape(value, sizeof(value), k->value, RENDER_ESC_TEXT);
		fprintf(t->out, "  %s%*s  ", name, w - tw_cols(name), "");
		if (k->err != 0)
			fprintf(t->out, "unreadable (%s)\n",
				render_errno_name(k->err, e, sizeof(e)));
		else
			fprintf(t->out, "%s%s\n", value, k->is_writable ? "" : " (ro)");
	}
}

static void text_problems(struct tw *t, const struct ct_snapshot *snap)
{
	char what[4 * sizeof(snap->problems[0].what)], e[RENDER_ERRNO_BUF];

	if (snap->n_problems == 0)
		return;
	fputs("\nProblems\n", t->out);
	for (size_t i = 0; i < snap->n_problems && i < SNAP_PROBLEMS; i++) {
		const struct snap_problem *p = &snap->problems[i];

		render_escape(what, sizeof(what), p->what, RENDER_ESC_TEXT);
		if (p->err != 0)
			tw_startf(t, 4, "  %s (%s): ", what,
				  render_errno_name(p->err, e, sizeof(e)));
		else
			tw_startf(t, 4, "  %s: ", what);
		tw_words(t, p->detail);
		tw_end(t);
	}
}

void render_text_findings(FILE *out, const struct rules_report *rep, bool color)
{
	struct tw t = {.out = out, .color = color};

	text_findings(&t, rep);
}

int render_text(FILE *out, const struct ct_snapshot *snap, const struct rules_report *rep,
		const struct render_opts *opts)
{
	struct tw t = {.out = out, .color = opts->color};

	text_header(&t, snap, rep);
	text_occupancy(&t, snap, rep);
	text_findings(&t, rep);
	text_counters(&t, snap);
	text_walk(&t, snap);
	if (snap->nat.has_nat)
		render_text_nat(&t, &snap->nat);
	if (snap->all_ns.has_all)
		render_text_all_netns(&t, &snap->all_ns);
	text_memory(&t, snap, rep);
	text_settings(&t, snap);
	text_problems(&t, snap);
	if (fflush(out) != 0 || ferror(out))
		return -EIO;
	return 0;
}
