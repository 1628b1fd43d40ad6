/* test_plan_whatif.c: Little's law and the timeout what-if of plan, by flow
 * class, with their rounding and errors. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "plan_fixture.h"

static void test_little(void **state)
{
	static const struct {
		double rate, life;
		int rc;
		double entries;
	} t[] = {
	    {100, 30, 0, 3000},          {0, 432000, 0, 0},     {0.5, 86400, 0, 43200},
	    {-1, 30, -EINVAL, 0},        {100, -1, -EINVAL, 0}, {NAN, 30, -EINVAL, 0},
	    {100, INFINITY, -EINVAL, 0},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		double e = -42;

		CHECK(i, plan_little(t[i].rate, t[i].life, &e) == t[i].rc);
		CHECK(i, e == (t[i].rc == 0 ? t[i].entries : -42));
	}
}

#define KN_EST "net.netfilter.nf_conntrack_tcp_timeout_established"
#define KN_UDP "net.netfilter.nf_conntrack_udp_timeout"
#define KN_TW  "net.netfilter.nf_conntrack_tcp_timeout_time_wait"

/* Long-lived idle TCP, short UDP, TIME_WAIT churn and ICMP (no knob); no
 * split by how flows ended (idle_share 0), so a change simply caps. */
static const struct plan_class classes[] = {
    {"tcp/ESTABLISHED", KN_EST, 0.5, 200000, 0, 0, 0, false}, /* 100000 entries */
    {"udp/UNREPLIED", KN_UDP, 1000, 30, 0, 0, 0, false},      /* 30000 */
    {"tcp/TIME_WAIT", KN_TW, 200, 120, 0, 0, 0, false},       /* 24000 */
    {"icmp", NULL, 10, 30, 0, 0, 0, false},                   /* 300 */
};

static void test_whatif(void **state)
{
	static const struct {
		struct plan_timeout chg[2];
		size_t n_chg;
		double after_total;
		size_t n_changed;
		double est_after;
	} t[] = {
	    /* 0: nothing changed */
	    {{{KN_EST, 0}}, 0, 154300, 0, 100000},
	    /* 1: established 432000 -> 86400: 0.5 x 86400 = 43200 */
	    {{{KN_EST, 86400}}, 1, 97500, 1, 43200},
	    /* 2: and udp 30 -> 10: 1000 x 10 = 10000 */
	    {{{KN_EST, 86400}, {KN_UDP, 10}}, 2, 77500, 2, 43200},
	    /* 3: raising never lengthens a lifetime */
	    {{{KN_EST, 864000}}, 1, 154300, 0, 100000},
	    /* 4: two changes to one knob: the smaller wins, 0.5 x 3600 */
	    {{{KN_EST, 86400}, {KN_EST, 3600}}, 2, 56100, 1, 1800},
	    /* 5: a knob no class uses changes nothing */
	    {{{"net.netfilter.nf_conntrack_generic_timeout", 5}}, 1, 154300, 0, 100000},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct plan_whatif w;

		memset(&w, 0, sizeof(w));
		CHECK(i, plan_whatif(classes, ARRAY_SIZE(classes), t[i].chg, t[i].n_chg, &w,
				     NULL) == 0);
		CHECK(i, w.n == ARRAY_SIZE(classes));
		CHECK(i, w.before_total == 154300);
		CHECK(i, w.before[0] == 100000 && w.before[3] == 300);
		CHECK(i, w.after_total == t[i].after_total);
		CHECK(i, w.after_entries == (uint64_t)t[i].after_total);
		CHECK(i, w.n_changed == t[i].n_changed);
		CHECK(i, w.after[0] == t[i].est_after);
		CHECK(i, w.is_changed[0] == (t[i].est_after < 100000));
		CHECK(i, w.after[2] == 24000 && !w.is_changed[2]); /* TIME_WAIT untouched */
		CHECK(i, w.after[3] == 300 && !w.is_changed[3]);
	}
}

/* The projection feeds plan as a target: 77500 / 0.8 = 96875 -> 95 x 1024. */
static void test_whatif_into_plan(void **state)
{
	static const struct plan_timeout chg[] = {{KN_EST, 86400}, {KN_UDP, 10}};
	struct plan_whatif w;
	struct plan_input in;

	(void)state;
	assert_int_equal(plan_whatif(classes, ARRAY_SIZE(classes), chg, 2, &w, NULL), 0);
	base_input(&in);
	set_target(&in, w.after_entries, 0.2);
	assert_int_equal(plan_compute(&in, &res, NULL), 0);
	assert_int_equal(res.max_raw, 96875);
	assert_int_equal(res.rec.max, 97280);
	assert_int_equal(res.rec.buckets, 97280);
}

