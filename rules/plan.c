/* plan.c: the sizing arithmetic behind `ctadvisor plan`. All integer maths is
 * 64-bit with every input bounded before it is multiplied, so no step can
 * wrap; fractions (growth, headroom) are taken to millionths so that, say,
 * 100 x 1.1 is exactly 110 rather than 110.00000000000001 rounded up to 111. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "plan.h"

#define MICRO            1000000u
#define BUCKET_BYTES     8u /* sizeof(struct hlist_nulls_head) */
#define GIB              (UINT64_C(1) << 30)
#define KERN_RAM_PER_BKT 131072u /* 16384 bytes of RAM / 8 bytes per bucket */

/* Record err (if wanted) and return rc. */
static int fail(struct plan_error *err, int rc, const char *field, const char *reason)
{
	if (err != NULL) {
		err->field = field;
		err->reason = reason;
		err->index = 0;
	}
	return rc;
}

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

static uint64_t round_up(uint64_t a, uint64_t m)
{
	return div_up(a, m) * m;
}

static bool is_pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

/* The band a value falls in decides its step: coarser steps for larger
 * tables keep the number readable without adding more than ~6 %. */
static uint64_t tidy_step(uint64_t x)
{
	if (x <= 131072)
		return 1024;
	if (x <= 1048576)
		return 16384;
	return 65536;
}

uint64_t plan_tidy_max(uint64_t x)
{
	if (x <= PLAN_MIN_MAX)
		return PLAN_MIN_MAX;
	return round_up(x, tidy_step(x));
}

/* Largest tidy value <= x (0 if x < 1024). Steps divide one another, so
 * rounding down by x's own step lands on a tidy value of a lower band too. */
static uint64_t tidy_down(uint64_t x)
{
	if (x < PLAN_MIN_MAX)
		return 0;
	return x / tidy_step(x) * tidy_step(x);
}

uint64_t plan_kernel_round_buckets(uint64_t buckets, uint64_t page_bytes)
{
	return round_up(buckets, page_bytes / BUCKET_BYTES);
}

void plan_kernel_default(uint64_t ram_bytes, uint64_t page_bytes, bool is_64bit,
			 struct plan_sizing *out)
{
	uint64_t nr_pages = ram_bytes / page_bytes;
	uint64_t b = nr_pages * page_bytes / KERN_RAM_PER_BKT;

	if (is_64bit && nr_pages > 4 * (GIB / page_bytes))
		b = 262144;
	else if (nr_pages > GIB / page_bytes)
		b = 65536;
	if (b < 1024)
		b = 1024;
	b = plan_kernel_round_buckets(b, page_bytes);
	/* max_factor 1 unless hashsize= was given at boot */
	*out = (struct plan_sizing){.max = b, .buckets = b};
}

void plan_input_init(struct plan_input *in)
{
	*in = (struct plan_input){
	    .src = PLAN_DEMAND_PEAK,
	    .growth = 1.0,
	    .headroom = PLAN_DEFAULT_HEADROOM,
	    .load = PLAN_DEFAULT_LOAD,
	    .is_64bit = true,
	    .slab_bytes = PLAN_DEFAULT_SLAB_BYTES,
	    .ext_bytes = PLAN_DEFAULT_EXT_BYTES,
	    .page_bytes = PLAN_DEFAULT_PAGE_BYTES,
	    .cur_max = -1,
	    .cur_buckets = -1,
	    .cur_count = -1,
	    .kube = {.src = PLAN_KUBE_DEFAULTS, .per_core = -1, .min = -1},
	};
}

static int check_demand_input(const struct plan_input *in, struct plan_error *err)
{
	switch (in->src) {
	case PLAN_DEMAND_PEAK:
	case PLAN_DEMAND_CURRENT:
		if (!isfinite(in->growth) || in->growth <= 0)
			return fail(err, -EINVAL, "growth", "must be a finite number > 0");
		if (in->growth > PLAN_GROWTH_MAX)
			return fail(err, -ERANGE, "growth", "must be at most 1000000");
		if (llround(in->growth * MICRO) == 0)
			return fail(err, -ERANGE, "growth", "must be at least 0.000001");
		return 0;
	case PLAN_DEMAND_TARGET:
		if (in->target_entries == 0)
			return fail(err, -EINVAL, "target_entries", "must be at least 1");
		return 0;
	}
	return fail(err, -EINVAL, "src", "unknown demand source");
}

