/* undo.c: undo records as JSON files (jansson), strict loading, restore. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "persist.h"
#include "undo.h"

#define UNDO_FILE_FMT "undo-%020" PRId64 "-%03u.json"
#define UNDO_SEQ_MAX  1000

struct undo_record {
	struct undo_info info;
	struct sysctl_change *knobs;
	size_t n, cap;
	struct undo_file *files;
	size_t n_files;
};

static const char *const command_names[] = {
    [UNDO_CMD_APPLY] = "apply",
    [UNDO_CMD_WATCH_INVALID] = "watch-invalid",
};

/* Only what apply and watch change may ever be restored from a file. */
static const char *const allowed_prefixes[] = {"net.netfilter.", "module.nf_conntrack."};

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

size_t undo_record_file_count(const struct undo_record *rec)
{
	return rec->n_files;
}

const struct undo_file *undo_record_file(const struct undo_record *rec, size_t i)
{
	return i < rec->n_files ? &rec->files[i] : NULL;
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

/* The record as JSON; NULL on ENOMEM. */
static json_t *record_to_json(const struct undo_record *rec)
{
	const struct undo_info *in = &rec->info;
	json_t *knobs = json_array(), *root, *files;

	if (knobs == NULL)
		return NULL;
	for (size_t i = 0; i < rec->n; i++) {
		const struct sysctl_change *c = &rec->knobs[i];

		if (json_array_append_new(knobs,
					  json_pack("{s:s, s:s, s:s}", "name", c->name, "original",
						    c->old_value, "new", c->new_value)) < 0) {
			json_decref(knobs);
			return NULL;
		}
	}
	/* "o" steals knobs, also when json_pack fails. */
	root = json_pack("{s:i, s:I, s:s, s:{s:s, s:I, s:I}, s:o}", "version", UNDO_VERSION, "time",
			 (json_int_t)in->time_s, "command", undo_command_name(in->command), "netns",
			 "name", in->netns_name, "inode", (json_int_t)in->netns_ino, "dev",
			 (json_int_t)in->netns_dev, "knobs", knobs);
	if (root == NULL || rec->n_files == 0)
		return root;
	files = json_array();
	for (size_t i = 0; files != NULL && i < rec->n_files; i++) {
		const struct undo_file *f = &rec->files[i];
		json_t *orig = f->existed ? json_stringn(f->original, f->len) : json_null();

		/* NULL orig: not UTF-8; "o" then fails and the save with it. */
		if (json_array_append_new(
			files, json_pack("{s:s, s:o}", "path", f->path, "original", orig)) < 0) {
			json_decref(files);
			files = NULL;
		}
	}
	if (files == NULL || json_object_set_new(root, "files", files) < 0) {
		json_decref(root);
		return NULL;
	}
	return root;
}

/* Indented JSON ending with a newline, as text files do; NULL on ENOMEM. */
static char *dump_text(const json_t *root)
{
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	size_t k = text ? strlen(text) : 0;
	char *nl = text ? realloc(text, k + 2) : NULL;

	if (nl == NULL) {
		free(text);
		return NULL;
	}
	memcpy(nl + k, "\n", 2);
	return nl;
}

static int save_text(const char *dir, const struct undo_record *rec, const char *text, char *file,
		     size_t len)
{
	char name[UNDO_FILE_LEN];

	for (unsigned int seq = 0; seq < UNDO_SEQ_MAX; seq++) {
		int rc;

		snprintf(name, sizeof(name), UNDO_FILE_FMT, rec->info.time_s, seq);
		rc = persist_write_file(dir, name, text, strlen(text), 0600, false);
		if (rc == -EEXIST)
			continue;
		if (rc == 0)
			snprintf(file, len, "%s", name);
		return rc;
	}
	return -EEXIST;
}

int undo_save(const char *dir, const struct undo_record *rec, char *file, size_t len)
{
	const struct undo_info *in = &rec->info;
	json_t *root;
	char *text;
	int rc;

	/* Checked first: a saved record whose name we cannot return is lost. */
	if (len < sizeof("undo-00000000000000000000-000.json"))
		return -ENAMETOOLONG;
	if ((rec->n == 0 && rec->n_files == 0) || in->time_s < 0 ||
	    (size_t)in->command >= sizeof(command_names) / sizeof(command_names[0]))
		return -EINVAL;
	if (in->netns_ino > INT64_MAX || in->netns_dev > INT64_MAX)
		return -ERANGE;
	root = record_to_json(rec);
	if (root == NULL)
		return -ENOMEM;
	text = dump_text(root);
	json_decref(root);
	if (text == NULL)
		return -ENOMEM;
	rc = save_text(dir, rec, text, file, len);
	free(text);
	return rc;
}

__attribute__((format(printf, 5, 6))) static int set_err(struct undo_error *err, int rc, int line,
							 int column, const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	err->column = column;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return rc;
}

/* Parse the file into a JSON tree; syntax errors keep jansson's position. */
static int read_json(const char *path, json_t **out, struct undo_error *err)
{
	json_error_t je = {0};
	struct stat st;
	json_t *root;
	FILE *f = fopen(path, "re");
	int rc = 0;

	if (f == NULL)
		return set_err(err, -errno, 0, 0, "%s: %s", path, strerror(errno));
	if (fstat(fileno(f), &st) == 0 && st.st_size > (off_t)UNDO_MAX_BYTES)
		rc = set_err(err, -EFBIG, 0, 0, "%s: larger than %zu bytes", path, UNDO_MAX_BYTES);
	root = rc == 0 ? json_loadf(f, JSON_REJECT_DUPLICATES, &je) : NULL;
	fclose(f);
	if (rc < 0)
		return rc;
	if (root == NULL) {
		rc = json_error_code(&je) == json_error_out_of_memory ? -ENOMEM : -EBADMSG;
		return set_err(err, rc, je.line, je.column, "%s:%d:%d: %s", path, je.line,
			       je.column, je.text);
	}
	*out = root;
	return 0;
}

static int check_version(json_t *root, struct undo_error *err)
{
	json_error_t je;
	int version;

	/* Not strict: a newer record may have other fields; say "version". */
	if (json_unpack_ex(root, &je, 0, "{s:i}", "version", &version) < 0)
		return set_err(err, -EINVAL, 0, 0, "version: %s", je.text);
	if (version != UNDO_VERSION)
		return set_err(err, -EPROTONOSUPPORT, 0, 0,
			       "version %d is not supported (this ctadvisor reads version %d)",
			       version, UNDO_VERSION);
	return 0;
}

struct field {
	const char *key;
	json_type type;
};

static const struct field top_fields[] = {
    {"version", JSON_INTEGER}, {"time", JSON_INTEGER}, {"command", JSON_STRING},
    {"netns", JSON_OBJECT},    {"knobs", JSON_ARRAY},
};
static const struct field netns_fields[] = {
    {"name", JSON_STRING}, {"inode", JSON_INTEGER}, {"dev", JSON_INTEGER}};
static const struct field knob_fields[] = {
    {"name", JSON_STRING}, {"original", JSON_STRING}, {"new", JSON_STRING}};

static const char *type_name(const json_t *v)
{
	static const char *const names[] = {
	    [JSON_OBJECT] = "object",   [JSON_ARRAY] = "array", [JSON_STRING] = "string",
	    [JSON_INTEGER] = "integer", [JSON_REAL] = "real",   [JSON_TRUE] = "true",
	    [JSON_FALSE] = "false",     [JSON_NULL] = "null",
	};
	return names[json_typeof(v)];
}

static bool is_known(const char *key, const struct field *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(key, f[i].key) == 0)
			return true;
	return false;
}

