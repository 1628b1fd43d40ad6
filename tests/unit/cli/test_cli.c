/* Unit tests: option value parsers, and check's threshold options (their
 * values, defaults as --help states them, and one-line errors). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../../cli/cli.h"
#include "../../../cli/cmd.h"
#include "../../../cli/cmd_check.h"

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

/* Run FN over a writable copy of ARGS (NULL-terminated) with fd (1 or 2)
 * sent to a temporary file; the file's text in OUT (up to SIZE - 1 bytes). */
static int capture(int fd, char *out, size_t size, int (*fn)(int, char **), const char *const *args)
{
	char *argv[16] = {NULL};
	FILE *tmp = tmpfile();
	int argc = 0, saved, rc;
	size_t n;

	for (; args[argc] != NULL && argc < 15; argc++)
		argv[argc] = strdup(args[argc]);
	assert_non_null(tmp);
	fflush(fd == 1 ? stdout : stderr);
	saved = dup(fd);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), fd) >= 0);
	rc = fn(argc, argv);
	fflush(fd == 1 ? stdout : stderr);
	assert_true(dup2(saved, fd) >= 0);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, size - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return rc;
}

static struct check_args parsed;

static int parse_into(int argc, char **argv)
{
	return check_parse_args(argc, argv, &parsed);
}

#define ARGS(...) ((const char *const[]){"check", __VA_ARGS__, NULL})
/* Parse check's options; the stderr text in ERR. */
#define PARSE(err, ...) capture(2, err, sizeof(err), parse_into, ARGS(__VA_ARGS__))

/* No option: the rules' defaults, which the help text states. */
static void test_check_defaults(void **state)
{
	struct rules_opts def;
	char err[512], help[8192];

	(void)state;
	rules_opts_default(&def);
	assert_int_equal(
	    capture(2, err, sizeof(err), parse_into, (const char *const[]){"check", NULL}), 0);
	assert_true(parsed.opts.mem_warn_pct_ram == def.mem_warn_pct_ram);
	assert_true(parsed.opts.mem_crit_pct_ram == def.mem_crit_pct_ram);
	assert_true(parsed.opts.load_warn == def.load_warn);
	assert_int_equal(parsed.opts.unreplied_min, def.unreplied_min);
	assert_int_equal(capture(1, help, sizeof(help), cmd_check, ARGS("--help")), 0);
	assert_non_null(strstr(help, "--mem-warn PCT"));
	assert_non_null(strstr(help, "--mem-crit PCT"));
	assert_non_null(strstr(help, "--load-warn N"));
	assert_non_null(strstr(help, "--unreplied-min N"));
	/* The defaults it documents are those in force. */
	assert_true(def.mem_warn_pct_ram == 5 && def.mem_crit_pct_ram == 25);
	assert_true(def.load_warn == 16 && def.unreplied_min == 1000);
	assert_non_null(strstr(help, "that warns\n                          (default 5)"));
	assert_non_null(strstr(help, "is critical (default 25)"));
	assert_non_null(strstr(help, "(default 16: the"));
	assert_non_null(strstr(help, "judged\n                          (default 1000)"));
	assert_non_null(strstr(help, "--color always wins over it"));
	assert_non_null(strstr(help, "75 % itself is OK"));
}

static void test_check_thresholds(void **state)
{
	char err[512];

	(void)state;
	assert_int_equal(PARSE(err, "--mem-warn", "1.5", "--mem-crit", "3%"), 0);
	assert_true(parsed.opts.mem_warn_pct_ram == 1.5 && parsed.opts.mem_crit_pct_ram == 3);
	assert_int_equal(PARSE(err, "--mem-warn", "7", "--mem-crit", "7"), 0);
	assert_int_equal(PARSE(err, "--load-warn", "0.5"), 0);
	assert_true(parsed.opts.load_warn == 0.5);
	assert_int_equal(PARSE(err, "--load-warn", "100"), 0);
	assert_true(parsed.opts.load_warn == 100);
	assert_int_equal(PARSE(err, "--unreplied-min", "0"), 0);
	assert_int_equal(parsed.opts.unreplied_min, 0);
	assert_int_equal(PARSE(err, "--unreplied-min", "250000"), 0);
	assert_int_equal(parsed.opts.unreplied_min, 250000);
	assert_string_equal(err, "");
}

/* Each bad value: -1, one line naming the option (and what it takes), then
 * the --help hint; nothing else. */
static void test_check_threshold_errors(void **state)
{
	static const struct {
		const char *opt, *val, *line;
	} t[] = {
	    {"--load-warn", "0", "invalid value for --load-warn (a number above 0, at most 100)"},
	    {"--load-warn", "100.5", "--load-warn (a number above 0, at most 100): '100.5'"},
	    {"--load-warn", "-1", "--load-warn"},
	    {"--load-warn", "2x", "--load-warn"},
	    {"--load-warn", "", "--load-warn"},
	    {"--load-warn", "1e1", "--load-warn"},
	    {"--mem-warn", "101", "invalid value for --mem-warn (a percentage of RAM, 0 to 100)"},
	    {"--mem-warn", "-5", "--mem-warn"},
	    {"--mem-crit", "abc", "invalid value for --mem-crit (a percentage of RAM, 0 to 100)"},
	    {"--mem-crit", "", "--mem-crit"},
	    {"--unreplied-min", "-1", "invalid value for --unreplied-min (a count of flows"},
	    {"--unreplied-min", "99999999999999999999999", "--unreplied-min"},
	    {"--unreplied-min", "1.5", "--unreplied-min"},
	};
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc = PARSE(err, t[i].opt, t[i].val);
		const char *nl = strchr(err, '\n');

		if (rc != -1 || strncmp(err, "ctadvisor check: ", 17) != 0 ||
		    strstr(err, t[i].line) == NULL || nl == NULL ||
		    strcmp(nl + 1, "Try 'ctadvisor check --help'.\n") != 0)
			fail_msg("case %zu (%s '%s'): rc %d, stderr \"%s\"", i, t[i].opt, t[i].val,
				 rc, err);
	}
	/* Warning above critical, in either order on the command line. */
	assert_int_equal(PARSE(err, "--mem-warn", "30"), -1);
	assert_string_equal(err, "ctadvisor check: --mem-warn (30) is above --mem-crit (25)\n"
				 "Try 'ctadvisor check --help'.\n");
	assert_int_equal(PARSE(err, "--mem-crit", "2", "--mem-warn", "3"), -1);
	assert_non_null(strstr(err, "--mem-warn (3) is above --mem-crit (2)"));
	/* And through the command: exit 3. */
	assert_int_equal(capture(2, err, sizeof(err), cmd_check, ARGS("--load-warn", "0")), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pct),
	    cmocka_unit_test(test_u64),
	    cmocka_unit_test(test_words),
	    cmocka_unit_test(test_duration),
	    cmocka_unit_test(test_check_defaults),
	    cmocka_unit_test(test_check_thresholds),
	    cmocka_unit_test(test_check_threshold_errors),
	    cmocka_unit_test(test_log_proto_words_of_watch_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
