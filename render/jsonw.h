/* jsonw.h: small jansson helpers shared by the JSON renderers. Values passed
 * in are consumed (as json_object_set_new does), also on failure, so callers
 * build objects inline and check once at the top. */
#ifndef CTADVISOR_JSONW_H
#define CTADVISOR_JSONW_H

#include <stdint.h>

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

#endif
