/* root.c: the CTADVISOR_ROOT test seam. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "root.h"

const char *root_dir(void)
{
	const char *env = getenv(ROOT_ENV);

	return env != NULL && env[0] != '\0' ? env : NULL;
}

int root_proc(char *buf, size_t len)
{
	const char *root = root_dir();
	char tmp[4096];
	int n = snprintf(tmp, sizeof(tmp), "%s/proc", root ? root : "");

	if (n < 0 || (size_t)n >= sizeof(tmp) || (size_t)n >= len)
		return -ENAMETOOLONG;
	snprintf(buf, len, "%s", tmp);
	return 0;
}
