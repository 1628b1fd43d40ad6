/* test_render_prom.c: the check report's Prometheus exposition, every line
 * in the text format 0.0.4, labels escaped; and the monitoring-plugin line
 * (status, perfdata, thresholds, the size cap) of the text report. */
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

/* ---- Prometheus: every line follows the text format 0.0.4 ---- */

static bool is_name_char(char c, bool is_first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!is_first && c >= '0' && c <= '9');
}

/* A quoted label value: only \\ \" \n escapes, no raw control bytes. */
static const char *prom_value(const char *p, size_t ci, size_t line)
{
	if (*p++ != '"')
		fail_msg("case %zu line %zu: label value not quoted", ci, line);
	for (; *p != '"'; p++) {
		if ((unsigned char)*p < 0x20 || *p == '\0')
			fail_msg("case %zu line %zu: raw control byte in a label", ci, line);
		if (*p == '\\' && (p[1] == '\\' || p[1] == '"' || p[1] == 'n'))
			p++;
		else if (*p == '\\')
			fail_msg("case %zu line %zu: bad escape \\%c", ci, line, p[1]);
	}
	return p + 1;
}

/* name{netns="..",l="v"} number; returns the metric name's length. */
static size_t prom_sample_line(const char *s, size_t ci, size_t line)
{
	const char *p = s;
	char *end;

	while (is_name_char(*p, p == s))
		p++;
	if (strncmp(p, "{netns=", 7) != 0)
		fail_msg("case %zu line %zu: no netns label first: %s", ci, line, s);
	for (p++; *p != '}';) {
		const char *l = p;

		while (is_name_char(*p, p == l) && *p != ':')
			p++;
		if (p == l || *p++ != '=')
			fail_msg("case %zu line %zu: bad label name", ci, line);
		p = prom_value(p, ci, line);
		if (*p == ',')
			p++;
		else if (*p != '}')
			fail_msg("case %zu line %zu: bad label list", ci, line);
	}
	if (p[1] != ' ')
		fail_msg("case %zu line %zu: no blank before the value", ci, line);
	strtod(p + 2, &end);
	if (end == p + 2 || *end != '\0')
		fail_msg("case %zu line %zu: bad value \"%s\"", ci, line, p + 2);
	return (size_t)(strchr(s, '{') - s);
}

/* Each family once, HELP then TYPE, then its samples and nothing else. */
static void prom_check(const char *buf, size_t ci)
{
	char *copy = strdup(buf), *save = NULL, family[128] = "", help[128] = "";
	char seen[48][128];
	size_t line = 0, n_seen = 0;

	assert_non_null(copy);
	for (char *s = strtok_r(copy, "\n", &save); s != NULL; s = strtok_r(NULL, "\n", &save)) {
		line++;
		if (strncmp(s, "# HELP ", 7) == 0) {
			sscanf(s + 7, "%127s", help);
			for (size_t i = 0; i < n_seen; i++)
				if (strcmp(seen[i], help) == 0)
					fail_msg("case %zu line %zu: family %s repeated", ci, line,
						 help);
			assert_in_range(n_seen, 0, 47);
			snprintf(seen[n_seen++], sizeof(seen[0]), "%s", help);
		} else if (strncmp(s, "# TYPE ", 7) == 0) {
			char type[16] = "";

			sscanf(s + 7, "%127s %15s", family, type);
			if (strcmp(family, help) != 0 ||
			    (strcmp(type, "gauge") != 0 && strcmp(type, "counter") != 0))
				fail_msg("case %zu line %zu: TYPE without HELP or bad type", ci,
					 line);
		} else {
			size_t n = prom_sample_line(s, ci, line);

			if (n != strlen(family) || strncmp(s, family, n) != 0)
				fail_msg("case %zu line %zu: sample outside its family", ci, line);
		}
	}
	free(copy);
}

static void test_prom_format(void **state)
{
	(void)state;
	for (size_t ci = 0; ci < N_CASES; ci++) {
		struct rendered r = {0};
		const char *st;
		int code = -1;

		render_case(ci, render_prom, &plain, &r);
		prom_check(r.buf, ci);
		st = strstr(r.buf, "\nctadvisor_check_status{");
		if (st != NULL)
			code = (int)strtol(strchr(st, '}') + 1, NULL, 10);
		if (code != cases[ci].exit_code)
			fail_msg("case %zu: check_status %d, want %d", ci, code,
				 cases[ci].exit_code);
		free(r.buf);
	}
}