static int check_host_input(const struct plan_input *in, struct plan_error *err)
{
	if (in->ram_bytes == 0)
		return fail(err, -EINVAL, "ram_bytes", "must be > 0");
	if (in->cpus == 0)
		return fail(err, -EINVAL, "cpus", "must be > 0");
	if (in->slab_bytes == 0 || in->slab_bytes > PLAN_OBJ_BYTES_MAX)
		return fail(err, -EINVAL, "slab_bytes", "must be 1..65536");
	if (in->ext_bytes > PLAN_OBJ_BYTES_MAX)
		return fail(err, -EINVAL, "ext_bytes", "must be 0..65536");
	if (!is_pow2(in->page_bytes) || in->page_bytes < 512 || in->page_bytes > (1u << 20))
		return fail(err, -EINVAL, "page_bytes", "must be a power of two, 512..1048576");
	if (in->cur_max < -1 || in->cur_max > (int64_t)PLAN_MAX_LIMIT)
		return fail(err, -EINVAL, "cur_max", "must be -1 (unknown) or 0..2147483647");
	if (in->cur_buckets < -1 || in->cur_buckets > (int64_t)PLAN_BUCKETS_LIMIT)
		return fail(err, -EINVAL, "cur_buckets", "must be -1 (unknown) or 0..268435455");
	if (in->cur_count < -1 || in->cur_count > (int64_t)PLAN_MAX_LIMIT)
		return fail(err, -EINVAL, "cur_count", "must be -1 (unknown) or 0..2147483647");
	return 0;
}

static int check_input(const struct plan_input *in, struct plan_error *err)
{
	int rc = check_demand_input(in, err);

	if (rc < 0)
		return rc;
	if (!isfinite(in->headroom) || in->headroom < 0 || in->headroom >= 1 ||
	    llround(in->headroom * MICRO) >= MICRO)
		return fail(err, -EINVAL, "headroom", "must be a fraction >= 0 and < 1");
	if (in->load == 0 || in->load > PLAN_LOAD_MAX)
		return fail(err, -EINVAL, "load", "must be 1..64 entries per bucket");
	return check_host_input(in, err);
}

/* Append a step; the working text is printf-formatted. */
__attribute__((format(printf, 6, 7))) static void step(struct plan_result *r, const char *name,
						       const char *formula, double value,
						       const char *unit, const char *fmt, ...)
{
	struct plan_step *s;
	va_list ap;

	if (r->n_steps >= PLAN_MAX_STEPS)
		return;
	s = &r->steps[r->n_steps++];
	s->name = name;
	s->formula = formula;
	s->value = value;
	s->unit = unit;
	va_start(ap, fmt);
	(void)vsnprintf(s->working, sizeof(s->working), fmt, ap);
	va_end(ap);
}

static uint64_t per_entry(const struct plan_input *in, bool with_ext)
{
	return in->slab_bytes + (with_ext ? in->ext_bytes : 0);
}

/* Memory for a sizing; max <= 2^31 and per-entry <= 2^17, so no wrap. */
static void fill_mem(const struct plan_input *in, struct plan_sizing *s)
{
	s->mem_bytes = s->max * per_entry(in, false) + s->buckets * BUCKET_BYTES;
	s->mem_ext_bytes = s->max * per_entry(in, true) + s->buckets * BUCKET_BYTES;
}

static uint64_t buckets_for(const struct plan_input *in, uint64_t max)
{
	return plan_kernel_round_buckets(div_up(max, in->load), in->page_bytes);
}

