/* collect.h: the collectors, the only code that talks to the kernel. Each
 * fills its part of a snapshot for the network namespace the calling thread
 * is in, and records what it could not read (snap_add_problem) rather than
 * failing the run. They return 0, or a negative errno when nothing of their
 * part could be read (the problem is recorded either way). */
#ifndef CTADVISOR_COLLECT_H
#define CTADVISOR_COLLECT_H

#include "../rules/snapshot.h"
#include "../sysctl/sysctl.h"

/* Knobs (all nf_conntrack_*, nf_log.2/.10, hashsize) and parsed settings. */
int collect_sysctl(struct ct_snapshot *snap, const struct sysctl_ctx *ctx);
/* Count and max over ctnetlink GET_STATS, else /proc/sys. */
int collect_count(struct ct_snapshot *snap, const struct sysctl_ctx *ctx);
/* Per-CPU counters over ctnetlink GET_STATS_CPU, else /proc/net/stat. */
int collect_stats(struct ct_snapshot *snap, const char *proc_root);
/* One streaming dump of the table into snap->walk. */
int collect_walk(struct ct_snapshot *snap);
struct nat_agg;
/* collect_walk() with the NAT view riding on the same dump: every entry
 * goes to the walk aggregate, and those nat_agg_wants() accepts are also
 * decoded for the NAT view into nat (NULL: none). Returns as collect_walk(). */
int collect_walk_nat(struct ct_snapshot *snap, struct nat_agg *nat);
/* Slab object size, RAM, CPU count; CAP_NET_ADMIN. */
int collect_host(struct ct_snapshot *snap, const struct sysctl_ctx *ctx, const char *proc_root);

#endif
