/* test_render_invalid.c: the invalid-packet report (logparse, watch --invalid)
 * against golden files, plus what a golden file cannot show: JSON that parses
 * back to the aggregate's numbers, text within 79 columns and free of raw
 * control characters whatever the logs held, each reason explained once,
 * colour only when asked, the status rule, write errors reported.
 * UPDATE_GOLDEN=1 rewrites tests/golden/invalid-*; review the diff. Run from
 * the repository root (fixtures, goldens) or set CTADVISOR_SRCDIR. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../../render/render_invalid.h"
#include "../common/golden.h"
#include "invalid_fx.h"

/* ---- cases: aggregates built from fixture lines, NFLOG packets, by hand ---- */

static const char *srcdir(void)
{
	const char *dir = getenv("CTADVISOR_SRCDIR");

	return dir != NULL ? dir : ".";
}

static void add_file(struct logparse_agg *agg, const char *name)
{
	char path[4096], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/fixtures/logparse/%s", srcdir(), name);
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s: %s (run from the repository root)", path,
			 strerror(errno));
	while ((n = getline(&line, &cap, f)) > 0)
		logparse_agg_add_line(agg, line, (size_t)n - (line[n - 1] == '\n'));
	free(line);
	fclose(f);
}

static void case_logparse(struct logparse_agg *agg, struct render_invalid_meta *m)
{
	add_file(agg, "dmesg.log");
	m->source = "/var/log/dmesg.log, kern.log.2.gz";
}

static void case_empty(struct logparse_agg *agg, struct render_invalid_meta *m)
{
	(void)agg;
	m->source = "stdin";
}

/* What watch --invalid feeds: NFLOG prefix + packet, interfaces from ifindex. */
static void case_live(struct logparse_agg *agg, struct render_invalid_meta *m)
{
	for (int i = 0; i < 7; i++)
		invalid_fx_add_syn_fin(agg, i < 5 ? "veth0" : "eth1");
	*m = (struct render_invalid_meta){.is_live = true,
					  .source = "nflog",
					  .netns = "lab-blue",
					  .duration_s = 12.5,
					  .nflog_packets = 7,
					  .nflog_lost = 3,
					  .enobufs = 1,
					  .nflog_bad_messages = 2,
					  .kernel_invalid_delta = 12,
					  .kernel_error_delta = 0,
					  .ruleset = INVALID_RULESET_DROPS,
					  .ruleset_rule =
					      "table inet filter chain input handle 4: ct "
					      "state invalid drop",
					  .nflog_not_reported = 2};
}

/* Everything in it came from outside: terminal escapes, bidi overrides,
 * invalid UTF-8, a newline in the netns name. The same reason both
 * dropped and accepted; sketch overflow; more interfaces than the table. */
static void case_hostile(struct logparse_agg *agg, struct render_invalid_meta *m)
{
	struct logparse_event ev;

	for (int i = 0; i < 40; i++) {
		ev = invalid_fx_ct_event("tcp-seq-under-lower-bound",
					 i % 4 ? LOGPARSE_VERDICT_DROPPED_INVALID
					       : LOGPARSE_VERDICT_ACCEPTED);
		ev.pkt.has = LOGPARSE_PKT_ADDRS | LOGPARSE_PKT_PROTO | LOGPARSE_PKT_PORTS;
		ev.pkt.family = AF_INET;
		ev.pkt.proto = 6;
		ev.pkt.src[0] = 10, ev.pkt.src[3] = (uint8_t)(i < 20 ? 1 : i);
		ev.pkt.dport = (uint16_t)(i < 20 ? 443 : 1000 + i);
		if (i == 0)
			snprintf(ev.pkt.in, sizeof(ev.pkt.in), "e\033[31mvil\n");
		else
			snprintf(ev.pkt.in, sizeof(ev.pkt.in), "if%d", i);
		logparse_agg_add(agg, &ev);
	}
	memset(&ev, 0, sizeof(ev));
	ev.kind = LOGPARSE_KIND_LOG_RULE;
	snprintf(ev.text, sizeof(ev.text),
		 "\033]0;pwned\007DROP \xe2\x80\xae"
		 "evil \xff\xfe:");
	logparse_agg_add(agg, &ev);
	ev.kind = LOGPARSE_KIND_RATELIMIT;
	ev.count = 1234;
	logparse_agg_add(agg, &ev);
	*m = (struct render_invalid_meta){.is_live = true,
					  .source = "nflog \033[2J\x9b",
					  .netns = "ns\nfake line",
					  .kernel_invalid_delta = UINT64_MAX,
					  .kernel_error_delta = UINT64_MAX,
					  .ruleset = INVALID_RULESET_DROPS,
					  .ruleset_rule =
					      "table x chain \033[31my\n: ct state invalid drop",
					  .nflog_not_reported = UINT64_MAX};
}

