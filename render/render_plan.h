/* render_plan.h: the capacity plan as text or JSON, and the plan file that
 * `ctadvisor apply --from-plan` reads. Renderers format what cmd_plan and
 * rules/plan.c computed; they decide nothing. */
#ifndef CTADVISOR_RENDER_PLAN_H
#define CTADVISOR_RENDER_PLAN_H

#include <stdbool.h>
#include <stdio.h>

#include "../analysis/inventory.h"
#include "../analysis/owners.h"
#include "../rules/plan.h"

#define RENDER_PLAN_KNOB_MAX     "net.netfilter.nf_conntrack_max"
#define RENDER_PLAN_KNOB_BUCKETS "net.netfilter.nf_conntrack_buckets"

/* Everything one plan report shows; pointers are borrowed. */
struct render_plan {
	const struct plan_input *in;
	const struct plan_result *res;
	const char *from_file;  /* the watch summary, or NULL */
	const char *netns;      /* NULL or "": the caller's namespace */
	bool is_slab_measured;  /* false: PLAN_DEFAULT_SLAB_BYTES was assumed */
	const char *ext_reason; /* why has_ext is set ("acct=1"), or NULL */
	const struct owners_report *owners;
	const struct owners_item *kube_proxy; /* the running kube-proxy, or NULL */
	/* every namespace's count (the knobs are global); NULL: not read */
	const struct inventory_demand *host;
	/* Little's law over watch events; NULL when the summary had none. */
	const struct plan_class *classes;
	const struct plan_whatif *whatif;
	const struct plan_timeout *changes; /* the --set timeouts */
	size_t n_changes;
	const char *whatif_note; /* why there is no projection, or a caveat; NULL */
};

/* 0, or -EIO when writing failed (-ENOMEM for JSON out of memory). */
int render_plan_text(FILE *out, const struct render_plan *p);
int render_plan_json(FILE *out, const struct render_plan *p);

/* The plan as --save keeps it for apply --from-plan: the JSON object of
 * render_plan_json(), pretty-printed, no newline. 0, -ENOMEM or -EIO. */
int render_plan_saved(FILE *out, const struct render_plan *p);

#endif
