/* fileio.h: read small kernel files whole. */
#ifndef CTADVISOR_FILEIO_H
#define CTADVISOR_FILEIO_H

#include <stddef.h>

/* Read up to 64 MiB; *text is malloc'd and NUL-terminated, *len its size.
 * -errno from open/read, -ENOMEM. */
int fileio_read_all(const char *path, char **text, size_t *len);

#endif
