/* plan_kube.c: what kube-proxy writes to nf_conntrack_max and the hash size
 * (its getConntrackMax() and the hashsize check after it), with its own
 * values when it runs, and what that does to a recommendation. */
#include "plan.h"

void plan_kube_proxy(unsigned cpus, uint64_t per_core, uint64_t min, bool has_cap,
		     int64_t cur_buckets, uint64_t page_bytes, struct plan_sizing *out)
{
	uint64_t scaled = per_core * cpus; /* both below 2^32: no wrap */
	uint64_t max, want;

	*out = (struct plan_sizing){0};
	if (per_core == 0) {
		/* it leaves max alone, and so the hash size too */
		out->buckets = cur_buckets > 0 ? (uint64_t)cur_buckets : 0;
		return;
	}
	if (has_cap && scaled > PLAN_KUBE_CAP)
		max = PLAN_KUBE_CAP; /* even below min: the cap is checked first */
	else
		max = scaled > min ? scaled : min;
	want = max / PLAN_KUBE_LOAD;
	out->max = max;
	if (cur_buckets >= 0 && (uint64_t)cur_buckets >= want)
		out->buckets = (uint64_t)cur_buckets; /* kube-proxy never shrinks it */
	else
		out->buckets = plan_kernel_round_buckets(want, page_bytes);
}

uint64_t plan_kube_value(int64_t v, uint64_t dflt)
{
	return v < 0 ? dflt : (uint64_t)v;
}

enum plan_kube_effect plan_kube_effect_of(const struct plan_input *in, uint64_t kube_max,
					  uint64_t rec_max)
{
	if (in->kube.src == PLAN_KUBE_DEFAULTS)
		return PLAN_KUBE_NOT_RUNNING;
	if (in->kube.src == PLAN_KUBE_UNREAD)
		return PLAN_KUBE_UNKNOWN;
	if (kube_max == 0)
		return PLAN_KUBE_LEAVES;
	if (kube_max == rec_max)
		return PLAN_KUBE_AGREES;
	return kube_max > rec_max ? PLAN_KUBE_RAISES : PLAN_KUBE_LOWERS;
}
