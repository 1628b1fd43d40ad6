/* root.h: CTADVISOR_ROOT, the test seam (like iproute2's PROC_ROOT) that
 * points check's /proc and /sys readers at a crafted tree, so missing,
 * unreadable and malformed files can be tried without breaking a kernel.
 * Netlink still talks to the kernel: run unprivileged (netlink then fails
 * with EPERM) to exercise the /proc fallbacks against the tree. */
#ifndef CTADVISOR_ROOT_H
#define CTADVISOR_ROOT_H

#include <stddef.h>

#define ROOT_ENV "CTADVISOR_ROOT"

/* The directory standing in for "/", or NULL (unset or empty: the real
 * one). */
const char *root_dir(void);

/* ROOT/proc, or "/proc" without a root. -ENAMETOOLONG when it does not
 * fit in len; buf is written only on success. */
int root_proc(char *buf, size_t len);

#endif
