/* rules_counters.c: the rules over the kernel's counters (drop, early_drop,
 * insert_failed, chaintoolong, invalid). A counter only grows until reboot,
 * so a verdict on its total never recovers: each is judged on its change
 * since the last run (snap->prev, the window), and its total stays in the
 * evidence. Without a last run the totals are judged, but the finding says
 * it cannot tell when they happened, and is at most a warning unless the
 * condition holds now. --since-boot (opts->judge_since_boot) judges the
 * totals as if they had just happened, as earlier versions did. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "rules_int.h"

/* One counter: its total and its change over the window. */
struct win {
	uint64_t total; /* since boot, or since the namespace was created */
	uint64_t delta; /* over the window; the total when there is none */
	bool has_window;
};

/* How a counter finding is judged. */
enum judge {
	JUDGE_RECENT,     /* grew in the window */
	JUDGE_QUIET,      /* did not grow in the window: history only */
	JUDGE_UNTIMED,    /* no window: the total, time unknown */
	JUDGE_SINCE_BOOT, /* --since-boot: the total, as if it had just happened */
};

static struct win win_of(const struct rules_ctx *c, unsigned slot)
{
	const struct ct_snapshot *s = c->snap;
	const struct snap_prev *p = &s->prev;
	struct win w = {.total = rules_stat_or0(s, slot)};

