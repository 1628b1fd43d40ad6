/* render_cases.h: the check-report cases the cli/ renderer tests share
 * (render_cases.c): four snapshots with their reports built by hand
 * (healthy, critical, partial, hostile), the three formats of `ctadvisor
 * check`, and rendering a case into memory. Include after <cmocka.h>. */
#ifndef CTADVISOR_TEST_RENDER_CASES_H
#define CTADVISOR_TEST_RENDER_CASES_H

#include <stdio.h>

#include <jansson.h>

#include "../../../render/render.h"
#include "../../../rules/rules.h"

typedef int (*render_fn)(FILE *, const struct ct_snapshot *, const struct rules_report *,
			 const struct render_opts *);

/* NOLINTBEGIN(misc-misleading-bidirectional): the hostile case's netns
 * name: escapes, quotes, a byte that is not UTF-8, a C1 control and a
 * right-to-left override. */
#define HOSTILE "evil\x1b[31mred\x1b[0m\n\"q\"\\b\tt\xff\xc2\x9b\xe2\x80\xae!"
/* What JSON can carry of it: everything but the invalid byte. */
#define HOSTILE_JSON "evil\x1b[31mred\x1b[0m\n\"q\"\\b\tt\\xff\xc2\x9b\xe2\x80\xae!"
/* NOLINTEND(misc-misleading-bidirectional) */

struct render_case {
	const char *name;
	void (*build)(struct ct_snapshot *, struct rules_report *);
	const char *status;
	int exit_code;
};
#define N_CASES 4
extern const struct render_case cases[N_CASES];

struct render_format {
	const char *ext;
	render_fn fn;
};
#define N_FORMATS 3
extern const struct render_format formats[N_FORMATS]; /* txt, json, prom */

/* No colour, version "0.0.0-test": what the golden files hold. */
extern const struct render_opts plain;

/* What `ctadvisor check` prints in text format: the plugin line, then the
 * report. */
int render_check_text(FILE *out, const struct ct_snapshot *snap, const struct rules_report *rep,
		      const struct render_opts *opts);

void case_healthy(struct ct_snapshot *s, struct rules_report *r);
void case_critical(struct ct_snapshot *s, struct rules_report *r);
void case_partial(struct ct_snapshot *s, struct rules_report *r);
void case_hostile(struct ct_snapshot *s, struct rules_report *r);

/* An empty report (derived figures unknown), and a finding or a command
 * added to one. */
void report_init(struct rules_report *r);
struct rules_finding *add_finding(struct rules_report *r, const char *id, enum rules_sev sev,
				  const char *summary);
void add_cmd(struct rules_finding *f, const char *cmd);

struct rendered {
	char *buf;
	size_t len;
};

/* Case ci rendered by fn into out->buf (malloc'd; the caller frees it). */
void render_case(size_t ci, render_fn fn, const struct render_opts *opts, struct rendered *out);
/* Case ci as JSON, parsed back (failing the test when it does not parse);
 * the caller json_decref()s it. */
json_t *render_json_case(size_t ci);

#endif
