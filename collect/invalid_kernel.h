/* invalid_kernel.h: what this network namespace does with the packets
 * conntrack finds invalid: the kernel's counters (invalid for the trackers'
 * verdicts, error for ICMP errors that fit no flow) and whether a rule of
 * the ruleset drops ct state invalid, which decides whether a packet marked
 * invalid was dropped at all. For flush (a deleted flow's next packet) and
 * watch --invalid. */
#ifndef CTADVISOR_INVALID_KERNEL_H
#define CTADVISOR_INVALID_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "../analysis/ruleset.h" /* FLUSH_WHERE_LEN */

/* conntrack -S invalid and error, summed over CPUs (ctnetlink). 0, or the
 * query's -errno. */
int invalid_kernel_counters(uint64_t *invalid, uint64_t *error);

/* Whether this namespace's ruleset drops ct state invalid packets: 1 (where
 * names the rule), 0 no such rule in any ruleset read, -ENOENT none of nft,
 * iptables-save, ip6tables-save could be run. */
int invalid_kernel_ruleset_drops(char *where, size_t where_len);

#endif
