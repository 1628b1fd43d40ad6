/* check_netns.h: check --all-netns. Every other network namespace is found
 * and read by the inventory (counts and counters, no walk), summarised into
 * snap->all_ns with its fill judged by check's -w/-c ranges, and the worst
 * becomes the netns-table-fill / netns-table-full findings. Only cmd_check.c
 * uses it. */
#ifndef CTADVISOR_CHECK_NETNS_H
#define CTADVISOR_CHECK_NETNS_H

#include <stdbool.h>
#include <stdint.h>

#include "../analysis/inventory.h"
#include "../analysis/range.h"
#include "../rules/rules.h"
#include "../rules/snapshot.h"

/* The namespace check looked at, left out of the list. */
struct check_netns_self {
	bool is_known;
	uint64_t dev, ino;
};

/* The identity of the namespace the calling thread is in; is_known false
 * when it cannot be read. */
void check_netns_self(struct check_netns_self *self);

/* Scan and read every namespace but self from the caller's namespace, into
 * out. max: the table limit (0: unknown). 0, -errno when the scan failed
 * (out->has_all stays false); -ENOTRECOVERABLE when the caller's namespace
 * could not be restored: the caller must stop, since nothing it printed
 * after that would be true. */
int check_netns_collect(const struct check_netns_self *self, uint64_t max, const struct range *warn,
			const struct range *crit, struct snap_all_netns *out);

/* Pure: summarise an inventory (sorted, highest count first) into out. */
void check_netns_summarise(const struct inventory *inv, const struct check_netns_self *self,
			   uint64_t max, const struct range *warn, const struct range *crit,
			   struct snap_all_netns *out);

/* Pure: the findings the list gives, at most 2, into f[]; *n how many. */
void check_netns_findings(const struct snap_all_netns *all, uint64_t max, struct rules_finding f[2],
			  size_t *n);

#endif