	w.delta = w.total;
	if (!c->opts->judge_since_boot && p->state == SNAP_PREV_OK && rules_stat_has(s, slot) &&
	    (p->present & (UINT32_C(1) << slot))) {
		w.delta = p->delta[slot] < w.total ? p->delta[slot] : w.total;
		w.has_window = true;
	}
	return w;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static enum judge judge_of(const struct rules_ctx *c, uint64_t delta, bool has_window)
{
	if (c->opts->judge_since_boot)
		return JUDGE_SINCE_BOOT;
	if (!has_window)
		return JUDGE_UNTIMED;
	return delta > 0 ? JUDGE_RECENT : JUDGE_QUIET;
}

/* The severity a counter finding gets: SEV when it happened in the window
 * (or under --since-boot), INFO when it did not, and without a window at
 * most WARNING unless the condition holds now. */
static enum rules_sev sev_of(enum judge j, enum rules_sev sev, bool holds_now)
{
	switch (j) {
	case JUDGE_RECENT:
	case JUDGE_SINCE_BOOT:
		return sev;
	case JUDGE_QUIET:
		return RULES_SEV_INFO;
	default:
		return holds_now || sev < RULES_SEV_WARNING ? sev : RULES_SEV_WARNING;
	}
}

void rules_duration_text(uint64_t s, char *buf, size_t len)
{
	if (s < 120)
		snprintf(buf, len, "%" PRIu64 " s", s);
	else if (s < 7200)
		snprintf(buf, len, "%" PRIu64 " min", (s + 30) / 60);
	else if (s < 172800)
		snprintf(buf, len, "%" PRIu64 " h", (s + 1800) / 3600);
	else
		snprintf(buf, len, "%" PRIu64 " days", (s + 43200) / 86400);
}

static const char *since_text(const struct rules_ctx *c)
{
	return c->snap->is_init_netns ? "since boot" : "since the namespace was created";
}

/* Why there is no window, in a few words, for an untimed finding. */
static const char *untimed_text(const struct rules_ctx *c)
{
	switch (c->snap->prev.state) {
	case SNAP_PREV_FIRST:
		return "this is the first run ctadvisor remembers here";
	case SNAP_PREV_RESET:
		return "the counters started again since the last run (a reboot or a new "
		       "namespace)";
	case SNAP_PREV_IGNORED:
		return "the last run's state could not be used";
	default:
		return "no state is kept between runs";
	}
}

/* "12 in the last 5 min (663 since boot)", "663 since boot, none in the
 * last 5 min", "663 since boot (this is the first run ...: when, cannot be
 * told; the next run shows the change)". */
static void count_text(const struct rules_ctx *c, enum judge j, uint64_t delta, uint64_t total,
		       char *buf, size_t len)
{
	char dur[32];

	rules_duration_text(c->snap->prev.window_s, dur, sizeof(dur));
	if (j == JUDGE_RECENT)
		snprintf(buf, len, "%" PRIu64 " in the last %s (%" PRIu64 " %s)", delta, dur, total,
			 since_text(c));
	else if (j == JUDGE_QUIET)
		snprintf(buf, len, "%" PRIu64 " %s, none in the last %s", total, since_text(c),
			 dur);
	else if (j == JUDGE_SINCE_BOOT)
		snprintf(buf, len, "%" PRIu64 " %s", total, since_text(c));
	else
		snprintf(buf, len,
			 "%" PRIu64 " %s (%s, so when cannot be told; the next run shows "
			 "the change)",
			 total, since_text(c), untimed_text(c));
}

static void set_window(const struct rules_ctx *c, struct rules_finding *f, struct win w)
{
	f->is_counter = true;
	f->has_window = w.has_window;
	f->window_s = w.has_window ? c->snap->prev.window_s : 0;
	f->delta = w.delta;
	f->since_boot = w.total;
}

static bool is_full_now(const struct rules_ctx *c)
{
	return c->snap->has_count && c->max > 0 && c->snap->count >= (uint64_t)c->max;
}

/* nf_conntrack_max was raised during the window, or (drops not growing)
 * since the drops were last seen growing: raising it again is not the
 * advice. */
static bool is_raised_since(const struct rules_ctx *c, enum judge j)
{
	const struct snap_prev *p = &c->snap->prev;

	if (p->state != SNAP_PREV_OK || c->max <= 0)
		return false;
	if (p->has_max && (uint64_t)c->max > p->max)
		return true;
	return j == JUDGE_QUIET && p->max_at_drop > 0 && (uint64_t)c->max > p->max_at_drop;
}

static uint64_t raised_from(const struct rules_ctx *c)
{
	const struct snap_prev *p = &c->snap->prev;

	if (p->has_max && c->max > 0 && (uint64_t)c->max > p->max)
		return p->max;
	return p->max_at_drop;
}

/* Table full: the packets of new flows the kernel could not admit. A full
 * table adds to drop alone; an unresolvable NAT clash adds to drop and to
 * insert_failed, so full-table drops are drop - insert_failed (the NAT part
 * is insert-failed's finding). */
static void rule_table_full(struct rules_ctx *c)
{
	struct win drop = win_of(c, SNAP_STAT_DROP), ins = win_of(c, SNAP_STAT_INSERT_FAILED);
	uint64_t d = drop.delta - min_u64(drop.delta, ins.delta);
	uint64_t t = drop.total - min_u64(drop.total, ins.total);
	enum judge j = judge_of(c, d, drop.has_window);
	bool is_raised = is_raised_since(c, j);
	struct rules_finding *f;
	char what[256], raised[128] = "";

	if (t == 0)
		return;
	count_text(c, j, d, t, what, sizeof(what));
	if (is_raised)
		snprintf(raised, sizeof(raised),
			 "; nf_conntrack_max has been raised since, from %" PRIu64 " to %" PRId64,
			 raised_from(c), c->max);
	f = rules_finding_add(
	    c, "table-full", sev_of(j, RULES_SEV_CRITICAL, is_full_now(c)),
	    "Packets of new flows were dropped because the table was full: %s%s%s", what, raised,
	    rules_host_note(c));
	if (f == NULL)
		return;
	set_window(c, f, (struct win){.total = t, .delta = d, .has_window = drop.has_window});
	rules_ev_add(f, "drop", (double)drop.total, "packets");
	if (rules_stat_has(c->snap, SNAP_STAT_INSERT_FAILED))
		rules_ev_add(f, "insert_failed", (double)ins.total, "");
	rules_ev_add(f, "full_table_drops", (double)d, "packets");
	rules_ev_count_max(c, f);
	if (f->sev < RULES_SEV_WARNING || (is_raised && !is_full_now(c)))
		return;
	if (j == JUDGE_UNTIMED && !is_full_now(c)) {
		rules_cmd_tool(c, f, "ctadvisor watch --duration 60s", true);
		return;
	}
	/* The table reached max: the demand is at least that. */
	rules_cmd_raise_max(c, f,
			    c->snap->count > (uint64_t)c->max ? c->snap->count : (uint64_t)c->max);
}

/* Early drop alone refuses nothing: to admit a new flow the kernel evicted
 * an unassured one (unreplied, or not yet confirmed both ways). */
static void rule_early_drop(struct rules_ctx *c)
{
	struct win early = win_of(c, SNAP_STAT_EARLY_DROP), drop = win_of(c, SNAP_STAT_DROP);
	struct win ins = win_of(c, SNAP_STAT_INSERT_FAILED);
	enum judge j = judge_of(c, early.delta, early.has_window);
	struct rules_finding *f;
	char what[256];

	if (early.total == 0)
		return;
	/* Refusals in the same window: table-full says it, with this as evidence. */
	if (drop.delta > min_u64(drop.delta, ins.delta) && j != JUDGE_QUIET)
		return;
	count_text(c, j, early.delta, early.total, what, sizeof(what));
	f = rules_finding_add(c, "early-drop", sev_of(j, RULES_SEV_WARNING, false),
			      "The table was at its limit and evicted unassured flows (unreplied "
			      "or not yet confirmed) to admit new ones, without dropping a packet: "
			      "%s; it churns, and short flows may be cut: watch the rates%s",
			      what, rules_host_note(c));
	if (f == NULL)
		return;
	set_window(c, f, early);
	rules_ev_add(f, "early_drop", (double)early.total, "entries");
	rules_ev_count_max(c, f);
	if (f->sev >= RULES_SEV_WARNING) {
		rules_cmd_tool(c, f, "ctadvisor watch --duration 60s", true);
		rules_cmd_tool(c, f, "ctadvisor plan", false);
	}
}

static void rule_chain_too_long(struct rules_ctx *c)
{
	struct win w = win_of(c, SNAP_STAT_CHAINTOOLONG);
	enum judge j = judge_of(c, w.delta, w.has_window);
	struct rules_finding *f;
	char what[256];

	if (w.total == 0)
		return;
	count_text(c, j, w.delta, w.total, what, sizeof(what));
	f = rules_finding_add(c, "chain-too-long", sev_of(j, RULES_SEV_CRITICAL, false),
			      "Packets were dropped because a hash chain grew past the kernel's "
			      "random 50-79 entry limit: %s; the hash has too few buckets for the "
			      "entries of all network namespaces%s",
			      what, rules_host_note(c));
	if (f == NULL)
		return;
	set_window(c, f, w);
	rules_ev_add(f, "chaintoolong", (double)w.total, "packets");
	if (c->buckets >= 0)
		rules_ev_add(f, "buckets", (double)c->buckets, "buckets");
	if (c->rep->d.load_now >= 0)
		rules_ev_add(f, "load_now", c->rep->d.load_now, "");
	if (c->buckets > 0 && f->sev >= RULES_SEV_WARNING) {
		uint64_t b = rules_buckets_for((uint64_t)c->buckets * 2);

		if (c->max > 0 && b < rules_buckets_for((uint64_t)c->max))
			b = rules_buckets_for((uint64_t)c->max);
		rules_cmd_apply(c, f, true, &(struct rules_knob){"nf_conntrack_buckets", b}, 1);
	}
}

static void rule_insert_failed(struct rules_ctx *c)
{
	struct win ins = win_of(c, SNAP_STAT_INSERT_FAILED), drop = win_of(c, SNAP_STAT_DROP);
	uint64_t clash = rules_stat_or0(c->snap, SNAP_STAT_CLASH_RESOLVE);
	enum judge j = judge_of(c, ins.delta, ins.has_window);
	struct rules_finding *f;
	char what[256];

	if (ins.total == 0 && clash > 0) {
		f = rules_finding_add(c, "clash-resolved", RULES_SEV_INFO,
				      "%" PRIu64 " insertion races (e.g. parallel UDP DNS queries) "
				      "were resolved without a drop %s",
				      clash, since_text(c));
		if (f != NULL)
			rules_ev_add(f, "clash_resolve", (double)clash, "");
		return;
	}
	if (ins.total == 0)
		return;
	count_text(c, j, ins.delta, ins.total, what, sizeof(what));
	f = rules_finding_add(c, "insert-failed", sev_of(j, RULES_SEV_WARNING, false),
			      "New flows failed to insert and their packets were dropped: %s; the "
			      "usual cause is an unresolvable NAT source-port clash (a port range "
			      "too small for the flows to one destination: see ctadvisor nat), "
			      "else a UDP (DNS) race or a hash chain too long",
			      what);
	if (f == NULL)
		return;
	set_window(c, f, ins);
	rules_ev_add(f, "insert_failed", (double)ins.total, "");
	if (rules_stat_has(c->snap, SNAP_STAT_CLASH_RESOLVE))
		rules_ev_add(f, "clash_resolve", (double)clash, "");
	if (rules_stat_has(c->snap, SNAP_STAT_DROP))
		rules_ev_add(f, "drop", (double)drop.total, "packets");
	if (f->sev >= RULES_SEV_WARNING) {
		rules_cmd_tool(c, f, "ctadvisor nat", true);
		rules_cmd_tool(c, f, "ctadvisor watch --duration 60s", true);
	}
}

static void rule_invalid(struct rules_ctx *c)
{
	struct win w = win_of(c, SNAP_STAT_INVALID);
	enum judge j = judge_of(c, w.delta, w.has_window);
	enum rules_sev sev = w.delta >= c->opts->invalid_warn ? RULES_SEV_WARNING : RULES_SEV_INFO;
	struct rules_finding *f;
	char what[256];

	if (w.total == 0)
		return;
	count_text(c, j, w.delta, w.total, what, sizeof(what));
	f = rules_finding_add(c, "invalid-high", sev_of(j, sev, false),
			      "Packets were invalid for conntrack: %s; a rule matching ct state "
			      "invalid decides whether they are dropped: watch to see the kernel's "
			      "reasons",
			      what);
	if (f == NULL)
		return;
	set_window(c, f, w);
	rules_ev_add(f, "invalid", (double)w.total, "packets");
	rules_cmd_tool(c, f, "ctadvisor watch --invalid --duration 60s", true);
}

static bool is_syslog_logger(const char *name)
{
	return strncmp(name, "nf_log_", 7) == 0;
}

static void rule_log_invalid(struct rules_ctx *c)
{
	const struct ct_snapshot *s = c->snap;
	struct win w = win_of(c, SNAP_STAT_INVALID);
	enum rules_sev sev = RULES_SEV_INFO;
	struct rules_finding *f;

	if (s->set.log_invalid <= 0)
		return;
	if (!is_syslog_logger(s->set.nf_log_ipv4) && !is_syslog_logger(s->set.nf_log_ipv6))
		return;
	/* Outside init_net the syslog logger stays silent unless nf_log_all_netns=1. */
	if (w.delta >= c->opts->invalid_warn && s->is_init_netns)
		sev = RULES_SEV_WARNING;
	f = rules_finding_add(c, "log-invalid-flood", sev,
			      "nf_conntrack_log_invalid=%" PRId64 " prints every invalid packet to "
			      "the kernel log without rate limit (%" PRIu64 " invalid %s)%s",
			      s->set.log_invalid, w.total, since_text(c),
			      s->is_init_netns ? ""
					       : "; from this namespace only if the host sets "
						 "nf_log_all_netns=1");
	if (f == NULL)
		return;
	rules_ev_add(f, "log_invalid", (double)s->set.log_invalid, "");
	rules_ev_add(f, "invalid", (double)w.total, "packets");
	rules_cmd_apply(c, f, false, &(struct rules_knob){"nf_conntrack_log_invalid", 0}, 1);
	rules_cmd_tool(c, f, "ctadvisor watch --invalid --duration 60s", true);
}

void rules_counter_findings(struct rules_ctx *c)
{
	rule_table_full(c);
	rule_early_drop(c);
	rule_chain_too_long(c);
	rule_insert_failed(c);
	rule_invalid(c);
	rule_log_invalid(c);
}

static const char *const window_state_names[] = {"not_kept", "first", "reset", "ignored", "ok"};

const char *rules_window_state_name(enum snap_prev_state st)
{
	return (unsigned)st <= SNAP_PREV_OK ? window_state_names[st] : "not_kept";
}

void rules_window_text(const struct ct_snapshot *snap, char *buf, size_t len)
{
	const struct snap_prev *p = &snap->prev;
	const char *since = snap->is_init_netns ? "since boot" : "since the namespace was created";
	char dur[32];

	if (p->state == SNAP_PREV_OK) {
		rules_duration_text(p->window_s, dur, sizeof(dur));
		snprintf(buf, len, "the last %s (since the previous run)", dur);
	} else {
		snprintf(buf, len, "none, counters judged on their totals %s: %s", since,
			 p->note[0] != '\0' ? p->note : "no state is kept between runs");
	}
}