/* Rounding of the projected total: float noise is not an extra entry. */
static void test_whatif_rounding(void **state)
{
	static const struct {
		double rate, life;
		uint64_t want;
	} t[] = {
	    {0.3, 100, 30}, /* 30.000000000000004 in binary */
	    {0.1, 3, 1},    /* 0.30000000000000004 -> 1 */
	    {0.5, 3, 2},    /* 1.5 -> 2 */
	    {0, 100, 0},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct plan_class c = {"x", NULL, t[i].rate, t[i].life, 0, 0, 0, false};
		struct plan_whatif w;

		CHECK(i, plan_whatif(&c, 1, NULL, 0, &w, NULL) == 0);
		CHECK(i, w.after_entries == t[i].want);
	}
}

static void test_whatif_errors(void **state)
{
	struct plan_class cls[PLAN_MAX_CLASSES + 1];
	struct plan_timeout chg[2] = {{KN_EST, 86400}, {KN_UDP, 10}};
	struct plan_whatif w;
	struct plan_error err = {0};

	(void)state;
	memcpy(cls, classes, sizeof(classes));
	cls[2].lifetime_s = -1;
	w.n = 99;
	assert_int_equal(plan_whatif(cls, 4, chg, 2, &w, &err), -EINVAL);
	assert_string_equal(err.field, "lifetime_s");
	assert_int_equal(err.index, 2);
	assert_int_equal(w.n, 99); /* untouched */
	memcpy(cls, classes, sizeof(classes));
	cls[1].new_per_s = NAN;
	assert_int_equal(plan_whatif(cls, 4, chg, 2, &w, &err), -EINVAL);
	assert_string_equal(err.field, "new_per_s");
	assert_int_equal(err.index, 1);
	memcpy(cls, classes, sizeof(classes));
	chg[1].timeout_s = 0;
	assert_int_equal(plan_whatif(cls, 4, chg, 2, &w, &err), -EINVAL);
	assert_string_equal(err.field, "timeout_s");
	assert_int_equal(err.index, 1);
	chg[1].timeout_s = 10;
	chg[0].knob = NULL;
	assert_int_equal(plan_whatif(cls, 4, chg, 2, &w, &err), -EINVAL);
	assert_string_equal(err.field, "knob");
	assert_int_equal(err.index, 0);
	chg[0].knob = KN_EST;
	for (size_t i = 0; i < ARRAY_SIZE(cls); i++)
		cls[i] = classes[0];
	assert_int_equal(plan_whatif(cls, PLAN_MAX_CLASSES + 1, chg, 2, &w, &err), -ERANGE);
	assert_int_equal(plan_whatif(cls, PLAN_MAX_CLASSES, chg, 2, &w, &err), 0);
	cls[0].new_per_s = 1e200;
	cls[0].lifetime_s = 1e200; /* product is inf */
	assert_int_equal(plan_whatif(cls, 1, NULL, 0, &w, &err), -ERANGE);
}

#define KN_UDPS "net.netfilter.nf_conntrack_udp_timeout_stream"

/* The issue's own example, as a watch saves it: TCP that reached
 * ESTABLISHED, 10/s living 300 s and ended by close (nothing timed out in
 * ESTABLISHED); UDP not assured, 5/s living 40 s, all timed out under
 * udp_timeout 30. So udp flows were active 40 - 30 = 10 s on average. */
static const struct plan_class issue_classes[] = {
    {"tcp_established", KN_EST, 10, 300, 432000, 0, 0, false},
    {"udp", KN_UDP, 5, 40, 30, 1, 40, false},
};

