/* cmd_watch.h: watch's options, shared by the command and by its --invalid
 * mode (watch_invalid.c). */
#ifndef CTADVISOR_CMD_WATCH_H
#define CTADVISOR_CMD_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "../rules/rules.h"

struct watch_args {
	const char *netns;
	uint64_t interval_ms;
	uint64_t duration_ms; /* 0: until a signal */
	bool events;
	enum cli_format format;
	const char *save;
	const char *output; /* --output: --format prometheus metrics, rewritten each interval */
	struct rules_opts opts;
	bool invalid;       /* --invalid: classify invalid packets over NFLOG */
	unsigned log_proto; /* --proto: nf_conntrack_log_invalid value, 255 = all */
	bool fill_set;      /* --fill-warn or --fill-crit given */
	bool force;         /* --force: run anyway (see watch_invalid.c) */
};

#endif
