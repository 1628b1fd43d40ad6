/* nat_check.h: check's NAT port saturation. The NAT view rides on check's
 * one table walk (collect/nat_collect.h: nat_check_walk); the worst key is
 * summarised into the snapshot for the renderers, and the
 * nat-port-saturation finding comes from nat_finding() over the same
 * report. Pure. */
#ifndef CTADVISOR_NAT_CHECK_H
#define CTADVISOR_NAT_CHECK_H

#include "nat.h"
#include "../rules/rules.h"
#include "../rules/snapshot.h"

/* What one check run learnt about NAT; large, so the caller keeps it
 * static. rep.rows[].cap.rule points into rules. */
struct nat_check {
	struct nat_rules rules;
	const char *rules_src; /* as nat_collect_rules() says */
	struct nat_report rep;
	bool has_rep; /* the walk ran with the NAT view */
};

/* The worst row of rep into out (has_row false when there is none). */
void nat_check_summarise(const struct nat_report *rep, struct snap_nat_worst *out);

/* The nat-port-saturation finding of a check run: *fired false when the
 * walk did not carry the NAT view or no key reaches warn_pct. */
void nat_check_finding(const struct nat_check *nc, double warn_pct, double crit_pct,
		       struct rules_finding *out, bool *fired);

#endif
