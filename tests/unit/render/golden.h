/* golden.h: compare rendered bytes with tests/golden/NAME, byte for byte;
 * UPDATE_GOLDEN=1 rewrites the file instead (review the diff). Run from the
 * repository root or set CTADVISOR_SRCDIR. For the test files that include
 * it after <cmocka.h>. */
#ifndef CTADVISOR_TEST_GOLDEN_H
#define CTADVISOR_TEST_GOLDEN_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void golden_check(const char *name, const char *buf, size_t len)
{
	const char *dir = getenv("CTADVISOR_SRCDIR"), *update = getenv("UPDATE_GOLDEN");
	char path[4096], *want = NULL;
	size_t want_len = 0, i, line = 1;
	FILE *f, *m;

	snprintf(path, sizeof(path), "%s/tests/golden/%s", dir != NULL ? dir : ".", name);
	if (update != NULL && strcmp(update, "1") == 0) {
		f = fopen(path, "w");
		if (f == NULL)
			fail_msg("cannot write %s: %s", path, strerror(errno));
		assert_int_equal(fwrite(buf, 1, len, f), len);
		assert_int_equal(fclose(f), 0);
		return;
	}
	f = fopen(path, "r");
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

#endif
