/* cmd_check.h: check's option parsing and fill verdict, apart from its
 * collectors and renderers, so that unit tests can drive them. */
#ifndef CTADVISOR_CMD_CHECK_H
#define CTADVISOR_CMD_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "check_state.h"
#include "cli.h"
#include "../analysis/range.h"
#include "../rules/rules.h"

#define CHECK_RANGE_TEXT 64

/* A fill threshold: the range and its canonical text for perfdata. */
struct check_threshold {
	struct range r;
	char text[CHECK_RANGE_TEXT];
};

struct check_args {
	const char *netns;
	const char *output; /* --output FILE, written atomically; NULL: stdout */
	enum cli_format format;
	enum cli_color color;
	bool do_walk;
	bool do_nat;    /* the NAT view on the walk (--no-nat: off) */
	bool all_netns; /* --all-netns */
	double nat_warn_pct, nat_crit_pct;
	struct check_threshold warn, crit;
	struct rules_opts opts;
	struct check_state_opts state; /* --state-dir, --no-state */
	uint64_t last_success_s;       /* set before rendering: Prometheus' last-success gauge */
};

/* Fill *a from check's argv: 0 to run, 1 for -h/--help, -1 after a
 * one-line usage error was printed to stderr. */
int check_parse_args(int argc, char **argv, struct check_args *a);

#endif
