/* jsonw.h: small jansson helpers shared by the JSON renderers. Values passed
 * in are consumed (as json_object_set_new does), also on failure, so callers
 * build objects inline and check once at the top. */
#ifndef CTADVISOR_JSONW_H
#define CTADVISOR_JSONW_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/* A typed sentinel: a bare NULL may be a plain 0 where a pointer is read. */
#define JW_END ((const char *)NULL)

/* An object of (key, value) pairs up to a JW_END key, in that order; NULL
 * when a value is NULL (its allocation failed) or on allocation failure. */
json_t *jw_obj(const char *key, ...) __attribute__((sentinel));
/* Append v to *arr; on failure *arr is released and set to NULL, which ends
 * the caller's loop and fails its parent. */
void jw_append(json_t **arr, json_t *v);
/* Likewise for objects whose keys are known only at run time. */
void jw_set(json_t **obj, const char *key, json_t *v);
/* Kernel counters are uint64_t; jansson's integers are signed 64-bit. */
json_t *jw_u64(uint64_t v);
/* A string from outside: NULL becomes null; json_string() refuses invalid
 * UTF-8, so such bytes are written as the text \xNN. */
json_t *jw_str(const char *s);

/* The one envelope of every JSON report, its first keys in this order:
 * schema, tool ("ctadvisor"), command, version, status ("OK", "WARNING",
 * "CRITICAL", "UNKNOWN": the exit code's name), exit_code, netns
 * ({"name", "is_init"}, or null for a report over every namespace). */
struct jw_head {
	int schema;
	const char *command; /* "check", "nat", "inventory", ... */
	const char *version; /* NULL: null (the tests' seam) */
	int exit_code;       /* enum ct_exit */
	const char *netns;   /* "" the caller's own namespace; NULL: null */
	int is_init;         /* 1, 0, or -1 unknown (null) */
};
/* The envelope followed by the report's own (key, value) pairs up to JW_END;
 * NULL as jw_obj(). */
json_t *jw_report(const struct jw_head *h, const char *key, ...) __attribute__((sentinel));
const char *jw_status_name(int exit_code);
/* One set of flags for every report document, indented, in build order.
 * Twelve significant digits: enough for any figure we show, few enough to
 * hide binary noise (0.1 + 0.2 prints as 0.3), so golden files stay
 * readable. ASCII only: strings from outside (a netns name with a C1 control
 * or a bidi override) come out as \uXXXX, so the output is safe to cat. */
#define JW_DUMP_FLAGS                                                                              \
	(JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12) | JSON_ENSURE_ASCII)
/* Write root and a newline, flush; root consumed (NULL: -ENOMEM). 0 or -EIO. */
int jw_dump(FILE *out, json_t *root);

#endif