/* Name the first missing, mistyped or unknown field of obj, prefixed with
 * where obj sits ("netns", "knobs[2]"): jansson's unpack messages do not. */
static int check_fields(json_t *obj, const struct field *f, size_t n, const char *where,
			struct undo_error *err)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return set_err(err, -EINVAL, 0, 0, "%s: expected an object, got %s", where,
			       type_name(obj));
	for (size_t i = 0; i < n; i++) {
		v = json_object_get(obj, f[i].key);
		if (v == NULL)
			return set_err(err, -EINVAL, 0, 0, "%s.%s: missing", where, f[i].key);
		if (json_typeof(v) != f[i].type)
			return set_err(err, -EINVAL, 0, 0, "%s.%s: expected %s, got %s", where,
				       f[i].key,
				       f[i].type == JSON_INTEGER  ? "integer"
				       : f[i].type == JSON_STRING ? "string"
				       : f[i].type == JSON_ARRAY  ? "array"
								  : "object",
				       type_name(v));
	}
	json_object_foreach(obj, key, v)
	{
		if (!is_known(key, f, n))
			return set_err(err, -EINVAL, 0, 0, "%s: unknown field \"%.64s\"", where,
				       key);
	}
	return 0;
}

#define CHECK_FIELDS(obj, f, where, err)                                                           \
	check_fields(obj, f, sizeof(f) / sizeof((f)[0]), where, err)

