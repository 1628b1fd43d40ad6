/* render_html.h: `ctadvisor report`, one self-contained HTML5 page: inline
 * CSS, inline SVG charts each with its numbers in a table beside it, a
 * Content-Security-Policy that allows no script and no fetch. Like every
 * renderer it formats what the command gathered and computes nothing; every
 * string from the host, the network or a log goes through RENDER_ESC_HTML.
 * The header's host, kernel and time come in as strings, so a test gives
 * fixed ones and the page is byte-stable (the golden files). */
#ifndef CTADVISOR_RENDER_HTML_H
#define CTADVISOR_RENDER_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../analysis/nat.h"
#include "../logparse/logparse.h"
#include "../rules/plan.h"
#include "../rules/rules.h"
#include "../rules/snapshot.h"

/* One sizing of the planning chart: the table at its limit. */
struct render_html_sizing {
	const char *label; /* "current", "recommended", "kernel default", "kube-proxy" */
	uint64_t max, buckets;
	uint64_t mem_bytes; /* kernel memory at max, extensions as now */
	double chain;       /* average hash chain at a full table: 2 x max / buckets */
};

#define RENDER_HTML_SIZINGS 4
struct render_html_plan {
	const struct plan_result *res; /* the working and the recommendation */
	struct render_html_sizing rows[RENDER_HTML_SIZINGS];
	size_t n_rows;
	const char *demand_src; /* "the current count", "the watch peak" */
};

/* A per-second rate of the watch. */
struct render_html_rate {
	const char *name; /* "new", "destroy", "invalid", "drop", "insert_failed" */
	double per_s;     /* mean over the watch */
	bool has_peak;
	double peak_per_s;
};

#define RENDER_HTML_RATES 8
/* What a summary saved by `watch --save` holds (it keeps no samples: the
 * count chart shows its first, mean, peak and last count). */
struct render_html_watch {
	const char *source; /* the file name */
	const char *netns;  /* as the watch recorded it */
	uint64_t samples;
	double duration_s;
	uint64_t max, first, peak, last;
	double mean;
	bool has_growth;
	double growth_per_hour;
	bool has_hours_to_full;
	double hours_to_full;
	struct render_html_rate rates[RENDER_HTML_RATES];
	size_t n_rates;
};

struct render_html_logs {
	const char *source; /* "a.log, b.log" */
	const struct logparse_agg_result *res;
};

#define RENDER_HTML_MISSING 12
struct render_html_page {
	const char *host, *kernel, *generated, *version; /* the header; the test seam */
	const char *netns;                               /* NULL: the current one */
	const struct ct_snapshot *snap;
	const struct rules_report *rep;
	double fill_warn_pct, fill_crit_pct; /* the gauge's marks */
	const struct render_html_plan *plan; /* NULL: not made (missing[] says why) */
	const struct render_html_watch *watch;
	const struct render_html_logs *logs;
	const struct nat_report *nat; /* the walk's NAT view; NULL none */
	/* What was not available, one sentence each, said in the header. */
	const char *missing[RENDER_HTML_MISSING];
	size_t n_missing;
};

/* The whole page; 0, or -EIO when writing failed. */
int render_html(FILE *out, const struct render_html_page *p);

#endif
