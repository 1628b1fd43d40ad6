/* test_render.c: the check renderers against golden files, and JSON that
 * parses back to the same values, keys in the documented order. The cases
 * are render_cases.c; the other checks a golden file cannot make are in
 * test_render_prom.c, test_render_text.c and test_render_escape.c.
 * UPDATE_GOLDEN=1 rewrites tests/golden/check-*; review the diff. The golden
 * directory is under $CTADVISOR_SRCDIR, or the current directory. */
#include <errno.h>
#include <inttypes.h>
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

#include "../../../collect/check_netns.h"
#include "../../../render/escape.h"
#include "../../../analysis/nat_check.h"
#include "../../../render/render.h"
#include "../../../render/render_plugin.h"
#include "../common/golden.h"
#include "render_cases.h"

/* ---- golden files ---- */

static void test_golden(void **state)
{
	(void)state;
	for (size_t ci = 0; ci < N_CASES; ci++) {
		for (size_t fi = 0; fi < N_FORMATS; fi++) {
			struct rendered r = {0};
			char name[256];

			render_case(ci, formats[fi].fn, &plain, &r);
			snprintf(name, sizeof(name), "check-%s.%s", cases[ci].name,
				 formats[fi].ext);
			golden_check(name, r.buf, r.len);
			free(r.buf);
		}
	}
}

/* ---- JSON: parses back, keys in the documented order, values intact ---- */

#define N_JSON_KEYS 17
static const char *const json_keys[N_JSON_KEYS] = {
    "schema", "tool",     "command",   "version",  "status",   "exit_code",
    "netns",  "settings", "occupancy", "counters", "window",   "walk",
    "memory", "nat",      "all_netns", "findings", "problems",
};

static void test_json_top_level(void **state)
{
	(void)state;
	for (size_t ci = 0; ci < N_CASES; ci++) {
		json_t *root = render_json_case(ci);
		const char *key, *status = NULL;
		json_t *v;
		size_t k = 0;
		int schema = 0, code = -1;

		json_object_foreach(root, key, v)
		{
			if (k >= N_JSON_KEYS || strcmp(key, json_keys[k]) != 0)
				fail_msg("case %zu: key %zu is \"%s\"", ci, k, key);
			k++;
		}
		assert_int_equal(k, N_JSON_KEYS);
		if (json_unpack(root, "{s:i, s:s, s:i}", "schema", &schema, "status", &status,
				"exit_code", &code) != 0)
			fail_msg("case %zu: schema/status/exit_code missing", ci);
		assert_int_equal(schema, 1);
		if (strcmp(status, cases[ci].status) != 0 || code != cases[ci].exit_code)
			fail_msg("case %zu: status %s exit %d, want %s %d", ci, status, code,
				 cases[ci].status, cases[ci].exit_code);
		json_decref(root);
	}
}

static void test_json_partial_nulls(void **state)
{
	json_t *root = render_json_case(2);
	json_t *knob =
	    json_object_get(json_object_get(root, "settings"), "net.netfilter.nf_conntrack_count");

	(void)state;
	assert_true(json_is_null(json_object_get(root, "occupancy")));
	assert_true(json_is_null(json_object_get(root, "counters")));
	assert_true(json_is_null(json_object_get(root, "walk")));
	assert_true(json_is_null(json_object_get(json_object_get(root, "memory"), "now_bytes")));
	assert_true(json_is_null(json_object_get(knob, "value")));
	assert_string_equal(json_string_value(json_object_get(knob, "error")), "EACCES");
	assert_int_equal(json_array_size(json_object_get(root, "problems")), 4);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(root, "problems"), 0), "error")),
			    "EPERM");
	json_decref(root);
}