/* demand = base x growth (in millionths, split so nothing wraps) or target. */
static int do_demand(const struct plan_input *in, struct plan_result *r, struct plan_error *err)
{
	uint64_t g = (uint64_t)llround(in->growth * MICRO); /* <= 10^12 */
	uint64_t hi, d;
	const char *what = in->src == PLAN_DEMAND_PEAK ? "peak" : "current";

	if (in->src == PLAN_DEMAND_TARGET) {
		d = in->target_entries;
		step(r, "demand", "target", (double)d, "entries", "%" PRIu64, d);
	} else {
		if (__builtin_mul_overflow(in->base_entries / MICRO, g, &hi) || hi > PLAN_MAX_LIMIT)
			return fail(
			    err, -ERANGE, "max",
			    "demand exceeds 2147483647, the largest nf_conntrack_max (a C int)");
		d = hi + div_up(in->base_entries % MICRO * g, MICRO);
		step(r, "demand",
		     in->src == PLAN_DEMAND_PEAK ? "peak x growth" : "current x growth", (double)d,
		     "entries", "%s %" PRIu64 " x %.6g = %" PRIu64, what, in->base_entries,
		     (double)g / MICRO, d);
	}
	if (d > PLAN_MAX_LIMIT)
		return fail(err, -ERANGE, "max",
			    "demand exceeds 2147483647, the largest nf_conntrack_max (a C int)");
	r->demand = d;
	return 0;
}

/* max_raw, tidy max, buckets, chain length at full. */
static int do_size(const struct plan_input *in, struct plan_result *r, struct plan_error *err)
{
	uint64_t h = (uint64_t)llround(in->headroom * MICRO);
	uint64_t raw = div_up(r->demand * MICRO, MICRO - h); /* demand <= 2^31: no wrap */
	uint64_t max = plan_tidy_max(raw);
	uint64_t braw, b;
	bool is_all = false;

	step(r, "max_raw", "ceil(demand / (1 - headroom))", (double)raw, "entries",
	     "ceil(%" PRIu64 " / (1 - %.6g)) = %" PRIu64, r->demand, (double)h / MICRO, raw);
	if (max > PLAN_MAX_LIMIT)
		return fail(
		    err, -ERANGE, "max",
		    "the plan needs more than 2147483647 entries, the largest nf_conntrack_max (a C int)");
	step(r, "max", "tidy(max_raw)", (double)max, "entries",
	     "%" PRIu64 " rounded up to a multiple of %" PRIu64 " (min 1024) = %" PRIu64, raw,
	     tidy_step(raw), max);
	braw = div_up(max, in->load);
	if (in->total_entries > in->base_entries && in->src != PLAN_DEMAND_TARGET) {
		/* all namespaces hash into one table: size it for their sum */
		uint64_t all = (uint64_t)ceil((double)in->total_entries * in->growth);
		uint64_t all_max = plan_tidy_max(div_up(all * MICRO, MICRO - h));

		if (all_max > max) {
			is_all = true;
			braw = div_up(all_max, in->load);
			step(r, "buckets_raw",
			     "ceil(tidy(all namespaces x growth / (1 - headroom)) / load)",
			     (double)braw, "buckets",
			     "ceil(tidy(%" PRIu64 " / (1 - %.6g)) / %u) = %" PRIu64, all,
			     (double)h / MICRO, in->load, braw);
		}
	}
	if (!is_all)
		step(r, "buckets_raw", "ceil(max / load)", (double)braw, "buckets",
		     "ceil(%" PRIu64 " / %u) = %" PRIu64, max, in->load, braw);
	b = plan_kernel_round_buckets(braw, in->page_bytes);
	if (b > PLAN_BUCKETS_LIMIT)
		return fail(
		    err, -ERANGE, "buckets",
		    "more than 268435455 buckets (INT_MAX / 8), which the kernel refuses; raise load");
	step(r, "buckets", "roundup(buckets_raw, page / 8)", (double)b, "buckets",
	     "roundup(%" PRIu64 ", %" PRIu64 ") = %" PRIu64, braw, in->page_bytes / BUCKET_BYTES,
	     b);
	r->max_raw = raw;
	r->rec.max = max;
	r->rec.buckets = b;
	r->chain_at_full = 2.0 * (double)max / (double)b;
	step(r, "chain_at_full", "2 x max / buckets", r->chain_at_full, "x",
	     "2 x %" PRIu64 " / %" PRIu64 " = %.3g", max, b, r->chain_at_full);
	return 0;
}

