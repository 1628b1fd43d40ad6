/* invalid_kernel.c: the invalid and error counters, and the ruleset's rule
 * for ct state invalid. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "fileio.h"
#include "invalid_kernel.h"
#include "../nl/nl_stats.h"

int invalid_kernel_counters(uint64_t *invalid, uint64_t *error)
{
	struct snap_cpu_stats *cpus = NULL;
	uint64_t inv = 0, err = 0;
	size_t n = 0;
	int rc = nl_stats_query_cpus(&cpus, &n);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (cpus[i].present & (UINT32_C(1) << SNAP_STAT_INVALID))
			inv += cpus[i].v[SNAP_STAT_INVALID];
		if (cpus[i].present & (UINT32_C(1) << SNAP_STAT_ERROR))
			err += cpus[i].v[SNAP_STAT_ERROR];
	}
	free(cpus);
	*invalid = inv;
	*error = err;
	return 0;
}

/* nft first (its JSON names table, chain and handle); the iptables tools
 * for hosts whose rules live in the legacy tables. */
int invalid_kernel_ruleset_drops(char *where, size_t where_len)
{
	static const char *const nft_argv[] = {"nft", "-j", "list", "ruleset", NULL};
	static const char *const ipt_argv[] = {"iptables-save", NULL};
	static const char *const ip6t_argv[] = {"ip6tables-save", NULL};
	const char *const *const tools[] = {nft_argv, ipt_argv, ip6t_argv};
	bool any = false;
	int found = 0;

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]) && found == 0; i++) {
		char *text = NULL;
		size_t len = 0;
		int rc;

		if (fileio_run_capture(tools[i], &text, &len) < 0)
			continue;
		rc = i == 0 ? flush_ruleset_nft_drops_invalid(text, len, where, where_len)
			    : flush_ruleset_ipt_drops_invalid(text, len, tools[i][0], where,
							      where_len);
		free(text);
		any = any || rc >= 0;
		if (rc > 0)
			found = 1;
	}
	return found ? 1 : any ? 0 : -ENOENT;
}
