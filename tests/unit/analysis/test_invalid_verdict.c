/* test_invalid_verdict.c: the status of an invalid-packet report. Marked
 * invalid is a warning only where the ruleset drops such packets or could
 * not be read; a helper's drops and a full expectation table always warn; a
 * full table is critical; counts only (--force over another listener): the
 * kernel's invalid counter decides. And which reports the kernel counts in
 * error rather than invalid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../../analysis/invalid_verdict.h"
#include "../../../rules/rules.h"

#define UNK    INVALID_RULESET_UNKNOWN
#define DROPS  INVALID_RULESET_DROPS
#define PASSES INVALID_RULESET_PASSES

static struct logparse_reason_count rows[2];

/* An aggregate result with n reports of reason id (verdict from the catalog). */
static void one_reason(struct logparse_agg_result *r, const char *id, uint64_t n)
{
	const struct logparse_reason *rs = logparse_catalog_find(id, strlen(id));

	assert_non_null(rs);
	memset(r, 0, sizeof(*r));
	rows[0] = (struct logparse_reason_count){.reason = rs, .verdict = rs->verdict, .count = n};
	r->reasons = rows;
	r->n_reasons = n > 0;
	if (rs->verdict == LOGPARSE_VERDICT_ACCEPTED)
		r->accepted = n;
	else
		r->marked_invalid = n;
}

static void test_table(void **state)
{
	static const struct {
		const char *id;
		uint64_t n, table_full, expect_full;
		int ruleset;
		int want;
	} t[] = {
	    {"tcp-invalid-flags", 0, 0, 0, UNK, CT_EXIT_OK},
	    {"tcp-invalid-flags", 4, 0, 0, UNK, CT_EXIT_WARNING},
	    {"tcp-invalid-flags", 4, 0, 0, DROPS, CT_EXIT_WARNING},
	    {"tcp-invalid-flags", 4, 0, 0, PASSES, CT_EXIT_OK},
	    {"tcp-seq-under-lower-bound", 9, 0, 0, UNK, CT_EXIT_OK}, /* accepted */
	    {"helper-drop", 1, 0, 0, PASSES, CT_EXIT_WARNING},       /* the helper drops */
	    {"tcp-invalid-flags", 0, 0, 1, PASSES, CT_EXIT_WARNING},
	    {"tcp-invalid-flags", 4, 1, 0, PASSES, CT_EXIT_CRITICAL},
	    {"tcp-invalid-flags", 0, 3, 9, DROPS, CT_EXIT_CRITICAL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct invalid_verdict_in in = {.ruleset = (enum invalid_ruleset)t[i].ruleset,
						.kernel_invalid_delta = UINT64_MAX};
		struct logparse_agg_result r;
		int got;

		one_reason(&r, t[i].id, t[i].n);
		r.table_full = t[i].table_full;
		r.by_kind[LOGPARSE_KIND_EXPECT_FULL] = t[i].expect_full;
		got = invalid_verdict(&r, &in);
		if (got != t[i].want)
			fail_msg("row %zu (%s): status %d, want %d", i, t[i].id, got, t[i].want);
	}
}

/* --force over a held group: no reports, only the kernel's counter. */
static void test_counts_only(void **state)
{
	struct invalid_verdict_in in = {.is_counts_only = true, .kernel_invalid_delta = 4};
	struct logparse_agg_result r;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(invalid_verdict(&r, &in), CT_EXIT_WARNING);
	in.ruleset = PASSES; /* grew, but nothing drops them */
	assert_int_equal(invalid_verdict(&r, &in), CT_EXIT_OK);
	in.ruleset = UNK;
	in.kernel_invalid_delta = 0;
	assert_int_equal(invalid_verdict(&r, &in), CT_EXIT_OK);
	in.kernel_invalid_delta = UINT64_MAX; /* not readable: nothing to say */
	assert_int_equal(invalid_verdict(&r, &in), CT_EXIT_OK);
	in.kernel_invalid_delta = 4;
	in.is_counts_only = false; /* listening: the reports decide */
	assert_int_equal(invalid_verdict(&r, &in), CT_EXIT_OK);
}

/* ICMP and ICMPv6 reasons are counted in error, everything else in
 * invalid; helper drops are told apart. */
static void test_sums(void **state)
{
	const char *icmp = "icmp-outer-daddr-mismatch", *icmp6 = "icmpv6-bad-checksum";
	const char *tcp = "tcp-invalid-flags", *helper = "helper-drop";
	struct logparse_agg_result r;

	(void)state;
	memset(&r, 0, sizeof(r));
	rows[0] = (struct logparse_reason_count){
	    .reason = logparse_catalog_find(icmp, strlen(icmp)), .count = 3};
	rows[1] = (struct logparse_reason_count){
	    .reason = logparse_catalog_find(icmp6, strlen(icmp6)), .count = 2};
	assert_non_null(rows[0].reason);
	assert_non_null(rows[1].reason);
	r.reasons = rows;
	r.n_reasons = 2;
	assert_int_equal(invalid_reports_in_error(&r), 5);
	assert_int_equal(invalid_reports_helper_dropped(&r), 0);
	rows[0].reason = logparse_catalog_find(tcp, strlen(tcp));
	rows[1].reason = logparse_catalog_find(helper, strlen(helper));
	assert_int_equal(invalid_reports_in_error(&r), 0);
	assert_int_equal(invalid_reports_helper_dropped(&r), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_counts_only),
	    cmocka_unit_test(test_sums),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
