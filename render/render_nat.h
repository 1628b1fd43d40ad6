/* render_nat.h: the `ctadvisor nat` report in each output format. The
 * renderers only format what cmd_nat gathered; all pointers are borrowed
 * for the call. */
#ifndef CTADVISOR_RENDER_NAT_H
#define CTADVISOR_RENDER_NAT_H

#include <stdio.h>

#include "../analysis/nat.h"
#include "../analysis/nat_rules.h"
#include "../rules/rules.h"

struct render_nat_in {
	const char *netns; /* as given to --netns; NULL: the current one */
	const struct nat_report *rep;
	const struct nat_rules *rules;
	const char *rules_src; /* "nft", "iptables-save", "nft+iptables-save", "file", "none" */
	int ctr_err;           /* -errno when the counters could not be read */
	const struct rules_report *findings; /* the nat finding, status and exit code */
};

/* 0, or -EIO when writing failed (-ENOMEM for JSON, when nothing is written). */
int render_nat_text(FILE *out, const struct render_nat_in *in);
int render_nat_json(FILE *out, const struct render_nat_in *in);
int render_nat_prom(FILE *out, const struct render_nat_in *in);

#endif
