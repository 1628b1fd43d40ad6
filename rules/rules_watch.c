/* rules_watch.c: "is it happening now" findings over a watch summary. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rules_watch.h"

static struct rules_finding *add(struct rules_report *rep, const char *id, enum rules_sev sev,
				 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static struct rules_finding *add(struct rules_report *rep, const char *id, enum rules_sev sev,
				 const char *fmt, ...)
{
	struct rules_finding *f;
	va_list ap;

	if (rep->n_findings >= RULES_FINDINGS)
		return NULL;
	f = &rep->findings[rep->n_findings++];
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->sev = sev;
	va_start(ap, fmt);
	vsnprintf(f->summary, sizeof(f->summary), fmt, ap);
	va_end(ap);
	if (sev > rep->worst)
		rep->worst = sev;
	return f;
}

static void evidence(struct rules_finding *f, const char *name, double value, const char *unit)
{
	if (f == NULL || f->n_ev >= RULES_EVIDENCE)
		return;
	f->ev[f->n_ev++] = (struct rules_evidence){.name = name, .value = value, .unit = unit};
}

static void command(struct rules_finding *f, const char *cmd)
{
	if (f == NULL || f->n_commands >= RULES_COMMANDS)
		return;
	snprintf(f->commands[f->n_commands++], sizeof(f->commands[0]), "%s", cmd);
}

static double seconds(const struct rates_summary *sum)
{
	return (double)(sum->last_ms - sum->first_ms) / 1000.0;
}

/* Packets a full table refused: drop less the NAT clashes, which the
 * kernel adds to insert_failed as well. */
static uint64_t full_drops(const struct rates_summary *sum)
{
	uint64_t drop = sum->delta[SNAP_STAT_DROP], clash = sum->delta[SNAP_STAT_INSERT_FAILED];

	return drop - (clash < drop ? clash : drop);
}

static void rule_drops_now(const struct rates_summary *sum, struct rules_report *rep)
{
	uint64_t drop = full_drops(sum), early = sum->delta[SNAP_STAT_EARLY_DROP];
	struct rules_finding *f;

	if (drop == 0)
		return;
	f = add(rep, "table-full-now", RULES_SEV_CRITICAL,
		"The table overflowed during the watch: %llu packets of new flows dropped (NAT "
		"clashes left out) and %llu entries evicted early in %.3g s; new flows are being "
		"refused now.",
		(unsigned long long)drop, (unsigned long long)early, seconds(sum));
	evidence(f, "full_table_drops", (double)drop, "");
	evidence(f, "early_drop", (double)early, "");
	evidence(f, "peak_drop_per_s", sum->peak_rate[SNAP_STAT_DROP], "/s");
	evidence(f, "peak_count", (double)sum->peak_count, "entries");
	command(f, "ctadvisor plan");
}

/* early_drop without drops: the kernel made room by evicting flows that
 * never saw a reply, and admitted every new one. Churn, not an outage. */
static void rule_early_drop_now(const struct rates_summary *sum, struct rules_report *rep)
{
	uint64_t early = sum->delta[SNAP_STAT_EARLY_DROP];
	struct rules_finding *f;

	if (early == 0 || full_drops(sum) > 0)
		return;
	f = add(rep, "early-drop-now", RULES_SEV_WARNING,
		"The table was full during the watch: the kernel evicted %llu unassured flows "
		"(never answered) to admit new ones in %.3g s, nothing dropped. A larger "
		"nf_conntrack_max keeps them; plan says how large.",
		(unsigned long long)early, seconds(sum));
	evidence(f, "early_drop", (double)early, "");
	evidence(f, "peak_early_drop_per_s", sum->peak_rate[SNAP_STAT_EARLY_DROP], "/s");
	evidence(f, "peak_count", (double)sum->peak_count, "entries");
	command(f, "ctadvisor plan");
}

static void rule_counter_now(const struct rates_summary *sum, struct rules_report *rep,
			     unsigned slot, const char *id, enum rules_sev sev, const char *what)
{
	struct rules_finding *f;
	uint64_t d = sum->delta[slot];

	if (d == 0)
		return;
	f = add(rep, id, sev, "%s rose by %llu during the watch (peak %.1f/s): %s",
		snap_stat_name(slot), (unsigned long long)d, sum->peak_rate[slot], what);
	evidence(f, snap_stat_name(slot), (double)d, "");
	evidence(f, "peak_per_s", sum->peak_rate[slot], "/s");
}

