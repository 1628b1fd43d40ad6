/* render_watch.c: live lines and summary of a watch. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "escape.h"
#include "render.h"
#include "jsonw.h"
#include "render_watch.h"
#include "../rules/rules_watch.h"

/* The counters a live line shows, in conntrack -S names. */
static const struct {
	unsigned slot;
	const char *head;
} live_cols[] = {
    {SNAP_STAT_DROP, "drop"},           {SNAP_STAT_EARLY_DROP, "edrop"},
    {SNAP_STAT_INSERT_FAILED, "ifail"}, {SNAP_STAT_INVALID, "inval"},
    {SNAP_STAT_ERROR, "err"},           {SNAP_STAT_CLASH_RESOLVE, "clash"},
    {SNAP_STAT_SEARCH_RESTART, "srst"}, {SNAP_STAT_CHAINTOOLONG, "chain"},
};
#define N_LIVE (sizeof(live_cols) / sizeof(live_cols[0]))

static double fill_pct(uint64_t count, uint64_t max)
{
	return max ? 100.0 * (double)count / (double)max : -1;
}

static void text_sample(FILE *out, const struct watch_state *st, const struct rates_sample *prev,
			const struct rates_sample *cur)
{
	uint64_t dt = prev ? cur->t_ms - prev->t_ms : 0;
	time_t now = time(NULL);
	char clock[16];

	if (prev == NULL) {
		fprintf(out, "%-8s %9s %6s%s", "time", "count", "fill%",
			st->has_events ? "  new/s" : "");
		for (size_t i = 0; i < N_LIVE; i++)
			fprintf(out, " %6s", live_cols[i].head);
		fputs("  (per second)\n", out);
	}
	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&now));
	fprintf(out, "%-8s %9llu", clock, (unsigned long long)cur->count);
	/* max 0: no limit, or a kernel that does not report it */
	if (cur->max)
		fprintf(out, " %6.2f", fill_pct(cur->count, cur->max));
	else
		fprintf(out, " %6s", "-");
	if (st->has_events)
		fprintf(out, " %6.1f", st->new_per_s);
	for (size_t i = 0; i < N_LIVE; i++) {
		if (prev == NULL)
			fprintf(out, " %6s", "-");
		else
			fprintf(out, " %6.1f",
				rates_per_second(rates_delta(prev, cur, live_cols[i].slot), dt));
	}
	fputc('\n', out);
}

static void json_sample(FILE *out, const struct watch_state *st, const struct rates_sample *prev,
			const struct rates_sample *cur)
{
	json_t *o = json_object(), *rates = prev ? json_object() : json_null();
	uint64_t dt = prev ? cur->t_ms - prev->t_ms : 0;

	json_object_set_new(o, "type", json_string("sample"));
	json_object_set_new(o, "t_ms", json_integer((json_int_t)(cur->t_ms - st->sum.first_ms)));
	json_object_set_new(o, "count", json_integer((json_int_t)cur->count));
	json_object_set_new(o, "max", json_integer((json_int_t)cur->max));
	json_object_set_new(o, "fill_pct",
			    cur->max ? json_real(fill_pct(cur->count, cur->max)) : json_null());
	for (unsigned s = 1; prev && s < SNAP_STAT_SLOTS; s++) {
		if (!(st->sum.present & (1u << s)))
			continue;
		json_object_set_new(rates, snap_stat_name(s),
				    json_real(rates_per_second(rates_delta(prev, cur, s), dt)));
	}
	json_object_set_new(o, "rates_per_s", rates);
	if (st->has_events)
		json_object_set_new(o, "new_per_s", json_real(st->new_per_s));
	json_dumpf(o, out, JSON_COMPACT);
	fputc('\n', out);
	json_decref(o);
}

void render_watch_sample(FILE *out, const struct watch_state *st, const struct rates_sample *prev,
			 const struct rates_sample *cur, const struct render_watch_opts *o)
{
	if (o->is_json)
		json_sample(out, st, prev, cur);
	else
		text_sample(out, st, prev, cur);
}

