/* rules_fixture.h: the rules tests' snapshot builder and finding lookups,
 * shared by test_rules.c and test_rules_knobs.c. Include after <cmocka.h>. */
#ifndef CTADVISOR_TEST_RULES_FIXTURE_H
#define CTADVISOR_TEST_RULES_FIXTURE_H

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../../../rules/rules.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Fail with the case index and what was expected. */
#define CHECK(i, cond)                                                                             \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fail_msg("case %zu: %s", (size_t)(i), #cond);                              \
	} while (0)

static struct rules_report rep; /* large: keep it off the stack */

/* A healthy host: nothing should fire. Counters all present and zero. */
static inline void base_snap(struct ct_snapshot *s)
{
	snap_init(s);
	s->is_init_netns = true;
	s->ram_bytes = UINT64_C(25000000000);
	s->has_count = true;
	s->count = 100;
	s->has_max = true;
	s->max = 262144;
	s->set.max = 262144;
	s->set.buckets = 262144;
	s->set.acct = 1;
	s->set.timestamp = 1;
	s->set.events = 2;
	s->set.log_invalid = 0;
	s->set.tcp_loose = 1;
	s->set.tcp_be_liberal = 0;
	s->has_stats = true;
	for (unsigned i = SNAP_STAT_SEARCHED; i <= SNAP_STAT_CHAINTOOLONG; i++)
		s->total.present |= UINT32_C(1) << i;
	s->has_slab = true;
	s->slab_obj_bytes = 256;
}

static inline void eval(const struct ct_snapshot *s, const struct rules_opts *o)
{
	struct rules_opts def;

	if (o == NULL) {
		rules_opts_default(&def);
		o = &def;
	}
	rules_evaluate(s, o, &rep);
}

static inline const struct rules_finding *find(const char *id)
{
	for (size_t i = 0; i < rep.n_findings; i++)
		if (strcmp(rep.findings[i].id, id) == 0)
			return &rep.findings[i];
	return NULL;
}

static inline bool ev_get(const struct rules_finding *f, const char *name, double *v)
{
	for (size_t i = 0; i < f->n_ev; i++) {
		if (strcmp(f->ev[i].name, name) == 0) {
			*v = f->ev[i].value;
			return true;
		}
	}
	return false;
}

static inline bool ev_is(const struct rules_finding *f, const char *name, double want)
{
	double v;

	return ev_get(f, name, &v) && fabs(v - want) < 1e-6;
}

static inline bool has_cmd(const struct rules_finding *f, const char *cmd)
{
	for (size_t i = 0; i < f->n_commands; i++)
		if (strcmp(f->commands[i], cmd) == 0)
			return true;
	return false;
}

/* id present with sev, or absent when sev is OK. */
static inline const struct rules_finding *expect(size_t i, const char *id, enum rules_sev sev)
{
	const struct rules_finding *f = find(id);

	if (sev == RULES_SEV_OK) {
		if (f != NULL)
			fail_msg("case %zu: %s fired (%s) but should not", i, id,
				 rules_sev_name(f->sev));
		return NULL;
	}
	if (f == NULL)
		fail_msg("case %zu: %s did not fire", i, id);
	if (f->sev != sev)
		fail_msg("case %zu: %s is %s, want %s", i, id, rules_sev_name(f->sev),
			 rules_sev_name(sev));
	CHECK(i, f->summary[0] != '\0' && strchr(f->summary, '\n') == NULL);
	return f;
}

#define APPLY  "ctadvisor apply --set net.netfilter."
#define SYSCTL "sysctl -w net.netfilter."

static inline bool is_apply_only(const struct rules_finding *f, const char *kv)
{
	char cmd[RULES_CMD_LEN], equiv[RULES_CMD_LEN];

	snprintf(cmd, sizeof(cmd), APPLY "%s", kv);
	snprintf(equiv, sizeof(equiv), SYSCTL "%s", kv);
	return f->n_commands == 1 && strcmp(f->commands[0], cmd) == 0 &&
	       strcmp(f->equivalent, equiv) == 0;
}

#endif
