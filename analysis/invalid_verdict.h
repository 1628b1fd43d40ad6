/* invalid_verdict.h: the status of an invalid-packet report (logparse,
 * watch --invalid), decided here and never in a renderer. Pure.
 *
 * Conntrack does not drop the packets it finds invalid: it leaves them
 * untracked ("ct state invalid") and the ruleset decides. So a packet marked
 * invalid is a warning only where a rule drops such packets, or where the
 * ruleset could not be read (logparse: another host's, unknown). A conntrack
 * helper's "dropping packet" is a drop whatever the ruleset says. */
#ifndef CTADVISOR_INVALID_VERDICT_H
#define CTADVISOR_INVALID_VERDICT_H

#include <stdbool.h>
#include <stdint.h>

#include "../logparse/logparse.h"

/* What the ruleset of the namespace does with ct state invalid packets. */
enum invalid_ruleset {
	INVALID_RULESET_UNKNOWN = 0, /* not read (logparse, or no nft/iptables-save) */
	INVALID_RULESET_DROPS,       /* a rule drops ct state invalid */
	INVALID_RULESET_PASSES,      /* no rule drops them */
};

struct invalid_verdict_in {
	enum invalid_ruleset ruleset;
	/* watch --invalid --force over another NFLOG listener: no reports,
	 * only the kernel's invalid counter, UINT64_MAX when unknown */
	bool is_counts_only;
	uint64_t kernel_invalid_delta;
};

/* enum ct_exit (rules/rules.h): CRITICAL when the table was full (new
 * connections dropped); WARNING for packets dropped (a helper's drops, or
 * marked invalid where the ruleset drops them or is unknown; counts only:
 * the kernel's invalid counter grew) and for a full expectation table;
 * else OK. */
int invalid_verdict(const struct logparse_agg_result *res, const struct invalid_verdict_in *in);

/* Reports of the reasons the kernel counts in conntrack -S error rather
 * than invalid: the ICMP and ICMPv6 error path (an error that fits no flow,
 * a bad ICMP header). */
uint64_t invalid_reports_in_error(const struct logparse_agg_result *res);

/* Reports of packets a conntrack helper dropped itself. */
uint64_t invalid_reports_helper_dropped(const struct logparse_agg_result *res);

#endif
