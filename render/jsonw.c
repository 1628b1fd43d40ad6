/* jsonw.c: jansson helpers for the renderers. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>

#include "escape.h"
#include "jsonw.h"

_Static_assert(sizeof(json_int_t) == sizeof(int64_t), "json_int_t is not 64-bit");

/* Adds the (key, value) pairs of ap to o; o released and NULL when a value
 * is NULL or a set fails (every value is consumed either way). */
static json_t *jw_fill(json_t *o, const char *key, va_list ap)
{
	bool is_ok = o != NULL;

	for (; key != NULL; key = va_arg(ap, const char *)) {
		json_t *v = va_arg(ap, json_t *);

		if (v == NULL)
			is_ok = false;
		else if (is_ok)
			is_ok = json_object_set_new(o, key, v) == 0;
		else
			json_decref(v);
	}
	if (!is_ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *jw_obj(const char *key, ...)
{
	va_list ap;
	json_t *o;

	va_start(ap, key);
	o = jw_fill(json_object(), key, ap);
	va_end(ap);
	return o;
}

const char *jw_status_name(int exit_code)
{
	static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

	return exit_code >= 0 && exit_code <= 3 ? names[exit_code] : "UNKNOWN";
}

static json_t *jw_netns(const struct jw_head *h)
{
	if (h->netns == NULL)
		return json_null();
	return jw_obj("name", jw_str(h->netns), "is_init",
		      h->is_init < 0 ? json_null() : json_boolean(h->is_init > 0), JW_END);
}

json_t *jw_report(const struct jw_head *h, const char *key, ...)
{
	json_t *o = jw_obj("schema", json_integer(h->schema), "tool", json_string("ctadvisor"),
			   "command", json_string(h->command), "version", jw_str(h->version),
			   "status", json_string(jw_status_name(h->exit_code)), "exit_code",
			   json_integer(h->exit_code), "netns", jw_netns(h), JW_END);
	va_list ap;

	va_start(ap, key);
	o = jw_fill(o, key, ap);
	va_end(ap);
	return o;
}

int jw_dump(FILE *out, json_t *root)
{
	int rc = 0;

	if (root == NULL)
		return -ENOMEM;
	if (json_dumpf(root, out, JW_DUMP_FLAGS) != 0 || fputc('\n', out) == EOF)
		rc = -EIO;
	json_decref(root);
	if (fflush(out) != 0 || ferror(out))
		rc = -EIO;
	return rc;
}

/* json_*_new() consume the value also when they fail (a NULL container
 * included), so only the container is left to release. */
void jw_append(json_t **arr, json_t *v)
{
	if (v != NULL && json_array_append_new(*arr, v) == 0)
		return;
	json_decref(*arr);
	*arr = NULL;
}

void jw_set(json_t **obj, const char *key, json_t *v)
{
	if (v != NULL && json_object_set_new(*obj, key, v) == 0)
		return;
	json_decref(*obj);
	*obj = NULL;
}

json_t *jw_u64(uint64_t v)
{
	return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

json_t *jw_str(const char *s)
{
	char buf[4096];
	json_t *v;

	if (s == NULL)
		return json_null();
	v = json_string(s);
	if (v != NULL)
		return v;
	render_escape(buf, sizeof(buf), s, RENDER_ESC_UTF8);
	return json_string(buf);
}
