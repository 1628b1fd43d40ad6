/* render.h: the check report as text, JSON or Prometheus exposition.
 * Renderers traverse the snapshot and report and format them; they compute
 * nothing. Strings that may come from outside (netns names) are escaped. */
#ifndef CTADVISOR_RENDER_H
#define CTADVISOR_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "../rules/rules.h"
#include "../rules/snapshot.h"

struct render_opts {
	bool color;          /* ANSI colour for severities (text only) */
	const char *version; /* ctadvisor version, for JSON "version" */
};

/* 0, or -EIO when writing failed. */
int render_text(FILE *out, const struct ct_snapshot *snap, const struct rules_report *rep,
		const struct render_opts *opts);
int render_json(FILE *out, const struct ct_snapshot *snap, const struct rules_report *rep,
		const struct render_opts *opts);
int render_prom(FILE *out, const struct ct_snapshot *snap, const struct rules_report *rep,
		const struct render_opts *opts);

#endif
