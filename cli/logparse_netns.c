/* logparse_netns.c: name the namespaces of "table full in netns N" lines
 * (the kernel writes their inode) from this host's inventory: pins under
 * /run/netns, processes and their pods. Only files are read, no namespace
 * is entered; without privileges the namespaces of others' processes stay
 * unnamed and the report says "not on this host now" only for inodes no
 * pin or readable process has. */
#include <stdlib.h>

#include "cmd.h"
#include "../collect/inventory_scan.h"
#include "../logparse/logparse.h"

struct inventory *cmd_logparse_netns(const struct logparse_agg_result *res)
{
	struct inventory *inv;
	bool is_any = false;

	for (size_t i = 0; i < res->n_table_full_netns; i++)
		is_any |= res->table_full_netns[i].has_netns;
	if (!is_any)
		return NULL;
	inv = calloc(1, sizeof(*inv));
	if (inv == NULL)
		return NULL;
	if (inventory_scan(inv, "/", true) < 0) {
		free(inv);
		return NULL; /* the report shows the inodes alone */
	}
	return inv;
}

void cmd_logparse_netns_free(struct inventory *inv)
{
	if (inv == NULL)
		return;
	inventory_free(inv);
	free(inv);
}