/* Marked invalid where no rule drops them, and ICMP errors that fit no
 * flow, which the kernel counts in error: an OK run. */
static void case_passes(struct logparse_agg *agg, struct render_invalid_meta *m)
{
	for (int i = 0; i < 5; i++) {
		struct logparse_event ev =
		    invalid_fx_ct_event(i < 3 ? "icmp-outer-daddr-mismatch" : "tcp-invalid-flags",
					LOGPARSE_VERDICT_DROPPED_INVALID);

		logparse_agg_add(agg, &ev);
	}
	*m = (struct render_invalid_meta){.is_live = true,
					  .source = "nflog",
					  .netns = "lab-red",
					  .duration_s = 3,
					  .nflog_packets = 5,
					  .kernel_invalid_delta = 2,
					  .kernel_error_delta = 3,
					  .ruleset = INVALID_RULESET_PASSES,
					  .nflog_not_reported = 0};
}

struct ri_case {
	const char *name;
	void (*build)(struct logparse_agg *, struct render_invalid_meta *);
	unsigned top_k;
	const char *status;
	int exit_code;
};

static const struct ri_case cases[] = {
    {"logparse", case_logparse, 10, "CRITICAL", 2}, {"empty", case_empty, 10, "OK", 0},
    {"live", case_live, 10, "WARNING", 1},          {"hostile", case_hostile, 3, "WARNING", 1},
    {"passes", case_passes, 10, "OK", 0},
};
#define N_CASES (sizeof(cases) / sizeof(cases[0]))

typedef int (*ri_fn)(FILE *, const struct logparse_agg_result *, const struct render_invalid_meta *,
		     bool);

static int ri_json(FILE *out, const struct logparse_agg_result *r,
		   const struct render_invalid_meta *m, bool color)
{
	(void)color;
	return render_invalid_json(out, r, m);
}

static const struct {
	const char *ext;
	ri_fn fn;
} formats[] = {
    {"txt", render_invalid_text},
    {"json", ri_json},
};
#define N_FORMATS (sizeof(formats) / sizeof(formats[0]))

/* ---- helpers ---- */

struct rendered {
	char *buf;
	size_t len;
	struct logparse_agg_result res; /* pointers dangle after render_case */
};

static void render_case(size_t ci, ri_fn fn, bool color, struct rendered *out)
{
	struct render_invalid_meta meta = {.netns = "", .kernel_invalid_delta = UINT64_MAX};
	struct logparse_agg *agg = logparse_agg_new(cases[ci].top_k);
	FILE *f;

	assert_non_null(agg);
	cases[ci].build(agg, &meta);
	meta.status = cases[ci].exit_code;
	logparse_agg_result(agg, &out->res);
	f = open_memstream(&out->buf, &out->len);
	assert_non_null(f);
	if (fn(f, &out->res, &meta, color) != 0)
		fail_msg("case %zu (%s): renderer failed", ci, cases[ci].name);
	assert_int_equal(fclose(f), 0);
	logparse_agg_free(agg);
}

static void test_golden(void **state)
{
	(void)state;
	for (size_t ci = 0; ci < N_CASES; ci++) {
		for (size_t fi = 0; fi < N_FORMATS; fi++) {
			struct rendered r = {0};
			char name[128];

			render_case(ci, formats[fi].fn, false, &r);
			snprintf(name, sizeof(name), "invalid-%s.%s", cases[ci].name,
				 formats[fi].ext);
			golden_check(name, r.buf, r.len);
			free(r.buf);
		}
	}
}

