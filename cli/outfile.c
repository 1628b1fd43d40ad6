/* outfile.c: render into memory, then one atomic replace (see outfile.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "../sysctl/persist.h"

/* Split path into a malloc'd directory and the name inside path: "a/b" is
 * "a" and "b", "b" is "." and "b", "/b" is "/" and "b". */
static int split_path(const char *path, char **dir, const char **name)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		*dir = strdup(".");
		*name = path;
	} else {
		size_t dlen = slash == path ? 1 : (size_t)(slash - path);

		*dir = strndup(path, dlen);
		*name = slash + 1;
	}
	if (*dir == NULL)
		return -ENOMEM;
	return **name ? 0 : -EISDIR;
}

int outfile_write(const char *path, outfile_render_fn fn, const void *ctx)
{
	char *buf = NULL, *dir = NULL;
	const char *name = NULL;
	size_t len = 0;
	FILE *mem;
	int rc = split_path(path, &dir, &name);

	if (rc < 0)
		goto out;
	mem = open_memstream(&buf, &len);
	if (mem == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	rc = fn(mem, ctx);
	if (fclose(mem) != 0 && rc == 0)
		rc = -ENOMEM;
	if (rc == 0)
		rc = persist_write_file(dir, name, buf, len, PERSIST_FILE_MODE, true);
out:
	free(buf);
	free(dir);
	return rc;
}