/* The hostile name decodes to printable text only. */
static void test_prom_hostile_label(void **state)
{
	struct rendered r = {0};
	const char *p;

	(void)state;
	render_case(3, render_prom, &plain, &r);
	p = strstr(r.buf, "netns=\"");
	assert_non_null(p);
	assert_non_null(strstr(p, "netns=\"evil\\\\x1b[31mred\\\\x1b[0m\\n\\\"q\\\"\\\\b\\\\x09t"
				  "\\\\xff\\\\xc2\\\\x9b\\\\u202e!\""));
	assert_null(memchr(r.buf, 0x1b, r.len));
	free(r.buf);
}

/* ---- the monitoring-plugin line ---- */

/* One perfdata item: 'label'=value[UOM][;warn[;crit[;min[;max]]]], label
 * without ' or =, value a C-locale number, UOM one of the guideline's. */
static bool perf_item_ok(const char *s, size_t n)
{
	static const char *const uoms[] = {"", "%", "c", "B", "s", "ms", "us", "KB", "MB", "TB"};
	const char *end = s + n, *q, *v;
	size_t fields = 0;

	if (n < 4 || s[0] != '\'' || (q = memchr(s + 1, '\'', n - 1)) == NULL || q == s + 1 ||
	    q + 1 >= end || q[1] != '=' || memchr(s + 1, '=', (size_t)(q - s - 1)) != NULL)
		return false;
	v = q + 2;
	if (v < end && *v == '-')
		v++;
	if (v >= end || *v < '0' || *v > '9')
		return false;
	while (v < end && ((*v >= '0' && *v <= '9') || *v == '.'))
		v++;
	for (size_t u = 0;; u++) {
		size_t ul;

		if (u == sizeof(uoms) / sizeof(uoms[0]))
			return false;
		ul = strlen(uoms[u]);
		if ((size_t)(end - v) >= ul && strncmp(v, uoms[u], ul) == 0 &&
		    (v + ul == end || v[ul] == ';')) {
			v += ul;
			break;
		}
	}
	for (; v < end; v++)
		fields += *v == ';';
	return fields <= 4;
}