/* ---- JSON ---- */

#define N_JSON_KEYS 15
static const char *const json_keys[N_JSON_KEYS] = {
    "schema",  "tool",       "report",
    "mode",    "status",     "exit_code",
    "source",  "netns",      "counts_are_lower_bounds",
    "live",    "ruleset",    "input",
    "invalid", "table_full", "other",
};

static json_t *render_json_case(size_t ci, struct logparse_agg_result *res)
{
	struct rendered r = {0};
	json_error_t err;
	json_t *root;

	render_case(ci, ri_json, false, &r);
	*res = r.res;
	root = json_loadb(r.buf, r.len, JSON_REJECT_DUPLICATES, &err);
	free(r.buf);
	if (root == NULL)
		fail_msg("case %zu: invalid JSON at line %d: %s", ci, err.line, err.text);
	return root;
}

static json_int_t jget(json_t *root, const char *path)
{
	char buf[128], *save = NULL;
	json_t *v = root;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k != NULL; k = strtok_r(NULL, ".", &save))
		v = json_object_get(v, k);
	if (!json_is_integer(v))
		fail_msg("%s is not an integer", path);
	return json_integer_value(v);
}

static void test_json_values(void **state)
{
	(void)state;
	for (size_t ci = 0; ci < N_CASES; ci++) {
		struct logparse_agg_result r;
		json_t *root = render_json_case(ci, &r), *v;
		const char *key;
		size_t k = 0;

		json_object_foreach(root, key, v)
		{
			if (k >= N_JSON_KEYS || strcmp(key, json_keys[k]) != 0)
				fail_msg("case %zu: key %zu is \"%s\"", ci, k, key);
			k++;
		}
		assert_int_equal(k, N_JSON_KEYS);
		if (strcmp(json_string_value(json_object_get(root, "status")), cases[ci].status) ||
		    jget(root, "exit_code") != cases[ci].exit_code)
			fail_msg("case %zu: status/exit_code, want %s %d", ci, cases[ci].status,
				 cases[ci].exit_code);
		if (jget(root, "invalid.marked_invalid") != (json_int_t)r.marked_invalid ||
		    jget(root, "invalid.accepted") != (json_int_t)r.accepted ||
		    jget(root, "table_full.count") != (json_int_t)r.table_full ||
		    jget(root, "input.lines") != (json_int_t)r.lines ||
		    jget(root, "other.rate_limit.suppressed") != (json_int_t)r.suppressed ||
		    json_array_size(json_object_get(json_object_get(root, "invalid"), "reasons")) !=
			r.n_reasons)
			fail_msg("case %zu: JSON figures differ from the aggregate", ci);
		json_decref(root);
	}
}

/* Hostile strings come back as what they were, with invalid UTF-8 as \xNN
 * text; the live figures are there and the unknown kernel delta is null. */
static void test_json_hostile(void **state)
{
	struct logparse_agg_result r;
	json_t *root = render_json_case(3, &r);
	json_t *inv = json_object_get(root, "invalid");
	json_t *pfx = json_array_get(
	    json_object_get(json_object_get(json_object_get(root, "other"), "log_rules"),
			    "prefixes"),
	    0);
	json_t *live = json_object_get(root, "live");

	(void)state;
	assert_string_equal(json_string_value(json_object_get(pfx, "prefix")),
			    "\033]0;pwned\007DROP \xe2\x80\xae"
			    "evil \\xff\\xfe:");
	assert_string_equal(json_string_value(json_object_get(root, "source")),
			    "nflog \033[2J\\x9b");
	assert_string_equal(json_string_value(json_object_get(root, "netns")), "ns\nfake line");
	assert_true(json_is_null(json_object_get(live, "kernel_invalid_delta")));
	assert_true(json_is_null(json_object_get(live, "nflog_not_reported")));
	assert_true(json_is_true(json_object_get(root, "counts_are_lower_bounds")));
	assert_int_equal(json_array_size(json_object_get(inv, "top_sources")), 3);
	assert_int_equal(jget(inv, "interfaces_other"), 40 - 32);
	json_decref(root);
}

