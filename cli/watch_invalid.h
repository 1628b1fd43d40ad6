/* watch_invalid.h: `watch --invalid`: live classification of the packets
 * conntrack finds invalid, received over NFLOG group 0, with every sysctl
 * it touches recorded for undo first and restored at the end. */
#ifndef CTADVISOR_WATCH_INVALID_H
#define CTADVISOR_WATCH_INVALID_H

#include "cmd_watch.h"

/* Runs in the caller's (already entered) network namespace; returns the
 * process exit status. */
int watch_invalid_run(const struct watch_args *a);

#endif