static void sparkline(FILE *out, const struct watch_state *st, bool utf8)
{
	static const char *const blocks[] = {"\u2581", "\u2582", "\u2583", "\u2584",
					     "\u2585", "\u2586", "\u2587", "\u2588"};
	static const char ascii[] = "_.-=*#";
	uint64_t lo = UINT64_MAX, hi = 0;

	for (size_t i = 0; i < st->n_spark; i++) {
		lo = st->spark[i] < lo ? st->spark[i] : lo;
		hi = st->spark[i] > hi ? st->spark[i] : hi;
	}
	for (size_t i = 0; i < st->n_spark; i++) {
		double f = hi > lo ? (double)(st->spark[i] - lo) / (double)(hi - lo) : 0;

		if (utf8)
			fputs(blocks[(int)(f * 7 + 0.5)], out);
		else
			fputc(ascii[(int)(f * 5 + 0.5)], out);
	}
	fprintf(out, "  (%llu..%llu)\n", (unsigned long long)(st->n_spark ? lo : 0),
		(unsigned long long)hi);
}

/* Lifetimes by the state each flow reached, for plan's what-if. */
static void text_classes(FILE *out, const struct watch_state *st)
{
	bool any_open = false;

	fprintf(out, "  by class     %-16s %8s %9s %7s %7s %12s\n", "(state reached)", "flows/s",
		"timed out", "closed", "open", "mean life");
	for (int c = 0; c < NL_FC_CLASSES; c++) {
		double life = watch_class_life_s(st, c, NL_END_KINDS);
		bool lower = watch_class_is_lower_bound(st, c);
		char buf[32];

		if (watch_class_flows(st, c) == 0)
			continue;
		any_open |= lower;
		snprintf(buf, sizeof(buf), "%s%.1fs", lower ? ">=" : "", life);
		fprintf(out, "               %-16s %8.2f %9llu %7llu %7llu %12s\n",
			nl_events_fclass_name(c), watch_class_per_s(st, c),
			(unsigned long long)st->events.flows[c][NL_END_TIMEOUT].n,
			(unsigned long long)st->events.flows[c][NL_END_CLOSED].n,
			(unsigned long long)st->events.flows[c][NL_END_OPEN].n, buf);
	}
	if (any_open)
		fputs("  lower bound  \">=\": flows still open at the end count with their age so "
		      "far;\n               watch longer to see them end\n",
		      out);
}

static void text_events(FILE *out, const struct watch_state *st)
{
	fputs("  new flows/s ", out);
	for (int c = 0; c < NL_EV_CLASSES; c++)
		fprintf(out, " %s %.1f", nl_events_class_name(c), watch_new_per_s(st, c));
	fputs("\n  mean life   ", out);
	for (int c = 0; c < NL_EV_CLASSES; c++) {
		double life = watch_mean_lifetime_s(st, c);

		if (life < 0)
			fprintf(out, " %s -", nl_events_class_name(c));
		else
			fprintf(out, " %s %.1fs", nl_events_class_name(c), life);
	}
	fprintf(out, "\n  event loss   %llu ENOBUFS, %llu flows untracked",
		(unsigned long long)st->events.enobufs, (unsigned long long)st->events.untracked);
	if (st->events.bad_messages)
		fprintf(out, ", %llu not decodable", (unsigned long long)st->events.bad_messages);
	fprintf(out, "%s\n", st->events.enobufs ? " (rates are lower bounds)" : "");
	/* Say what the loss means and what to do, not just a number. */
	if (st->events.enobufs)
		fputs("               events were lost: the kernel sent them faster than "
		      "ctadvisor\n               read them, so flows/s and lifetimes miss some "
		      "flows (count\n               and counters above are exact); to see every "
		      "flow, watch\n               again when the CPU is less busy\n",
		      out);
	text_classes(out, st);
}

static void text_counters(FILE *out, const struct watch_state *st)
{
	fprintf(out, "  %-15s %12s %12s\n", "counter", "during watch", "peak /s");
	for (unsigned s = 1; s < SNAP_STAT_SLOTS; s++) {
		if (!(st->sum.present & (1u << s)))
			continue;
		fprintf(out, "  %-15s %12llu %12.1f\n", snap_stat_name(s),
			(unsigned long long)st->sum.delta[s], st->sum.peak_rate[s]);
	}
}

/* A growth figure only from a watch long enough, and a projection only
 * from a steady trend (rates_trend_per_hour), never from a step. */