/* Top level, strictly: exactly these fields, these types. */
static int parse_top(json_t *root, bool has_files, struct undo_info *in, json_t **knobs,
		     struct undo_error *err)
{
	json_int_t t, ino, dev;
	const char *cmd, *ns;
	json_t *k;
	json_error_t je;
	size_t ns_len;
	int version, rc = CHECK_FIELDS(root, top_fields, "record", err);

	if (rc == 0)
		rc = CHECK_FIELDS(json_object_get(root, "netns"), netns_fields, "netns", err);
	if (rc < 0)
		return rc;
	/* Backstop for the checks above, and the extraction. */
	if (json_unpack_ex(root, &je, JSON_STRICT, "{s:i, s:I, s:s, s:{s:s, s:I, s:I}, s:o}",
			   "version", &version, "time", &t, "command", &cmd, "netns", "name", &ns,
			   "inode", &ino, "dev", &dev, "knobs", &k) < 0)
		return set_err(err, -EINVAL, 0, 0, "record: %s", je.text);
	memset(in, 0, sizeof(*in));
	if (t < 0)
		return set_err(err, -EINVAL, 0, 0, "time: negative");
	if (ino < 0 || dev < 0)
		return set_err(err, -EINVAL, 0, 0, "netns: negative inode or dev");
	if (undo_command_parse(cmd, &in->command) < 0)
		return set_err(err, -EINVAL, 0, 0, "command: unknown \"%.64s\"", cmd);
	ns_len = strlen(ns);
	if (ns_len >= sizeof(in->netns_name))
		return set_err(err, -EINVAL, 0, 0, "netns.name: too long");
	if (!json_is_array(k) || (json_array_size(k) == 0 && !has_files))
		return set_err(err, -EINVAL, 0, 0, "knobs: expected a non-empty array");
	memcpy(in->netns_name, ns, ns_len + 1);
	in->time_s = t;
	in->netns_ino = (uint64_t)ino;
	in->netns_dev = (uint64_t)dev;
	*knobs = k;
	return 0;
}

static int parse_knobs(json_t *knobs, struct undo_record *rec, struct undo_error *err)
{
	for (size_t i = 0; i < json_array_size(knobs); i++) {
		const char *name, *orig, *val;
		char where[32];
		json_error_t je;
		int rc;

		snprintf(where, sizeof(where), "knobs[%zu]", i);
		rc = CHECK_FIELDS(json_array_get(knobs, i), knob_fields, where, err);
		if (rc < 0)
			return rc;
		if (json_unpack_ex(json_array_get(knobs, i), &je, JSON_STRICT, "{s:s, s:s, s:s}",
				   "name", &name, "original", &orig, "new", &val) < 0)
			return set_err(err, -EINVAL, 0, 0, "knobs[%zu]: %s", i, je.text);
		rc = undo_record_add(rec, name, orig, val);
		if (rc == -ENOMEM)
			return set_err(err, rc, 0, 0, "out of memory");
		if (rc < 0)
			return set_err(
			    err, -EINVAL, 0, 0,
			    "knobs[%zu]: name \"%.64s\" is not a conntrack knob, or a value is "
			    "too long or has a newline",
			    i, name);
	}
	return 0;
}

