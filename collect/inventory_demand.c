/* inventory_demand.c: the host's conntrack demand over every network
 * namespace, for plan and apply (the sizing knobs are global). */
#include <string.h>

#include "inventory_scan.h"

int inventory_demand(const struct sysctl_ctx *ctx, struct inventory_demand *out)
{
	struct inventory inv = {0};
	int rc;

	memset(out, 0, sizeof(*out));
	rc = inventory_scan(&inv, "/", true);
	if (rc == 0)
		rc = inventory_collect(&inv, ctx, false);
	if (rc == 0)
		inventory_fold_demand(&inv, out);
	inventory_free(&inv);
	return rc;
}
