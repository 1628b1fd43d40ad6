/* rules.c: the health rules over one snapshot. Each rule_* function reads the
 * snapshot through a small context, and appends at most one finding with its
 * evidence and the exact commands that would fix it (rules_cmd.c: a setting
 * through `ctadvisor apply`). Numbers the kernel did not report are left out
 * of the evidence rather than shown as 0. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rules_int.h"

#define EXT_AREA_BYTES   128 /* NF_CT_EXT_PREALLOC: any extension costs this */
#define BUCKET_BYTES     8   /* struct hlist_nulls_head */
#define LIVE_GARBAGE_PCT 75  /* live below this % of count: garbage is unreaped */

static const char ns_note[] = "; max and buckets are global and read-only in this network "
			      "namespace, so run the commands in the host namespace";

void rules_opts_default(struct rules_opts *opts)
{
	opts->fill_warn_pct = 75.0;
	opts->fill_crit_pct = 90.0;
	opts->unreplied_warn_pct = 50.0;
	opts->unreplied_min = 1000;
	opts->invalid_warn = 1000;
	opts->mem_warn_pct_ram = 5.0;
	opts->mem_crit_pct_ram = 25.0;
	opts->load_warn = 16.0;
	opts->judge_since_boot = false;
	opts->fill_side = RULES_FILL_ABOVE;
	opts->fill_range[0] = '\0';
}

const char *rules_sev_name(enum rules_sev sev)
{
	static const char *const names[] = {"ok", "info", "warning", "critical"};

	return (unsigned)sev < 4 ? names[sev] : "unknown";
}

int rules_exit_code(const struct rules_report *rep)
{
	if (rep->is_unknown)
		return CT_EXIT_UNKNOWN;
	if (rep->worst == RULES_SEV_CRITICAL)
		return CT_EXIT_CRITICAL;
	return rep->worst == RULES_SEV_WARNING ? CT_EXIT_WARNING : CT_EXIT_OK;
}

bool rules_stat_has(const struct ct_snapshot *snap, unsigned slot)
{
	return snap->total.present & (UINT32_C(1) << slot);
}

/* Slot of the summed counters, 0 when the kernel did not report it. */
uint64_t rules_stat_or0(const struct ct_snapshot *snap, unsigned slot)
{
	return rules_stat_has(snap, slot) ? snap->total.v[slot] : 0;
}

/* n x per + buckets x 8, saturating at INT64_MAX. */
static int64_t mem_bytes(uint64_t n, uint64_t per, int64_t buckets)
{
	uint64_t bb = (uint64_t)buckets * BUCKET_BYTES;

	if ((uint64_t)buckets > (uint64_t)INT64_MAX / BUCKET_BYTES)
		return INT64_MAX;
	if (per != 0 && n > ((uint64_t)INT64_MAX - bb) / per)
		return INT64_MAX;
	return (int64_t)(n * per + bb);
}

double rules_pct(double part, double whole)
{
	return whole > 0 ? 100.0 * part / whole : -1;
}

static void derive_mem(struct rules_ctx *c, struct rules_derived *d)
{
	const struct ct_snapshot *s = c->snap;
	uint64_t ext = c->is_ext_on ? EXT_AREA_BYTES : 0;

	d->ext_bytes = EXT_AREA_BYTES;
	d->buckets_bytes = c->buckets >= 0 ? mem_bytes(0, 0, c->buckets) : -1;
	d->mem_now_bytes = -1;
	d->mem_at_max_bytes = -1;
	d->mem_at_max_ext_bytes = -1;
	if (!s->has_slab || s->slab_obj_bytes == 0 || c->buckets < 0)
		return;
	if (s->has_count)
		d->mem_now_bytes = mem_bytes(s->count, s->slab_obj_bytes + ext, c->buckets);
	if (c->max <= 0)
		return;
	d->mem_at_max_bytes = mem_bytes((uint64_t)c->max, s->slab_obj_bytes + ext, c->buckets);
	d->mem_at_max_ext_bytes =
	    mem_bytes((uint64_t)c->max, s->slab_obj_bytes + EXT_AREA_BYTES, c->buckets);
}

