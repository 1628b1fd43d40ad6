/* plan_host.h: the host facts a plan needs (RAM, CPUs, the slab object
 * size, extensions, the page size, the current settings and count), taken
 * from a snapshot the check collectors filled, for plan and report. */
#ifndef CTADVISOR_PLAN_HOST_H
#define CTADVISOR_PLAN_HOST_H

#include "../analysis/owners.h"
#include "../rules/plan.h"
#include "../rules/snapshot.h"

/* The setting that makes every entry carry extensions, NULL none (events=2
 * only with a listener, which cannot be known ahead, so it does not count). */
const char *plan_host_ext_reason(const struct snap_settings *set);

/* The host part of *in (plan_input_init() first; demand is the caller's). */
void plan_host_input(const struct ct_snapshot *snap, struct plan_input *in);

/* The first running kube-proxy of o into in->kube; that item, or NULL (in
 * unchanged: kube-proxy's defaults shown for comparison). */
const struct owners_item *plan_host_kube(const struct owners_report *o, struct plan_input *in);

#endif
