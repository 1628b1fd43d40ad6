/* nat_collect.h: what the NAT view needs from the namespace the calling
 * thread is in, shared by `nat` and `check`: the source NAT rules of its
 * ruleset (nft -j, iptables-save, ip6tables-save, run there) and the NAT
 * addresses to seed the aggregate with. The table walk that feeds both the
 * check aggregate and the NAT aggregate from one dump is collect_walk_nat()
 * (collect_walk.c). */
#ifndef CTADVISOR_NAT_COLLECT_H
#define CTADVISOR_NAT_COLLECT_H

#include <stdbool.h>

#include "../analysis/nat.h"
#include "../analysis/nat_check.h"
#include "../rules/snapshot.h"

/* The NAT rules of file (nft -j JSON or iptables-save text), or with file
 * NULL of the running ruleset; *src says which ("file", "nft",
 * "iptables-save", "nft+iptables-save", "none": no tool could be run).
 * 0, or -errno when file cannot be read (rules untouched then). */
int nat_collect_rules(const char *file, struct nat_rules *rules, const char **src);

/* Whether the namespace's own addresses are NAT addresses: a masquerade
 * rule uses them, or the ruleset could not be read at all (src "none"). */
bool nat_collect_needs_local(const struct nat_rules *rules, const char *src);

/* Declare the snat rules' addresses and, with local, the namespace's own
 * addresses (getifaddrs) as NAT addresses: flows from them hold tuples too. */
void nat_collect_seed(struct nat_agg *agg, const struct nat_rules *rules, bool local);

/* In the namespace to check: read its NAT rules, walk the table once into
 * snap->walk and the NAT aggregate, and summarise the worst key into
 * snap->nat (thresholds warn_pct, crit_pct recorded there). Returns what
 * collect_walk() returns; without memory for the NAT aggregate the walk
 * runs alone. */
int nat_check_walk(struct ct_snapshot *snap, struct nat_check *nc, double warn_pct,
		   double crit_pct);

#endif
