/* rates.c: counter deltas with 32-bit wrap, and the watch summary. */
#include <string.h>

#include "rates.h"

static const struct snap_cpu_stats *find_cpu(const struct rates_sample *s, unsigned cpu,
					     size_t hint)
{
	if (hint < s->n_cpus && s->cpus[hint].cpu == cpu)
		return &s->cpus[hint];
	for (size_t i = 0; i < s->n_cpus; i++)
		if (s->cpus[i].cpu == cpu)
			return &s->cpus[i];
	return NULL;
}

uint64_t rates_delta(const struct rates_sample *prev, const struct rates_sample *cur, unsigned slot)
{
	uint64_t sum = 0;

	if (slot >= SNAP_STAT_SLOTS)
		return 0;
	for (size_t i = 0; i < cur->n_cpus; i++) {
		const struct snap_cpu_stats *c = &cur->cpus[i];
		const struct snap_cpu_stats *p = find_cpu(prev, c->cpu, i);

		if (p == NULL || !(c->present & p->present & (1u << slot)))
			continue;
		sum += (uint32_t)((uint32_t)c->v[slot] - (uint32_t)p->v[slot]);
	}
	return sum;
}

double rates_per_second(uint64_t delta, uint64_t dt_ms)
{
	return dt_ms == 0 ? 0 : (double)delta * 1000.0 / (double)dt_ms;
}

static void add_rates(struct rates_summary *sum, const struct rates_sample *prev,
		      const struct rates_sample *cur)
{
	uint64_t dt = cur->t_ms > prev->t_ms ? cur->t_ms - prev->t_ms : 0;

	for (unsigned s = 1; s < SNAP_STAT_SLOTS; s++) {
		uint64_t d = rates_delta(prev, cur, s);
		double r = rates_per_second(d, dt);

		sum->delta[s] += d;
		if (r > sum->peak_rate[s]) {
			sum->peak_rate[s] = r;
			sum->peak_rate_ms[s] = cur->t_ms;
		}
	}
}

/* Keep every trend_stride-th sample; when full, drop every second point
 * and double the stride (the kept ones stay evenly spread). */
static void trend_add(struct rates_summary *sum, uint64_t t_ms, uint64_t count)
{
	if (sum->trend_stride == 0)
		sum->trend_stride = 1;
	if ((sum->samples - 1) % sum->trend_stride != 0)
		return;
	if (sum->n_trend == RATES_TREND_POINTS) {
		for (size_t i = 0; i < RATES_TREND_POINTS / 2; i++)
			sum->trend[i] = sum->trend[2 * i];
		sum->n_trend = RATES_TREND_POINTS / 2;
		sum->trend_stride *= 2;
		if ((sum->samples - 1) % sum->trend_stride != 0)
			return;
	}
	sum->trend[sum->n_trend++] = (struct rates_point){.t_ms = t_ms, .count = count};
}

void rates_summary_add(struct rates_summary *sum, const struct rates_sample *prev,
		       const struct rates_sample *cur)
{
	double t;

	if (sum->samples == 0) {
		memset(sum, 0, sizeof(*sum));
		sum->first_ms = cur->t_ms;
		sum->first_count = cur->count;
	}
	t = (double)(cur->t_ms - sum->first_ms) / 1000.0;
	sum->samples++;
	sum->last_ms = cur->t_ms;
	sum->last_count = cur->count;
	sum->max = cur->max;
	if (cur->count > sum->peak_count)
		sum->peak_count = cur->count;
	sum->sum_count += (double)cur->count;
	sum->st += t;
	sum->stt += t * t;
	sum->sc += (double)cur->count;
	sum->stc += t * (double)cur->count;
	trend_add(sum, cur->t_ms, cur->count);
	for (size_t i = 0; i < cur->n_cpus; i++)
		sum->present |= cur->cpus[i].present;
	if (prev != NULL)
		add_rates(sum, prev, cur);
}

double rates_mean_count(const struct rates_summary *sum)
{
	return sum->samples ? sum->sum_count / (double)sum->samples : 0;
}

double rates_growth_per_hour(const struct rates_summary *sum)
{
	double n = (double)sum->samples;
	double den = n * sum->stt - sum->st * sum->st;

	if (sum->samples < 2 || den <= 0)
		return 0;
	return (n * sum->stc - sum->st * sum->sc) / den * 3600.0;
}

/* Least-squares slope, entries per second, of trend points [a, b). */
static double trend_slope(const struct rates_summary *sum, size_t a, size_t b)
{
	double n = (double)(b - a), st = 0, stt = 0, sc = 0, stc = 0, den;

	for (size_t i = a; i < b; i++) {
		double t = (double)(sum->trend[i].t_ms - sum->trend[a].t_ms) / 1000.0;
		double c = (double)sum->trend[i].count;

		st += t;
		stt += t * t;
		sc += c;
		stc += t * c;
	}
	den = n * stt - st * st;
	return den > 0 ? (n * stc - st * sc) / den : 0;
}

double rates_trend_per_hour(const struct rates_summary *sum)
{
	size_t mid = sum->n_trend > 0 ? (sum->n_trend - 1) / 2 : 0;
	double early, late;

	/* The halves share the middle point, so three samples make two. */
	if (sum->n_trend < 3)
		return 0;
	early = trend_slope(sum, 0, mid + 1);
	late = trend_slope(sum, mid, sum->n_trend);
	if (early <= 0 || late <= 0 || late * RATES_TREND_AGREE < early ||
	    early * RATES_TREND_AGREE < late)
		return 0;
	return late * 3600.0;
}

double rates_hours_to_full(const struct rates_summary *sum)
{
	double growth = rates_trend_per_hour(sum);

	if (growth <= 0 || sum->max == 0)
		return -1;
	if (sum->last_count >= sum->max)
		return 0;
	return (double)(sum->max - sum->last_count) / growth;
}