static void derive(struct rules_ctx *c)
{
	const struct ct_snapshot *s = c->snap;
	struct rules_derived *d = &c->rep->d;

	c->max = s->has_max ? (s->max > INT64_MAX ? INT64_MAX : (int64_t)s->max) : s->set.max;
	if (c->max < 0)
		c->max = -1;
	c->buckets = s->set.buckets >= 0 ? s->set.buckets : s->set.hashsize;
	if (c->buckets < 0)
		c->buckets = -1;
	c->is_ext_on = s->set.acct == 1 || s->set.timestamp == 1 || s->set.events == 1;

	d->fill_pct = s->has_count && c->max > 0 ? rules_pct((double)s->count, (double)c->max) : -1;
	d->load_now =
	    s->has_count && c->buckets > 0 ? 2.0 * (double)s->count / (double)c->buckets : -1;
	d->load_at_max =
	    c->max > 0 && c->buckets > 0 ? 2.0 * (double)c->max / (double)c->buckets : -1;
	d->live_entries = s->has_walk ? s->walk.entries : 0;
	derive_mem(c, d);
}

/* Append a finding with its one-sentence summary; NULL when the list is full. */
struct rules_finding *rules_finding_add(struct rules_ctx *c, const char *id, enum rules_sev sev,
					const char *fmt, ...)
{
	struct rules_finding *f;
	va_list ap;
	int n;

	if (c->rep->n_findings >= RULES_FINDINGS)
		return NULL;
	f = &c->rep->findings[c->rep->n_findings++];
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->sev = sev;
	va_start(ap, fmt);
	n = vsnprintf(f->summary, sizeof(f->summary), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n + 1 < sizeof(f->summary))
		memcpy(f->summary + n, ".", 2);
	return f;
}

void rules_ev_add(struct rules_finding *f, const char *name, double value, const char *unit)
{
	if (f->n_ev >= RULES_EVIDENCE)
		return;
	f->ev[f->n_ev].name = name;
	f->ev[f->n_ev].value = value;
	f->ev[f->n_ev].unit = unit;
	f->n_ev++;
}

const char *rules_host_note(const struct rules_ctx *c)
{
	return c->snap->is_init_netns ? "" : ns_note;
}

void rules_ev_count_max(const struct rules_ctx *c, struct rules_finding *f)
{
	if (c->snap->has_count)
		rules_ev_add(f, "count", (double)c->snap->count, "entries");
	if (c->max >= 0)
		rules_ev_add(f, "max", (double)c->max, "entries");
}

/* A fill outside the range on the low side, or inside an '@' range: the
 * limit is not the matter, so nothing raises it. */
static struct rules_finding *fill_not_above(struct rules_ctx *c, enum rules_sev sev, double fill)
{
	const struct rules_opts *o = c->opts;
	const char *range = o->fill_range[0] != '\0' ? o->fill_range : "?";
	struct rules_finding *f;

	if (o->fill_side == RULES_FILL_BELOW)
		f = rules_finding_add(
		    c, "table-fill", sev,
		    "The table is only %.2f%% full (%" PRIu64 " of %" PRId64 " entries), "
		    "below the %s range '%s': it tracks fewer flows than this check "
		    "expects, which points at traffic that no longer arrives or is no "
		    "longer tracked, not at the limit; watch whether new flows come in",
		    fill, c->snap->count, c->max, rules_sev_name(sev), range);
	else
		f = rules_finding_add(
		    c, "table-fill", sev,
		    "The table is %.2f%% full (%" PRIu64 " of %" PRId64 " entries), "
		    "inside the %s range '%s', the band of fill it alerts on: it says "
		    "nothing about the limit; compare the fill with what the range was "
		    "set for, and watch the trend",
		    fill, c->snap->count, c->max, rules_sev_name(sev), range);
	if (f == NULL)
		return NULL;
	rules_ev_count_max(c, f);
	rules_ev_add(f, "fill_pct", fill, "%");
	rules_cmd_tool(c, f, "ctadvisor watch --duration 60s", true);
	return f;
}

