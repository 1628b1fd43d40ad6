/* test_render_watch_prom.c: watch --format prometheus (render_watch_prom.c
 * and the shared writer promw.c) against golden files
 * (tests/golden/watch-*.prom, UPDATE_GOLDEN=1 rewrites them), plus what a
 * golden file cannot show: each family's # HELP and # TYPE once and before
 * its samples, the netns label only when a namespace was named and escaped
 * whatever the name holds, the limit left out when there is none, totals
 * summed over CPUs, write errors reported. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../render/render_watch_prom.h"
#include "../common/golden.h"

#define BIT(s) (UINT32_C(1) << (s))

/* Two samples 1 s apart, 2 CPUs: count 900 then 1200 of max 65536. drop
 * 7+5 then 7+9 (16), invalid 0xfffffff0+100 then wraps to 0x10 and 108
 * (+40: 4294967420), found 1000+2000 then 1500+2500; chaintoolong on cpu1 only. */
struct fx {
	struct snap_cpu_stats c0[2], c1[2];
	struct rates_sample s0, s1;
	struct watch_state st;
	struct watch_totals tot;
};

static void fx_init(struct fx *f, uint64_t max)
{
	const uint32_t slots = BIT(SNAP_STAT_DROP) | BIT(SNAP_STAT_INVALID) | BIT(SNAP_STAT_FOUND);

	memset(f, 0, sizeof(*f));
	for (unsigned i = 0; i < 2; i++)
		f->c0[i] = (struct snap_cpu_stats){.cpu = i, .present = slots};
	f->c0[1].present |= BIT(SNAP_STAT_CHAINTOOLONG);
	f->c0[0].v[SNAP_STAT_DROP] = 7, f->c0[1].v[SNAP_STAT_DROP] = 5;
	f->c0[0].v[SNAP_STAT_INVALID] = 0xfffffff0u, f->c0[1].v[SNAP_STAT_INVALID] = 100;
	f->c0[0].v[SNAP_STAT_FOUND] = 1000, f->c0[1].v[SNAP_STAT_FOUND] = 2000;
	memcpy(f->c1, f->c0, sizeof(f->c0));
	f->c1[1].v[SNAP_STAT_DROP] = 9;
	f->c1[0].v[SNAP_STAT_INVALID] = 0x10, f->c1[1].v[SNAP_STAT_INVALID] = 108;
	f->c1[0].v[SNAP_STAT_FOUND] = 1500, f->c1[1].v[SNAP_STAT_FOUND] = 2500;
	f->c1[1].v[SNAP_STAT_CHAINTOOLONG] = 1;
	f->s0 =
	    (struct rates_sample){.t_ms = 0, .count = 900, .max = max, .cpus = f->c0, .n_cpus = 2};
	f->s1 = (struct rates_sample){
	    .t_ms = 1000, .count = 1200, .max = max, .cpus = f->c1, .n_cpus = 2};
	watch_state_init(&f->st, NULL, 1000, false);
	watch_state_add(&f->st, NULL, &f->s0, NULL);
	watch_totals_add(&f->tot, NULL, &f->s0);
	watch_state_add(&f->st, &f->s0, &f->s1, NULL);
	watch_totals_add(&f->tot, &f->s0, &f->s1);
}

/* Rendered into memory; the caller frees. */
static char *render(const struct fx *f, const char *netns, size_t *len)
{
	struct render_watch_prom m = {.netns = netns,
				      .start_s = 1796650000,
				      .write_s = 1796650061,
				      .cur = &f->s1,
				      .st = &f->st,
				      .tot = &f->tot};
	char *buf = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&buf, &n);

	assert_non_null(out);
	assert_int_equal(render_watch_prom(out, &m), 0);
	assert_int_equal(fclose(out), 0);
	if (len != NULL)
		*len = n;
	return buf;
}

static void test_golden(void **state)
{
	static const struct {
		const char *file, *netns;
	} cases[] = {
	    {"watch-rates.prom", NULL},
	    {"watch-rates-netns.prom", "lab\"blue\\\n\033[31m"},
	};
	struct fx f;

	(void)state;
	fx_init(&f, 65536);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		char *buf = render(&f, cases[i].netns, &len);

		golden_check(cases[i].file, buf, len);
		free(buf);
	}
}

