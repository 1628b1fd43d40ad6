/* render.h: the check report as text, JSON or Prometheus exposition.
 * Renderers traverse the snapshot and report and format them; they compute
 * nothing. Strings that may come from outside (netns names) are escaped. */
#ifndef CTADVISOR_RENDER_H
#define CTADVISOR_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../rules/rules.h"
#include "../rules/snapshot.h"

struct render_opts {
	bool color;          /* ANSI colour for severities (text only) */
	const char *version; /* ctadvisor version, for JSON "version" */
	/* Prometheus: the Unix time a check last read the table, as the
	 * RENDER_PROM_LAST_SUCCESS gauge; 0: not written. */
	uint64_t last_success_s;
};

#define RENDER_PROM_LAST_SUCCESS "ctadvisor_check_last_success_timestamp_seconds"

/* 0, or -EIO when writing failed (render_json also when out of memory; nothing
 * is written then). */
int render_text(FILE *out, const struct ct_snapshot *snap, const struct rules_report *rep,
		const struct render_opts *opts);
int render_json(FILE *out, const struct ct_snapshot *snap, const struct rules_report *rep,
		const struct render_opts *opts);
int render_prom(FILE *out, const struct ct_snapshot *snap, const struct rules_report *rep,
		const struct render_opts *opts);

struct json_t;
/* The Findings section as render_text() writes it; errors show in ferror(out). */
void render_text_findings(FILE *out, const struct rules_report *rep, bool color);
/* The "findings" array of render_json(): a new reference, NULL on ENOMEM. */
struct json_t *render_json_findings(const struct rules_report *rep);

#endif