static void rule_table_fill(struct rules_ctx *c)
{
	const struct ct_snapshot *s = c->snap;
	double fill = c->rep->d.fill_pct;
	char range[RULES_RANGE_TEXT + 32] = "";
	bool is_garbage;
	enum rules_sev sev;
	struct rules_finding *f;

	if (fill < 0)
		return;
	if (fill >= c->opts->fill_crit_pct)
		sev = RULES_SEV_CRITICAL;
	else if (fill >= c->opts->fill_warn_pct)
		sev = RULES_SEV_WARNING;
	else
		return;
	if (c->opts->fill_side != RULES_FILL_ABOVE) {
		fill_not_above(c, sev, fill);
		return;
	}
	/* The kernel count includes expired entries the GC has not reaped yet. */
	is_garbage =
	    s->has_walk && (double)s->walk.entries * 100.0 < (double)s->count * LIVE_GARBAGE_PCT;
	if (c->opts->fill_range[0] != '\0')
		snprintf(range, sizeof(range), ", above the %s range '%s'", rules_sev_name(sev),
			 c->opts->fill_range);
	f = rules_finding_add(c, "table-fill", sev,
			      "The table is %.1f%% full (%" PRIu64 " of %" PRId64 " entries by the "
			      "kernel count)%s%s%s",
			      fill, s->count, c->max, range,
			      is_garbage
				  ? ", although the walk saw far fewer live entries: the rest "
				    "are expired entries not yet reaped"
				  : "",
			      rules_host_note(c));
	if (f == NULL)
		return;
	rules_ev_count_max(c, f);
	rules_ev_add(f, "fill_pct", fill, "%");
	if (is_garbage)
		rules_ev_add(f, "live_entries", (double)s->walk.entries, "entries");
	/* The demand seen: the live entries when the count is mostly garbage. */
	rules_cmd_raise_max(c, f, is_garbage ? s->walk.entries : s->count);
}

/* Buckets that bring the average chain at a full table back to the
 * kernel's 2, or the lower --load-warn. */
static uint64_t buckets_for_load(const struct rules_ctx *c)
{
	double target = c->opts->load_warn < 2 ? c->opts->load_warn : 2;
	double need = 2.0 * (double)c->max / target;
	uint64_t n;

	if (!(need < (double)INT32_MAX))
		need = (double)INT32_MAX;
	n = (uint64_t)need;
	return rules_buckets_for((double)n < need ? n + 1 : n);
}

/* The longest of B chains holding L entries on average is about
 * L + sqrt(2 L ln B) (a Poisson maximum): at the default --load-warn 16 and
 * 262144 buckets, 36, below the random 50-79 at which the kernel drops. So
 * a ratio such as kube-proxy's max = 2 x buckets (chains of 4) is fine; the
 * warning means the chains approach the limit at a full table. */
static double longest_chain(double load, int64_t buckets)
{
	return load + sqrt(2.0 * load * log((double)(buckets > 1 ? buckets : 2)));
}

static void rule_hash_load(struct rules_ctx *c)
{
	double load = c->rep->d.load_at_max, longest;
	struct rules_finding *f;

	if (load < 0 || load <= c->opts->load_warn)
		return;
	longest = longest_chain(load, c->buckets);
	f = rules_finding_add(
	    c, "hash-load", RULES_SEV_WARNING,
	    "At a full table the average hash chain would be %.2f entries long "
	    "(nf_conntrack_max %" PRId64 " over %" PRId64 " buckets), the longest "
	    "about %.0f, near the random 50-79 at which the kernel drops a new "
	    "flow; this check warns above an average of %g%s",
	    load, c->max, c->buckets, longest, c->opts->load_warn, rules_host_note(c));
	if (f == NULL)
		return;
	rules_ev_add(f, "max", (double)c->max, "entries");
	rules_ev_add(f, "buckets", (double)c->buckets, "buckets");
	rules_ev_add(f, "load_at_max", load, "");
	rules_ev_add(f, "longest_chain_at_max", longest, "entries");
	rules_cmd_apply(c, f, true,
			&(struct rules_knob){"nf_conntrack_buckets", buckets_for_load(c)}, 1);
}

