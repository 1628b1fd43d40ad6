/* tmptree.c: temporary directory trees for unit tests (tmptree.h). */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tmptree.h"

void tmptree_make(char *root, size_t size, const char *tag)
{
	int n = snprintf(root, size, "/tmp/ctadv-%s-XXXXXX", tag);

	assert_true(n > 0 && (size_t)n < size);
	if (mkdtemp(root) == NULL)
		fail_msg("mkdtemp %s: %s", root, strerror(errno));
}

/* mkdir -p of path's directory part. */
static void make_parents(char *path)
{
	for (char *p = strchr(path + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(path, 0777) < 0 && errno != EEXIST)
			fail_msg("mkdir %s: %s", path, strerror(errno));
		*p = '/';
	}
}

void tmptree_put(const char *root, const char *rel, const char *text)
{
	char path[512];
	FILE *f;
	int n = snprintf(path, sizeof(path), "%s/%s", root, rel);

	assert_true(n > 0 && (size_t)n < sizeof(path));
	make_parents(path);
	f = fopen(path, "w");
	if (f == NULL)
		fail_msg("cannot write %s: %s", path, strerror(errno));
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

void tmptree_put_mode(const char *root, const char *rel, const char *text, mode_t mode)
{
	char path[512];

	tmptree_put(root, rel, text);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(chmod(path, mode), 0);
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	if (remove(path) < 0)
		fail_msg("cannot remove %s: %s", path, strerror(errno));
	return 0;
}

void tmptree_remove(const char *root)
{
	/* Depth first, so directories are empty when their turn comes;
	 * FTW_PHYS: a link to /dev/full is itself removed. */
	assert_int_equal(nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}