/* Undecodable NFLOG messages are shown, in JSON and in text, with what to do. */
static void test_live_bad_messages(void **state)
{
	struct logparse_agg_result r;
	struct rendered t;
	json_t *root = render_json_case(2, &r);
	json_t *live = json_object_get(root, "live");

	(void)state;
	assert_string_equal(cases[2].name, "live");
	assert_int_equal(jget(live, "nflog_bad_messages"), 2);
	assert_int_equal(jget(live, "nflog_lost"), 3);
	json_decref(root);
	render_case(2, render_invalid_text, false, &t);
	assert_non_null(strstr(t.buf, "3 lost (1 ENOBUFS errors), 2 not decodable"));
	assert_non_null(strstr(t.buf, "2 NFLOG messages could not be decoded"));
	free(t.buf);
	render_case(1, render_invalid_text, false, &t); /* logparse: no live lines */
	assert_null(strstr(t.buf, "decoded"));
	free(t.buf);
}

/* --force over a held group: nothing received, the status follows the
 * kernel's invalid counter, and the report says it did not listen. */
static void test_counts_only(void **state)
{
	struct logparse_agg *agg = logparse_agg_new(10);
	struct logparse_agg_result r;
	struct render_invalid_meta m = {.is_live = true,
					.is_counts_only = true,
					.source = "conntrack -S (NFLOG group 0 held elsewhere)",
					.netns = "",
					.kernel_invalid_delta = 4,
					.nflog_not_reported = UINT64_MAX};
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	json_t *root;

	(void)state;
	assert_non_null(agg);
	logparse_agg_result(agg, &r);
	m.status = 1; /* invalid_verdict() decides it: test_invalid_verdict.c */
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(render_invalid_text(f, &r, &m, false), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(buf, "ctadvisor watch --invalid: WARNING\n"));
	assert_non_null(strstr(buf, "not listening: NFLOG group 0 is held"));
	assert_null(strstr(buf, "packets received"));
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(render_invalid_json(f, &r, &m), 0);
	assert_int_equal(fclose(f), 0);
	root = json_loads(buf, 0, NULL);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "status")), "WARNING");
	assert_int_equal(jget(root, "exit_code"), 1);
	assert_true(
	    json_is_false(json_object_get(json_object_get(root, "live"), "nflog_listening")));
	json_decref(root);
	free(buf);
	logparse_agg_free(agg);
}

/* ---- text ---- */

/* Display columns of each line, UTF-8 aware; fails on a raw control byte. */
static void check_text_safe(size_t ci, const struct rendered *r, bool color)
{
	size_t col = 0, line = 1;

	for (size_t i = 0; i < r->len; i++) {
		unsigned char c = (unsigned char)r->buf[i];

		if (c == '\n') {
			col = 0, line++;
			continue;
		}
		if (c == 0x1b && color && i + 1 < r->len && r->buf[i + 1] == '[')
			continue; /* our own SGR sequence: checked by test_text_color */
		if (c < 0x20 || c == 0x7f)
			fail_msg("case %zu line %zu: raw control byte 0x%02x", ci, line, c);
		col += (c & 0xc0) != 0x80;
		if (col > 79 && !color)
			fail_msg("case %zu line %zu: over 79 columns", ci, line);
	}
}

static void test_text_safe(void **state)
{
	(void)state;
	for (size_t ci = 0; ci < N_CASES; ci++) {
		struct rendered r = {0};

		render_case(ci, render_invalid_text, false, &r);
		check_text_safe(ci, &r, false);
		free(r.buf);
	}
}