static void test_json_critical_values(void **state)
{
	json_t *root = render_json_case(1);
	json_t *walk = json_object_get(root, "walk");
	json_t *f0 = json_array_get(json_object_get(root, "findings"), 0);
	json_t *ev = json_object_get(f0, "evidence");
	json_t *dport = json_array_get(json_object_get(walk, "top_dports"), 0);
	json_t *total = json_object_get(json_object_get(root, "counters"), "total");

	(void)state;
	assert_true(json_is_integer(json_object_get(ev, "drop")));
	assert_int_equal(json_integer_value(json_object_get(ev, "drop")), 5);
	assert_string_equal(json_string_value(json_object_get(f0, "severity")), "critical");
	assert_int_equal(json_array_size(json_object_get(f0, "commands")), 2);
	assert_string_equal(json_string_value(json_object_get(f0, "equivalent")),
			    "sysctl -w net.netfilter.nf_conntrack_max=524288 "
			    "net.netfilter.nf_conntrack_buckets=524288");
	assert_int_equal(json_integer_value(json_object_get(walk, "attempts")), 3);
	assert_string_equal(json_string_value(json_object_get(dport, "proto")), "udp");
	assert_int_equal(json_integer_value(json_object_get(dport, "port")), 53);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(walk, "protocols"), "proto-253")),
	    2);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(walk, "tcp_states"), "UNKNOWN")), 1);
	/* 16 CPUs: found = 1234567 x (1 + ... + 16) */
	assert_int_equal(json_integer_value(json_object_get(total, "found")), 1234567 * 136);
	assert_int_equal(json_object_size(total), 10);
	assert_int_equal(
	    json_array_size(json_object_get(json_object_get(root, "counters"), "per_cpu")), 16);
	assert_true(json_is_true(json_object_get(walk, "interrupted")));
	json_decref(root);
}

/* NOLINTBEGIN(misc-misleading-bidirectional): deliberate */
/* Control characters survive as JSON escapes; only the invalid byte is lost.
 * The output itself is printable ASCII. */
static void test_json_hostile(void **state)
{
	json_t *root = render_json_case(3);
	struct rendered r = {0};

	render_case(3, render_json, &plain, &r);
	for (size_t i = 0; i < r.len; i++)
		if (r.buf[i] != '\n' && (r.buf[i] < 0x20 || r.buf[i] >= 0x7f))
			fail_msg("byte %zu is 0x%02x", i, (unsigned char)r.buf[i]);
	free(r.buf);
	json_t *p0 = json_array_get(json_object_get(root, "problems"), 0);
	json_t *knob =
	    json_object_get(json_object_get(root, "settings"), "net.netfilter.nf_conntrack_helper");

	(void)state;
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(root, "netns"), "name")),
	    HOSTILE_JSON);
	assert_string_equal(json_string_value(json_object_get(p0, "detail")),
			    "cannot open /run/netns/" HOSTILE_JSON);
	assert_string_equal(json_string_value(json_object_get(p0, "what")), "netns\x1b[2J");
	assert_string_equal(json_string_value(json_object_get(knob, "value")), "\x1b]0;pwned\x07");
	json_decref(root);
}
/* NOLINTEND(misc-misleading-bidirectional) */

/* uint64 counters above 2^63 - 1 are clamped, not wrapped negative. */
static void test_json_u64_clamp(void **state)
{
	struct ct_snapshot snap;
	struct rules_report rep;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *root, *occ;

	(void)state;
	assert_non_null(f);
	snap_init(&snap);
	case_healthy(&snap, &rep);
	snap.count = UINT64_MAX;
	snap.total.v[SNAP_STAT_FOUND] = (uint64_t)INT64_MAX + 1;
	assert_int_equal(render_json(f, &snap, &rep, &plain), 0);
	fclose(f);
	root = json_loadb(buf, len, 0, NULL);
	assert_non_null(root);
	occ = json_object_get(root, "occupancy");
	assert_int_equal(json_integer_value(json_object_get(occ, "count")), INT64_MAX);
	assert_int_equal(json_integer_value(json_object_get(
			     json_object_get(json_object_get(root, "counters"), "total"), "found")),
			 INT64_MAX);
	json_decref(root);
	free(buf);
	snap_free(&snap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden),
	    cmocka_unit_test(test_json_top_level),
	    cmocka_unit_test(test_json_partial_nulls),
	    cmocka_unit_test(test_json_critical_values),
	    cmocka_unit_test(test_json_hostile),
	    cmocka_unit_test(test_json_u64_clamp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