static const struct field file_fields[] = {{"path", JSON_STRING}};

/* "files": [{"path": "/abs/NAME.conf", "original": "text" or null}]. */
static int parse_files(json_t *files, struct undo_record *rec, struct undo_error *err)
{
	if (files == NULL)
		return 0;
	if (!json_is_array(files) || json_array_size(files) == 0)
		return set_err(err, -EINVAL, 0, 0, "files: expected a non-empty array");
	for (size_t i = 0; i < json_array_size(files); i++) {
		json_t *f = json_array_get(files, i), *orig = json_object_get(f, "original");
		char where[32];
		int rc;

		snprintf(where, sizeof(where), "files[%zu]", i);
		if (json_is_object(f) && orig != NULL && json_object_size(f) == 2) {
			/* path checked below; original: string or null */
			json_incref(orig);
			json_object_del(f, "original");
			rc = CHECK_FIELDS(f, file_fields, where, err);
			json_object_set_new(f, "original", orig);
		} else {
			rc = set_err(
			    err, -EINVAL, 0, 0,
			    "%s: expected {\"path\": string, \"original\": string or null}", where);
		}
		if (rc < 0)
			return rc;
		if (!json_is_string(orig) && !json_is_null(orig))
			return set_err(err, -EINVAL, 0, 0, "%s.original: expected string or null",
				       where);
		rc = undo_record_add_file(rec, json_string_value(json_object_get(f, "path")),
					  json_string_value(orig),
					  json_is_string(orig) ? json_string_length(orig) : 0);
		if (rc == -ENOMEM)
			return set_err(err, rc, 0, 0, "out of memory");
		if (rc < 0)
			return set_err(
			    err, -EINVAL, 0, 0,
			    "%s: \"%.64s\" is not a ctadvisor configuration file (an "
			    "absolute path to *ctadvisor*.conf), is listed twice, or its "
			    "content is too large or holds a NUL byte",
			    where, json_string_value(json_object_get(f, "path")));
	}
	return 0;
}

int undo_load(const char *path, struct undo_record **out, struct undo_error *err)
{
	struct undo_record *rec = NULL;
	json_t *knobs = NULL, *files = NULL;
	struct undo_info info;
	json_t *root = NULL;
	int rc;

	rc = read_json(path, &root, err);
	if (rc == 0)
		rc = check_version(root, err);
	/* Optional, so taken out before the strict check of the rest. */
	if (rc == 0 && json_is_object(root) && (files = json_object_get(root, "files")) != NULL) {
		json_incref(files);
		json_object_del(root, "files");
	}
	if (rc == 0)
		rc = parse_top(root, files != NULL, &info, &knobs, err);
	if (rc == 0 && (rec = undo_record_new(&info)) == NULL)
		rc = set_err(err, -ENOMEM, 0, 0, "out of memory");
	if (rc == 0)
		rc = parse_knobs(knobs, rec, err);
	if (rc == 0)
		rc = parse_files(files, rec, err);
	json_decref(files);
	json_decref(root);
	if (rc < 0) {
		undo_record_free(rec);
		return rc;
	}
	*out = rec;
	return 0;
}

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

int undo_restore(const struct sysctl_ctx *ctx, struct undo_record *rec)
{
	for (size_t i = 0; i < rec->n; i++) {
		rec->knobs[i].state = SYSCTL_CHANGE_APPLIED;
		rec->knobs[i].is_written = true;
		rec->knobs[i].rc = 0;
	}
	return sysctl_rollback(ctx, rec->knobs, rec->n);
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