static size_t count_str(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* Text facts per case: the status line, sections present or not. */
static const struct {
	size_t ci;
	const char *needle;
	size_t count;
} text_facts[] = {
    {0, "ctadvisor logparse: CRITICAL\n", 1},
    {0, "every count below is a lower bound", 1},
    {0, "\n  tcp-invalid-flags (tcp)\n", 1},
    {0, "  Accepted (logged only)", 1},
    {0, "boot line      65536 buckets, 262144 max", 1},
    {1, "ctadvisor logparse: OK\n", 1},
    {1, "  total          none reported\n", 1},
    {1, "What the reasons mean", 0},
    {1, "Other kernel messages", 0},
    {2, "ctadvisor watch --invalid: WARNING\n", 1},
    {2, "  netns          lab-blue\n", 1},
    {2, "7 packets received, 3 lost (1 ENOBUFS errors)", 1},
    {2, "conntrack -S invalid grew by 12, error by 0 while listening", 1},
    {2, "drops the packets marked invalid: table inet filter chain", 1},
    {3, "table x chain \\x1b[31my\\n:\n", 1},
    {0, "only where the ruleset of the host that logged them drops", 1},
    {0, "1 of them dropped by a conntrack helper itself", 1},
    {4, "ctadvisor watch --invalid: OK\n", 1},
    {4, "no rule drops ct state invalid: the packets marked invalid", 1},
    {4, "invalid grew by 2, error by 3 while listening", 1},
    {4, "Dropped", 0},
    {2, "2 invalid packets counted by the kernel were not reported by", 1},
    {3, "not reported by", 0}, /* unknown: no note */
    {2, "veth0 (in 5, out 0), eth1 (in 2, out 0)", 1},
    {2, "SYN FIN 7", 1},
    {3, "tcp-seq-under-lower-bound (tcp)\n", 1}, /* explained once, seen twice */
    {3, "\\x1b[31mvil\\n", 1},
    {3, "\\x1b]0;pwned\\x07DROP \\u202eevil \\xff\\xfe:", 1},
    {3, "ns\\nfake line", 1},
    {3, "not readable", 1},
    {3, "10.0.0.1 20, ", 1},
};

static void test_text_facts(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(text_facts) / sizeof(text_facts[0]); i++) {
		struct rendered r = {0};
		char *s;
		size_t n;

		render_case(text_facts[i].ci, render_invalid_text, false, &r);
		s = strndup(r.buf, r.len);
		assert_non_null(s);
		n = count_str(s, text_facts[i].needle);
		if (n != text_facts[i].count)
			fail_msg("fact %zu (case %zu): \"%s\" found %zu times, want %zu", i,
				 text_facts[i].ci, text_facts[i].needle, n, text_facts[i].count);
		free(s);
		free(r.buf);
	}
}

static void test_text_color(void **state)
{
	static const char *const want[] = {"\033[1;31mCRITICAL\033[0m", "\033[32mOK\033[0m",
					   "\033[1;33mWARNING\033[0m", "\033[1;33mWARNING\033[0m",
					   "\033[32mOK\033[0m"};

	(void)state;
	for (size_t ci = 0; ci < N_CASES; ci++) {
		struct rendered r = {0}, plain = {0};
		char *s;

		render_case(ci, render_invalid_text, true, &r);
		render_case(ci, render_invalid_text, false, &plain);
		s = strndup(r.buf, r.len);
		if (strstr(s, want[ci]) == NULL)
			fail_msg("case %zu: no coloured status %s", ci, cases[ci].status);
		if (memchr(plain.buf, 0x1b, plain.len) != NULL)
			fail_msg("case %zu: escape sequence without colour", ci);
		check_text_safe(ci, &r, true);
		free(s);
		free(r.buf);
		free(plain.buf);
	}
}

/* ---- status rule and errors ---- */

static void test_write_error(void **state)
{
	(void)state;
	for (size_t fi = 0; fi < N_FORMATS; fi++) {
		struct render_invalid_meta meta = {.source = "x", .netns = ""};
		struct logparse_agg *agg = logparse_agg_new(10);
		struct logparse_agg_result r;
		FILE *f = fopen("/dev/full", "w");

		assert_non_null(agg);
		assert_non_null(f);
		case_logparse(agg, &meta);
		logparse_agg_result(agg, &r);
		if (formats[fi].fn(f, &r, &meta, false) != -EIO)
			fail_msg("format %s: a failed write was not reported", formats[fi].ext);
		fclose(f);
		logparse_agg_free(agg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden),       cmocka_unit_test(test_json_values),
	    cmocka_unit_test(test_json_hostile), cmocka_unit_test(test_live_bad_messages),
	    cmocka_unit_test(test_counts_only),  cmocka_unit_test(test_text_safe),
	    cmocka_unit_test(test_text_facts),   cmocka_unit_test(test_text_color),
	    cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
