/* netns_summary.h: check --all-netns's judgment of the other network
 * namespaces (read by collect/check_netns.h): each one's fill against
 * check's -w/-c ranges, the worst ones, and their findings. Pure. */
#ifndef CTADVISOR_NETNS_SUMMARY_H
#define CTADVISOR_NETNS_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inventory.h"
#include "range.h"
#include "../rules/rules.h"
#include "../rules/snapshot.h"

/* The namespace check looked at, left out of the list. */
struct check_netns_self {
	bool is_known;
	uint64_t dev, ino;
};

/* Summarise an inventory (sorted, highest count first) into out. */
void check_netns_summarise(const struct inventory *inv, const struct check_netns_self *self,
			   uint64_t max, const struct range *warn, const struct range *crit,
			   struct snap_all_netns *out);

/* The findings the list gives, at most 2, into f[]; *n how many. */
void check_netns_findings(const struct snap_all_netns *all, uint64_t max, struct rules_finding f[2],
			  size_t *n);

#endif
