/* plan_guard.c: a plan never advises harm. Shrinking nf_conntrack_max saves
 * little memory (256 B an entry) and, sized from a quiet moment, refuses
 * the flows of the next busy hour; so a recommendation below the current
 * settings is kept at them unless the evidence covers the busy hours. */
#include <stddef.h>

#include "plan.h"

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Why a shrink is not allowed, or NULL when it is. */
static const char *shrink_refusal(const struct plan_input *in)
{
	if (in->src != PLAN_DEMAND_PEAK || in->window_s <= 0)
		return "below the current settings, and the demand is not a watch summary of "
		       "the busy hours: kept (plan --from a summary of a day or more and "
		       "--allow-shrink to lower them)";
	if (in->window_s < PLAN_SHRINK_MIN_WINDOW_S)
		return "below the current settings, but the watch summary covers less than a "
		       "day: kept (a shrink needs a summary of the busy hours, 24 h or more)";
	if (in->is_capped)
		return "below the current settings, but the table was full: the demand is a "
		       "lower bound, kept";
	if (!in->allow_shrink)
		return "below the current settings: kept (--allow-shrink lowers them)";
	return NULL;
}

/* Both knobs at or below the current ones, one of them lower. */
static void guard_lower(const struct plan_input *in, struct plan_result *r,
			const struct plan_sizing *cur)
{
	const char *why = shrink_refusal(in);
	struct plan_sizing def;

	if (why != NULL) {
		r->rec.max = cur->max;
		r->rec.buckets = cur->buckets;
		r->change = PLAN_CHANGE_NONE;
		r->kept_why = why;
		return;
	}
	plan_kernel_default(in->ram_bytes, in->page_bytes, in->is_64bit, &def);
	r->rec.max = max_u64(r->rec.max, def.max);
	r->rec.buckets = max_u64(r->rec.buckets, def.buckets);
	r->change = r->rec.max == cur->max && r->rec.buckets == cur->buckets ? PLAN_CHANGE_NONE
									     : PLAN_CHANGE_SHRINK;
	if (r->rec.max > r->sized.max || r->rec.buckets > r->sized.buckets)
		r->kept_why = "a shrink stops at the kernel's default for this RAM";
}

void plan_guard(const struct plan_input *in, struct plan_result *r)
{
	struct plan_sizing cur = {0};

	r->sized = r->rec;
	r->change = PLAN_CHANGE_UNKNOWN;
	r->kept_why = NULL;
	r->headroom_now_pct = -1;
	if (in->cur_max < 0 || in->cur_buckets < 0)
		return;
	cur.max = (uint64_t)in->cur_max;
	cur.buckets = (uint64_t)in->cur_buckets;
	if (cur.max > 0)
		r->headroom_now_pct = 100.0 * (1.0 - (double)r->demand / (double)cur.max);
	if (r->demand == 0 && in->src != PLAN_DEMAND_TARGET) {
		r->rec.max = cur.max;
		r->rec.buckets = cur.buckets;
		r->change = PLAN_CHANGE_NO_DEMAND;
		r->kept_why = "no demand was measured (0 entries): nothing to size from; run "
			      "'ctadvisor watch --save' over the busy hours and plan --from it";
		return;
	}
	if (r->rec.max <= cur.max && r->rec.buckets <= cur.buckets) {
		if (r->rec.max == cur.max && r->rec.buckets == cur.buckets)
			r->change = PLAN_CHANGE_NONE;
		else
			guard_lower(in, r, &cur);
		return;
	}
	r->change = PLAN_CHANGE_RAISE;
	if (r->rec.max < cur.max || r->rec.buckets < cur.buckets)
		r->kept_why = "one knob would go down while the other goes up: it is kept";
	r->rec.max = max_u64(r->rec.max, cur.max);
	r->rec.buckets = max_u64(r->rec.buckets, cur.buckets);
}
