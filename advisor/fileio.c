/* fileio.c: whole-file reads for /proc and /sys, which report size 0. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "fileio.h"

int fileio_read_all(const char *path, char **text, size_t *len)
{
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap);
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0 || buf == NULL) {
		rc = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	while ((got = read(fd, buf + n, cap - n)) > 0) {
		n += (size_t)got;
		if (n == cap) {
			char *grown = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;

			if (grown == NULL) {
				rc = -ENOMEM;
				goto out;
			}
			buf = grown;
			cap *= 2;
		}
	}
	if (got < 0)
		rc = -errno;
	else
		buf[n] = '\0'; /* n < cap: the loop grows a full buffer */
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	*text = buf;
	*len = n;
	return 0;
}