static void text_growth(FILE *out, const struct rates_summary *s)
{
	double hours = rates_hours_to_full(s);
	long long net = (long long)s->last_count - (long long)s->first_count;

	fputs("  growth      ", out);
	if (!rules_watch_can_project(s))
		fprintf(out,
			"net %+lld; no rate or projection from a watch under %.0f minutes (a "
			"burst, not a trend): watch longer\n",
			net, RULES_WATCH_GROWTH_MIN_S / 60);
	else if (rates_trend_per_hour(s) <= 0)
		fprintf(out,
			"net %+lld; no steady growth toward the limit (the halves of the watch do "
			"not agree): no projection\n",
			net);
	else if (hours < 0)
		fprintf(out, "%+.0f entries/hour, steady; no limit to reach\n",
			rates_trend_per_hour(s));
	else
		fprintf(out, "%+.0f entries/hour, steady; full in %.1f hours at that rate\n",
			rates_trend_per_hour(s), hours);
}

static void text_summary(FILE *out, const struct watch_state *st, const struct rules_report *rep,
			 bool color, bool utf8)
{
	const struct rates_summary *s = &st->sum;
	char ns[160];

	render_escape(ns, sizeof(ns), st->netns, RENDER_ESC_TEXT);
	fprintf(out, "\nWatch summary: %s (%zu samples over %.0f s%s%s)\n",
		rules_sev_name(rep->worst), s->samples, (double)(s->last_ms - s->first_ms) / 1000.0,
		st->netns[0] ? ", netns " : "", ns);
	if (s->max)
		fprintf(out, "  peak        %llu entries (%.2f%% of %llu)\n",
			(unsigned long long)s->peak_count, fill_pct(s->peak_count, s->max),
			(unsigned long long)s->max);
	else
		fprintf(out, "  peak        %llu entries (no limit reported)\n",
			(unsigned long long)s->peak_count);
	fprintf(out, "  mean        %.1f entries, last %llu\n", rates_mean_count(s),
		(unsigned long long)s->last_count);
	fputs("  note        peak/fill count expired entries the GC has not reaped yet\n", out);
	text_growth(out, s);
	fputs("  occupancy   ", out);
	sparkline(out, st, utf8);
	text_counters(out, st);
	if (st->has_events)
		text_events(out, st);
	render_text_findings(out, rep, color);
}

static json_t *json_life(const struct nl_events_life *l)
{
	return json_pack("{s:I, s:o}", "n", (json_int_t)l->n, "mean_lifetime_s",
			 l->n ? json_real(l->sum_s / (double)l->n) : json_null());
}

static json_t *json_classes(const struct watch_state *st)
{
	json_t *o = json_object();

	for (int c = 0; c < NL_FC_CLASSES; c++) {
		double life = watch_class_life_s(st, c, NL_END_KINDS);
		json_t *k = json_object();

		json_object_set_new(k, "knob", json_string(nl_events_fclass_knob(c)));
		json_object_set_new(k, "timeout_s",
				    st->timeout_s[c] >= 0 ? json_integer(st->timeout_s[c])
							  : json_null());
		json_object_set_new(k, "flows", json_integer((json_int_t)watch_class_flows(st, c)));
		json_object_set_new(k, "new_per_s", json_real(watch_class_per_s(st, c)));
		for (int e = 0; e < NL_END_KINDS; e++)
			json_object_set_new(k, nl_events_end_name(e),
					    json_life(&st->events.flows[c][e]));
		json_object_set_new(k, "mean_lifetime_s", life < 0 ? json_null() : json_real(life));
		json_object_set_new(k, "lower_bound",
				    json_boolean(watch_class_is_lower_bound(st, c)));
		json_object_set_new(o, nl_events_fclass_name(c), k);
	}
	return o;
}

