/* apply_guard.h: what `ctadvisor apply` refuses before writing anything,
 * because it would refuse traffic: nf_conntrack_max or the hash size going
 * down without --allow-shrink, and nf_conntrack_max below the busiest
 * network namespace's count with headroom, whatever the flags. */
#ifndef CTADVISOR_APPLY_GUARD_H
#define CTADVISOR_APPLY_GUARD_H

#include <stddef.h>

#include "apply_args.h"

/* The headroom a lowered nf_conntrack_max must leave over the busiest
 * namespace's count (as plan's default). */
#define APPLY_GUARD_HEADROOM 0.2

/* How many pending changes are refused, each explained on stderr with the
 * override; 0 when all may go. */
int apply_guard(const struct apply_args *a, const struct sysctl_change *w, size_t n,
		const struct sysctl_ctx *ctx);

#endif
