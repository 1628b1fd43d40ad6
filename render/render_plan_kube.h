/* render_plan_kube.h: the plan's kube-proxy part: which release's rule the
 * figures follow, whose values they use, and, when kube-proxy runs, what it
 * will write over the recommendation at its next start and what to set
 * instead. Internal to render_plan.c. */
#ifndef CTADVISOR_RENDER_PLAN_KUBE_H
#define CTADVISOR_RENDER_PLAN_KUBE_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "render_plan.h"

/* The rows of the "Compared with" table for kube-proxy. row() prints one
 * sizing under a label. */
void render_plan_kube_rows(FILE *out, const struct render_plan *p,
			   void (*row)(FILE *, const char *, const struct plan_sizing *));

/* "  kube-proxy ..." lines after the recommendation; none when it does
 * not run. */
void render_plan_kube_text(FILE *out, const struct render_plan *p);

/* The "kube_proxy" object of the plan JSON. */
json_t *render_plan_kube_json(const struct render_plan *p);

#endif
