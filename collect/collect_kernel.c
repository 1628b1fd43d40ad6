/* collect_kernel.c: occupancy and per-CPU counters, netlink first. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "fileio.h"
#include "../nl/nl_sock.h"
#include "../nl/nl_stats.h"
#include "procstat.h"

static void count_from_proc(struct ct_snapshot *snap, const struct sysctl_ctx *ctx)
{
	int64_t count, max;
	int rc = sysctl_read_i64(ctx, "net.netfilter.nf_conntrack_count", &count);

	if (rc < 0) {
		snap_add_problem(snap, "occupancy", rc,
				 "net.netfilter.nf_conntrack_count unreadable too: is nf_conntrack "
				 "loaded? (modprobe nf_conntrack)");
		return;
	}
	snap->has_count = true;
	snap->count = (uint64_t)count;
	snap->count_src = SNAP_SRC_PROC;
	if (!snap->has_max && sysctl_read_i64(ctx, "net.netfilter.nf_conntrack_max", &max) == 0) {
		snap->has_max = true;
		snap->max = (uint64_t)max;
	}
}

int collect_count(struct ct_snapshot *snap, const struct sysctl_ctx *ctx)
{
	struct nl_stats_global g;
	int rc = nl_stats_query_global(&g);

	if (rc == 0) {
		snap->has_count = true;
		snap->count = g.count;
		snap->count_src = SNAP_SRC_NETLINK;
		snap->has_max = g.has_max;
		snap->max = g.max;
		if (!g.has_max)
			count_from_proc(snap, ctx);
		return 0;
	}
	snap_add_problem(snap, "occupancy", rc,
			 "ctnetlink GET_STATS failed: %s%s; count read from /proc/sys instead",
			 strerror(-rc), nl_sock_hint(rc));
	count_from_proc(snap, ctx);
	return snap->has_count ? 0 : rc;
}

static int stats_from_proc(struct ct_snapshot *snap, const char *proc_root)
{
	char path[4096];
	char *text = NULL;
	size_t len = 0;
	uint64_t entries;
	int rc;

	snprintf(path, sizeof(path), "%s/net/stat/nf_conntrack", proc_root);
	rc = fileio_read_all(path, &text, &len);
	if (rc == 0)
		rc = procstat_parse(text, len, &snap->cpus, &snap->n_cpus, &entries);
	free(text);
	if (rc < 0) {
		snap_add_problem(snap, "counters", rc,
				 "%s: %s (the kernel may lack CONFIG_NF_CONNTRACK_PROCFS)", path,
				 strerror(-rc));
		return rc;
	}
	snap->has_stats = true;
	snap->stats_src = SNAP_SRC_PROC;
	snap_sum_cpus(snap);
	return 0;
}

int collect_stats(struct ct_snapshot *snap, const char *proc_root)
{
	int rc = nl_stats_query_cpus(&snap->cpus, &snap->n_cpus);

	if (rc == 0) {
		snap->has_stats = true;
		snap->stats_src = SNAP_SRC_NETLINK;
		snap_sum_cpus(snap);
		return 0;
	}
	snap_add_problem(snap, "counters", rc,
			 "ctnetlink GET_STATS_CPU failed: %s%s; trying /proc/net/stat/nf_conntrack",
			 strerror(-rc), nl_sock_hint(rc));
	return stats_from_proc(snap, proc_root);
}
