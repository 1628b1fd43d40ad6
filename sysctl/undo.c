/* undo.c: the undo record in memory: its knobs and boot configuration
 * files, the checks on what may go in, and the walk back of its knobs.
 * Saving and loading are in undo_json.c, the files on disk in undo_files.c,
 * the record directory in undo_dir.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "undo.h"
#include "undo_internal.h"

static const char *const command_names[] = {
    [UNDO_CMD_APPLY] = "apply",
    [UNDO_CMD_WATCH_INVALID] = "watch-invalid",
};

/* Only what apply and watch change may ever be restored from a file. */
static const char *const allowed_prefixes[] = {"net.netfilter.", "module.nf_conntrack."};

bool undo_command_known(enum undo_command cmd)
{
	return (size_t)cmd < sizeof(command_names) / sizeof(command_names[0]);
}

const char *undo_command_name(enum undo_command cmd)
{
	if ((size_t)cmd >= sizeof(command_names) / sizeof(command_names[0]))
		return "unknown";
	return command_names[cmd];
}

int undo_command_parse(const char *s, enum undo_command *out)
{
	for (size_t i = 0; i < sizeof(command_names) / sizeof(command_names[0]); i++) {
		if (strcmp(s, command_names[i]) == 0) {
			*out = (enum undo_command)i;
			return 0;
		}
	}
	return -EINVAL;
}

struct undo_record *undo_record_new(const struct undo_info *info)
{
	struct undo_record *rec = calloc(1, sizeof(*rec));

	if (rec != NULL)
		rec->info = *info;
	return rec;
}

void undo_record_free(struct undo_record *rec)
{
	if (rec == NULL)
		return;
	free(rec->knobs);
	for (size_t i = 0; i < rec->n_files; i++)
		free(rec->files[i].original);
	free(rec->files);
	free(rec);
}

static bool name_allowed(const char *name)
{
	bool prefixed = false;

	for (size_t i = 0; i < sizeof(allowed_prefixes) / sizeof(allowed_prefixes[0]); i++) {
		size_t k = strlen(allowed_prefixes[i]);

		if (strncmp(name, allowed_prefixes[i], k) == 0 && name[k] != '\0')
			prefixed = true;
	}
	if (!prefixed || strstr(name, "..") != NULL)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-'))
			return false;
	return true;
}

int undo_record_add(struct undo_record *rec, const char *name, const char *original,
		    const char *new_value)
{
	struct sysctl_change c;
	size_t len = strlen(original);
	int rc;

	if (!name_allowed(name) || strchr(original, '\n') != NULL)
		return -EINVAL;
	rc = sysctl_change_init(&c, name, new_value);
	if (rc < 0)
		return rc;
	if (len >= sizeof(c.old_value))
		return -EOVERFLOW;
	memcpy(c.old_value, original, len + 1);
	if (rec->n == rec->cap) {
		size_t cap = rec->cap ? rec->cap * 2 : 8;
		struct sysctl_change *grown = realloc(rec->knobs, cap * sizeof(*grown));

		if (grown == NULL)
			return -ENOMEM;
		rec->knobs = grown;
		rec->cap = cap;
	}
	rec->knobs[rec->n++] = c;
	return 0;
}

int undo_record_add_changes(struct undo_record *rec, const struct sysctl_change *changes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct sysctl_change *c = &changes[i];
		int rc;

		if (c->state != SYSCTL_CHANGE_PENDING)
			continue;
		rc = undo_record_add(rec, c->name, c->old_value, c->new_value);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Absolute, no "." or ".." component, and a base name of ours:
 * "*ctadvisor*.conf" without odd characters. */
static bool file_path_allowed(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t blen;

	if (path[0] != '/' || strstr(path, "/../") != NULL || strstr(path, "/./") != NULL ||
	    strstr(path, "//") != NULL || base == NULL)
		return false;
	base++;
	blen = strlen(base);
	if (blen < 6 || strcmp(base + blen - 5, ".conf") != 0 || strstr(base, "ctadvisor") == NULL)
		return false;
	for (const char *p = base; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-'))
			return false;
	return true;
}

int undo_record_add_file(struct undo_record *rec, const char *path, const char *original,
			 size_t len)
{
	struct undo_file *grown, *f;
	size_t plen = strlen(path);

	if (plen >= UNDO_PATH_LEN)
		return -ENAMETOOLONG;
	if (!file_path_allowed(path) || (original != NULL && memchr(original, '\0', len) != NULL))
		return -EINVAL;
	if (original != NULL && len > UNDO_FILE_MAX_BYTES)
		return -EFBIG;
	if (original != NULL) {
		json_t *utf8 = json_stringn(original, len);

		if (utf8 == NULL)
			return -EILSEQ; /* not UTF-8: a JSON string cannot hold it */
		json_decref(utf8);
	}
	for (size_t i = 0; i < rec->n_files; i++)
		if (strcmp(rec->files[i].path, path) == 0)
			return -EEXIST;
	grown = realloc(rec->files, (rec->n_files + 1) * sizeof(*grown));
	if (grown == NULL)
		return -ENOMEM;
	rec->files = grown;
	f = &rec->files[rec->n_files];
	memset(f, 0, sizeof(*f));
	memcpy(f->path, path, plen + 1);
	if (original != NULL) {
		f->original = malloc(len + 1);
		if (f->original == NULL)
			return -ENOMEM;
		memcpy(f->original, original, len);
		f->original[len] = '\0';
		f->len = len;
		f->existed = true;
	}
	rec->n_files++;
	return 0;
}

size_t undo_record_file_count(const struct undo_record *rec)
{
	return rec->n_files;
}

const struct undo_file *undo_record_file(const struct undo_record *rec, size_t i)
{
	return i < rec->n_files ? &rec->files[i] : NULL;
}

const struct undo_info *undo_record_info(const struct undo_record *rec)
{
	return &rec->info;
}

size_t undo_record_count(const struct undo_record *rec)
{
	return rec->n;
}

const struct sysctl_change *undo_record_knob(const struct undo_record *rec, size_t i)
{
	return i < rec->n ? &rec->knobs[i] : NULL;
}

int undo_restore(const struct sysctl_ctx *ctx, struct undo_record *rec)
{
	for (size_t i = 0; i < rec->n; i++) {
		rec->knobs[i].state = SYSCTL_CHANGE_APPLIED;
		rec->knobs[i].is_written = true;
		rec->knobs[i].rc = 0;
	}
	return sysctl_rollback(ctx, rec->knobs, rec->n);
}
