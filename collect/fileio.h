/* fileio.h: read small kernel files whole; capture a tool's output. */
#ifndef CTADVISOR_FILEIO_H
#define CTADVISOR_FILEIO_H

#include <stddef.h>

/* Read up to 64 MiB; *text is malloc'd and NUL-terminated, *len its size.
 * -errno from open/read, -ENOMEM. */
int fileio_read_all(const char *path, char **text, size_t *len);

/* Run argv[0] (searched in PATH; up to 8 arguments) in this namespace and
 * capture its stdout (up to 16 MiB), stderr to /dev/null. 0 with a
 * malloc'd NUL-terminated *text; -ENOENT when it is not installed or exits
 * non-zero; -ENOMEM. */
int fileio_run_capture(const char *const argv[], char **text, size_t *len);

#endif
