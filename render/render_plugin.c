/* render_plugin.c: the monitoring-plugin line and the capped long output.
 * Perfdata follows the plugin guidelines: 'label'=value[UOM];warn;crit;min;max
 * with kernel counters typed 'c'. Strings from outside (the netns name, a
 * problem's detail) are escaped for a terminal and have '|' written as
 * "\x7c", since a bare '|' would start perfdata in the monitoring system. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "render_plugin.h"

/* Counters shown first, the ones that mean trouble; then every other one
 * the kernel reported, in slot order. */
static const unsigned plugin_first_stats[] = {SNAP_STAT_INSERT_FAILED, SNAP_STAT_DROP,
					      SNAP_STAT_EARLY_DROP, SNAP_STAT_INVALID};
#define N_FIRST (sizeof(plugin_first_stats) / sizeof(plugin_first_stats[0]))

/* s with every '|' as "\x7c". */
static void plugin_puts(FILE *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '|')
			fputs("\\x7c", out);
		else
			fputc(s[i], out);
	}
}

static void plugin_puts_escaped(FILE *out, const char *s)
{
	char buf[1024];

	render_escape(buf, sizeof(buf), s, RENDER_ESC_TEXT);
	plugin_puts(out, buf, strlen(buf));
}

/* A percentage with two decimals, whatever LC_NUMERIC says. */
static const char *plugin_pct(char *buf, size_t size, double pct)
{
	long long hundredths = llround(pct * 100);

	snprintf(buf, size, "%lld.%02lld", hundredths / 100, hundredths % 100);
	return buf;
}

/* Perfdata's fill: up to four decimals, trailing zeros dropped ("82",
 * "0.0038"), so that a small lab or a large table still shows a value. */
static const char *plugin_perf_pct(char *buf, size_t size, double pct)
{
	long long v = llround((pct < 0 ? 0 : pct) * 10000);
	size_t n;

	snprintf(buf, size, "%lld.%04lld", v / 10000, v % 10000);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	return buf;
}

static bool plugin_has_fill(const struct ct_snapshot *snap, const struct rules_report *rep)
{
	return snap->has_count && snap->has_max && snap->max > 0 && rep->d.fill_pct >= 0;
}

/* Why the state is UNKNOWN, in the collector's own words when it left any:
 * the last "occupancy" problem, else the first problem of any kind. */
static void plugin_unknown(FILE *out, const struct ct_snapshot *snap)
{
	const struct snap_problem *p = NULL;

	for (size_t i = 0; i < snap->n_problems && i < SNAP_PROBLEMS; i++)
		if (strcmp(snap->problems[i].what, "occupancy") == 0 || p == NULL)
			p = &snap->problems[i];
	/* Nothing was read at all: the reason is the whole story. */
	if (p != NULL && strcmp(p->what, "netns") == 0) {
		plugin_puts_escaped(out, p->detail);
		return;
	}
	fputs(snap->has_count ? "cannot read the table limit (nf_conntrack_max)"
			      : "cannot read the conntrack table size",
	      out);
	if (p != NULL) {
		fputs(": ", out);
		plugin_puts_escaped(out, p->detail);
	}
}

/* "critical: a, b; warning: c", or "no warnings". */
static void plugin_findings(FILE *out, const struct rules_report *rep)
{
	const char *sep = "";

	for (int sev = RULES_SEV_CRITICAL; sev >= RULES_SEV_WARNING; sev--) {
		const char *item_sep = ": ";

		for (size_t i = 0; i < rep->n_findings && i < RULES_FINDINGS; i++) {
			const struct rules_finding *f = &rep->findings[i];

			if ((int)f->sev != sev)
				continue;
			if (item_sep[0] == ':')
				fprintf(out, "%s%s", sep, rules_sev_name(f->sev));
			fprintf(out, "%s%s", item_sep, f->id != NULL ? f->id : "?");
			item_sep = ", ";
			sep = "; ";
		}
	}
	if (sep[0] == '\0')
		fputs("no warnings", out);
}

static void plugin_summary(FILE *out, const struct ct_snapshot *snap,
			   const struct rules_report *rep)
{
	char pct[32];

	if (snap->netns[0] != '\0') {
		fputs("netns ", out);
		plugin_puts_escaped(out, snap->netns);
		fputs(": ", out);
	}
	if (rep->is_unknown || !snap->has_count || !snap->has_max) {
		plugin_unknown(out, snap);
		return;
	}
	if (plugin_has_fill(snap, rep))
		fprintf(out, "%" PRIu64 " of %" PRIu64 " entries (%s%% full); ", snap->count,
			snap->max, plugin_pct(pct, sizeof(pct), rep->d.fill_pct));
	else
		fprintf(out, "%" PRIu64 " entries (no limit); ", snap->count);
	plugin_findings(out, rep);
	/* An OK must not hide that part of the picture is missing. */
	if (snap->n_problems > 0)
		fprintf(out, "; partial: %zu part%s unread (see below)", snap->n_problems,
			snap->n_problems == 1 ? "" : "s");
}

static void plugin_counter(FILE *out, const struct ct_snapshot *snap, unsigned slot)
{
	const char *name = snap_stat_name(slot);

	if (name != NULL && (snap->total.present & (UINT32_C(1) << slot)))
		fprintf(out, " '%s'=%" PRIu64 "c", name, snap->total.v[slot]);
}

static bool plugin_is_first_stat(unsigned slot)
{
	for (size_t i = 0; i < N_FIRST; i++)
		if (plugin_first_stats[i] == slot)
			return true;
	return false;
}

/* The NAT view's worst saturation, and with --all-netns the worst fill of
 * the other namespaces and how many alert. */
