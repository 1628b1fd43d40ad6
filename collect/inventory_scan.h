/* inventory_scan.h: find every network namespace on the host (pins under
 * /run/netns, processes, their owners) and read each one's figures. */
#ifndef CTADVISOR_INVENTORY_SCAN_H
#define CTADVISOR_INVENTORY_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "../analysis/inventory.h"
#include "../sysctl/sysctl.h"

/* Discovery under root ("/" live). require_nsfs: skip pins that are not nsfs
 * mounts (stale files); tests pass false. 0, -ENOMEM; unreadable places are
 * skipped (a process that exits mid-scan is normal). */
int inventory_scan(struct inventory *inv, const char *root, bool require_nsfs);
/* Owner from the text of one proc/PID/cgroup (v1 or v2, systemd or cgroupfs
 * driver). 0 and *out filled when a pod or container was found (has_pod,
 * has_container say which), -ENOENT otherwise. */
int inventory_parse_cgroup(const char *text, size_t len, struct inv_owner *out, bool *has_pod,
			   bool *has_container);
/* Pod namespace and name for uid from root/var/log/pods; -ENOENT. */
int inventory_pod_lookup(const char *root, const char *uid, struct inv_owner *owner);

/* Enter every namespace, read its figures into ns[i].fig, come back. Knob
 * overrides are against the calling namespace, for the conntrack timeouts,
 * log_invalid, tcp_loose, acct and timestamp. do_walk adds a table walk.
 * 0; -errno only when the caller's namespace cannot be restored (then the
 * process must not go on). Per-namespace failures go into fig.err. */
int inventory_collect(struct inventory *inv, const struct sysctl_ctx *ctx, bool do_walk);

/* Scan and read every namespace (inventory_scan + inventory_collect) and
 * fold the counts. 0; -ENOMEM; -errno when the caller's namespace could
 * not be restored (the process must not go on). */
int inventory_demand(const struct sysctl_ctx *ctx, struct inventory_demand *out);

#endif
