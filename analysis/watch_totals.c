/* watch_totals.c: monotonic conntrack -S totals over a watch (see
 * watch_totals.h). */
#include "watch_totals.h"

/* The slots each CPU of s reported, ORed. */
static uint32_t sample_present(const struct rates_sample *s)
{
	uint32_t present = 0;

	for (size_t i = 0; i < s->n_cpus; i++)
		present |= s->cpus[i].present;
	return present;
}

void watch_totals_add(struct watch_totals *t, const struct rates_sample *prev,
		      const struct rates_sample *cur)
{
	uint32_t present = sample_present(cur);

	for (unsigned s = 0; s < SNAP_STAT_SLOTS; s++) {
		if (!(present & (UINT32_C(1) << s)))
			continue;
		if (prev != NULL && (t->present & (UINT32_C(1) << s))) {
			t->v[s] += rates_delta(prev, cur, s);
			continue;
		}
		/* first seen: the sum over CPUs is where the total starts */
		t->v[s] = 0;
		for (size_t i = 0; i < cur->n_cpus; i++)
			if (cur->cpus[i].present & (UINT32_C(1) << s))
				t->v[s] += cur->cpus[i].v[s];
	}
	t->present |= present;
	t->samples++;
}
