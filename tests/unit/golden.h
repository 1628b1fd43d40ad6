/* golden.h: the unit tests' comparison with a golden file under
 * tests/golden/ (CTADVISOR_SRCDIR names the source tree; "." otherwise).
 * UPDATE_GOLDEN=1 rewrites the file instead: review the diff. Include after
 * <cmocka.h>. */
#ifndef CTADVISOR_TEST_GOLDEN_H
#define CTADVISOR_TEST_GOLDEN_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fails the test naming the first line that differs from tests/golden/NAME. */
static inline void golden_compare_file(const char *name, const char *buf, size_t len)
{
	const char *dir = getenv("CTADVISOR_SRCDIR");
	char path[512], *want = NULL;
	size_t want_len = 0, i, line = 1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/golden/%s", dir != NULL ? dir : ".", name);
	if (getenv("UPDATE_GOLDEN") != NULL) {
		f = fopen(path, "w");
		assert_non_null(f);
		assert_int_equal(fwrite(buf, 1, len, f), len);
		assert_int_equal(fclose(f), 0);
		return;
	}
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("%s: %s (generate it with UPDATE_GOLDEN=1)", path, strerror(errno));
	assert_int_not_equal(getdelim(&want, &want_len, '\0', f), -1);
	want_len = strlen(want);
	fclose(f);
	for (i = 0; i < want_len && i < len && want[i] == buf[i]; i++)
		line += want[i] == '\n';
	free(want);
	if (i != want_len || i != len)
		fail_msg("%s: output differs from line %zu (byte %zu); UPDATE_GOLDEN=1 regenerates",
			 path, line, i);
}

#endif