static void do_memory(const struct plan_input *in, struct plan_result *r)
{
	fill_mem(in, &r->rec);
	step(r, "mem", "max x slab + buckets x 8", (double)r->rec.mem_bytes, "bytes",
	     "%" PRIu64 " x %" PRIu64 " + %" PRIu64 " x 8 = %" PRIu64, r->rec.max, in->slab_bytes,
	     r->rec.buckets, r->rec.mem_bytes);
	step(r, "mem_ext", "max x (slab + ext) + buckets x 8", (double)r->rec.mem_ext_bytes,
	     "bytes", "%" PRIu64 " x (%" PRIu64 " + %" PRIu64 ") + %" PRIu64 " x 8 = %" PRIu64,
	     r->rec.max, in->slab_bytes, in->ext_bytes, r->rec.buckets, r->rec.mem_ext_bytes);
	r->mem_used_bytes = in->has_ext ? r->rec.mem_ext_bytes : r->rec.mem_bytes;
	r->mem_used_pct_ram = 100.0 * (double)r->mem_used_bytes / (double)in->ram_bytes;
	step(r, "mem_pct_ram", in->has_ext ? "mem_ext / ram x 100" : "mem / ram x 100",
	     r->mem_used_pct_ram, "%", "%" PRIu64 " / %" PRIu64 " x 100 = %.3f", r->mem_used_bytes,
	     in->ram_bytes, r->mem_used_pct_ram);
}

static uint64_t mem_at(const struct plan_input *in, uint64_t max)
{
	return max * per_entry(in, in->has_ext) + buckets_for(in, max) * BUCKET_BYTES;
}

/* Largest tidy max whose memory (and bucket count) fits the budget: memory
 * grows with max, so bisect for the largest fitting max, then round down. */
static uint64_t fit_budget(const struct plan_input *in)
{
	uint64_t lo = 0, hi = tidy_down(PLAN_MAX_LIMIT);

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo + 1) / 2;
		if (mem_at(in, mid) <= in->budget_bytes &&
		    buckets_for(in, mid) <= PLAN_BUCKETS_LIMIT)
			lo = mid;
		else
			hi = mid - 1;
	}
	return tidy_down(lo);
}

static int do_budget(const struct plan_input *in, struct plan_result *r, struct plan_error *err)
{
	if (in->budget_bytes == 0)
		return 0;
	if (in->cur_count >= 0) {
		uint64_t in_use =
		    (uint64_t)in->cur_count * per_entry(in, in->has_ext) +
		    (in->cur_buckets > 0 ? (uint64_t)in->cur_buckets * BUCKET_BYTES : 0);
		if (in->budget_bytes < in_use)
			return fail(err, -EINVAL, "budget_bytes",
				    "below the memory the current entries already use");
	}
	r->has_budget = true;
	r->is_over_budget = r->mem_used_bytes > in->budget_bytes;
	r->fit.max = fit_budget(in);
	if (r->fit.max > 0) {
		r->fit.buckets = buckets_for(in, r->fit.max);
		fill_mem(in, &r->fit);
	}
	step(r, "budget_fit_max", "largest tidy max with memory <= budget", (double)r->fit.max,
	     "entries", "budget %" PRIu64 " bytes: max %" PRIu64 " (%s)", in->budget_bytes,
	     r->fit.max, r->is_over_budget ? "plan is over budget" : "plan fits");
	return 0;
}

/* kube-proxy's figures: its own values when it runs, the 1.36+ rule and
 * the older one; what it does at its next start to the recommendation. */