static json_t *json_events(const struct watch_state *st)
{
	json_t *o = json_object(), *n = json_object(), *d = json_object(), *r = json_object(),
	       *l = json_object();

	for (int c = 0; c < NL_EV_CLASSES; c++) {
		const char *name = nl_events_class_name(c);
		double life = watch_mean_lifetime_s(st, c);

		json_object_set_new(n, name, json_integer((json_int_t)st->events.new_events[c]));
		json_object_set_new(d, name,
				    json_integer((json_int_t)st->events.destroy_events[c]));
		json_object_set_new(r, name, json_real(watch_new_per_s(st, c)));
		json_object_set_new(l, name, life < 0 ? json_null() : json_real(life));
	}
	json_object_set_new(o, "new", n);
	json_object_set_new(o, "destroy", d);
	json_object_set_new(o, "new_per_s", r);
	json_object_set_new(o, "mean_lifetime_s", l);
	json_object_set_new(o, "enobufs", json_integer((json_int_t)st->events.enobufs));
	json_object_set_new(o, "untracked", json_integer((json_int_t)st->events.untracked));
	json_object_set_new(o, "bad_messages", json_integer((json_int_t)st->events.bad_messages));
	json_object_set_new(o, "classes", json_classes(st));
	return o;
}

static json_t *json_counters(const struct rates_summary *s)
{
	json_t *o = json_object();

	for (unsigned i = 1; i < SNAP_STAT_SLOTS; i++) {
		if (!(s->present & (1u << i)))
			continue;
		json_object_set_new(o, snap_stat_name(i),
				    json_pack("{s:I, s:f}", "delta", (json_int_t)s->delta[i],
					      "peak_per_s", s->peak_rate[i]));
	}
	return o;
}

static json_t *json_summary(const struct watch_state *st, const struct rules_report *rep)
{
	const struct rates_summary *s = &st->sum;
	double hours = rates_hours_to_full(s);
	json_t *o = json_object();

	json_object_set_new(o, "type", json_string("summary"));
	/* 2: events.classes (lifetimes by the state reached) */
	json_object_set_new(o, "schema", json_integer(2));
	json_object_set_new(o, "netns", jw_str(st->netns));
	json_object_set_new(o, "status",
			    json_string(rep->is_unknown ? "unknown" : rules_sev_name(rep->worst)));
	json_object_set_new(o, "samples", json_integer((json_int_t)s->samples));
	json_object_set_new(o, "interval_ms", json_integer((json_int_t)st->interval_ms));
	json_object_set_new(o, "duration_s", json_real((double)(s->last_ms - s->first_ms) / 1e3));
	json_object_set_new(o, "max", json_integer((json_int_t)s->max));
	json_object_set_new(o, "peak_count", json_integer((json_int_t)s->peak_count));
	json_object_set_new(o, "mean_count", json_real(rates_mean_count(s)));
	json_object_set_new(o, "last_count", json_integer((json_int_t)s->last_count));
	/* null under the minimum watch; 0 without a steady trend */
	json_object_set_new(o, "growth_per_hour",
			    rules_watch_can_project(s) ? json_real(rates_trend_per_hour(s))
						       : json_null());
	json_object_set_new(o, "net_change",
			    json_integer((json_int_t)s->last_count - (json_int_t)s->first_count));
	/* null, like the findings, when not growing or the watch is too short */
	json_object_set_new(o, "hours_to_full",
			    hours < 0 || !rules_watch_can_project(s) ? json_null()
								     : json_real(hours));
	json_object_set_new(o, "count_includes_expired", json_true());
	json_object_set_new(o, "counters", json_counters(s));
	json_object_set_new(o, "events", st->has_events ? json_events(st) : json_null());
	json_object_set_new(o, "findings", render_json_findings(rep));
	return o;
}

int render_watch_summary(FILE *out, const struct watch_state *st, const struct rules_report *rep,
			 const struct render_watch_opts *o)
{
	if (o->is_json) {
		json_t *sum = json_summary(st, rep);

		json_dumpf(sum, out, JSON_COMPACT | JSON_ENSURE_ASCII);
		fputc('\n', out);
		json_decref(sum);
	} else {
		text_summary(out, st, rep, false, o->is_utf8);
	}
	return fflush(out) == 0 && !ferror(out) ? 0 : -EIO;
}

int render_watch_saved(FILE *out, const struct watch_state *st, const struct rules_report *rep)
{
	json_t *o = json_summary(st, rep);
	int rc;

	if (o == NULL)
		return -ENOMEM;
	rc = json_dumpf(o, out, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	json_decref(o);
	return rc == 0 && fflush(out) == 0 && !ferror(out) ? 0 : -EIO;
}
