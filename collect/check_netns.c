/* check_netns.c: check --all-netns: which namespace this is, and every
 * other one read by the inventory from this one process (setns, a netlink
 * socket there, back). analysis/netns_summary.c judges them. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check_netns.h"
#include "inventory_scan.h"

void check_netns_self(struct check_netns_self *self)
{
	struct stat st;

	self->is_known = stat("/proc/thread-self/ns/net", &st) == 0;
	self->dev = self->is_known ? (uint64_t)st.st_dev : 0;
	self->ino = self->is_known ? (uint64_t)st.st_ino : 0;
}

int check_netns_collect(const struct check_netns_self *self, uint64_t max, const struct range *warn,
			const struct range *crit, struct snap_all_netns *out)
{
	struct inventory inv;
	struct sysctl_ctx ctx;
	int rc;

	sysctl_ctx_init(&ctx, NULL);
	rc = inventory_scan(&inv, "/", true);
	if (rc < 0)
		return rc;
	rc = inventory_collect(&inv, &ctx, false);
	if (rc < 0) {
		inventory_free(&inv);
		return -ENOTRECOVERABLE;
	}
	inventory_sort(&inv);
	check_netns_summarise(&inv, self, max, warn, crit, out);
	inventory_free(&inv);
	return 0;
}
