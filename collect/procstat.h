/* procstat.h: parse /proc/net/stat/nf_conntrack, the fallback when
 * ctnetlink is unavailable. Pure. Columns are found by header name because
 * the kernel renamed them over time (searched -> clashres, delete_list ->
 * chainlength); values are 32-bit hex. Rows are numbered in order: the file
 * skips impossible CPUs, so a row number need not be a CPU id. */
#ifndef CTADVISOR_PROCSTAT_H
#define CTADVISOR_PROCSTAT_H

#include <stddef.h>
#include <stdint.h>

#include "../rules/snapshot.h"

/* 0 with *cpus (malloc'd), *n and *entries set; -EINVAL malformed (no
 * header, a non-hex value, a short row), -ENOMEM. text need not be
 * NUL-terminated. */
int procstat_parse(const char *text, size_t len, struct snap_cpu_stats **cpus, size_t *n,
		   uint64_t *entries);

#endif
