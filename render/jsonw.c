/* jsonw.c: jansson helpers for the renderers. */
#include <stdarg.h>
#include <stdbool.h>

#include "escape.h"
#include "jsonw.h"

_Static_assert(sizeof(json_int_t) == sizeof(int64_t), "json_int_t is not 64-bit");

json_t *jw_obj(const char *key, ...)
{
	json_t *o = json_object();
	bool is_ok = o != NULL;
	va_list ap;

	va_start(ap, key);
	for (; key != NULL; key = va_arg(ap, const char *)) {
		json_t *v = va_arg(ap, json_t *);

		if (v == NULL)
			is_ok = false;
		else if (is_ok)
			is_ok = json_object_set_new(o, key, v) == 0;
		else
			json_decref(v);
	}
	va_end(ap);
	if (!is_ok) {
		json_decref(o);
		return NULL;
	}
	return o;
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
