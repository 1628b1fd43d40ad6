/* check_verdict.h: every status of `ctadvisor check` is decided here (and in
 * the rules it runs), never in the command or a renderer. Pure. */
#ifndef CTADVISOR_CHECK_VERDICT_H
#define CTADVISOR_CHECK_VERDICT_H

#include "nat_check.h"
#include "range.h"
#include "../rules/rules.h"
#include "../rules/snapshot.h"

/* The fill verdict: the ranges decide whether the fill alerts (critical
 * first) and on which side; the rules describe it and give its commands.
 * Runs rules_evaluate() with OPTS, whose fill fields it sets. */
void check_fill_evaluate(const struct ct_snapshot *snap, const struct range *warn,
			 const struct range *crit, struct rules_opts *opts,
			 struct rules_report *rep);

/* The whole verdict: the fill and the rules, then the NAT view's finding
 * (nat NULL: the walk did not carry it) and the other namespaces' (from
 * snap->all_ns); UNKNOWN when the snapshot has no limit. */
void check_verdict(const struct ct_snapshot *snap, const struct range *warn,
		   const struct range *crit, struct rules_opts *opts, const struct nat_check *nat,
		   double nat_warn_pct, double nat_crit_pct, struct rules_report *rep);

#endif
