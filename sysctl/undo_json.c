/* undo_json.c: the undo record as a JSON file (jansson): written as a new
 * file never replacing one, loaded strictly, every rejection said with
 * where it is. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "persist.h"
#include "undo.h"
#include "undo_internal.h"

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
	    !undo_command_known(in->command))
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
