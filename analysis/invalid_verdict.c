/* invalid_verdict.c: the status of an invalid-packet report. */
#include <netinet/in.h>
#include <string.h>

#include "invalid_verdict.h"
#include "../rules/rules.h"

#define HELPER_DROP_ID "helper-drop"

uint64_t invalid_reports_in_error(const struct logparse_agg_result *res)
{
	uint64_t n = 0;

	for (size_t i = 0; i < res->n_reasons; i++) {
		unsigned proto = res->reasons[i].reason->proto;

		if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6)
			n += res->reasons[i].count;
	}
	return n;
}

uint64_t invalid_reports_helper_dropped(const struct logparse_agg_result *res)
{
	const struct logparse_reason *helper =
	    logparse_catalog_find(HELPER_DROP_ID, strlen(HELPER_DROP_ID));
	uint64_t n = 0;

	for (size_t i = 0; i < res->n_reasons; i++)
		if (res->reasons[i].reason == helper)
			n += res->reasons[i].count;
	return n;
}

int invalid_verdict(const struct logparse_agg_result *res, const struct invalid_verdict_in *in)
{
	bool may_drop = in->ruleset != INVALID_RULESET_PASSES;
	bool counter_grew = in->is_counts_only && in->kernel_invalid_delta != UINT64_MAX &&
			    in->kernel_invalid_delta > 0;

	if (res->table_full > 0)
		return CT_EXIT_CRITICAL;
	if (res->by_kind[LOGPARSE_KIND_EXPECT_FULL] > 0 || invalid_reports_helper_dropped(res) > 0)
		return CT_EXIT_WARNING;
	if (may_drop && (res->marked_invalid > 0 || counter_grew))
		return CT_EXIT_WARNING;
	return CT_EXIT_OK;
}
