/* golden.h: golden files for unit tests: rendered output compared byte for
 * byte with tests/golden/NAME (under CTADVISOR_SRCDIR, "." otherwise: run
 * from the source tree). UPDATE_GOLDEN=1 writes the files instead; review
 * the diff before committing them. Include after <cmocka.h>. */
#ifndef CTADVISOR_TEST_GOLDEN_H
#define CTADVISOR_TEST_GOLDEN_H

#include <stddef.h>

/* Compare buf[len] with tests/golden/NAME, failing the test with the first
 * line that differs (or with how to make a missing file); under
 * UPDATE_GOLDEN=1 write buf to the file instead. */
void golden_check(const char *name, const char *buf, size_t len);

#endif
