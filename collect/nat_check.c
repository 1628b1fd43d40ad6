/* nat_check.c: the NAT part of `ctadvisor check`: rules and addresses of
 * the namespace, one walk for both views, the worst key in the snapshot. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "collect.h"
#include "nat_check.h"
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

static const char *nat_check_proto(uint8_t proto)
{
	const char *name = snap_proto_name(proto);

	return name != NULL ? name : "other";
}

void nat_check_summarise(const struct nat_report *rep, struct snap_nat_worst *out)
{
	const struct nat_row *w = &rep->rows[0];

	memset(out, 0, sizeof(*out));
	out->has_nat = true;
	out->snat_entries = rep->snat_entries;
	out->keys = rep->keys;
	if (rep->n_rows == 0)
		return;
	out->has_row = true;
	out->zone = w->zone;
	snprintf(out->proto, sizeof(out->proto), "%s", nat_check_proto(w->proto));
	if (inet_ntop(w->family, w->nat_addr, out->nat_addr, sizeof(out->nat_addr)) == NULL)
		snprintf(out->nat_addr, sizeof(out->nat_addr), "?");
	if (inet_ntop(w->family, w->dst, out->dst, sizeof(out->dst)) == NULL)
		snprintf(out->dst, sizeof(out->dst), "?");
	out->dport = w->dport;
	out->in_use = w->in_use;
	out->capacity = w->capacity;
	out->port_lo = w->cap.port_lo;
	out->port_hi = w->cap.port_hi;
	out->saturation_pct = w->saturation_pct;
}

void nat_check_finding(const struct nat_check *nc, double warn_pct, double crit_pct,
		       struct rules_finding *out, bool *fired)
{
	*fired = false;
	if (nc->has_rep)
		nat_finding(&nc->rep, warn_pct, crit_pct, out, fired);
}
