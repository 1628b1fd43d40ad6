/* sysctl_tree.c: the sysctl tests' temporary root (sysctl_tree.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../common/tmptree.h"
#include "sysctl_tree.h"

struct tree *tree_new(const char *tag)
{
	struct tree *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	tmptree_make(t->root, sizeof(t->root), tag);
	assert_int_equal(sysctl_ctx_init(&t->ctx, t->root), 0);
	return t;
}

int tree_teardown(void **state)
{
	struct tree *t = *state;

	tmptree_remove(t->root);
	free(t);
	return 0;
}