static void rule_invalid_now(const struct rates_summary *sum, struct rules_report *rep)
{
	double secs = seconds(sum);
	double rate = secs > 0 ? (double)sum->delta[SNAP_STAT_INVALID] / secs : 0;
	struct rules_finding *f;

	if (sum->delta[SNAP_STAT_INVALID] == 0)
		return;
	f = add(rep, "invalid-now",
		rate >= RULES_WATCH_INVALID_WARN_PER_S ? RULES_SEV_WARNING : RULES_SEV_INFO,
		"%llu packets were invalid during the watch (%.1f/s on average); the kernel's "
		"reason for each is what 'watch --invalid' reports.",
		(unsigned long long)sum->delta[SNAP_STAT_INVALID], rate);
	evidence(f, "invalid", (double)sum->delta[SNAP_STAT_INVALID], "");
	evidence(f, "invalid_per_s", rate, "/s");
	command(f, "ctadvisor watch --invalid --duration 60s");
}

bool rules_watch_can_project(const struct rates_summary *sum)
{
	return seconds(sum) >= RULES_WATCH_GROWTH_MIN_S;
}

static void rule_growth(const struct rates_summary *sum, struct rules_report *rep)
{
	double hours = rates_hours_to_full(sum);
	struct rules_finding *f;

	if (hours < 0 || hours >= RULES_WATCH_FULL_WARN_HOURS || !rules_watch_can_project(sum))
		return;
	f = add(rep, "growth-to-full",
		hours < RULES_WATCH_FULL_CRIT_HOURS ? RULES_SEV_CRITICAL : RULES_SEV_WARNING,
		"At the steady growth seen (%.0f entries/hour, both halves of the watch "
		"agreeing) the table reaches its limit of %llu in %.1f hours.",
		rates_trend_per_hour(sum), (unsigned long long)sum->max, hours);
	evidence(f, "growth_per_hour", rates_trend_per_hour(sum), "entries/h");
	evidence(f, "hours_to_full", hours, "h");
	evidence(f, "last_count", (double)sum->last_count, "entries");
	evidence(f, "max", (double)sum->max, "entries");
	command(f, "ctadvisor plan");
}

static void rule_peak_fill(const struct rates_summary *sum, const struct rules_opts *opts,
			   struct rules_report *rep)
{
	double fill = sum->max ? 100.0 * (double)sum->peak_count / (double)sum->max : -1;
	struct rules_finding *f;

	/* As check's -w/-c PCT: a fill above the number alerts, at it is OK. */
	if (fill <= opts->fill_warn_pct)
		return;
	f = add(rep, "peak-fill",
		fill > opts->fill_crit_pct ? RULES_SEV_CRITICAL : RULES_SEV_WARNING,
		"The table peaked at %.1f%% full (%llu of %llu) during the watch.", fill,
		(unsigned long long)sum->peak_count, (unsigned long long)sum->max);
	evidence(f, "peak_count", (double)sum->peak_count, "entries");
	evidence(f, "max", (double)sum->max, "entries");
	evidence(f, "peak_fill_pct", fill, "%");
}

static void sort_by_severity(struct rules_report *rep)
{
	for (size_t i = 1; i < rep->n_findings; i++) {
		struct rules_finding tmp = rep->findings[i];
		size_t j = i;

		for (; j > 0 && rep->findings[j - 1].sev < tmp.sev; j--)
			rep->findings[j] = rep->findings[j - 1];
		rep->findings[j] = tmp;
	}
}

void rules_evaluate_watch(const struct rates_summary *sum, const struct rules_opts *opts,
			  struct rules_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	rep->is_unknown = sum->samples == 0;
	rule_drops_now(sum, rep);
	rule_counter_now(sum, rep, SNAP_STAT_CHAINTOOLONG, "chain-too-long-now", RULES_SEV_CRITICAL,
			 "packets were dropped because a hash chain was too long; raise "
			 "nf_conntrack_buckets.");
	rule_early_drop_now(sum, rep);
	rule_counter_now(sum, rep, SNAP_STAT_INSERT_FAILED, "insert-failed-now", RULES_SEV_WARNING,
			 "new flows failed to insert and their packets were dropped: a NAT port "
			 "clash or the UDP DNS race, not a full table; 'ctadvisor nat' shows "
			 "the ports.");
	rule_invalid_now(sum, rep);
	rule_peak_fill(sum, opts, rep);
	rule_growth(sum, rep);
	sort_by_severity(rep);
}
