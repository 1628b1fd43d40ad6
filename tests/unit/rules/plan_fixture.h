/* plan_fixture.h: the plan tests' input builder and step lookup, shared by
 * test_plan.c and test_plan_whatif.c. Include after <cmocka.h>. */
#ifndef CTADVISOR_TEST_PLAN_FIXTURE_H
#define CTADVISOR_TEST_PLAN_FIXTURE_H

#include <stdint.h>
#include <string.h>

#include "../../../rules/plan.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define GIB           (UINT64_C(1) << 30)
#define MIB           (UINT64_C(1) << 20)

/* Fail with the case index and the condition that did not hold. */
#define CHECK(i, cond)                                                                             \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fail_msg("case %zu: %s", (size_t)(i), #cond);                              \
	} while (0)

static struct plan_result res; /* large: keep it off the stack */

/* A 25 GB, 8-CPU host like the lab box, defaults otherwise. */
static inline void base_input(struct plan_input *in)
{
	plan_input_init(in);
	in->ram_bytes = UINT64_C(25000000000);
	in->cpus = 8;
}

static inline void set_target(struct plan_input *in, uint64_t target, double headroom)
{
	in->src = PLAN_DEMAND_TARGET;
	in->target_entries = target;
	in->headroom = headroom;
}

static inline const struct plan_step *find_step(const struct plan_result *r, const char *name)
{
	for (size_t i = 0; i < r->n_steps; i++)
		if (strcmp(r->steps[i].name, name) == 0)
			return &r->steps[i];
	return NULL;
}

#endif
