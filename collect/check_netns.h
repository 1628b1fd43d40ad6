/* check_netns.h: check --all-netns's reading side. Every other network
 * namespace is found and read by the inventory (counts and counters, no
 * walk) and summarised into snap->all_ns (analysis/netns_summary.h). Only
 * cmd_check.c uses it. */
#ifndef CTADVISOR_CHECK_NETNS_H
#define CTADVISOR_CHECK_NETNS_H

#include <stdbool.h>
#include <stdint.h>

#include "../analysis/netns_summary.h"

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

#endif
