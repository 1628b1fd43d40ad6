/* sysctl_tree.h: the sysctl tests' temporary root (sysctl_tree.c): a
 * directory under /tmp standing for /, with a sysctl_ctx over it, into
 * which each test file writes the /proc/sys and /sys files it needs
 * (tmptree_put()). Include after <cmocka.h>. */
#ifndef CTADVISOR_TEST_SYSCTL_TREE_H
#define CTADVISOR_TEST_SYSCTL_TREE_H

#include "../../../sysctl/sysctl.h"

struct tree {
	char root[64];
	char dir[128]; /* test_undo.c: its undo directory, ROOT/undo */
	struct sysctl_ctx ctx;
};

/* A fresh empty root /tmp/ctadv-TAG-XXXXXX and its context. */
struct tree *tree_new(const char *tag);
/* cmocka teardown: the tree in *state removed, all of it, and freed. */
int tree_teardown(void **state);

#endif