static void do_kube(const struct plan_input *in, struct plan_result *r)
{
	uint64_t pc = plan_kube_value(in->kube.per_core, PLAN_KUBE_PER_CORE);
	uint64_t mn = plan_kube_value(in->kube.min, PLAN_KUBE_MIN);

	r->kube_per_core = pc;
	r->kube_min = mn;
	plan_kube_proxy(in->cpus, pc, mn, true, in->cur_buckets, in->page_bytes, &r->kube);
	plan_kube_proxy(in->cpus, pc, mn, false, in->cur_buckets, in->page_bytes, &r->kube_old);
	fill_mem(in, &r->kube);
	fill_mem(in, &r->kube_old);
	r->kube_effect = plan_kube_effect_of(in, r->kube.max, r->rec.max);
	if (pc == 0)
		step(r, "kube_proxy", "maxPerCore 0: max and hashsize left alone", 0, "entries",
		     "--conntrack-max-per-core=0: nothing written");
	else
		step(r, "kube_proxy",
		     "max = max(maxPerCore x cpus, min), maxPerCore x cpus capped at 1048576 "
		     "(1.36+); buckets >= max / 4",
		     (double)r->kube.max, "entries",
		     "max(%" PRIu64 " x %u, %" PRIu64 ") -> max %" PRIu64 ", buckets %" PRIu64, pc,
		     in->cpus, mn, r->kube.max, r->kube.buckets);
}

static void do_compare(const struct plan_input *in, struct plan_result *r)
{
	plan_kernel_default(in->ram_bytes, in->page_bytes, in->is_64bit, &r->kern_def);
	fill_mem(in, &r->kern_def);
	step(
	    r, "kernel_default",
	    "RAM/131072, 262144 if 64-bit and RAM > 4 GiB, 65536 if > 1 GiB, min 1024; max = buckets",
	    (double)r->kern_def.max, "entries",
	    "ram %" PRIu64 " -> buckets %" PRIu64 ", max %" PRIu64, in->ram_bytes,
	    r->kern_def.buckets, r->kern_def.max);
	do_kube(in, r);
	if (in->cur_max >= 0 && in->cur_buckets >= 0) {
		r->has_current = true;
		r->current.max = (uint64_t)in->cur_max;
		r->current.buckets = (uint64_t)in->cur_buckets;
		fill_mem(in, &r->current);
	}
}

int plan_compute(const struct plan_input *in, struct plan_result *out, struct plan_error *err)
{
	static const struct plan_result zero;
	struct plan_result r = zero;
	int rc;

	rc = check_input(in, err);
	if (rc < 0)
		return rc;
	rc = do_demand(in, &r, err);
	if (rc < 0)
		return rc;
	rc = do_size(in, &r, err);
	if (rc < 0)
		return rc;
	plan_guard(in, &r);
	r.chain_at_full = 2.0 * (double)r.rec.max / (double)r.rec.buckets;
	do_memory(in, &r);
	rc = do_budget(in, &r, err);
	if (rc < 0)
		return rc;
	do_compare(in, &r);
	*out = r;
	return 0;
}

int plan_little(double new_per_s, double lifetime_s, double *entries)
{
	if (!isfinite(new_per_s) || new_per_s < 0 || !isfinite(lifetime_s) || lifetime_s < 0)
		return -EINVAL;
	*entries = new_per_s * lifetime_s;
	return 0;
}

static int fail_at(struct plan_error *err, int rc, const char *field, const char *reason, size_t i)
{
	fail(err, rc, field, reason);
	if (err != NULL)
		err->index = i;
	return rc;
}

static int check_changes(const struct plan_timeout *chg, size_t n_chg, struct plan_error *err)
{
	for (size_t j = 0; j < n_chg; j++) {
		if (chg[j].knob == NULL || chg[j].knob[0] == '\0')
			return fail_at(err, -EINVAL, "knob", "must name a sysctl", j);
		if (!isfinite(chg[j].timeout_s) || chg[j].timeout_s <= 0)
			return fail_at(err, -EINVAL, "timeout_s", "must be a finite number > 0", j);
	}
	return 0;
}

/* The smallest new timeout of class c's knob, or 0 when unchanged. */
static double new_timeout(const struct plan_class *c, const struct plan_timeout *chg, size_t n_chg)
{
	double t = 0;

	if (c->timeout_knob == NULL)
		return 0;
	for (size_t j = 0; j < n_chg; j++)
		if (strcmp(chg[j].knob, c->timeout_knob) == 0 && (t == 0 || chg[j].timeout_s < t))
			t = chg[j].timeout_s;
	return t;
}

