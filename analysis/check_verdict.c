/* check_verdict.c: check's verdict: the fill judged by the -w/-c ranges, the
 * rules, the NAT view's finding and the other namespaces'. */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "check_verdict.h"
#include "netns_summary.h"

static enum rules_fill_side fill_side(const struct range *r, double fill)
{
	switch (range_side(r, fill)) {
	case RANGE_SIDE_BELOW:
		return RULES_FILL_BELOW;
	case RANGE_SIDE_INSIDE:
		return RULES_FILL_INSIDE;
	default:
		return RULES_FILL_ABOVE;
	}
}

/* The first pass learns the fill with the fill rule off; when a range
 * alerts, the second forces that rule to the ranges' verdict, with the side
 * and the range, so that its text and commands match the alert. */
void check_fill_evaluate(const struct ct_snapshot *snap, const struct range *warn,
			 const struct range *crit, struct rules_opts *opts,
			 struct rules_report *rep)
{
	const struct range *hit = NULL;
	double fill;

	opts->fill_warn_pct = INFINITY;
	opts->fill_crit_pct = INFINITY;
	opts->fill_side = RULES_FILL_ABOVE;
	opts->fill_range[0] = '\0';
	rules_evaluate(snap, opts, rep);
	fill = rep->d.fill_pct;
	if (fill < 0)
		return;
	if (range_alerts(crit, fill)) {
		opts->fill_crit_pct = 0;
		hit = crit;
	} else if (range_alerts(warn, fill)) {
		opts->fill_warn_pct = 0;
		hit = warn;
	} else {
		return;
	}
	opts->fill_side = fill_side(hit, fill);
	range_format(hit, opts->fill_range, sizeof(opts->fill_range));
	rules_evaluate(snap, opts, rep);
}

/* The findings of the NAT view and of the other namespaces. */
static void extra_findings(const struct ct_snapshot *snap, const struct nat_check *nat,
			   double nat_warn_pct, double nat_crit_pct, struct rules_report *rep)
{
	struct rules_finding f[2];
	bool fired = false;
	size_t n = 0;

	if (nat != NULL)
		nat_check_finding(nat, nat_warn_pct, nat_crit_pct, &f[0], &fired);
	if (fired)
		rules_report_add(rep, &f[0]);
	check_netns_findings(&snap->all_ns, snap->has_max ? snap->max : 0, f, &n);
	for (size_t i = 0; i < n; i++)
		rules_report_add(rep, &f[i]);
}

void check_verdict(const struct ct_snapshot *snap, const struct range *warn,
		   const struct range *crit, struct rules_opts *opts, const struct nat_check *nat,
		   double nat_warn_pct, double nat_crit_pct, struct rules_report *rep)
{
	check_fill_evaluate(snap, warn, crit, opts, rep);
	extra_findings(snap, nat, nat_warn_pct, nat_crit_pct, rep);
	if (!snap->has_max) /* a count without a limit cannot be judged */
		rep->is_unknown = true;
}
