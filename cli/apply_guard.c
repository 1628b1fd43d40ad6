/* apply_guard.c: sizing changes that would refuse flows are refused. A
 * smaller table saves 256 B an entry and drops the next busy hour's new
 * connections; so a decrease needs --allow-shrink, and no flag lets
 * nf_conntrack_max fall below what the busiest namespace holds now. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply_guard.h"
#include "../collect/inventory_scan.h"

#define KNOB_MAX      "net.netfilter.nf_conntrack_max"
#define KNOB_BUCKETS  "net.netfilter.nf_conntrack_buckets"
#define KNOB_HASHSIZE "module.nf_conntrack.hashsize"

static bool is_sizing(const char *name)
{
	return strcmp(name, KNOB_MAX) == 0 || strcmp(name, KNOB_BUCKETS) == 0 ||
	       strcmp(name, KNOB_HASHSIZE) == 0;
}

/* Both values as numbers, and whether the change lowers the knob. */
static bool lowers(const struct sysctl_change *c, unsigned long long *from, unsigned long long *to)
{
	char *e1, *e2;

	*from = strtoull(c->old_value, &e1, 10);
	*to = strtoull(c->new_value, &e2, 10);
	return *e1 == '\0' && *e2 == '\0' && c->old_value[0] != '\0' && *to < *from;
}

/* nf_conntrack_max lowered to `to`: below the busiest count with headroom? */
static int below_demand(const struct sysctl_ctx *ctx, unsigned long long to)
{
	struct inventory_demand d;
	unsigned long long floor_max;
	int rc = inventory_demand(ctx, &d);

	if (rc < 0) {
		fprintf(stderr,
			"ctadvisor apply: cannot read every namespace's count (%s): a lower "
			"nf_conntrack_max is refused without it\n",
			strerror(-rc));
		return 1;
	}
	floor_max = (unsigned long long)ceil((double)d.busiest / (1.0 - APPLY_GUARD_HEADROOM));
	if (to >= floor_max)
		return 0;
	fprintf(stderr,
		"ctadvisor apply: %s=%llu is below the busiest network namespace's count (%s: "
		"%llu entries) with %.0f %% headroom (%llu): it would refuse its new flows. "
		"Refused whatever the flags; see 'ctadvisor inventory'\n",
		KNOB_MAX, to, d.busiest_name, (unsigned long long)d.busiest,
		APPLY_GUARD_HEADROOM * 100, floor_max);
	return 1;
}

int apply_guard(const struct apply_args *a, const struct sysctl_change *w, size_t n,
		const struct sysctl_ctx *ctx)
{
	int refused = 0;

	fflush(stdout);
	for (size_t i = 0; i < n; i++) {
		unsigned long long from, to;

		if (w[i].state != SYSCTL_CHANGE_PENDING || !is_sizing(w[i].name) ||
		    !lowers(&w[i], &from, &to))
			continue;
		if (!a->allow_shrink) {
			fprintf(stderr,
				"ctadvisor apply: %s would go down (%llu -> %llu): a smaller table "
				"refuses flows at the next busy hour. Refused; add --allow-shrink "
				"when a watch of the busy hours shows the lower value holds\n",
				w[i].name, from, to);
			refused++;
		} else if (strcmp(w[i].name, KNOB_MAX) == 0) {
			refused += below_demand(ctx, to);
		}
	}
	if (refused > 0)
		fprintf(stderr, "ctadvisor apply: nothing was written\n");
	return refused;
}
