/* apply_args.h: the command line of `ctadvisor apply` (apply_args.c): its
 * usage text and the change set its options and plan file ask for, each
 * knob with why it is changed; cmd_apply.c carries it out. */
#ifndef CTADVISOR_APPLY_ARGS_H
#define CTADVISOR_APPLY_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "apply_persist.h"
#include "../sysctl/sysctl_write.h"

#define APPLY_MAX      64
#define APPLY_WHY_LEN  96
#define APPLY_ACCT     "net.netfilter.nf_conntrack_acct"
#define APPLY_TSTAMP   "net.netfilter.nf_conntrack_timestamp"
#define APPLY_HASHSIZE "module.nf_conntrack.hashsize"

extern const char apply_usage[];

struct apply_args {
	struct sysctl_change changes[APPLY_MAX];
	char why[APPLY_MAX][APPLY_WHY_LEN];
	size_t n;
	const char *plan, *netns;
	struct apply_persist_dirs dirs;
	struct apply_persist_plan files; /* with persist: the files, computed before the record */
	bool dry_run, yes, persist, flush, allow_shrink;
};

/* Fill a from argv (the knobs in the order given, the plan file's after
 * them): 0 to run, 1 for --help, -1 after a usage error was printed. */
int apply_parse_args(int argc, char **argv, struct apply_args *a);

#endif