/* The value of the sample line that starts with key (name and labels). */
static const char *value_of(const char *buf, const char *key)
{
	size_t klen = strlen(key);

	for (const char *l = buf; *l; l = strchr(l, '\n') + 1) {
		if (strncmp(l, key, klen) == 0 && l[klen] == ' ')
			return l + klen + 1;
		if (strchr(l, '\n') == NULL)
			break;
	}
	return NULL;
}

static void assert_value(const char *buf, const char *key, const char *want)
{
	const char *v = value_of(buf, key);

	if (v == NULL || strncmp(v, want, strlen(want)) != 0 || v[strlen(want)] != '\n')
		fail_msg("%s: want %s, got %.20s", key, want, v != NULL ? v : "(none)");
}

static void test_values(void **state)
{
	struct fx f;
	char *buf;

	(void)state;
	fx_init(&f, 65536);
	buf = render(&f, NULL, NULL);
	assert_value(buf, "ctadvisor_watch_conntrack_entries", "1200");
	assert_value(buf, "ctadvisor_watch_conntrack_entries_limit", "65536");
	assert_value(buf, "ctadvisor_watch_conntrack_entries_peak", "1200");
	assert_value(buf, "ctadvisor_watch_conntrack_stat_drop_total", "16");
	assert_value(buf, "ctadvisor_watch_conntrack_stat_invalid_total", "4294967420");
	assert_value(buf, "ctadvisor_watch_conntrack_stat_found_total", "4000");
	assert_value(buf, "ctadvisor_watch_conntrack_stat_chaintoolong_total", "1");
	assert_value(buf, "ctadvisor_watch_samples_total", "2");
	assert_value(buf, "ctadvisor_watch_start_time_seconds{mode=\"rates\"}", "1796650000");
	assert_value(buf, "ctadvisor_watch_last_write_timestamp_seconds{mode=\"rates\"}",
		     "1796650061");
	/* never reported: no family */
	assert_null(strstr(buf, "stat_early_drop_total"));
	assert_null(strstr(buf, "netns="));
	free(buf);
	buf = render(&f, "", NULL);
	assert_null(strstr(buf, "netns="));
	free(buf);
}

/* Each family: # HELP then # TYPE once, right before its first sample, and
 * every sample under the header of its own family. */
static void test_structure(void **state)
{
	char fam[128] = "", seen[4096] = " ";
	struct fx f;
	char *buf, *save = NULL;

	(void)state;
	fx_init(&f, 65536);
	buf = render(&f, "lab", NULL);
	for (char *l = strtok_r(buf, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save)) {
		char name[128], key[140];

		if (sscanf(l, "# TYPE %127s", name) == 1) {
			snprintf(key, sizeof(key), " %s ", name);
			if (strstr(seen, key) != NULL)
				fail_msg("family %s has two headers", name);
			strncat(seen, key + 1, sizeof(seen) - strlen(seen) - 1);
			snprintf(fam, sizeof(fam), "%s", name);
			continue;
		}
		if (l[0] == '#')
			continue;
		if (strncmp(l, fam, strlen(fam)) != 0 || l[strlen(fam)] != '{')
			fail_msg("sample outside its family %s: %s", fam, l);
		if (strncmp(l + strlen(fam), "{netns=\"lab\"", 12) != 0)
			fail_msg("no netns label first: %s", l);
	}
	free(buf);
}

/* nf_conntrack_max 0 (no limit): no limit gauge rather than a 0 limit. */
static void test_no_limit(void **state)
{
	struct fx f;
	char *buf;

	(void)state;
	fx_init(&f, 0);
	buf = render(&f, NULL, NULL);
	assert_null(strstr(buf, "entries_limit "));
	assert_value(buf, "ctadvisor_watch_conntrack_entries", "1200");
	free(buf);
}

static void test_write_error(void **state)
{
	struct fx f;
	struct render_watch_prom m;
	FILE *out = fopen("/dev/full", "w");

	(void)state;
	if (out == NULL)
		fail_msg("/dev/full: %s", strerror(errno));
	fx_init(&f, 65536);
	m = (struct render_watch_prom){.cur = &f.s1, .st = &f.st, .tot = &f.tot};
	assert_int_equal(render_watch_prom(out, &m), -EIO);
	fclose(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden),      cmocka_unit_test(test_values),
	    cmocka_unit_test(test_structure),   cmocka_unit_test(test_no_limit),
	    cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
