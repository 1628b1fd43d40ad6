/* envelope_fx.c: the envelope and golden checks of the report tests
 * (envelope_fx.h). */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "../common/golden.h"
#include "envelope_fx.h"

static const char *const envelope_keys[] = {"schema", "tool",      "command", "version",
					    "status", "exit_code", "netns"};
#define N_ENVELOPE (sizeof(envelope_keys) / sizeof(envelope_keys[0]))

static const char *status_of(int exit_code)
{
	static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

	return exit_code >= 0 && exit_code <= 3 ? names[exit_code] : "UNKNOWN";
}

json_t *envelope_parse(const char *doc)
{
	json_error_t err;
	json_t *root = json_loads(doc, 0, &err);

	if (root == NULL)
		fail_msg("not JSON (line %d: %s):\n%s", err.line, err.text, doc);
	return root;
}

json_t *envelope_check(const char *doc, const char *command, int schema, int exit_code)
{
	json_t *root = envelope_parse(doc);
	void *it;
	size_t i = 0;

	assert_true(json_is_object(root));
	/* json_loads keeps the document's key order */
	for (it = json_object_iter(root); it != NULL && i < N_ENVELOPE;
	     it = json_object_iter_next(root, it), i++)
		if (strcmp(json_object_iter_key(it), envelope_keys[i]) != 0)
			fail_msg("key %zu is \"%s\", the envelope's is \"%s\"", i,
				 json_object_iter_key(it), envelope_keys[i]);
	assert_int_equal(i, N_ENVELOPE);
	assert_int_equal(json_integer_value(json_object_get(root, "schema")), schema);
	assert_string_equal(json_string_value(json_object_get(root, "tool")), "ctadvisor");
	assert_string_equal(json_string_value(json_object_get(root, "command")), command);
	assert_string_equal(json_string_value(json_object_get(root, "version")), CTADVISOR_VERSION);
	assert_string_equal(json_string_value(json_object_get(root, "status")),
			    status_of(exit_code));
	assert_true(json_is_integer(json_object_get(root, "exit_code")));
	assert_int_equal(json_integer_value(json_object_get(root, "exit_code")), exit_code);
	return root;
}

void envelope_golden(const char *name, const char *doc, size_t len)
{
	static const char test_version[] = "\"version\": \"0.0.0-test\"";
	char want[64];
	const char *at, *end = doc + len;
	char *buf, *p;
	size_t n;

	n = (size_t)snprintf(want, sizeof(want), "\"version\": \"%s\"", CTADVISOR_VERSION);
	at = strstr(doc, want);
	if (at == NULL)
		fail_msg("no %s in:\n%s", want, doc);
	assert_null(strstr(at + n, want));
	buf = malloc(len + sizeof(test_version));
	assert_non_null(buf);
	p = buf;
	memcpy(p, doc, (size_t)(at - doc));
	p += at - doc;
	memcpy(p, test_version, sizeof(test_version) - 1);
	p += sizeof(test_version) - 1;
	memcpy(p, at + n, (size_t)(end - (at + n)));
	p += end - (at + n);
	golden_check(name, buf, (size_t)(p - buf));
	free(buf);
}

/* The code point of the UTF-8 sequence at p and its length; -1 invalid. */
static long utf8_at(const unsigned char *p, size_t *n)
{
	long cp;
	size_t len = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc2 ? 2 : 0;

	if (*p < 0x80) {
		*n = 1;
		return *p;
	}
	if (len == 0 || *p > 0xf4)
		return -1;
	cp = *p & (0x3f >> (len - 1));
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	*n = len;
	return cp;
}

static bool is_unsafe(long cp)
{
	return (cp < 0x20 && cp != '\n') || (cp >= 0x7f && cp < 0xa0) ||
	       (cp >= 0x200e && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

void assert_terminal_safe(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t n = 1;

	for (; *p != '\0'; p += n) {
		long cp = utf8_at(p, &n);

		if (cp < 0 || is_unsafe(cp))
			fail_msg("unsafe byte 0x%02x at offset %zu of:\n%s", *p,
				 (size_t)(p - (const unsigned char *)text), text);
	}
}
