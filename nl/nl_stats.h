/* nl_stats.h: ctnetlink statistics messages (GET_STATS, GET_STATS_CPU) to
 * plain data. Decoding needs libmnl but no socket, so tests feed recorded
 * bytes; nl_stats_query() is the I/O shell. */
#ifndef CTADVISOR_NL_STATS_H
#define CTADVISOR_NL_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "../rules/snapshot.h"

struct nl_stats_global {
	uint64_t count;
	bool has_max;
	uint64_t max;
};

/* One GET_STATS reply. -EBADMSG: not a stats message, too short, or a
 * known attribute with a bad length; -ENODATA: no entry count in it. */
int nl_stats_decode_global(const struct nlmsghdr *nlh, struct nl_stats_global *out);

/* One GET_STATS_CPU dump message (the CPU is nfgenmsg.res_id). Every u32
 * attribute type below SNAP_STAT_SLOTS is kept, unknown ones included;
 * types beyond are skipped. -EBADMSG as above. */
int nl_stats_decode_cpu(const struct nlmsghdr *nlh, struct snap_cpu_stats *out);

/* Ask the kernel, in the caller's network namespace. The cpu array is
 * malloc'd (caller frees). -EPERM without CAP_NET_ADMIN, -errno otherwise. */
int nl_stats_query_global(struct nl_stats_global *out);
int nl_stats_query_cpus(struct snap_cpu_stats **cpus, size_t *n);

/* One socket for both queries: it stays in the namespace it was opened in
 * (the inventory opens one per namespace). 0 or -errno; close always. */
struct nl_stats_session {
	int fd;
	unsigned seq;
};
int nl_stats_open(struct nl_stats_session *s);
int nl_stats_get_global(struct nl_stats_session *s, struct nl_stats_global *out);
int nl_stats_get_cpus(struct nl_stats_session *s, struct snap_cpu_stats **cpus, size_t *n);
void nl_stats_close(struct nl_stats_session *s);

#endif
