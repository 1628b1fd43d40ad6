/* owners_scan.h: the scans that find who else writes the conntrack knobs:
 * files under a root, processes and the kernel command line under a proc
 * root (see analysis/owners.h for what a report holds). */
#ifndef CTADVISOR_OWNERS_SCAN_H
#define CTADVISOR_OWNERS_SCAN_H

#include <stddef.h>

#include "../analysis/owners.h"

/* Each returns 0 (also when the directories are absent) or -ENOMEM;
 * unreadable files are skipped. root: "" or "/" for the live host. */
int owners_scan_sysctl(const char *root, struct owners_report *r);
int owners_scan_modprobe(const char *root, struct owners_report *r);
int owners_scan_tuned(const char *root, struct owners_report *r);
/* proc_root: "/proc" on the live host; reads PID/comm and PID/cmdline, and
 * cmdline (the kernel's). */
int owners_scan_procs(const char *proc_root, struct owners_report *r);

/* All of the above: files under root, processes under proc_root. */
int owners_scan_all(const char *root, const char *proc_root, struct owners_report *r);

/* The owners of the given knobs (as apply names them:
 * "net.netfilter.nf_conntrack_X", "module.nf_conntrack.hashsize"; buckets
 * and hashsize count as one), in every place the scans above look, files
 * under root, processes and the kernel command line under proc_root: any
 * sysctl.d / sysctl.conf line setting one of them, by any spelling (slash
 * form, leading '-', the old net.nf_conntrack_max); modprobe.d hashsize
 * lines, nf_conntrack.hashsize= and tuned's nf_conntrack_hashsize for the
 * size; tuned profile [sysctl] lines; kube-proxy when it writes one of them
 * (max, the size, its TCP/UDP timeouts, tcp_be_liberal), Calico's felix for
 * any, and a running tuned when an active profile sets one. 0 or -ENOMEM. */
int owners_scan_knobs(const char *root, const char *proc_root, const char *const *knobs, size_t n,
		      struct owners_report *r);

#endif