static void test_whatif_issue_example(void **state)
{
	static const struct {
		struct plan_timeout chg[2];
		size_t n_chg;
		double tcp_after, udp_after, total;
		size_t n_changed;
	} t[] = {
	    /* 0: established 86400 > 300 s of life; udp 40 - 30 + 10 = 20 s -> 5 x 20 */
	    {{{KN_EST, 86400}, {KN_UDP, 10}}, 2, 300, 20, 3100, 1},
	    /* 1: udp raised to 60: 40 - 30 + 60 = 70 s -> 350: raising lengthens */
	    {{{KN_UDP, 60}}, 1, 300, 70, 3350, 1},
	    /* 2: established cut to 100 s: closed flows capped, min(300, 100) */
	    {{{KN_EST, 100}}, 1, 100, 40, 1200, 1},
	    /* 3: udp_timeout_stream is another class's knob: no change */
	    {{{KN_UDPS, 5}}, 1, 300, 40, 3200, 0},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct plan_whatif w;

		CHECK(i, plan_whatif(issue_classes, 2, t[i].chg, t[i].n_chg, &w, NULL) == 0);
		CHECK(i, w.before_total == 3200);
		CHECK(i, fabs(w.lifetime_after_s[0] - t[i].tcp_after) < 1e-9);
		CHECK(i, fabs(w.lifetime_after_s[1] - t[i].udp_after) < 1e-9);
		CHECK(i, fabs(w.after_total - t[i].total) < 1e-6);
		CHECK(i, w.after_entries == (uint64_t)t[i].total);
		CHECK(i, w.n_changed == t[i].n_changed);
		CHECK(i, w.is_changed[1] == (t[i].udp_after != 40));
	}
}

/* A class mixing flows that timed out and flows that did not: 10/s, mean
 * 300 s; 20 % timed out under established 900 s after 1000 s of life; so the
 * other 80 % lived (300 - 0.2 x 1000) / 0.8 = 125 s. */
static void test_whatif_mixed_class(void **state)
{
	static const struct {
		double timeout_now, t_new, after;
	} t[] = {
	    /* 0.2 x (1000 - 900 + 600) + 0.8 x min(125, 600) = 140 + 100 */
	    {900, 600, 240},
	    /* 0.2 x (1000 - 900 + 100) + 0.8 x min(125, 100) = 40 + 80 */
	    {900, 100, 120},
	    /* old timeout unknown: 0.2 x min(1000, 600) + 0.8 x 125 = 120 + 100 */
	    {0, 600, 220},
	    /* flows that "timed out" lived less than the old timeout (it was
	     * changed meanwhile): capped too, 0.2 x min(1000, 600) + 100 */
	    {2000, 600, 220},
	    /* raised to 1800: 0.2 x (1000 - 900 + 1800) + 0.8 x 125 = 380 + 100 */
	    {900, 1800, 480},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct plan_class c = {"tcp_established", KN_EST, 10,   300,
				       t[i].timeout_now,  0.2,    1000, true};
		struct plan_timeout chg = {KN_EST, t[i].t_new};
		struct plan_whatif w;

		CHECK(i, plan_whatif(&c, 1, &chg, 1, &w, NULL) == 0);
		CHECK(i, fabs(w.lifetime_after_s[0] - t[i].after) < 1e-9);
		CHECK(i, fabs(w.after[0] - 10 * t[i].after) < 1e-6);
		CHECK(i, w.before[0] == 3000);
		CHECK(i, w.is_changed[0]);
	}
}

static void test_whatif_class_errors(void **state)
{
	static const struct {
		double timeout_s, idle_share, idle_life;
		const char *field;
	} t[] = {
	    {-1, 0, 0, "timeout_s"},
	    {NAN, 0, 0, "timeout_s"},
	    {30, -0.1, 0, "idle_share"},
	    {30, 1.5, 0, "idle_share"},
	    {30, 0.5, -1, "idle_lifetime_s"},
	    {30, 1, 41, "idle_lifetime_s"}, /* > lifetime 40 */
	    {30, 0.5, INFINITY, "idle_lifetime_s"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct plan_class c[2] = {issue_classes[0], issue_classes[1]};
		struct plan_error err = {0};
		struct plan_whatif w;

		c[1].timeout_s = t[i].timeout_s;
		c[1].idle_share = t[i].idle_share;
		c[1].idle_lifetime_s = t[i].idle_life;
		CHECK(i, plan_whatif(c, 2, NULL, 0, &w, &err) == -EINVAL);
		CHECK(i, err.field != NULL && strcmp(err.field, t[i].field) == 0);
		CHECK(i, err.index == 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_little),
	    cmocka_unit_test(test_whatif),
	    cmocka_unit_test(test_whatif_into_plan),
	    cmocka_unit_test(test_whatif_rounding),
	    cmocka_unit_test(test_whatif_errors),
	    cmocka_unit_test(test_whatif_issue_example),
	    cmocka_unit_test(test_whatif_mixed_class),
	    cmocka_unit_test(test_whatif_class_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
