/* test_size.c: cli_parse_size() against a table of accepted and refused
 * sizes, including the fraction arithmetic and overflow at 2^64. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../../cli/size.h"

static void test_sizes(void **state)
{
	static const struct {
		const char *in;
		int rc;
		uint64_t bytes;
	} cases[] = {
	    {"0", 0, 0},
	    {"1048576", 0, 1048576},
	    {"1024B", 0, 1024},
	    {"512M", 0, UINT64_C(512) << 20},
	    {"512m", 0, UINT64_C(512) << 20},
	    {"2G", 0, UINT64_C(2) << 30},
	    {"1.5GiB", 0, UINT64_C(3) << 29},
	    {"1.5gib", 0, UINT64_C(3) << 29},
	    {"4K", 0, 4096},
	    {"4KiB", 0, 4096},
	    {"4KB", 0, 4000},
	    {"2MB", 0, 2000000},
	    {"1GB", 0, 1000000000},
	    {"1T", 0, UINT64_C(1) << 40},
	    {"1.1M", 0, 1153433}, /* 1153433.6 bytes: the fraction of a byte is dropped */
	    {"0.1K", 0, 102},
	    {"0.000000001T", 0, 1099}, /* 9 fraction digits allowed */
	    {"16E", -EINVAL, 0},
	    {"18446744073709551615", 0, UINT64_MAX},
	    {"18446744073709551616", -ERANGE, 0},
	    {"16777216T", -ERANGE, 0}, /* 2^64 */
	    {"16777215.9999T", 0, UINT64_C(0xffffffffffffffff) - 109951162},
	    {"", -EINVAL, 0},
	    {"M", -EINVAL, 0},
	    {"-1M", -EINVAL, 0},
	    {"+1M", -EINVAL, 0},
	    {" 1M", -EINVAL, 0},
	    {"1M ", -EINVAL, 0},
	    {"1 M", -EINVAL, 0},
	    {".5G", -EINVAL, 0},
	    {"1.G", -EINVAL, 0},
	    {"1..5G", -EINVAL, 0},
	    {"1.5.G", -EINVAL, 0},
	    {"0x10", -EINVAL, 0},
	    {"1e6", -EINVAL, 0},
	    {"1.0000000001G", -EINVAL, 0}, /* 10 fraction digits */
	    {"12Q", -EINVAL, 0},
	    {"1MiBB", -EINVAL, 0},
	    {"1Mi", -EINVAL, 0},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t out = 0xdeadbeef;
		int rc = cli_parse_size(cases[i].in, &out);

		if (rc != cases[i].rc)
			fail_msg("case %zu '%s': rc %d, want %d", i, cases[i].in, rc, cases[i].rc);
		if (rc == 0 && out != cases[i].bytes)
			fail_msg("case %zu '%s': %llu bytes, want %llu", i, cases[i].in,
				 (unsigned long long)out, (unsigned long long)cases[i].bytes);
		if (rc != 0 && out != 0xdeadbeef)
			fail_msg("case %zu '%s': output written on failure", i, cases[i].in);
	}
}

static void test_null(void **state)
{
	uint64_t out = 7;

	(void)state;
	assert_int_equal(cli_parse_size(NULL, &out), -EINVAL);
	assert_int_equal(out, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sizes),
	    cmocka_unit_test(test_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
