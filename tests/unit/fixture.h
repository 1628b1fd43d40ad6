/* fixture.h: the unit tests' reader of recorded netlink fixtures
 * (tests/fixtures/netlink/, written by tests/tools/nl_capture). Include after
 * <cmocka.h>. CTADVISOR_SRCDIR names the source tree (make check sets it;
 * "." otherwise). */
#ifndef CTADVISOR_TEST_FIXTURE_H
#define CTADVISOR_TEST_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

/* The whole fixture file NAME into buf[cap] (which the caller aligns for
 * netlink headers); its length. Fails the test when it is missing or does
 * not fit. */
static inline size_t read_fixture(const char *name, void *buf, size_t cap)
{
	const char *dir = getenv("CTADVISOR_SRCDIR");
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/tests/fixtures/netlink/%s", dir ? dir : ".", name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("%s: cannot open (run from the source tree)", path);
	n = fread(buf, 1, cap, f);
	assert_true(feof(f)); /* all of it fitted */
	fclose(f);
	return n;
}

#endif
