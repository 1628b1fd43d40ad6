/* undo_files.c: a record's boot configuration files on disk: reading their
 * content now (to record it, or to see whether it changed) and putting the
 * recorded content back. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "persist.h"
#include "undo.h"
#include "undo_internal.h"

/* The whole file into a malloc'd NUL-terminated buffer; at most
 * UNDO_FILE_MAX_BYTES + 1 bytes are read (the caller sees -EFBIG). */
static int read_text(const char *path, char **out, size_t *out_len)
{
	size_t cap = UNDO_FILE_MAX_BYTES + 2, n = 0;
	char *buf;
	FILE *f = fopen(path, "re");

	if (f == NULL)
		return -errno;
	buf = malloc(cap);
	if (buf == NULL) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, cap - 1, f);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return -EIO;
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	*out_len = n;
	return 0;
}

int undo_record_add_file_now(struct undo_record *rec, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	int rc = read_text(path, &text, &len);

	if (rc == -ENOENT)
		return undo_record_add_file(rec, path, NULL, 0);
	if (rc < 0)
		return rc;
	rc = undo_record_add_file(rec, path, text, len);
	free(text);
	return rc;
}

bool undo_file_differs(const struct undo_file *f)
{
	char *text = NULL;
	size_t len = 0;
	int rc = read_text(f->path, &text, &len);
	bool differs;

	if (rc == -ENOENT)
		return f->existed;
	if (rc < 0)
		return true;
	differs = !f->existed || len != f->len || (len > 0 && memcmp(text, f->original, len) != 0);
	free(text);
	return differs;
}

static int fsync_parent(const char *path)
{
	char dir[UNDO_PATH_LEN];
	const char *slash = strrchr(path, '/');
	int fd, rc = 0;

	snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static int restore_file(const struct undo_file *f)
{
	char dir[UNDO_PATH_LEN];
	const char *slash = strrchr(f->path, '/');

	if (!f->existed) {
		if (unlink(f->path) < 0 && errno != ENOENT)
			return -errno;
		return fsync_parent(f->path);
	}
	snprintf(dir, sizeof(dir), "%.*s", slash == f->path ? 1 : (int)(slash - f->path), f->path);
	return persist_write_file(dir, slash + 1, f->original, f->len, PERSIST_FILE_MODE, true);
}

int undo_restore_files(struct undo_record *rec)
{
	int first = 0;

	for (size_t i = rec->n_files; i-- > 0;) {
		struct undo_file *f = &rec->files[i];

		f->rc = restore_file(f);
		f->restored = f->rc == 0;
		if (f->rc < 0 && first == 0)
			first = f->rc;
	}
	return first;
}
