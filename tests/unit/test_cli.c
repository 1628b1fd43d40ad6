/* Unit tests: option value parsers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../advisor/cli.h"

static void test_pct(void **state)
{
	static const struct {
		const char *in;
		int rc;
		double v;
	} cases[] = {
	    {"75", 0, 75},       {"75%", 0, 75},        {"0", 0, 0},           {"100", 0, 100},
	    {"12.5", 0, 12.5},   {"0.25%", 0, 0.25},    {"100.1", -ERANGE, 0}, {"101", -ERANGE, 0},
	    {"", -EINVAL, 0},    {"%", -EINVAL, 0},     {"-5", -EINVAL, 0},    {"5%%", -EINVAL, 0},
	    {"1e2", -EINVAL, 0}, {"7.5.1", -EINVAL, 0}, {" 5", -EINVAL, 0},    {"5 ", -EINVAL, 0},
	    {".", -EINVAL, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double v = -1;
		int rc = cli_parse_pct(cases[i].in, &v);

		if (rc != cases[i].rc ||
		    (rc == 0 && (v < cases[i].v - 1e-9 || v > cases[i].v + 1e-9)))
			fail_msg("case %zu '%s': rc %d v %g", i, cases[i].in, rc, v);
		if (rc != 0 && v != -1)
			fail_msg("case %zu: output written on error", i);
	}
}

static void test_u64(void **state)
{
	uint64_t v = 3;

	(void)state;
	assert_int_equal(cli_parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(cli_parse_u64("18446744073709551616", &v), -ERANGE);
	assert_int_equal(cli_parse_u64("-1", &v), -EINVAL);
	assert_int_equal(cli_parse_u64("", &v), -EINVAL);
	assert_int_equal(cli_parse_u64("12k", &v), -EINVAL);
	assert_int_equal(cli_parse_u64(NULL, &v), -EINVAL);
	assert_true(v == UINT64_MAX);
}

static void test_words(void **state)
{
	enum cli_format f = CLI_FORMAT_TEXT;
	enum cli_color c = CLI_COLOR_AUTO;

	(void)state;
	assert_int_equal(cli_parse_format("json", &f), 0);
	assert_int_equal(f, CLI_FORMAT_JSON);
	assert_int_equal(cli_parse_format("prom", &f), 0);
	assert_int_equal(f, CLI_FORMAT_PROMETHEUS);
	assert_int_equal(cli_parse_format("JSON", &f), -EINVAL);
	assert_int_equal(cli_parse_format("", &f), -EINVAL);
	assert_int_equal(f, CLI_FORMAT_PROMETHEUS);
	assert_int_equal(cli_parse_color("never", &c), 0);
	assert_int_equal(c, CLI_COLOR_NEVER);
	assert_int_equal(cli_parse_color("yes", &c), -EINVAL);
}

/* --proto of watch --invalid: the nf_conntrack_log_invalid number. */
static void test_log_proto_words_of_watch_invalid(void **state)
{
	static const struct {
		const char *word;
		unsigned num;
	} ok[] = {{"tcp", 6},     {"udp", 17},   {"udplite", 136}, {"icmp", 1},
		  {"icmpv6", 58}, {"sctp", 132}, {"dccp", 33},     {"all", 255}};
	unsigned p = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		p = 0;
		assert_int_equal(cli_parse_log_proto(ok[i].word, &p), 0);
		assert_int_equal(p, ok[i].num);
	}
	assert_int_equal(cli_parse_log_proto("DCCP", &p), -EINVAL);
	assert_int_equal(cli_parse_log_proto("33", &p), -EINVAL);
	assert_int_equal(cli_parse_log_proto("gre", &p), -EINVAL);
	assert_int_equal(cli_parse_log_proto(NULL, &p), -EINVAL);
	assert_int_equal(p, 255); /* untouched on error */
}

static void test_duration(void **state)
{
	static const struct {
		const char *in;
		int rc;
		uint64_t ms;
	} cases[] = {
	    {"1", 0, 1000},         {"1s", 0, 1000},         {"500ms", 0, 500},
	    {"2m", 0, 120000},      {"1.5h", 0, 5400000},    {"0.25s", 0, 250},
	    {"30d", -EINVAL, 0},    {"", -EINVAL, 0},        {"s", -EINVAL, 0},
	    {"-1s", -EINVAL, 0},    {"0", -ERANGE, 0},       {"0.1ms", -ERANGE, 0},
	    {"721h", -ERANGE, 0},   {"1 s", -EINVAL, 0},     {"99999999999", -ERANGE, 0},
	    {"1.2.3s", -EINVAL, 0}, {"720h", 0, 2592000000},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t ms = 7;
		int rc = cli_parse_duration_ms(cases[i].in, &ms);

		if (rc != cases[i].rc || (rc == 0 && ms != cases[i].ms) || (rc != 0 && ms != 7))
			fail_msg("case %zu '%s': rc %d ms %llu", i, cases[i].in, rc,
				 (unsigned long long)ms);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pct),
	    cmocka_unit_test(test_u64),
	    cmocka_unit_test(test_words),
	    cmocka_unit_test(test_duration),
	    cmocka_unit_test(test_log_proto_words_of_watch_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
