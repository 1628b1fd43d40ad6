/* nat_check_walk.c: the NAT part of `ctadvisor check`: rules and addresses of
 * the namespace, one walk for both views, the worst key in the snapshot. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "collect.h"
#include "nat_collect.h"

/* check shows only the worst key; the report keeps as many rows as it can
 * so that the finding can say how many destinations alert. */
#define NAT_CHECK_ROWS NAT_REPORT_ROWS

int nat_check_walk(struct ct_snapshot *snap, struct nat_check *nc, double warn_pct, double crit_pct)
{
	struct nat_agg *agg = nat_agg_new(0);
	int rc;

	memset(nc, 0, sizeof(*nc));
	if (agg == NULL)
		return collect_walk(snap);
	nc->rules_src = "none";
	/* An unreadable ruleset leaves kernel default ranges: still a verdict. */
	(void)nat_collect_rules(NULL, &nc->rules, &nc->rules_src);
	nat_collect_seed(agg, &nc->rules, nat_collect_needs_local(&nc->rules, nc->rules_src));
	rc = collect_walk_nat(snap, agg);
	if (snap->has_walk) {
		nat_agg_result(agg, &nc->rules, NAT_CHECK_ROWS, &nc->rep);
		nc->rep.is_interrupted = snap->walk.is_interrupted;
		nc->rep.lost = snap->walk.lost;
		nc->rep.err = snap->walk.err;
		nc->has_rep = true;
		nat_check_summarise(&nc->rep, &snap->nat);
		snap->nat.warn_pct = warn_pct;
		snap->nat.crit_pct = crit_pct;
	}
	nat_agg_free(agg);
	return rc;
}
