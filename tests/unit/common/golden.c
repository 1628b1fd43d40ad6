/* golden.c: golden files for unit tests (golden.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "golden.h"

/* Whether this run rewrites the golden files. */
static bool golden_updating(void)
{
	const char *update = getenv("UPDATE_GOLDEN");

	return update != NULL && strcmp(update, "1") == 0;
}

static void golden_write(const char *path, const char *buf, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		fail_msg("cannot write %s: %s", path, strerror(errno));
		return; /* not reached: for the static analysers */
	}
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Byte for byte; on a difference, name the first differing line. */
static void golden_compare(const char *path, const char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	char *want = NULL;
	size_t want_len = 0, i, line = 1;
	FILE *m;

	if (f == NULL) {
		fail_msg("%s: %s (generate it with UPDATE_GOLDEN=1)", path, strerror(errno));
		return; /* not reached */
	}
	m = open_memstream(&want, &want_len);
	assert_non_null(m);
	for (int c; (c = fgetc(f)) != EOF;)
		fputc(c, m);
	fclose(f);
	assert_int_equal(fclose(m), 0);
	for (i = 0; i < want_len && i < len && want[i] == buf[i]; i++)
		line += want[i] == '\n';
	free(want);
	if (i != want_len || i != len)
		fail_msg("%s: output differs from line %zu (byte %zu); UPDATE_GOLDEN=1 regenerates",
			 path, line, i);
}

void golden_check(const char *name, const char *buf, size_t len)
{
	const char *dir = getenv("CTADVISOR_SRCDIR");
	char path[4096];

	snprintf(path, sizeof(path), "%s/tests/golden/%s", dir != NULL ? dir : ".", name);
	if (golden_updating())
		golden_write(path, buf, len);
	else
		golden_compare(path, buf, len);
}
