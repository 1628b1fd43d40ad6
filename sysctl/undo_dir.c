/* undo_dir.c: the directory of undo records: listing them newest first
 * from their file names, and marking one done once it is restored. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "undo.h"

/* "undo-" 20 digits "-" 3 digits ".json", nothing else. */
static bool parse_file_name(const char *s, struct undo_entry *e)
{
	size_t len = strlen(s);
	int64_t t = 0;
	unsigned int seq = 0;

	if (len != 34 || strncmp(s, "undo-", 5) != 0 || s[25] != '-' ||
	    strcmp(s + 29, ".json") != 0)
		return false;
	for (int i = 5; i < 25; i++) {
		if (s[i] < '0' || s[i] > '9' || t > (INT64_MAX - 9) / 10)
			return false;
		t = t * 10 + (s[i] - '0');
	}
	for (int i = 26; i < 29; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		seq = seq * 10 + (unsigned int)(s[i] - '0');
	}
	memcpy(e->file, s, len + 1);
	e->time_s = t;
	e->seq = seq;
	return true;
}

static int newest_first(const void *a, const void *b)
{
	const struct undo_entry *x = a, *y = b;

	if (x->time_s != y->time_s)
		return x->time_s < y->time_s ? 1 : -1;
	return (x->seq < y->seq) - (x->seq > y->seq);
}

int undo_list(const char *dir, struct undo_entry **entries, size_t *n)
{
	struct undo_entry *list = NULL, e;
	size_t count = 0;
	struct dirent *de;
	DIR *d = opendir(dir);
	int rc = 0;

	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		struct undo_entry *grown;

		if (!parse_file_name(de->d_name, &e))
			continue;
		grown = realloc(list, (count + 1) * sizeof(*list));
		if (grown == NULL) {
			rc = -ENOMEM;
			break;
		}
		list = grown;
		list[count++] = e;
	}
	closedir(d);
	if (rc < 0) {
		free(list);
		return rc;
	}
	if (count > 0)
		qsort(list, count, sizeof(*list), newest_first);
	*entries = list;
	*n = count;
	return 0;
}

int undo_mark_done(const char *dir, const char *file)
{
	char from[4096], to[4096];
	struct undo_entry e;
	int k1, k2, fd, rc = 0;

	if (!parse_file_name(file, &e))
		return -EINVAL;
	k1 = snprintf(from, sizeof(from), "%s/%s", dir, file);
	k2 = snprintf(to, sizeof(to), "%s/%s.done", dir, file);
	if (k1 < 0 || k2 < 0 || (size_t)k1 >= sizeof(from) || (size_t)k2 >= sizeof(to))
		return -ENAMETOOLONG;
	if (rename(from, to) < 0)
		return -errno;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}