/* Lifetime of class c after the changes (the model in plan.h). */
static double lifetime_after(const struct plan_class *c, const struct plan_timeout *chg,
			     size_t n_chg)
{
	double t = new_timeout(c, chg, n_chg);
	double idle = c->idle_share * c->idle_lifetime_s, rest_share = 1 - c->idle_share;
	double rest = rest_share > 1e-12 ? fmax(0, (c->lifetime_s - idle) / rest_share) : 0;
	double idle_after;

	if (t == 0)
		return c->lifetime_s;
	if (c->timeout_s > 0 && c->idle_lifetime_s >= c->timeout_s)
		idle_after = c->idle_lifetime_s - c->timeout_s + t;
	else
		idle_after = fmin(c->idle_lifetime_s, t);
	return c->idle_share * idle_after + (rest_share > 1e-12 ? rest_share * fmin(rest, t) : 0);
}

static bool is_bad(double v)
{
	return !isfinite(v) || v < 0;
}

static int check_class(const struct plan_class *c, size_t i, struct plan_error *err)
{
	double unused;

	if (!isfinite(c->new_per_s) || c->new_per_s < 0)
		return fail_at(err, -EINVAL, "new_per_s", "must be a finite number >= 0", i);
	if (plan_little(c->new_per_s, c->lifetime_s, &unused) < 0)
		return fail_at(err, -EINVAL, "lifetime_s", "must be a finite number >= 0", i);
	if (is_bad(c->timeout_s))
		return fail_at(err, -EINVAL, "timeout_s", "must be a finite number >= 0", i);
	if (is_bad(c->idle_share) || c->idle_share > 1)
		return fail_at(err, -EINVAL, "idle_share", "must be a fraction 0..1", i);
	if (is_bad(c->idle_lifetime_s) ||
	    c->idle_share * c->idle_lifetime_s > c->lifetime_s * (1 + 1e-9) + 1e-9)
		return fail_at(err, -EINVAL, "idle_lifetime_s",
			       "must be >= 0, and its share at most the class's lifetime", i);
	return 0;
}

/* ceil(), except that a value within 1e-9 (relative) of an integer is that
 * integer: 100 x 0.3 is 30, not 31. */
static uint64_t ceil_tolerant(double x)
{
	double r = nearbyint(x);

	if (fabs(x - r) <= 1e-9 * fmax(1.0, x))
		return (uint64_t)r;
	return (uint64_t)ceil(x);
}

int plan_whatif(const struct plan_class *cls, size_t n, const struct plan_timeout *chg,
		size_t n_chg, struct plan_whatif *out, struct plan_error *err)
{
	static const struct plan_whatif zero;
	struct plan_whatif w = zero;
	int rc;

	if (n > PLAN_MAX_CLASSES)
		return fail_at(err, -ERANGE, "n", "too many classes (at most 32)", n);
	rc = check_changes(chg, n_chg, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		rc = check_class(&cls[i], i, err);
		if (rc < 0)
			return rc;
		w.before[i] = cls[i].new_per_s * cls[i].lifetime_s;
		w.lifetime_after_s[i] = lifetime_after(&cls[i], chg, n_chg);
		w.is_changed[i] = fabs(w.lifetime_after_s[i] - cls[i].lifetime_s) >
				  1e-9 * fmax(1.0, cls[i].lifetime_s);
		if (!w.is_changed[i])
			w.lifetime_after_s[i] = cls[i].lifetime_s;
		w.n_changed += w.is_changed[i];
		w.after[i] = cls[i].new_per_s * w.lifetime_after_s[i];
		w.before_total += w.before[i];
		w.after_total += w.after[i];
	}
	if (!(w.before_total <= 9007199254740992.0) || /* 2^53; also catches inf */
	    !(w.after_total <= 9007199254740992.0))
		return fail_at(err, -ERANGE, "new_per_s", "projected entries beyond 2^53", 0);
	w.n = n;
	w.after_entries = ceil_tolerant(w.after_total);
	*out = w;
	return 0;
}
