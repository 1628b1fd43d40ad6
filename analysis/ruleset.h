/* ruleset.h: whether the firewall drops packets of ct state invalid, read
 * from the ruleset's text (`nft -j list ruleset`, `iptables-save`), so that
 * flush and watch --invalid can say whether a flushed flow's next packet, or
 * a packet marked invalid, is dropped. Pure. */
#ifndef CTADVISOR_RULESET_H
#define CTADVISOR_RULESET_H

#include <stddef.h>

/* Where a rule dropping or rejecting ct state INVALID packets was found. */
#define FLUSH_WHERE_LEN 96

/* Whether an `nft -j list ruleset` output has a rule that drops (or
 * rejects) packets of ct state invalid: "ct state invalid drop", "ct state
 * { invalid, new } drop", or a "ct state vmap { invalid : drop }". A negated
 * match ("!= invalid") does not count. 1 found (where: "nft inet filter
 * input handle 4"), 0 none, -EINVAL not nft JSON. Pure. */
int flush_ruleset_nft_drops_invalid(const char *json, size_t len, char *where, size_t where_len);
/* The same for `iptables-save` / `ip6tables-save` text: a rule with
 * "--ctstate" or "--state" listing INVALID (not negated) and "-j DROP" or
 * "-j REJECT". 1 found (where: "iptables-save line 12"), 0 none. Pure. */
int flush_ruleset_ipt_drops_invalid(const char *text, size_t len, const char *tool, char *where,
				    size_t where_len);

#endif
