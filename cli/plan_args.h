/* plan_args.h: the command line of `ctadvisor plan` (plan_args.c): its
 * usage text and the options, checked, that cmd_plan.c plans with. */
#ifndef CTADVISOR_PLAN_ARGS_H
#define CTADVISOR_PLAN_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "../rules/plan.h"

#define PLAN_MAX_SETS 8

extern const char plan_usage[];

struct plan_args {
	bool has_growth, has_target, has_headroom, allow_shrink;
	double growth, headroom_pct;
	uint64_t target, load, budget;
	const char *from, *netns, *save;
	enum cli_format format;
	struct plan_timeout sets[PLAN_MAX_SETS];
	char set_names[PLAN_MAX_SETS][80];
	size_t n_sets;
};

/* Fill a from argv: 0 to run, 1 for --help, -1 after a usage error was
 * printed. */
int plan_parse_args(int argc, char **argv, struct plan_args *a);

#endif
