/* statedir.c: the state directory and its undo/ folder. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "statedir.h"

const char *statedir_path(void)
{
	const char *env = getenv("CTADVISOR_STATE_DIR");

	return env != NULL && env[0] != '\0' ? env : "/var/lib/ctadvisor";
}

static int ensure_dir(const char *path)
{
	struct stat st;

	if (mkdir(path, 0700) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	if (stat(path, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int statedir_undo(char *dir, size_t len)
{
	const char *base = statedir_path();
	int n = snprintf(dir, len, "%s/undo", base);
	int rc;

	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	rc = ensure_dir(base);
	return rc < 0 ? rc : ensure_dir(dir);
}
