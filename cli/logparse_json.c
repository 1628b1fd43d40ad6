/* logparse_json.c: one JSON record per line. journalctl -o json writes the
 * kernel's message as MESSAGE, a string, or an array of byte values when it
 * is not valid UTF-8; _TRANSPORT says the kernel wrote it,
 * SYSLOG_IDENTIFIER which program, __REALTIME_TIMESTAMP when (microseconds,
 * as a string). Docker's json-file driver writes {"log": "line\n", ...}.
 * Only lines that may hold a conntrack line are parsed: jansson allocates. */
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logparse_json.h"

#define MSG_MAX 8192 /* the journal's kernel lines are at most ~1 KiB */

/* 1 when the raw record may hold one of our lines: a byte-array MESSAGE
 * hides its text, anything else shows the words logparse looks for. */
static int may_be_ours(const char *p, size_t len)
{
	static const char *const words[] = {
	    "conntrack",    "nf_ct_", "IN=", "SRC=", "helper", "callbacks suppressed",
	    "\"MESSAGE\":["};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (memmem(p, len, words[i], strlen(words[i])))
			return 1;
	}
	return 0;
}

/* MESSAGE as bytes into buf: a string, or an array of 0..255. Length, or
 * -EINVAL. A longer message is cut at MSG_MAX (logparse flags a cut). */
static long message_bytes(json_t *m, char *buf)
{
	size_t n = 0, i;
	json_t *v;

	if (json_is_string(m)) {
		n = json_string_length(m);
		if (n > MSG_MAX)
			n = MSG_MAX;
		memcpy(buf, json_string_value(m), n);
		return (long)n;
	}
	if (!json_is_array(m))
		return -EINVAL;
	json_array_foreach(m, i, v)
	{
		json_int_t b = json_integer_value(v);

		if (!json_is_integer(v) || b < 0 || b > 255)
			return -EINVAL;
		if (n < MSG_MAX)
			buf[n++] = (char)b;
	}
	return (long)n;
}

static int64_t realtime_usec(json_t *o)
{
	const char *s = json_string_value(json_object_get(o, "__REALTIME_TIMESTAMP"));
	char *end;
	long long v;

	if (!s)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	return (errno || *end || v < 0) ? -1 : (int64_t)v;
}

static int feed_journal(struct logparse_agg *agg, json_t *o, json_t *m)
{
	char buf[MSG_MAX];
	const char *tr = json_string_value(json_object_get(o, "_TRANSPORT"));
	const char *id = json_string_value(json_object_get(o, "SYSLOG_IDENTIFIER"));
	struct logparse_origin org = {.format = LOGPARSE_FMT_JOURNAL_JSON, .ident = id};
	long n = message_bytes(m, buf);

	if (n < 0)
		return 0;
	org.is_kernel = (tr && strcmp(tr, "kernel") == 0) || (id && strcmp(id, "kernel") == 0);
	org.realtime_usec = realtime_usec(o);
	logparse_agg_add_record(agg, buf, (size_t)n, &org);
	return 1;
}

int logparse_json_feed(struct logparse_agg *agg, const char *line, size_t len)
{
	struct logparse_origin org = {.format = LOGPARSE_FMT_DOCKER_JSON, .realtime_usec = -1};
	json_error_t err;
	json_t *o, *m;
	int done = 0;

	while (len > 0 && (*line == ' ' || *line == '\t'))
		line++, len--;
	if (len < 2 || *line != '{' || !may_be_ours(line, len))
		return 0;
	o = json_loadb(line, len, JSON_ALLOW_NUL, &err);
	if (!json_is_object(o)) {
		json_decref(o);
		return 0;
	}
	if ((m = json_object_get(o, "MESSAGE")) != NULL) {
		done = feed_journal(agg, o, m);
	} else if (json_is_string(m = json_object_get(o, "log"))) {
		const char *s = json_string_value(m);
		size_t n = json_string_length(m);

		org.partial = n == 0 || s[n - 1] != '\n'; /* Docker splits lines over 16 KiB */
		logparse_agg_add_record(agg, s, n, &org);
		done = 1;
	}
	json_decref(o);
	return done;
}