/* acct-off / timestamp-off: what turning the extension on would cost. */
static void rule_ext_off(struct rules_ctx *c, const char *id, const char *knob, const char *what)
{
	uint64_t extra = c->is_ext_on ? 0 : EXT_AREA_BYTES;
	struct rules_finding *f;
	char cost[96] = "";

	if (c->max > 0 && extra > 0)
		snprintf(cost, sizeof(cost), ", %" PRIu64 " bytes at a full table of %" PRId64,
			 extra * (uint64_t)c->max, c->max);
	if (extra > 0)
		f = rules_finding_add(
		    c, id, RULES_SEV_INFO,
		    "%s is off (%s=0): turning it on costs %d bytes per entry for new "
		    "flows%s",
		    what, knob, EXT_AREA_BYTES, cost);
	else
		f = rules_finding_add(
		    c, id, RULES_SEV_INFO,
		    "%s is off (%s=0): turning it on costs nothing extra, as another "
		    "extension already allocates the shared %d-byte area per entry",
		    what, knob, EXT_AREA_BYTES);
	if (f == NULL)
		return;
	rules_ev_add(f, "ext_bytes", EXT_AREA_BYTES, "bytes");
	rules_ev_add(f, "extra_bytes_per_entry", (double)extra, "bytes");
	if (c->max > 0)
		rules_ev_add(f, "extra_bytes_at_max", (double)(extra * (uint64_t)c->max), "bytes");
	rules_cmd_apply(c, f, false, &(struct rules_knob){knob, 1}, 1);
}

static void rule_acct_timestamp(struct rules_ctx *c)
{
	if (c->snap->set.acct == 0)
		rule_ext_off(c, "acct-off", "nf_conntrack_acct",
			     "Per-flow packet and byte accounting");
	if (c->snap->set.timestamp == 0)
		rule_ext_off(c, "timestamp-off", "nf_conntrack_timestamp", "Flow timestamping");
}

static void rule_unreplied(struct rules_ctx *c)
{
	const struct snap_walk *w = &c->snap->walk;
	double share;
	struct rules_finding *f;

	if (!c->snap->has_walk || w->entries == 0 || w->entries < c->opts->unreplied_min)
		return;
	share = rules_pct((double)w->unreplied, (double)w->entries);
	if (share < c->opts->unreplied_warn_pct)
		return;
	f = rules_finding_add(
	    c, "unreplied-high", RULES_SEV_WARNING,
	    "%.1f%% of the %" PRIu64 " live entries (%" PRIu64 ") never saw a reply: "
	    "typical of scans, one-way UDP or asymmetric routing; see the top sources",
	    share, w->entries, w->unreplied);
	if (f == NULL)
		return;
	rules_ev_add(f, "unreplied", (double)w->unreplied, "entries");
	rules_ev_add(f, "entries", (double)w->entries, "entries");
	rules_ev_add(f, "unreplied_pct", share, "%");
}

static void rule_memory(struct rules_ctx *c)
{
	int64_t mem = c->rep->d.mem_at_max_bytes;
	double share = mem >= 0 ? rules_pct((double)mem, (double)c->snap->ram_bytes) : -1;
	enum rules_sev sev;
	struct rules_finding *f;

	if (share < 0)
		return;
	if (share >= c->opts->mem_crit_pct_ram)
		sev = RULES_SEV_CRITICAL;
	else if (share >= c->opts->mem_warn_pct_ram)
		sev = RULES_SEV_WARNING;
	else
		return;
	f = rules_finding_add(c, "memory-at-max", sev,
			      "A full table of %" PRId64 " entries would take %" PRId64
			      " bytes of kernel "
			      "memory, %.1f%% of RAM, in each network namespace that fills up",
			      c->max, mem, share);
	if (f == NULL)
		return;
	rules_ev_add(f, "mem_at_max_bytes", (double)mem, "bytes");
	rules_ev_add(f, "ram_bytes", (double)c->snap->ram_bytes, "bytes");
	rules_ev_add(f, "mem_pct_ram", share, "%");
	rules_ev_add(f, "max", (double)c->max, "entries");
	rules_cmd_tool(c, f, "ctadvisor plan", false);
}

