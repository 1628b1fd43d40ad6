/* netns.h: run the collectors inside another network namespace. A netlink
 * socket keeps the namespace it was opened in, and /proc/sys/net and
 * /proc/self/net follow the thread, so entering with setns() is enough. */
#ifndef CTADVISOR_NETNS_H
#define CTADVISOR_NETNS_H

#include <stdbool.h>
#include <stddef.h>

#include "../sysctl/sysctl.h"

struct netns_switch {
	int orig_fd; /* the caller's namespace, -1 when not switched */
};

/* SPEC is a name under /run/netns, a path (contains '/'), or a PID (digits).
 * -EINVAL empty or too long, -ENAMETOOLONG. */
int netns_resolve(const char *spec, char *path, size_t len);
/* Enter SPEC; sw remembers where to come back to. -errno from open/setns
 * (-ENOENT no such namespace, -EPERM not allowed, -EINVAL not a netns). */
int netns_enter(const char *spec, struct netns_switch *sw);
/* Go back; safe on a switch that was never entered. */
int netns_leave(struct netns_switch *sw);
/* Whether the current namespace is the initial one: only there does the
 * kernel register nf_log_all_netns and the legacy net.nf_conntrack_max. */
bool netns_is_init(const struct sysctl_ctx *ctx);

#endif