/* The first line of each case: status word, one '|', well-formed perfdata. */
static void test_plugin_line(void **state)
{
	static const struct {
		const char *head;
		const char *must[4];
	} want[] = {
	    {"CONNTRACK OK - ", {"'entries'=", "'max'=", "no warnings"}},
	    {"CONNTRACK CRITICAL - netns lab1: 262000 of 262144 entries (99.95% full); critical: "
	     "table-full; warning: unreplied-high, memory-at-max | ",
	     {"'fill'=99.9451%;75;90;0;100", "'entries'=262000;;;0;262144", "'drop'=5c",
	      "'early_drop'=10c"}},
	    {"CONNTRACK UNKNOWN - ", {"cannot read the conntrack table size", "'max'="}},
	    {"CONNTRACK WARNING - netns evil\\x1b[31mred", {"'fill'=80%;75;90;0;100", "80 of 100"}},
	};

	(void)state;
	for (size_t ci = 0; ci < N_CASES; ci++) {
		struct rendered r = {0};
		const char *nl, *bar, *item;

		render_case(ci, render_check_text, &plain, &r);
		nl = strchr(r.buf, '\n');
		assert_non_null(nl);
		if (strncmp(r.buf, want[ci].head, strlen(want[ci].head)) != 0)
			fail_msg("case %zu: first line \"%.*s\"", ci, (int)(nl - r.buf), r.buf);
		for (size_t m = 0; m < 4 && want[ci].must[m] != NULL; m++)
			if (memmem(r.buf, (size_t)(nl - r.buf), want[ci].must[m],
				   strlen(want[ci].must[m])) == NULL)
				fail_msg("case %zu: no \"%s\" on the first line", ci,
					 want[ci].must[m]);
		bar = memchr(r.buf, '|', r.len);
		if (bar == NULL || bar > nl ||
		    memchr(bar + 1, '|', r.len - (size_t)(bar + 1 - r.buf)))
			fail_msg("case %zu: want exactly one '|', on the first line", ci);
		for (item = bar + 2; item < nl;) {
			const char *sp = memchr(item, ' ', (size_t)(nl - item));
			size_t n = (size_t)((sp != NULL ? sp : nl) - item);

			if (!perf_item_ok(item, n))
				fail_msg("case %zu: bad perfdata item \"%.*s\"", ci, (int)n, item);
			item += n + 1;
		}
		for (const char *c = r.buf; c < nl; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				fail_msg("case %zu: raw control byte on the first line", ci);
		if (strncmp(nl + 1, "ctadvisor check: ", 17) != 0)
			fail_msg("case %zu: the report does not follow the plugin line", ci);
		free(r.buf);
	}
}

/* Thresholds as given, none at all, and '|' from outside kept off perfdata. */
static void test_plugin_thresholds_and_pipes(void **state)
{
	struct render_plugin_opts po = {"@10:20", NULL, 0};
	struct ct_snapshot snap;
	struct rules_report rep;
	char *buf = NULL;
	size_t len = 0, bars = 0;
	FILE *f;

	(void)state;
	snap_init(&snap);
	case_hostile(&snap, &rep);
	snprintf(snap.netns, sizeof(snap.netns), "a|b");
	snprintf(rep.findings[0].summary, sizeof(rep.findings[0].summary), "x | y");
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(render_plugin_text(f, &snap, &rep, &plain, &po), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(buf, "CONNTRACK WARNING - netns a\\x7cb: 80 of 100 entries"));
	assert_non_null(strstr(buf, "'fill'=80%;@10:20;;0;100 "));
	assert_non_null(strstr(buf, "x \\x7c y"));
	for (size_t i = 0; i < len; i++)
		bars += buf[i] == '|';
	assert_int_equal(bars, 1);
	free(buf);
	snap_free(&snap);
}

/* A report that would pass 8 KiB is cut at a line, with a note; without a
 * cap it is whole. */
static void test_plugin_cap(void **state)
{
	static const size_t caps[] = {RENDER_PLUGIN_MAX_BYTES, 0, 2000, 10};

	(void)state;
	for (size_t k = 0; k < sizeof(caps) / sizeof(caps[0]); k++) {
		struct render_plugin_opts po = {"75", "90", caps[k]};
		struct ct_snapshot snap;
		struct rules_report rep;
		char *buf = NULL;
		size_t len = 0;
		FILE *f;

		snap_init(&snap);
		case_critical(&snap, &rep);
		while (rep.n_findings < RULES_FINDINGS) {
			struct rules_finding *fd =
			    add_finding(&rep, "filler", RULES_SEV_INFO,
					"A long sentence that fills a line. "
					"A long sentence that fills a line. "
					"A long sentence that fills a line.");
			add_cmd(fd, "echo one command that is also rather long, to fill it");
		}
		f = open_memstream(&buf, &len);
		assert_non_null(f);
		assert_int_equal(render_plugin_text(f, &snap, &rep, &plain, &po), 0);
		assert_int_equal(fclose(f), 0);
		if (caps[k] == 0 && (len <= RENDER_PLUGIN_MAX_BYTES || strstr(buf, "report cut")))
			fail_msg("case %zu: uncapped output is %zu bytes", k, len);
		if (caps[k] >= 2000 && (len > caps[k] || strstr(buf, "\n(report cut here") == NULL))
			fail_msg("case %zu: capped at %zu, got %zu bytes", k, caps[k], len);
		if (strncmp(buf, "CONNTRACK CRITICAL - ", 21) != 0 || buf[len - 1] != '\n')
			fail_msg("case %zu: plugin line or final newline lost", k);
		free(buf);
		snap_free(&snap);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prom_format), cmocka_unit_test(test_prom_hostile_label),
	    cmocka_unit_test(test_plugin_line), cmocka_unit_test(test_plugin_thresholds_and_pipes),
	    cmocka_unit_test(test_plugin_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