static void rule_tcp_knobs(struct rules_ctx *c)
{
	struct rules_finding *f;

	if (c->snap->set.tcp_be_liberal == 1) {
		f = rules_finding_add(
		    c, "tcp-be-liberal", RULES_SEV_INFO,
		    "TCP window checks are off (nf_conntrack_tcp_be_liberal=1): "
		    "out-of-window packets are accepted and not counted as invalid");
		if (f != NULL) {
			rules_ev_add(f, "tcp_be_liberal", 1, "");
			rules_cmd_apply(c, f, false,
					&(struct rules_knob){"nf_conntrack_tcp_be_liberal", 0}, 1);
		}
	}
	if (c->snap->set.tcp_loose == 0) {
		f = rules_finding_add(
		    c, "tcp-loose-off", RULES_SEV_INFO,
		    "Mid-stream pickup is off (nf_conntrack_tcp_loose=0): flushing TCP "
		    "entries breaks the established connections they tracked");
		if (f != NULL)
			rules_ev_add(f, "tcp_loose", 0, "");
	}
}

static void rule_walk(struct rules_ctx *c)
{
	const struct snap_walk *w = &c->snap->walk;
	struct rules_finding *f;

	if (!c->snap->has_walk || (!w->is_interrupted && w->lost == 0 && w->err == 0))
		return;
	/* A dump that failed part-way misses entries; a changed table only blurs. */
	f = rules_finding_add(c, "walk-interrupted",
			      w->err != 0 ? RULES_SEV_WARNING : RULES_SEV_INFO,
			      "The table walk figures are approximate: %s%s%s",
			      w->is_interrupted ? "the table changed during the dump; " : "",
			      w->lost > 0 ? "netlink messages were lost; " : "",
			      w->err != 0 ? "the dump failed part-way" : "the counts may be off");
	if (f == NULL)
		return;
	rules_ev_add(f, "entries", (double)w->entries, "entries");
	rules_ev_add(f, "lost", (double)w->lost, "messages");
	rules_ev_add(f, "interrupted", w->is_interrupted ? 1 : 0, "");
	rules_ev_add(f, "errno", w->err, "");
}

static void rule_partial(struct rules_ctx *c)
{
	size_t n = c->snap->n_problems;
	struct rules_finding *f;

	if (n == 0)
		return;
	f = rules_finding_add(
	    c, "partial-data", RULES_SEV_INFO,
	    "%zu part%s of the data could not be read, so some rules could not run", n,
	    n == 1 ? "" : "s");
	if (f != NULL)
		rules_ev_add(f, "problems", (double)n, "");
}

/* Stable insertion sort, most severe first. */
static void sort_findings(struct rules_report *rep)
{
	for (size_t i = 1; i < rep->n_findings; i++) {
		struct rules_finding tmp = rep->findings[i];
		size_t j = i;

		for (; j > 0 && rep->findings[j - 1].sev < tmp.sev; j--)
			rep->findings[j] = rep->findings[j - 1];
		rep->findings[j] = tmp;
	}
}

void rules_evaluate(const struct ct_snapshot *snap, const struct rules_opts *opts,
		    struct rules_report *rep)
{
	struct rules_opts defaults;
	struct rules_ctx c = {.snap = snap, .opts = opts, .rep = rep};
	void (*const rules[])(struct rules_ctx *) = {
	    rules_counter_findings, rule_table_fill, rule_hash_load,
	    rule_acct_timestamp,    rule_unreplied,  rule_memory,
	    rule_tcp_knobs,         rule_walk,       rule_partial,
	};

	if (opts == NULL) {
		rules_opts_default(&defaults);
		c.opts = &defaults;
	}
	memset(rep, 0, sizeof(*rep));
	rep->is_unknown = !snap->has_count;
	derive(&c);
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		rules[i](&c);
	sort_findings(rep);
	rep->worst = RULES_SEV_OK;
	for (size_t i = 0; i < rep->n_findings; i++)
		if (rep->findings[i].sev > rep->worst)
			rep->worst = rep->findings[i].sev;
}

void rules_report_add(struct rules_report *rep, const struct rules_finding *f)
{
	size_t i = rep->n_findings;

	if (i == RULES_FINDINGS) {
		if (f->sev <= rep->findings[i - 1].sev)
			return;
		i--;
	} else {
		rep->n_findings++;
	}
	for (; i > 0 && rep->findings[i - 1].sev < f->sev; i--)
		rep->findings[i] = rep->findings[i - 1];
	rep->findings[i] = *f;
	if (f->sev > rep->worst)
		rep->worst = f->sev;
}