static void plugin_perf_extra(FILE *out, const struct ct_snapshot *snap,
			      const struct render_plugin_opts *po)
{
	const struct snap_nat_worst *n = &snap->nat;
	const struct snap_all_netns *all = &snap->all_ns;
	char pct[32], warn[32], crit[32];

	if (n->has_nat)
		fprintf(out, " 'nat_saturation'=%s%%;%s;%s;0;100",
			plugin_perf_pct(pct, sizeof(pct), n->has_row ? n->saturation_pct : 0),
			plugin_perf_pct(warn, sizeof(warn), n->warn_pct),
			plugin_perf_pct(crit, sizeof(crit), n->crit_pct));
	if (!all->has_all)
		return;
	if (all->worst_fill >= 0 && (size_t)all->worst_fill < all->n_list &&
	    all->list[all->worst_fill].fill_pct >= 0)
		fprintf(out, " 'netns_worst_fill'=%s%%;%s;%s;0;100",
			plugin_perf_pct(pct, sizeof(pct), all->list[all->worst_fill].fill_pct),
			po->fill_warn != NULL ? po->fill_warn : "",
			po->fill_crit != NULL ? po->fill_crit : "");
	fprintf(out, " 'netns_alerting'=%zu;;;0;%zu", all->n_alerting, all->n_found);
}

static void plugin_perfdata(FILE *out, const struct ct_snapshot *snap,
			    const struct rules_report *rep, const struct render_plugin_opts *po)
{
	char pct[32];

	fputs(" |", out);
	if (plugin_has_fill(snap, rep))
		fprintf(out, " 'fill'=%s%%;%s;%s;0;100",
			plugin_perf_pct(pct, sizeof(pct), rep->d.fill_pct),
			po->fill_warn != NULL ? po->fill_warn : "",
			po->fill_crit != NULL ? po->fill_crit : "");
	if (snap->has_count) {
		fprintf(out, " 'entries'=%" PRIu64 ";;;0;", snap->count);
		if (snap->has_max && snap->max > 0)
			fprintf(out, "%" PRIu64, snap->max);
	}
	if (snap->has_max)
		fprintf(out, " 'max'=%" PRIu64, snap->max);
	if (snap->set.buckets >= 0)
		fprintf(out, " 'buckets'=%" PRId64, snap->set.buckets);
	if (snap->has_stats) {
		for (size_t i = 0; i < N_FIRST; i++)
			plugin_counter(out, snap, plugin_first_stats[i]);
		for (unsigned s = 0; s < SNAP_STAT_SLOTS; s++)
			if (!plugin_is_first_stat(s))
				plugin_counter(out, snap, s);
	}
	if (snap->has_walk)
		fprintf(out, " 'live'=%" PRIu64 " 'unreplied'=%" PRIu64, snap->walk.entries,
			snap->walk.unreplied);
	if (rep->d.mem_at_max_bytes >= 0)
		fprintf(out, " 'mem_at_max'=%" PRId64 "B", rep->d.mem_at_max_bytes);
	plugin_perf_extra(out, snap, po);
}

void render_plugin_line(FILE *out, const struct ct_snapshot *snap, const struct rules_report *rep,
			const struct render_plugin_opts *po)
{
	fprintf(out, "CONNTRACK %s - ", render_status_name(rep));
	plugin_summary(out, snap, rep);
	plugin_perfdata(out, snap, rep, po);
	fputc('\n', out);
}

/* Copy the report line by line while it fits in room bytes ('|' counted
 * as the four bytes it becomes); then say how much was left out. */
static void plugin_long_output(FILE *out, const char *text, size_t len, size_t room)
{
	static const char note[] = "(report cut here to stay under 8 KiB: %zu more bytes; "
				   "ctadvisor check --format json has all of it)\n";
	size_t used = 0, pos = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = (nl != NULL ? (size_t)(nl - text) + 1 : len) - pos, cost = n;

		for (size_t i = 0; i < n; i++)
			cost += text[pos + i] == '|' ? 3 : 0;
		if (room != 0 && used + cost + sizeof(note) + 16 > room) {
			fprintf(out, note, len - pos);
			return;
		}
		plugin_puts(out, text + pos, n);
		used += cost;
		pos += n;
	}
}

/* Close a memstream; -ENOMEM when its buffer could not be finished. */
static int plugin_close(FILE **f)
{
	int rc = *f != NULL && fclose(*f) != 0 ? -ENOMEM : 0;

	*f = NULL;
	return rc;
}

int render_plugin_text(FILE *out, const struct ct_snapshot *snap, const struct rules_report *rep,
		       const struct render_opts *ro, const struct render_plugin_opts *po)
{
	char *line = NULL, *report = NULL;
	size_t line_len = 0, report_len = 0, room = 0;
	FILE *lf = open_memstream(&line, &line_len);
	FILE *rf = open_memstream(&report, &report_len);
	int rc = -ENOMEM;

	if (lf == NULL || rf == NULL)
		goto out;
	render_plugin_line(lf, snap, rep, po);
	rc = render_text(rf, snap, rep, ro);
	if (plugin_close(&lf) < 0 || plugin_close(&rf) < 0)
		rc = -ENOMEM;
	if (rc < 0)
		goto out;
	if (po->max_bytes != 0)
		room = po->max_bytes > line_len ? po->max_bytes - line_len : 1;
	fwrite(line, 1, line_len, out);
	plugin_long_output(out, report, report_len, room);
	rc = fflush(out) != 0 || ferror(out) ? -EIO : 0;
out:
	plugin_close(&lf);
	plugin_close(&rf);
	free(line);
	free(report);
	return rc;
}
